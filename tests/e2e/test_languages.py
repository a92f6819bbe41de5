"""Every command, run for real in Chinese and in English against the simulator: same exit codes, same
machine output, and Chinese text where a person reads.

Each language gets a world of its own (simulator, database, config), so a command that changes things
meets the same state in both runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from conftest import COOKIE, COOKIE_SECRETS, QUARKCTL, Cli, ResourceDB, share_url
from quarkctl.db.schema import metadata
from quarkctl.simulator import Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
# What may stay English inside Chinese output: links, paths, options, names of settings and commands,
# apprise URLs, Quark's codes. Removed before looking for English sentences.
UNTRANSLATED = re.compile(
    r"https?://\S+|[a-z0-9+]+://\S*|--?[A-Za-z][\w-]*|\S*/\S*|`[^`]*`|\b[A-Z][A-Z0-9_]{2,}\b|\S*[\d_.=@$%{}<>|\\]\S*"
    r"|\bquarkctl(?: [a-z-]+)*|\b(?:check-links|autosave|resources|history|schedule|notify|doctor|demo|sign|db init)\b"
    r"|\b(?:cron|systemd|apprise|SQLite|MariaDB|MySQL|Quark|Emby|Plex|Jellyfin|Alist|OpenList|Cookie|JSON|CSV|TEXT|INTEGER|FLOAT|PATH|FILE|DIR)\b",
)
# English that is not quarkctl's: what the database driver, systemctl and typer's own click copy say.
EXTERNAL = re.compile(
    r"\(\d{4}\) [^()]*(\([^()]*\))?[^()]*|System has not been booted.*|Failed to connect to bus.*"
    r"|Invalid value for .*|Input should be .*|No such option.*"
)
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){3,}\b")  # four English words in a row


@dataclass
class World:
    cli: Cli
    sim: Simulator
    db: ResourceDB
    config: Path


def seed_world(home: Path, sim: Simulator) -> World:
    sim.tq_gap, sim.task_polls = 10, 1
    episodes = [{"name": f"第{i:02d}集.mp4", "size": 1000 + i} for i in range(1, 4)]
    sim.add_share(Share(pwd_id="good00000001", title="好剧", files=episodes))
    sim.add_share(Share(pwd_id="good00000002", title="新片", files=[{"name": "新片.mkv", "size": 5}]))
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    sim.add_share(Share(pwd_id="pass00000001", title="p", passcode="ab12", files=episodes))
    home.mkdir(parents=True)
    url = f"sqlite:///{home / 'links.db'}"
    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    db = ResourceDB(url=make_url(url), kind="sqlite")
    db.seed([
        {"drama_name": "好剧", "link": share_url("good00000001")},
        {"drama_name": "死链接", "link": share_url("dead00000001")},
        {"drama_name": "要提取码", "link": share_url("pass00000001")},
        {"drama_name": "旧链接", "link": share_url("good00000002"), "is_expired": 1},
    ])
    config = home / "quark_config.json"
    config.write_text(json.dumps({
        "cookie": COOKIE, "push_config": {"QUARK_SIGN_NOTIFY": True}, "magic_regex": {},
        "tasklist": [
            {"taskname": "好剧", "shareurl": share_url("good00000001"), "savepath": "/追更/好剧", "pattern": r"\.mp4$", "replace": ""},
            {"taskname": "坏任务", "shareurl": share_url("dead00000001"), "savepath": "/追更/坏", "pattern": "", "replace": ""},
        ],
    }, ensure_ascii=False), encoding="utf-8")
    (home / "import.csv").write_text("drama_name,link\n新片,https://pan.quark.cn/s/good00000002\n", encoding="utf-8")
    (home / "broken.json").write_text('{"cookie": "x", "tasklist": [', encoding="utf-8")
    env = {
        "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"), "QUARK_API_BASE": sim.base_url, "QUARK_COOKIE": COOKIE,
        "DATABASE_URL": url, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "PATH": os.environ["PATH"],
    }
    return World(Cli(home, env), sim, db, config)


@contextmanager
def world(home: Path) -> Iterator[World]:
    with Simulator(cookies=[COOKIE]) as sim:
        yield seed_world(home, sim)


# (name, argv with {home}/{config} filled per world, setup: commands run first, in English)
HISTORY_SETUP = [["check-links", *FAST]]
COMMANDS = [
    ("check-links", ["check-links", *FAST], []),
    ("check-links --json", ["check-links", *FAST, "--json"], []),
    ("check-links --dry-run --quiet", ["check-links", *FAST, "--dry-run", "--quiet"], []),
    ("check-links --recheck-expired", ["check-links", *FAST, "--recheck-expired", "--limit", "2"], []),
    ("check-links rejected cookie", ["check-links", *FAST], [], {"QUARK_COOKIE": "__uid=expired; __puus=Stale"}),
    ("check-links no cookie", ["check-links", *FAST], [], {"QUARK_COOKIE": ""}),
    ("check-links bad option", ["check-links", "--concurrency", "0"], []),
    ("check-links unknown option", ["check-links", "--no-such-option"], []),
    ("check-links wrong db", ["check-links", *FAST], [], {"DATABASE_URL": "mysql+pymysql://u:hunter2pw@127.0.0.1:1/x"}),
    ("db init", ["db", "init"], []),
    ("resources add --check", ["resources", "add", "新片", share_url("good00000002") + "?x", "--check"], []),
    ("resources add dead", ["resources", "add", "又一个", "https://pan.quark.cn/s/dead00000001#x", "--check"], []),
    ("resources add not quark", ["resources", "add", "别的", "https://pan.baidu.com/s/1abc"], []),
    ("resources list", ["resources", "list"], [], {}, "machine"),  # not a terminal: tab-separated, for scripts
    ("resources list --json", ["resources", "list", "--json"], [], {}, "machine"),
    ("resources show", ["resources", "show", "2"], HISTORY_SETUP),
    ("resources import", ["resources", "import", "{home}/import.csv"], []),
    ("resources export", ["resources", "export"], [], {}, "machine"),
    ("resources set-status", ["resources", "set-status", "1", "--expired"], []),
    ("resources revive", ["resources", "revive", *FAST], []),
    ("resources rm", ["resources", "rm", "3", "--yes"], []),
    ("history", ["history"], HISTORY_SETUP),
    ("history show", ["history", "show", "1"], HISTORY_SETUP),
    ("history --json", ["history", "--json"], HISTORY_SETUP, {}, "machine"),
    ("schedule", ["schedule"], []),
    ("schedule install --print", ["schedule", "install", "--cron", "--print"], [], {}, "file"),
    ("doctor", ["doctor", "--config", "{config}"], []),
    ("autosave --dry-run", ["autosave", "--config", "{config}", *FAST, "--dry-run"], []),
    ("autosave", ["autosave", "--config", "{config}", *FAST], []),
    ("autosave --json", ["autosave", "--config", "{config}", *FAST, "--json"], []),
    ("autosave broken config", ["autosave", "--config", "{home}/broken.json"], []),
    ("sign", ["sign", "--config", "{config}"], []),
    ("notify test, no target", ["notify", "test"], []),
    ("demo", ["demo"], []),
]


def fill(argv: list[str], w: World) -> list[str]:
    return [a.format(home=w.cli.home, config=w.config) if "{" in a and "}" in a and "://" not in a else a for a in argv]


def run_in(tmp_path: Path, lang: str, argv: list[str], setup: list[list[str]], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    with world(tmp_path / lang) as w:
        for step in setup:
            assert w.cli.run(*fill(step, w)).returncode in (0, 1)
        lang_args = ["--lang", lang] if lang == "zh_CN" else []  # English: what LANG=C gives
        return w.cli.run(*lang_args, *fill(argv, w), env=env)


def english_leftovers(text: str) -> list[str]:
    """Lines of Chinese output that still hold an English sentence (four words in a row)."""
    found = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("{"):  # a JSON document is machine output
            continue
        stripped = UNTRANSLATED.sub(" ", EXTERNAL.sub(" ", line))
        if ENGLISH_RUN.search(stripped):
            found.append(line.strip())
    return found


def comparable(document: object) -> object:
    """JSON without what changes from run to run (times, durations, ids of files made in the run)."""
    volatile = re.compile(r"(^|_)(at|time|duration|seconds|started|finished|fid|fids|pid|run_id|id|path|created|updated|database)s?$")  # database: each world's own file
    if isinstance(document, dict):
        return {k: comparable(v) for k, v in document.items() if not volatile.search(k)}
    if isinstance(document, list):
        return [comparable(v) for v in document]
    return document


@pytest.mark.parametrize("case", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_each_command_speaks_chinese_and_english_alike(tmp_path: Path, case: tuple) -> None:
    name, argv, setup, *rest = case
    env = rest[0] if rest else {}
    kind = rest[1] if len(rest) > 1 else "text"
    zh = run_in(tmp_path, "zh_CN", argv, setup, env)
    en = run_in(tmp_path, "en", argv, setup, env)
    for proc in (zh, en):
        out = proc.stdout + proc.stderr
        assert "Traceback" not in out, out
        for secret in (*COOKIE_SECRETS, "hunter2pw"):
            assert secret not in out
    assert zh.returncode == en.returncode, (zh.stderr, en.stderr)
    zh_text, en_text = zh.stdout + zh.stderr, en.stdout + en.stderr
    stamp = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[^\s\"]*")
    if kind == "machine":  # output for scripts: the same in every language
        if zh.stdout.startswith("{"):
            assert comparable(json.loads(zh.stdout)) == comparable(json.loads(en.stdout))
        else:
            assert stamp.sub("T", zh.stdout) == stamp.sub("T", en.stdout)
        return
    if kind == "file":  # files quarkctl writes: the same, but the language of the one who installed them
        assert "QUARKCTL_LANG=zh_CN" in zh.stdout.splitlines() and "# QUARKCTL_LANG=zh_CN" in en.stdout.splitlines()
        return
    # Chinese that English lacks: the data (names, Quark's messages) is Chinese in both.
    zh_words, en_words = set(CJK.findall(zh_text)), set(CJK.findall(en_text))
    assert zh_words - en_words, f"{name}: no Chinese beyond the data\n{zh_text}"
    assert not english_leftovers(zh_text), f"{name}: English left in the Chinese output"
    if "--json" in argv:
        assert comparable(json.loads(zh.stdout)) == comparable(json.loads(en.stdout))
    if "Error: " in en.stderr:  # a one-line error stays one line, with the same prefix for log filters
        assert len(zh.stderr.strip().splitlines()) == len(en.stderr.strip().splitlines())
    plain_prefix = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO |WARN |ERROR)", re.M)
    assert len(plain_prefix.findall(zh.stdout)) == len(plain_prefix.findall(en.stdout))


def help_pages() -> list[list[str]]:
    """Every command and group of the installed tree, as `quarkctl ... --help` argument lists."""
    from quarkctl import cli  # the tree only; the texts are checked in the subprocess

    import typer.main

    pages = []

    def walk(command, path):
        pages.append([*path, "--help"])
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, sub_name])

    walk(typer.main.get_command(cli.app), [])
    return pages


def test_every_help_page_is_chinese(tmp_path: Path, cli: Cli) -> None:
    pages = help_pages()
    assert len(pages) > 20
    leftovers = {}
    for argv in pages:
        proc = cli.run("--lang", "zh_CN", *argv, env={"COLUMNS": "200"})
        assert proc.returncode == 0, proc.stderr
        assert "选项" in proc.stdout  # typer's own heading, through quarkctl's catalog
        if found := english_leftovers(proc.stdout):
            leftovers[" ".join(argv)] = found
    assert not leftovers, leftovers


def test_locale_and_quarkctl_lang_choose_the_language(cli: Cli, sim: Simulator) -> None:
    """As cron and systemd run it: LANG=C with QUARKCTL_LANG=zh_CN is Chinese; a zh locale alone is too."""
    for env in ({"LANG": "zh_CN.UTF-8"}, {"LANG": "C", "QUARKCTL_LANG": "zh_CN"}, {"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}):
        proc = cli.run("check-links", env={**env, "QUARK_COOKIE": ""})
        assert proc.returncode == 2 and proc.stderr.startswith("Error: ") and "QUARK_COOKIE" in proc.stderr and CJK.search(proc.stderr), (env, proc.stderr)
    proc = cli.run("check-links", env={"LANG": "zh_CN.UTF-8", "QUARKCTL_LANG": "en", "QUARK_COOKIE": ""})
    assert proc.returncode == 2 and not CJK.search(proc.stderr)
    proc = cli.run("check-links", "--lang", "zh_CN", env={"QUARK_COOKIE": ""})  # after the command, too
    assert proc.returncode == 2 and proc.stderr.startswith("Error: ") and CJK.search(proc.stderr)


def test_unknown_language(cli: Cli) -> None:
    proc = cli.run("--lang", "klingon", "db", "init")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["Error: --lang klingon: no such language; quarkctl speaks en, zh_CN"]
    proc = cli.run("db", "init", env={"QUARKCTL_LANG": "klingon"})  # a nightly job does not fail over its language
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("warning: QUARKCTL_LANG=klingon: no such language, using English")
    assert "created" in proc.stdout


def test_quark_messages_are_shown_as_sent_in_both_languages(tmp_path: Path) -> None:
    for lang in ("zh_CN", "en"):
        with world(tmp_path / lang) as w:
            proc = w.cli.run("--lang", lang, "check-links", *FAST)
            line = next(line for line in proc.stdout.splitlines() if "死链接" in line)
            assert "41012 好友已取消了分享" in line
            assert ("失效" in line) == (lang == "zh_CN")


def test_quarkctl_binary_is_installed() -> None:
    assert QUARKCTL


def test_terminal_tables_and_progress_are_chinese(cli: Cli, sim: Simulator) -> None:
    """On a terminal the output is rich tables: their headings and labels are translated too."""
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    assert cli.run("resources", "add", "死链接", share_url("dead00000001")).returncode == 0
    code, screen = cli.on_terminal("--lang", "zh_CN", "resources", "list")
    assert code == 0 and "名称" in screen and "死链接" in screen
    code, screen = cli.on_terminal("--lang", "zh_CN", "check-links", *FAST, env={"COLUMNS": "200"})
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    assert code == 0
    assert "check-links 汇总" in screen and "新标记为失效" in screen and "41012 好友已取消了分享" in screen
    assert not english_leftovers(screen)
