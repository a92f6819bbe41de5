"""`resources add/import/list` on a table of every drive (issue 24), in process on SQLite and MariaDB: the
drive_type written is the link's drive unless one is given, a drive_type naming another drive is a warning and
stored, a link no drive reads is refused on a drive's row, `list --drive` matches every spelling of a drive,
and `add --check` asks the link's own drive (the drives simulator), refusing only what is seen dead."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COOKIE_SECRETS, Cli, ResourceDB, share_url
from helpers.drive_links import ALNUM, FORMS, drive_links
from helpers.mixed_drives import bases
from quarkctl.simulator import Simulator
from quarkctl.simulator.drives_server import DrivesSimulator

BAIDU = "https://pan.baidu.com/s/1AbCdEfGh"
BAIDU_ID = "AbCdEfGh"


def run(cli: Cli, *args: str, code: int = 0, **kwargs: Any) -> Any:
    proc = cli.run("resources", *args, **kwargs)
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        assert not any(secret in stream for secret in COOKIE_SECRETS)
    return proc


def by_name(db: ResourceDB) -> dict[str, Any]:
    return {row.drama_name: row for row in db.rows().values()}


@pytest.fixture
def dsim(cli: Cli) -> Iterator[DrivesSimulator]:
    """Every drive's requests go to the drives simulator (QUARKCTL_API_BASE_<DRIVE>)."""
    with DrivesSimulator() as sim:
        cli.env.update(bases(sim))
        yield sim


# -- add -------------------------------------------------------------------------------------------


def test_add_without_drive_type_stores_each_forms_drive(cli: Cli, db: ResourceDB) -> None:
    for n, (text, drive, _id, _code) in enumerate(FORMS):
        proc = run(cli, "add", f"资源 {n}", text.replace("\n", " "))
        assert proc.stdout.strip().endswith(f"({drive})") and proc.stderr == ""
    rows = by_name(db)
    assert {name: row.drive_type for name, row in rows.items()} == {f"资源 {n}": drive for n, (_t, drive, _i, _c) in enumerate(FORMS)}
    assert {row.is_expired for row in rows.values()} == {0}


counter = itertools.count()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(found=st.one_of(drive_links(), st.tuples(st.just("quark"), st.text(ALNUM, min_size=8, max_size=20), st.just(""),
                                                 st.text(ALNUM, min_size=8, max_size=20).map(share_url))))
def test_add_stores_the_drive_of_any_link_of_any_drive(cli: Cli, sqlite_only: ResourceDB, found: tuple[str, str, str, str]) -> None:
    drive, _id, _code, text = found
    name = f"名 {next(counter)}"
    proc = run(cli, "add", name, text.replace("\n", " "))
    assert proc.stdout.strip().endswith(f"({drive})")
    assert by_name(sqlite_only)[name].drive_type == drive


def test_add_with_a_drive_type_of_another_drive_warns_and_stores_it(cli: Cli, db: ResourceDB) -> None:
    proc = run(cli, "add", "错标", BAIDU, "--drive-type", "quark")
    (warning,) = proc.stderr.strip().splitlines()
    assert warning.startswith("warning: ") and "'quark'" in warning and "(baidu)" in warning
    assert by_name(db)["错标"].drive_type == "quark"
    # a spelling of the link's own drive agrees; --update keeps warning while the row disagrees
    assert run(cli, "add", "百度的", BAIDU, "--drive-type", "百度").stderr == ""
    assert "(baidu)" in run(cli, "add", "错标", BAIDU + "?pwd=ab12", "--drive-type", "quark", "--update").stderr
    assert {r.drama_name: (r.drive_type, r.link) for r in db.rows().values()} == {
        "错标": ("quark", BAIDU + "?pwd=ab12"), "百度的": ("百度", BAIDU)}


def test_add_refuses_a_link_no_drive_reads_unless_the_row_is_none_of_our_drives(cli: Cli, db: ResourceDB) -> None:
    for extra in ([], ["--drive-type", "baidu"], ["--drive-type", "阿里云盘"]):
        proc = run(cli, "add", "书", "https://example.com/book/1", *extra, code=2)
        assert proc.stderr.strip() == "Error: link: not a share link of a known drive: https://example.com/book/1"
    assert db.rows() == {}
    run(cli, "add", "书", "https://example.com/book/1", "--drive-type", "ebook")
    assert by_name(db)["书"].drive_type == "ebook"
    proc = run(cli, "add", "坏的", "https://cloud.189.cn/", code=2)
    assert "Tianyi (189) link without a share id" in proc.stderr


# -- add --check -----------------------------------------------------------------------------------


def test_add_check_refuses_a_seen_dead_baidu_link_without_a_quark_cookie(cli: Cli, db: ResourceDB, dsim: DrivesSimulator) -> None:
    dsim.add("baidu", BAIDU_ID, "dead")
    proc = run(cli, "add", "死的", BAIDU, "--check", code=2, env={"QUARK_COOKIE": ""})
    assert "is dead" in proc.stderr and "-21" in proc.stderr and "nothing was added" in proc.stderr
    assert db.rows() == {} and db.scalar("SELECT COUNT(*) FROM quarkctl_check") == 0
    assert dsim.requests("baidu", "shorturlinfo")


