"""README's "Running it for real" block, walked literally by a new user (issue 23): on a seed-shaped
MariaDB table (cloud_resource as the user's own system made it, no `db init`), in English and in Chinese,
against the simulator. The block is read from README.md at test time, so a README edit that breaks the
journey fails here. Also README's first two commands (install + demo, the tests), as far as they go
without the network.

The only substitutions: the folder `/etc/quarkctl` becomes a temporary one; the `.env` values become
the simulator's cookie and this test's MariaDB (host, port, user, password, database); QUARK_API_BASE
is in the environment; short pacing flags are appended to the check-links lines (see PACING). Each
step runs through `bash -c` with the installed `quarkctl` first on PATH.

The journey runs once per language (a module fixture) and records what each step printed and what the
database held after it; each test below asserts one thing a user relies on, so a known bug is one
strict xfail, not a journey that stops asserting."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from conftest import QUARKCTL, ResourceDB, _mysql_db, share_url
from helpers.readme import (CJK, README, chinese_lines, english_lines, fenced_sh_blocks, fill_env_file, on_terminal, steps,
                            words_of_quarkctl)
from helpers.seed_table import create_seed_table
from quarkctl.simulator import Fault, Share, Simulator

SECRET_PUUS = "Journey5ecretPuusValue"
COOKIE = f"__uid=sim-user-1; __puus={SECRET_PUUS}"  # README's `__uid=...; __puus=...`, its two blanks filled
DEAD_CODES = (41004, 41006, 41011, 41012, 41019, 41010, 41031)  # README's Verdicts table: `expired`
FLAKY = "f1a4e0000001"
# wider than the terminal's 80 columns, as names in a seed table are: shown whole, never cut with "…"
LONG_NAME = "电影A（2024）4K 中英双字 导演剪辑版 全集 附赠花絮与幕后制作特辑 蓝光原盘 杜比视界 国语粤语双音轨 修复版"
# README's default pacing (1-3 s a link, a 10 s rest after every 10th) would make each check-links run
# here take about half a minute, the module three minutes: these flags keep the pacing, shorter. The
# retry backoff keeps its default (the flaky link waits 2 s once a run).
PACING = ("--min-delay", "0.05", "--max-delay", "0.1", "--rest-seconds", "0.1")
LANGUAGES = {
    "en": {"LANG": "en_US.UTF-8"},
    "zh-locale": {"LANG": "zh_CN.UTF-8"},
    "zh-setting": {"LANG": "C.UTF-8", "QUARKCTL_LANG": "zh_CN"},  # cron's LANG=C, Chinese by the setting
}
# The journey's runs: each language as cron and a log see it (no terminal), and the Chinese one as the
# user at an 80-column terminal sees it (the dry run is typed by hand).
JOURNEYS = {**{name: (env, False) for name, env in LANGUAGES.items()}, "zh-terminal": (LANGUAGES["zh-locale"], True)}


@dataclass
class Ran:
    step: str  # as README writes it
    proc: subprocess.CompletedProcess[str]
    marked: dict[str, int]  # drama_name -> is_expired after the step
    rows: dict[str, tuple]  # drama_name -> the whole row after the step
    tables: set[str]
    asked: Counter[str]  # token requests during the step, by share id

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    @property
    def words(self) -> list[str]:
        return shlex.split(self.step.split("\n")[0], comments=True)

    @property
    def is_check(self) -> bool:
        return self.words[:2] == ["quarkctl", "check-links"]


@dataclass
class Journey:
    language: str
    conf: Path
    values: dict[str, str | list[str]]
    kinds: dict[str, str]  # drama_name -> alive, dead, passcode, flaky
    rows_before: dict[str, tuple]
    columns_before: list[str]
    columns_after: list[str] = field(default_factory=list)
    runs: list[Ran] = field(default_factory=list)
    next_night: Ran | None = None

    def check(self, dry: bool) -> Ran:
        found = [r for r in self.runs if r.is_check and ("--dry-run" in r.words) == dry]
        assert len(found) == 1, f"README's block: expected one check-links line {'with' if dry else 'without'} --dry-run"
        return found[0]

    @property
    def names(self) -> list[str]:
        return list(self.kinds)

    @property
    def secrets(self) -> tuple[str, str]:
        return SECRET_PUUS, str(self.values["DB_PASSWORD"])


def share_id(link: str) -> str:
    return link.split("/s/")[1].split("?")[0]


def _seed(sim: Simulator, db: ResourceDB) -> dict[str, str]:
    """The user's rows, and the simulator's shares behind them: {drama_name: what the link is}."""
    kinds: dict[str, str] = {}
    rows = []

    def row(name: str, share: Share, link: str, kind: str) -> None:
        sim.add_share(share)
        rows.append({"drama_name": name, "link": link, "is_expired": 0})
        kinds[name] = kind

    row(LONG_NAME, Share(pwd_id="a11ce0000001", title="电影A", files=[{"name": "A.mp4", "size": 1024}]),
        share_url("a11ce0000001"), "alive")
    row("纪录片C", Share(pwd_id="a11ce0000002", title="纪录片C", passcode="Xtqm", files=[{"name": "C.mp4", "size": 1024}]),
        share_url("a11ce0000002", "Xtqm"), "alive")  # its passcode in the link
    row("音乐D", Share(pwd_id="pa55c0de0001", title="音乐D", passcode="a1b2", files=[{"name": "01.flac"}]),
        share_url("pa55c0de0001"), "passcode")  # the stored link lacks it: 41008
    row("动画F", Share(pwd_id=FLAKY, title="动画F", files=[{"name": "F.mp4"}]), share_url(FLAKY), "flaky")
    for n, code in enumerate(DEAD_CODES):
        pwd_id = f"dead{code}{n:03d}"
        row(f"失效{code}", Share(pwd_id=pwd_id, title=str(code), dead_code=code), share_url(pwd_id), "dead")
    db.seed(rows)
    return kinds


def _state(db: ResourceDB) -> tuple[dict[str, tuple], set[str], list[str]]:
    """cloud_resource's rows by name, the database's tables, cloud_resource's columns."""
    engine = db.engine()
    with engine.connect() as conn:
        rows = {r.drama_name: tuple(r) for r in conn.execute(text("SELECT * FROM cloud_resource"))}
        tables = set(inspect(conn).get_table_names())
        columns = [c["name"] for c in inspect(conn).get_columns("cloud_resource")]
    engine.dispose()
    return rows, tables, columns