def test_add_check_asks_the_links_drive_whatever_the_drive_type(cli: Cli, sqlite_only: ResourceDB, sim: Simulator,
                                                                 dsim: DrivesSimulator) -> None:
    dsim.add("baidu", BAIDU_ID, "dead")
    proc = run(cli, "add", "错标", BAIDU, "--drive-type", "quark", "--check", code=2)
    assert "is dead" in proc.stderr and "-21" in proc.stderr
    assert sim.requests() == [] and sqlite_only.rows() == {}  # Quark was never asked


def test_add_check_on_a_rate_limited_baidu_link_says_so_and_never_calls_it_dead(cli: Cli, db: ResourceDB, dsim: DrivesSimulator) -> None:
    dsim.add("baidu", BAIDU_ID, "rate_limited")
    proc = run(cli, "add", "限流", BAIDU, "--check", code=1)
    assert "could not be checked" in proc.stderr and "is dead" not in proc.stderr
    assert "Baidu" in proc.stderr  # the reason in the drive's own name
    assert db.rows() == {}
    # once the drive answers again, the same command adds it, with the verdict in the history
    dsim.add("baidu", BAIDU_ID, "alive")
    proc = run(cli, "add", "限流", BAIDU, "--check")
    assert proc.stdout.strip().endswith("(baidu) [checked: valid]")
    (entry,) = json.loads(run(cli, "list", "--json").stdout)
    assert (entry["drive_type"], entry["is_expired"], entry["last_verdict"]) == ("baidu", 0, "valid")
    (check,) = json.loads(run(cli, "show", str(entry["id"]), "--json").stdout)["checks"]
    assert (check["verdict"], check["drive"], check["code"]) == ("valid", "baidu", "0")  # kept as check-links keeps it


@pytest.mark.parametrize(("drive", "link", "share_id"), [
    ("uc", "https://drive.uc.cn/s/d60d722172f84", "d60d722172f84"),
    ("aliyun", "https://www.alipan.com/s/4F9AbCdEfGh", "4F9AbCdEfGh"),
    ("123", "https://www.123pan.com/s/yXg6Vv-enZ7v", "yXg6Vv-enZ7v"),
    ("tianyi", "https://cloud.189.cn/t/AbCdEf123456", "AbCdEf123456"),
    ("mobile", "https://caiyun.139.com/w/i/2rJV89vKpVPsr", "2rJV89vKpVPsr"),
    ("115", "https://115.com/s/swfsfjg3h7i", "swfsfjg3h7i"),
])
def test_add_check_asks_each_drive(cli: Cli, sqlite_only: ResourceDB, dsim: DrivesSimulator, drive: str, link: str, share_id: str) -> None:
    dsim.add(drive, share_id, "dead")
    assert "is dead" in run(cli, "add", "死", link, "--check", code=2).stderr
    dsim.add(drive, share_id, "unverified_dead")  # a dead answer only other clients' code knows: never refused as dead
    proc = run(cli, "add", "死", link, "--check", code=1)
    assert "could not be checked" in proc.stderr and "--trust-unverified" in proc.stderr
    dsim.add(drive, share_id, "alive")
    assert "[checked: valid]" in run(cli, "add", "活", link, "--check").stdout
    assert by_name(sqlite_only)["活"].drive_type == drive


def test_add_check_of_a_xunlei_link_is_not_checked_and_not_added(cli: Cli, sqlite_only: ResourceDB, dsim: DrivesSimulator) -> None:
    proc = run(cli, "add", "迅雷", "https://pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1", "--check", code=1)
    assert "could not be checked" in proc.stderr
    assert sqlite_only.rows() == {} and dsim.requests("xunlei") == []


# -- import ----------------------------------------------------------------------------------------


def test_import_of_a_mixed_file(cli: Cli, db: ResourceDB) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([
        ["drama_name", "link", "drive_type"],
        ["夸克", share_url("aaaa00000001"), ""],  # an empty cell: the link's drive
        ["百度", BAIDU, "百度网盘"],  # a spelling of the link's drive: kept, no warning
        ["错标", "https://drive.uc.cn/s/d60d722172f84", "baidu"],  # another drive: kept, a warning
        ["电子书", "https://example.com/book/1", "ebook"],  # none of our drives: any link
    ])
    table = cli.home / "mixed.csv"
    table.write_text(out.getvalue(), encoding="utf-8")
    proc = run(cli, "import", str(table))
    assert proc.stdout.strip().endswith("4 lines; inserted 4, updated 0, skipped 0")
    (warning,) = proc.stderr.strip().splitlines()
    assert warning.startswith(f"{table}:4: warning: drive_type 'baidu'") and "(uc)" in warning

    jsonl = cli.home / "mixed.jsonl"
    jsonl.write_text("".join(json.dumps({"drama_name": f"j{n}", "link": text}, ensure_ascii=False) + "\n"
                             for n, text in enumerate(["https://115.com/s/swfsfjg3h7i?password=ab12", "https://www.alipan.com/s/4F9AbCdEfGh"])),
                     encoding="utf-8")
    assert run(cli, "import", str(jsonl)).stderr == ""

    text = cli.home / "pasted.txt"
    text.write_text("# 一个资源站的帖子\n"
                    "链接: https://pan.baidu.com/s/1ZzYyXxWw 提取码: 9x8y 百度剧\n"
                    "天翼剧 https://cloud.189.cn/t/AbCdEf123456（访问码：ab12）\n"
                    "移动剧 https://caiyun.139.com/w/i/2rJV89vKpVPsr 提取码:cd34\n"
                    "夸克剧 https://pan.quark.cn/s/bbbb00000001 提取码: ef56\n"
                    "迅雷剧 pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1\n", encoding="utf-8")
    proc = run(cli, "import", str(text), "--dry-run")
    assert "5 lines valid; would insert 5" in proc.stdout
    run(cli, "import", str(text))

    rows = by_name(db)
    assert {name: row.drive_type for name, row in rows.items()} == {
        "夸克": "quark", "百度": "百度网盘", "错标": "baidu", "电子书": "ebook", "j0": "115", "j1": "aliyun",
        "百度剧": "baidu", "天翼剧": "tianyi", "移动剧": "mobile", "夸克剧": "quark", "迅雷剧": "xunlei"}
    assert rows["百度剧"].link == "https://pan.baidu.com/s/1ZzYyXxWw?pwd=9x8y"
    assert rows["夸克剧"].link == share_url("bbbb00000001", "ef56")
    assert rows["迅雷剧"].link == "https://pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1"
    assert rows["移动剧"].link == "https://caiyun.139.com/w/i/2rJV89vKpVPsr 提取码：cd34"


def test_import_drive_type_option_is_the_default_of_lines_without_one(cli: Cli, db: ResourceDB) -> None:
    text = cli.home / "in.txt"
    text.write_text(f"一 {BAIDU}\n二 https://example.com/x\n", encoding="utf-8")
    proc = run(cli, "import", str(text), code=2)  # line 2 is no drive's link, on a row of the link's (no) drive
    assert f"{text}:2: link: not a share link of a known drive" in proc.stderr and db.rows() == {}
    proc = run(cli, "import", str(text), "--drive-type", "网页")
    assert proc.stderr.strip() == f"{text}:1: warning: drive_type '网页' is not the link's drive (baidu); stored as given, check-links goes by the link"
    assert {r.drama_name: r.drive_type for r in db.rows().values()} == {"一": "网页", "二": "网页"}
    proc = run(cli, "import", str(text), "--drive-type", "网页", "--skip-existing")
    assert proc.stderr == "" and "skipped 2" in proc.stdout  # a line left alone is not warned about


def test_a_malformed_link_of_a_drive_is_a_bad_line(cli: Cli, db: ResourceDB) -> None:
    jsonl = cli.home / "bad.jsonl"
    jsonl.write_text(json.dumps({"drama_name": "a", "link": BAIDU}) + "\n" + json.dumps({"drama_name": "b", "link": "https://pan.baidu.com/s/1ab"}) + "\n",
                     encoding="utf-8")
    proc = run(cli, "import", str(jsonl), code=2)
    assert f"{jsonl}:2: link: a Baidu link without a share id" in proc.stderr and db.rows() == {}


# -- list ------------------------------------------------------------------------------------------


def test_list_drive_matches_every_spelling_of_the_drive(cli: Cli, db: ResourceDB) -> None:
    db.seed([
        {"drama_name": "a", "link": BAIDU, "drive_type": "baidu"},
        {"drama_name": "b", "link": BAIDU, "drive_type": "百度网盘", "alias": "乙"},
        {"drama_name": "c", "link": BAIDU, "drive_type": "BD"},
        {"drama_name": "d", "link": share_url("aaaa00000001"), "drive_type": "quark"},
        {"drama_name": "e", "link": "https://cloud.189.cn/t/AbCdEf123456", "drive_type": "189"},
        {"drama_name": "f", "link": "https://example.com/x", "drive_type": "ebook"},
    ])

    def names(*args: str) -> list[str]:
        return [e["drama_name"] for e in json.loads(run(cli, "list", "--json", *args).stdout)]

    assert names("--drive", "baidu") == ["a", "b", "c"]
    assert names("--drive", "百度") == ["a", "b", "c"]  # a spelling names the drive too
    assert names("--drive-type", "Baidu") == ["a", "b", "c"]  # the old option name, any case
    assert names("--drive", "tianyi") == ["e"] and names("--drive", "quark") == ["d"]
    assert names("--drive", "ebook") == ["f"] and names("--drive", "115") == []
    assert names("--drive", "baidu", "--search", "乙") == ["b"]
    plain = run(cli, "list", "--drive", "baidu").stdout.splitlines()
    assert [line.split("\t")[2] for line in plain[1:]] == ["baidu", "百度网盘", "BD"]  # the drive column as stored
    exported = [json.loads(line)["drama_name"] for line in run(cli, "export", "--format", "json", "--drive-type", "bd").stdout.splitlines()]
    assert exported == ["a", "b", "c"]