def _user_env(home: Path, sim: Simulator, language: dict[str, str]) -> dict[str, str]:
    """A new user's shell: quarkctl installed and first on PATH; of quarkctl's settings only QUARK_API_BASE."""
    assert QUARKCTL is not None, "the quarkctl command is not installed"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QUARK", "DB_", "DATABASE_URL", "XDG_", "NO_COLOR", "LC_", "LANG", "PYTHONIOENCODING"))}
    env.update(HOME=str(home), PATH=f"{Path(QUARKCTL).parent}{os.pathsep}{env.get('PATH', '')}",
               QUARK_API_BASE=str(sim.base_url), **language)
    return env


@pytest.fixture(scope="module", params=list(JOURNEYS))
def journey(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    block = fenced_sh_blocks("## Running it for real")
    assert block, "README: no ```sh block under \"Running it for real\""
    base = tmp_path_factory.mktemp(f"journey-{request.param}")
    conf = base / "etc-quarkctl"  # for /etc/quarkctl: the block makes it
    home = base / "home"
    home.mkdir()
    with contextmanager(_mysql_db)() as db, Simulator(cookies=[COOKIE]) as sim:
        url = db.url
        values: dict[str, str | list[str]] = {
            "QUARK_COOKIE": ["sim-user-1", SECRET_PUUS], "DB_HOST": str(url.host), "DB_PORT": str(url.port or 3306),
            "DB_USERNAME": str(url.username), "DB_PASSWORD": str(url.password), "DB_DATABASE": str(url.database),
        }
        create_seed_table(db)
        kinds = _seed(sim, db)
        rows, _, columns = _state(db)
        trip = Journey(request.param, conf, values, kinds, rows, columns)
        language, terminal = JOURNEYS[request.param]
        env = _user_env(home, sim, language)

        def walk(step: str) -> Ran:
            command = step.replace("/etc/quarkctl", str(conf))
            if "<<" in command:
                command = fill_env_file(command, values)
            words = shlex.split(command.split("\n")[0], comments=True)
            if words[:2] == ["quarkctl", "check-links"]:
                # one transient failure in each run (a fault applies to its first N requests)
                sim.add_fault(FLAKY, Fault(kind="code", code=15000, endpoint="token", times=1))
                command = shlex.join(words + list(PACING))
            before = Counter(r.pwd_id for r in sim.requests("token"))
            if terminal:
                proc = on_terminal(command, env, home)
            else:
                proc = subprocess.run(["bash", "-c", command], env=env, cwd=home, capture_output=True, text=True, timeout=120)
            rows, tables, trip.columns_after = _state(db)
            marked = {name: int(row[columns.index("is_expired")]) for name, row in rows.items()}
            return Ran(step, proc, marked, rows, tables, Counter(r.pwd_id for r in sim.requests("token")) - before)

        trip.runs = [walk(step) for step in steps(block[0])]
        trip.next_night = walk(trip.check(dry=False).step)  # the line README puts in cron, the next night
        yield trip


def test_every_step_works_and_the_dry_run_comes_first(journey: Journey) -> None:
    for ran in journey.runs:
        if not ran.is_check:
            assert ran.proc.returncode == 0, (ran.step, ran.output)
    assert [("--dry-run" in r.words) for r in journey.runs if r.is_check] == [True, False], "README: look first, then the real run"


def test_the_dry_run_exits_0_marks_nothing_and_creates_no_table(journey: Journey) -> None:
    dry = journey.check(dry=True)
    assert dry.proc.returncode == 0, dry.output  # README's exit codes: 0, no link ended in `error`
    assert set(dry.marked.values()) == {0}, dry.marked
    assert dry.rows == journey.rows_before
    assert dry.tables == {"cloud_resource"}


def test_the_real_run_marks_exactly_the_dead_links(journey: Journey) -> None:
    real = journey.check(dry=False)
    assert real.proc.returncode == 0, real.output  # the flaky link recovered on its retry: no `error`
    dead = {name for name, kind in journey.kinds.items() if kind == "dead"}
    assert {name for name, flag in real.marked.items() if flag} == dead, real.output
    # the others untouched, whole rows; the table's shape too ("it never drops or alters an existing table")
    assert {n: r for n, r in real.rows.items() if n not in dead} == {n: r for n, r in journey.rows_before.items() if n not in dead}
    assert journey.columns_after == journey.columns_before
    assert all(t.startswith("quarkctl_") for t in real.tables - {"cloud_resource"}), real.tables  # its own tables only


def test_the_flaky_link_was_retried_in_both_runs(journey: Journey) -> None:
    assert [r.asked[FLAKY] for r in journey.runs if r.is_check] == [2, 2]


def test_the_next_night_asks_only_about_the_links_not_marked(journey: Journey) -> None:
    night = journey.next_night
    assert night is not None
    assert night.proc.returncode == 0, night.output
    assert night.marked == journey.check(dry=False).marked
    live = {share_id(row[journey.columns_before.index("link")]) for name, row in journey.rows_before.items()
            if journey.kinds[name] != "dead"}
    assert set(night.asked) == live, night.asked
    assert set(night.tables) == set(journey.check(dry=False).tables)
    for secret in journey.secrets:
        assert secret not in night.output


def test_the_env_file_stays_private(journey: Journey) -> None:
    modes = {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in (journey.conf, journey.conf / ".env")}
    assert modes == {journey.conf.name: "0o700", ".env": "0o600"}, modes


def test_no_secret_no_traceback_nothing_cut(journey: Journey) -> None:
    for ran in journey.runs:
        for secret in journey.secrets:
            assert secret not in ran.output, f"{ran.step!r} printed a secret"
        assert "Traceback" not in ran.output and "…" not in ran.output, (ran.step, ran.output)


def test_the_first_line_names_the_database_without_its_password(journey: Journey) -> None:
    for dry in (True, False):
        ran = journey.check(dry)
        firsts = [next((line for line in stream.splitlines() if line.strip()), "") for stream in (ran.proc.stdout, ran.proc.stderr)]
        assert any(str(journey.values["DB_DATABASE"]) in first and str(journey.values["DB_HOST"]) in first for first in firsts), firsts
        assert not any(str(journey.values["DB_PASSWORD"]) in first for first in firsts)


def test_the_output_speaks_the_users_language(journey: Journey) -> None:
    for ran in (journey.check(dry=True), journey.check(dry=False)):
        own = " ".join(words_of_quarkctl(line, journey.names) for line in ran.output.splitlines())
        if journey.language == "en":
            assert not chinese_lines(ran.output, journey.names), chinese_lines(ran.output, journey.names)
            for word in ("valid", "expired", "passcode"):
                assert word in own, (word, ran.output)
        else:
            assert not english_lines(ran.output, journey.names), english_lines(ran.output, journey.names)
            for word in ("失效", "有效", "提取码"):  # README's words: dead, valid, passcode
                assert word in own, (word, ran.output)
    dry = " ".join(words_of_quarkctl(line, journey.names) for line in journey.check(dry=True).output.splitlines())
    assert ("dry run" if journey.language == "en" else "试运行") in dry, dry  # the dry run says it is one


@pytest.mark.parametrize("language", list(LANGUAGES), ids=list(LANGUAGES))
def test_the_block_pasted_unedited_ends_in_one_error_line(tmp_path: Path, language: str) -> None:
    """A new user who pastes the block before filling the `...` blanks: MySQL on 127.0.0.1:3306 with
    README's example user (nothing there, or a server that refuses it). README: "a wrong setting
    (... unreachable database ...) is one line on stderr naming the setting, and exit code 2", the word
    `Error:` starting it in every language; no traceback, and no SQLite of its own made instead."""
    conf, home = tmp_path / "etc-quarkctl", tmp_path / "home"
    home.mkdir()
    with Simulator(cookies=[COOKIE]) as sim:
        env = _user_env(home, sim, LANGUAGES[language])
        checks = 0
        block = fenced_sh_blocks("## Running it for real")[0]
        (database,) = re.findall(r"^DB_DATABASE=(\S+)$", "\n".join(block), re.M)
        for step in steps(block):
            proc = subprocess.run(["bash", "-c", step.replace("/etc/quarkctl", str(conf))], env=env, cwd=home,
                                  capture_output=True, text=True, timeout=120)
            if shlex.split(step.split("\n")[0], comments=True)[:2] != ["quarkctl", "check-links"]:
                assert proc.returncode == 0, (step, proc.stderr)
                continue
            checks += 1
            lines = [line for line in proc.stderr.splitlines() if line.strip()]
            assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("Error: "), (step, proc.stdout, proc.stderr)
            assert "Traceback" not in proc.stdout + proc.stderr
            assert database in lines[0] and ":...@" not in lines[0], lines[0]  # names the database, password masked
            said = lines[0].split("(")[0]  # quarkctl's words; the driver's reason follows in its own language
            assert bool(CJK.search(said)) == (language != "en"), lines[0]
        assert checks == 2
    assert not [p for p in home.rglob("*.db")], "an unreachable database must not be replaced by a file of quarkctl's"


@pytest.mark.parametrize("language", ["en", "zh-locale"])
def test_a_mistyped_flag_of_the_block_is_one_error_line(tmp_path: Path, language: str) -> None:
    """README's dry-run line with `--dry-run` mistyped, as a new user may: exit 2 and an error line that
    starts with `Error:` (README, Language: the word every error line starts with), in the user's language."""
    (dry,) = [s for s in steps(fenced_sh_blocks("## Running it for real")[0]) if "--dry-run" in s]
    with Simulator(cookies=[COOKIE]) as sim:
        env = _user_env(tmp_path, sim, LANGUAGES[language])
        proc = subprocess.run(["bash", "-c", dry.replace("/etc/quarkctl", str(tmp_path)).replace("--dry-run", "--dry-runn")],
                              env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "--dry-runn" in errors[0], proc.stderr
    assert bool(CJK.search(errors[0])) == (language != "en"), errors[0]
    assert not re.search(r"[╭╰│]", proc.stderr), proc.stderr  # a line, not a box


def test_readme_first_commands_install_and_demo(tmp_path: Path) -> None:
    """README's first block: `pip install . && quarkctl demo`, `pip install '.[test]' && python -m pytest`.
    pip needs the network: what it installed is checked instead (the command and the `test` extra
    exist); the demo runs whole, as a new user's first command; the tests are collected (running the
    suite from inside itself would recurse)."""
    first = fenced_sh_blocks()[0]
    chains = []  # each line's commands, split at `&&`, as word lists
    for line in filter(str.strip, first):
        chain: list[list[str]] = [[]]
        for word in shlex.split(line, comments=True):
            if word == "&&":
                chain.append([])
            else:
                chain[-1].append(word)
        chains.append(chain)
    assert [c[0][:2] for c in chains] == [["pip", "install"], ["pip", "install"]], chains
    dist = metadata.distribution("quarkctl")
    extras = dist.metadata.get_all("Provides-Extra") or []
    for chain in chains:
        target = chain[0][2]
        extra = re.fullmatch(r"\.(?:\[(\w+)\])?", target)
        assert extra, f"README installs {target!r}: not this project"
        assert extra.group(1) in (None, *extras), (target, extras)
    assert "quarkctl" in {e.name for e in dist.entry_points if e.group == "console_scripts"}
    assert QUARKCTL is not None
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUARK", "DB_", "DATABASE_URL", "XDG_", "LC_", "LANG"))}
    env.update(HOME=str(tmp_path), TMPDIR=str(scratch), LANG="en_US.UTF-8",
               PATH=f"{Path(QUARKCTL).parent}{os.pathsep}{env.get('PATH', '')}")

    assert chains[0][1] == ["quarkctl", "demo"], chains[0]
    demo = subprocess.run(["bash", "-c", shlex.join(chains[0][1])], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Traceback" not in demo.stderr and "…" not in demo.stdout + demo.stderr
    assert "check-links" in demo.stdout and "autosave" in demo.stdout, demo.stdout  # both jobs ran
    assert re.search(r"summary.*\d", demo.stdout), demo.stdout  # each job's summary, with its counts
    assert list(scratch.iterdir()) == []  # the temporary database and config removed (README: `--keep DIR` keeps them)

    assert chains[1][1] == ["python", "-m", "pytest"], chains[1]
    root = README.parent
    env.pop("QUARKCTL_TEST_MYSQL_URL", None)  # README: the MariaDB ones need it; the rest must not
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n0", "-p", "no:cacheprovider"],
                               env=env, cwd=root, capture_output=True, text=True, timeout=120)
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    assert re.search(r"^\d+ tests collected", collected.stdout, re.M), collected.stdout[-500:]


