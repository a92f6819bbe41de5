"""`quarkctl resources` end to end: the installed command, real SQLite and MariaDB, the simulator as Quark."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from conftest import COOKIE_SECRETS, Cli, ResourceDB, add_valid, share_url
from quarkctl.db.schema import cloud_resource
from quarkctl.simulator import Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
# Full column length, non-ASCII, with a 4-byte character (utf8mb4 or bust).
NAME_255 = ("电影🎬Ünïcødé名" * 30)[:255]
ALIAS_200 = ("别名" * 100)[:200]
CATEGORY_100 = ("类" * 100)[:100]
COLUMNS_COMPARED = ("drama_name", "alias", "category1", "category2", "drive_type", "link", "is_expired", "view_count",
                    "share_count", "hot", "size", "tmdb_id", "last_share_time", "create_time", "update_time")


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        for secret in COOKIE_SECRETS:
            assert secret not in stream


def ok(cli: Cli, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = cli.run("resources", *args, **kwargs)
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    return proc


def error_line(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """The last stderr line is the one `Error: ...` line; anything before it names bad lines."""
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert_clean(proc)
    lines = proc.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("Error: "), proc.stderr
    assert sum(line.startswith("Error: ") for line in lines) == 1
    for needle in needles:
        assert needle in lines[-1], lines[-1]
    return lines[-1]


def listed(cli: Cli, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(cli, "list", "--json", *args).stdout)


def snapshot(db: ResourceDB) -> list[tuple]:
    return [tuple(getattr(row, c) for c in ("id", *COLUMNS_COMPARED)) for row in db.rows().values()]




def write(cli: Cli, name: str, text: str, encoding: str = "utf-8") -> str:
    path = cli.home / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# -- add, list, show ---------------------------------------------------------------------------


def test_add_list_show_with_full_length_non_ascii_values(cli: Cli, db: ResourceDB) -> None:
    link = share_url("abc123def456", "x1y2")
    proc = ok(cli, "add", NAME_255, link, "--alias", ALIAS_200, "--category1", CATEGORY_100, "--category2", "剧集")
    (row_id,) = db.rows()
    assert proc.stdout.strip() == f"added #{row_id} {NAME_255} (quark)"
    row = db.rows()[row_id]
    assert (row.drama_name, row.alias, row.category1, row.category2, row.link) == (NAME_255, ALIAS_200, CATEGORY_100, "剧集", link)
    assert row.is_expired == 0 and row.drive_type == "quark"  # not the column default 1: check-links must see it
    assert row.create_time is not None and row.create_time == row.update_time

    (entry,) = listed(cli)
    assert entry["drama_name"] == NAME_255 and entry["is_expired"] == 0 and entry["last_verdict"] is None
    plain = ok(cli, "list").stdout.splitlines()
    assert plain[0].split("\t") == ["id", "name", "drive", "status", "verdict", "checked", "link"]
    assert plain[1].split("\t") == [str(row_id), NAME_255, "quark", "valid", "-", "-", link]
    shown = json.loads(ok(cli, "show", str(row_id), "--json").stdout)
    assert shown["resource"]["alias"] == ALIAS_200 and shown["checks"] == []

    # one character over the column is refused, not truncated by the database
    too_long = error_line(cli.run("resources", "add", NAME_255 + "长", share_url("abc123def457")), 2, "255")
    assert "drama_name" in too_long
    assert len(db.rows()) == 1


def test_add_refuses_a_duplicate_and_update_replaces_the_link(cli: Cli, db: ResourceDB) -> None:
    ok(cli, "add", "电影A", share_url("aaaa00000001"))
    (row_id,) = db.rows()
    error_line(cli.run("resources", "add", "电影A", share_url("aaaa00000002")), 2, "already exists", f"#{row_id}", "--update")
    assert db.rows()[row_id].link == share_url("aaaa00000001")

    ok(cli, "set-status", str(row_id), "--expired")
    ok(cli, "add", "电影A", share_url("aaaa00000001"), "--update", "--category1", "电影")
    row = db.rows()[row_id]
    assert (row.is_expired, row.category1) == (1, "电影")  # same link: its verdict still holds
    proc = ok(cli, "add", "电影A", share_url("aaaa00000002"), "--update")
    assert proc.stdout.strip() == f"updated #{row_id} 电影A (quark)"
    row = db.rows()[row_id]
    assert (row.link, row.is_expired, row.category1) == (share_url("aaaa00000002"), 0, "电影")  # a new link is checked again

    # another drive type is another row
    ok(cli, "add", "电影A", "https://pan.baidu.com/s/1AbCdEfGh", "--drive-type", "baidu")
    assert sorted(r.drive_type for r in db.rows().values()) == ["baidu", "quark"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["名字", "https://example.com/s/abc"], "not a share link of a known drive"),
        (["名字", "https://pan.quark.cn/list"], "without a share id"),
        (["  ", share_url("abc123def456")], "drama_name"),
        (["名字", share_url("abc123def456"), "--category1", "类" * 101], "category1"),
        (["名字", "https://pan.baidu.com/s/1ab"], "Baidu link without a share id"),
        (["名字", "https://example.com/s/abc", "--drive-type", "other", "--check"], "--check"),
    ],
    ids=["other-host", "no-share-id", "blank-name", "category-too-long", "malformed-baidu", "check-no-drive"],
)
def test_add_bad_input_is_one_line_and_writes_nothing(cli: Cli, sqlite_only: ResourceDB, args: list[str], needle: str) -> None:
    error_line(cli.run("resources", "add", *args), 2, needle)
    assert sqlite_only.rows() == {}


def test_add_check_refuses_dead_links_and_records_the_verdict(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    add_valid(sim, "pass00000001", passcode="ab12")
    add_valid(sim, "good00000001")
    error_line(cli.run("resources", "add", "死链接", share_url("dead00000001"), "--check"), 2, "dead", "41012")
    error_line(cli.run("resources", "add", "要提取码", share_url("pass00000001"), "--check"), 2, "passcode")
    assert db.rows() == {}

    proc = ok(cli, "add", "好电影", share_url("good00000001"), "--check")
    assert "[checked: valid]" in proc.stdout
    (entry,) = listed(cli)
    assert entry["drama_name"] == "好电影" and entry["last_verdict"] == "valid" and entry["last_checked_at"].endswith("+00:00")
    assert sim.requests(endpoint="token")[-1].has_cookie


def test_add_check_anonymous_sends_no_cookie(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "good00000001")
    error_line(cli.run("resources", "add", "好电影", share_url("good00000001"), "--check", env={"QUARK_COOKIE": ""}), 2, "QUARK_COOKIE")
    ok(cli, "add", "好电影", share_url("good00000001"), "--check", "--anonymous", env={"QUARK_COOKIE": ""})
    assert sim.requests(endpoint="token") and not any(r.has_cookie for r in sim.log)
    assert [r.drama_name for r in db.rows().values()] == ["好电影"]


def test_the_embedded_default_database_is_created_on_first_use(cli: Cli) -> None:
    ok(cli, "add", "电影A", share_url("aaaa00000001"))
    assert (cli.home / "data" / "quarkctl" / "quarkctl.db").is_file()
    assert [e["drama_name"] for e in listed(cli)] == ["电影A"]


def test_without_cloud_resource_a_one_line_error_and_without_history_no_verdicts(cli: Cli, testdb: ResourceDB) -> None:
    cli.env["DATABASE_URL"] = testdb.url_text
    error_line(cli.run("resources", "list"), 2, "no cloud_resource table", "db init")
    engine = testdb.engine()
    cloud_resource.create(engine)  # the user's own table, and none of quarkctl's yet
    engine.dispose()
    testdb.seed([{"drama_name": "a", "link": share_url("aaaa00000001")}])
    (entry,) = listed(cli, "--sort", "checked")
    assert entry["drama_name"] == "a" and entry["last_verdict"] is None
    database = testdb.database()
    assert database.existing_tables() == {"cloud_resource"}  # reading created nothing
    database.close()


# -- list filters ------------------------------------------------------------------------------


def test_list_filters_search_sort_limit_and_formats(cli: Cli, db: ResourceDB) -> None:
    ids = db.seed([
        {"drama_name": "b 电影", "link": share_url("bbbb00000001"), "alias": "乙"},
        {"drama_name": "a 剧集", "link": share_url("aaaa00000001"), "is_expired": 1},
        {"drama_name": "c 100%_纪录片", "link": "https://pan.baidu.com/s/1CcCcCcC", "drive_type": "baidu"},
    ])
    names = lambda *args: [e["drama_name"] for e in listed(cli, *args)]  # noqa: E731
    assert names() == ["b 电影", "a 剧集", "c 100%_纪录片"]
    assert names("--valid") == ["b 电影", "c 100%_纪录片"]
    assert names("--expired") == ["a 剧集"]
    assert names("--search", "电影") == ["b 电影"]
    assert names("--search", "aaaa0000") == ["a 剧集"]  # the link counts (and the alias)
    assert names("--search", "%_") == ["c 100%_纪录片"]  # LIKE wildcards are literal
    assert names("--drive-type", "baidu") == ["c 100%_纪录片"]
    assert names("--sort", "name", "--desc", "--limit", "2") == ["c 100%_纪录片", "b 电影"]
    assert names("--sort", "status", "--desc") == ["a 剧集", "c 100%_纪录片", "b 电影"]  # ties by id, reversed too

    rows = list(csv.DictReader(io.StringIO(ok(cli, "list", "--csv", "--expired").stdout)))
    assert [(r["id"], r["drama_name"], r["is_expired"], r["last_verdict"]) for r in rows] == [(str(ids[1]), "a 剧集", "1", "")]
    error_line(cli.run("resources", "list", "--expired", "--valid"), 2, "--expired")


def test_list_and_show_give_the_last_verdict_from_check_history(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "good00000001")
    dead = sim.add_share(Share(pwd_id="dead00000001", title="d", files=[{"name": "a.mp4", "size": 1}]))
    good_id, dead_id, never_id = db.seed([
        {"drama_name": "好", "link": share_url("good00000001")},
        {"drama_name": "死", "link": share_url("dead00000001")},
        {"drama_name": "别的盘", "link": "https://pan.baidu.com/s/1XxXxXxX", "drive_type": "baidu", "is_expired": 1},
    ])
    assert cli.run("check-links", *FAST).returncode == 0
    dead.dead_code = 41004
    assert cli.run("check-links", *FAST).returncode == 0
    by_id = {e["id"]: e for e in listed(cli)}
    assert (by_id[good_id]["last_verdict"], by_id[dead_id]["last_verdict"], by_id[never_id]["last_verdict"]) == ("valid", "expired", None)
    assert by_id[dead_id]["last_reason"] == "files_deleted" and by_id[dead_id]["is_expired"] == 1
    assert [e["id"] for e in listed(cli, "--sort", "checked")] == [never_id, good_id, dead_id]

    shown = json.loads(ok(cli, "show", str(dead_id), "--json").stdout)
    assert [c["verdict"] for c in shown["checks"]] == ["expired", "valid"]  # newest first
    assert shown["checks"][0]["api_code"] == 41004
    assert (shown["checks"][0]["drive"], shown["checks"][0]["code"]) == ("quark", "41004")  # issue 24: each check's drive
    plain = ok(cli, "show", str(dead_id), "--history", "1").stdout
    assert "is_expired: 1" in plain and plain.count("\t") == 4 and "\tQuark\texpired\t" in plain and "41004" in plain
    error_line(cli.run("resources", "show", "999999"), 2, "999999")


# -- import --------------------------------------------------------------------------------------


def test_import_csv_jsonl_and_text(cli: Cli, db: ResourceDB) -> None:
    csv_file = write(cli, "in.csv", "\ufeffdrama_name,link,category1,is_expired,tmdb_id,create_time\n"
                     f"电影A,{share_url('aaaa00000001', 'ab12')},电影,1,123,2026-01-02 03:04:05\n"
                     f"\"名字, 带逗号\",{share_url('aaaa00000002')},,,,\n")
    proc = ok(cli, "import", csv_file)
    assert proc.stdout.strip() == f"{csv_file} (csv): 2 lines; inserted 2, updated 0, skipped 0"
    jsonl = write(cli, "in.jsonl", json.dumps({"drama_name": "剧B", "link": share_url("bbbb00000001"), "alias": "乙", "category2": None}) + "\n\n"
                  + json.dumps({"drama_name": "百度", "link": "https://pan.baidu.com/s/1BbBbBbB", "drive_type": "baidu"}) + "\n")
    ok(cli, "import", jsonl)
    text = write(cli, "in.txt", "# my links\n"
                 f"纪录片C {share_url('cccc00000001')} 提取码: cd34\n"
                 f"\n{share_url('dddd00000001')}\n"
                 "动画D 链接：https://pan.quark.cn/s/eeee00000001提取码：ef56\n")
    assert "3 lines; inserted 3" in ok(cli, "import", text).stdout

    rows = {r.drama_name: r for r in db.rows().values()}
    a = rows["电影A"]
    assert (a.link, a.category1, a.is_expired, a.tmdb_id, str(a.create_time)) == (share_url("aaaa00000001", "ab12"), "电影", 1, 123, "2026-01-02 03:04:05")
    assert (rows["名字, 带逗号"].is_expired, rows["名字, 带逗号"].category1) == (0, "")
    assert (rows["剧B"].alias, rows["剧B"].category2) == ("乙", None)
    assert rows["百度"].drive_type == "baidu"
    assert rows["纪录片C"].link == share_url("cccc00000001", "cd34")
    assert rows["动画D"].link == share_url("eeee00000001", "ef56")
    assert rows[share_url("dddd00000001")].link == share_url("dddd00000001")  # a bare link is named after itself


def test_import_reports_every_bad_line_and_writes_nothing(cli: Cli, db: ResourceDB) -> None:
    db.seed([{"drama_name": "已有", "link": share_url("aaaa00000001")}])
    before = snapshot(db)
    bad_csv = write(cli, "bad.csv", "drama_name,link,tmdb_id,is_expired\n"
                    f"好的,{share_url('bbbb00000001')},1,0\n"
                    f"{NAME_255}长,{share_url('bbbb00000002')},,\n"
                    f"坏数字,{share_url('bbbb00000003')},abc,\n"
                    f"别的网站,https://example.com/s/x,,\n"
                    f"好的,{share_url('bbbb00000004')},,\n"
                    f"少一列,{share_url('bbbb00000005')}\n"
                    f"过期值,{share_url('bbbb00000006')},,7\n")
    proc = cli.run("resources", "import", bad_csv)
    error_line(proc, 2, "6 bad lines", "nothing was imported")
    problems = proc.stderr.strip().splitlines()[:-1]
    assert [re.match(rf"{re.escape(bad_csv)}:(\d+): ", p).group(1) for p in problems] == ["3", "4", "5", "6", "7", "8"]
    assert "255" in problems[0] and "tmdb_id" in problems[1] and "not a share link of a known drive" in problems[2]
    assert "line 2" in problems[3] and "fields" in problems[4] and "is_expired" in problems[5]

    bad_jsonl = write(cli, "bad.jsonl", json.dumps({"drama_name": "好", "link": share_url("cccc00000001")}) + "\n"
                      "{not json\n[1, 2]\n" + json.dumps({"drama_name": "x", "link": share_url("cccc00000002"), "colour": "red"}) + "\n"
                      + json.dumps({"link": share_url("cccc00000003")}) + "\n")
    proc = cli.run("resources", "import", bad_jsonl)
    error_line(proc, 2, "4 bad lines")
    assert [p.split(":")[1] for p in proc.stderr.splitlines()[:-1]] == ["2", "3", "4", "5"]
    assert "colour" in proc.stderr and "drama_name is missing" in proc.stderr

    bad_text = write(cli, "bad.txt", f"好 {share_url('dddd00000001')}\n只有名字\n两个 {share_url('dddd00000002')} {share_url('dddd00000003')}\n")
    proc = cli.run("resources", "import", bad_text)
    error_line(proc, 2, "2 bad lines")
    assert f"{bad_text}:2: no link" in proc.stderr and f"{bad_text}:3: more than one link" in proc.stderr

    bad_header = write(cli, "header.csv", "name,url\nx,y\n")
    proc = cli.run("resources", "import", bad_header)
    error_line(proc, 2, "1 bad line")
    assert f"{bad_header}:1: unknown columns: name, url" in proc.stderr

    gbk = write(cli, "gbk.txt", f"第一行 {share_url('eeee00000001')}\n电影 {share_url('eeee00000002')}\n", encoding="gbk")
    error_line(cli.run("resources", "import", gbk), 2, "line 1", "--encoding")
    assert snapshot(db) == before  # nothing of any of it was written
    assert "2 lines; inserted 2" in ok(cli, "import", gbk, "--encoding", "gbk").stdout
    assert "第一行" in {r.drama_name for r in db.rows().values()}


def test_import_duplicates_error_skip_or_update(cli: Cli, db: ResourceDB) -> None:
    old_id, expired_id = db.seed([
        {"drama_name": "电影A", "link": share_url("aaaa00000001"), "category1": "旧"},
        {"drama_name": "剧B", "link": share_url("bbbb00000001"), "is_expired": 1},
    ])
    file = write(cli, "dup.csv", "drama_name,link,category1\n"
                 f"电影A,{share_url('aaaa00000009')},新\n"
                 f"剧B,{share_url('bbbb00000001')},\n"
                 f"新的,{share_url('cccc00000001')},\n")
    before = snapshot(db)
    proc = cli.run("resources", "import", file)
    error_line(proc, 2, "2 bad lines")
    assert f"{file}:2: already stored as #{old_id}" in proc.stderr and f"{file}:3: already stored as #{expired_id}" in proc.stderr
    assert snapshot(db) == before

    assert "would insert 1, update 0, skip 2" in ok(cli, "import", file, "--skip-existing", "--dry-run").stdout
    assert snapshot(db) == before
    assert "inserted 1, updated 0, skipped 2" in ok(cli, "import", file, "--skip-existing").stdout
    assert db.rows()[old_id].link == share_url("aaaa00000001")

    assert "inserted 0, updated 3, skipped 0" in ok(cli, "import", file, "--update").stdout
    rows = db.rows()
    assert (rows[old_id].link, rows[old_id].category1, rows[old_id].is_expired) == (share_url("aaaa00000009"), "新", 0)
    assert (rows[expired_id].link, rows[expired_id].is_expired) == (share_url("bbbb00000001"), 1)  # same link: still expired
    error_line(cli.run("resources", "import", file, "--update", "--skip-existing"), 2, "--skip-existing")


def test_a_line_repeated_in_the_file_is_a_bad_line(cli: Cli, db: ResourceDB) -> None:
    file = write(cli, "twice.txt", f"同名 {share_url('aaaa00000001')}\n别的 {share_url('aaaa00000002')}\n同名 {share_url('aaaa00000003')}\n")
    proc = cli.run("resources", "import", file, "--update")
    error_line(proc, 2, "1 bad line")
    assert f"{file}:3: same drama_name and drive_type as line 1" in proc.stderr
    assert db.rows() == {}


def test_import_of_10000_lines_in_one_transaction(cli: Cli, db: ResourceDB) -> None:
    lines = [f"资源{n:05d}{'长' * 40} https://pan.quark.cn/s/{n:012x}" + (" 提取码: ab12" if n % 3 == 0 else "") for n in range(10_000)]
    file = write(cli, "big.txt", "\n".join(lines) + "\n")
    proc = ok(cli, "import", file, timeout=120)
    assert proc.stdout.strip().endswith("10000 lines; inserted 10000, updated 0, skipped 0")
    assert db.scalar("SELECT COUNT(*) FROM cloud_resource") == 10_000
    assert db.scalar("SELECT COUNT(*) FROM cloud_resource WHERE is_expired = 0 AND link LIKE '%pwd=ab12'") == 3334
    assert "skipped 10000" in ok(cli, "import", file, "--skip-existing", timeout=120).stdout


def test_import_reads_stdin(cli: Cli, sqlite_only: ResourceDB) -> None:
    proc = cli.run("resources", "import", "-", "--format", "text", input=f"管道 {share_url('aaaa00000001')}\n")
    assert proc.returncode == 0, proc.stderr
    assert [r.drama_name for r in sqlite_only.rows().values()] == ["管道"]


# -- export --------------------------------------------------------------------------------------


ROUND_TRIP_ROWS = [
    {"drama_name": NAME_255, "link": share_url("aaaa00000001", "ab12"), "alias": ALIAS_200, "category1": CATEGORY_100,
     "category2": "子类", "view_count": 12, "share_count": 3, "hot": 99, "size": "1.5 GB", "tmdb_id": 42,
     "last_share_time": "2026-01-01 08:00:00", "create_time": "2025-12-31 23:59:59", "update_time": "2026-01-02 00:00:00"},
    {"drama_name": "过期的, \"引号\"", "link": share_url("bbbb00000001"), "is_expired": 1},
    {"drama_name": "百度", "link": "https://pan.baidu.com/s/1XxXxXxX", "drive_type": "baidu", "category2": None},
    {"drama_name": "还没有链接", "link": None},
]


def _seed_round_trip(db: ResourceDB) -> None:
    from datetime import datetime

    rows = []
    for row in ROUND_TRIP_ROWS:
        row = dict(row)
        for key in ("last_share_time", "create_time", "update_time"):
            if key in row:
                row[key] = datetime.fromisoformat(row[key])
        rows.append(row)
    db.seed(rows)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_round_trips(cli: Cli, db: ResourceDB, tmp_path: Path, fmt: str) -> None:
    _seed_round_trip(db)
    out = cli.home / f"export.{'csv' if fmt == 'csv' else 'jsonl'}"
    proc = ok(cli, "export", "--format", fmt, "-o", str(out))
    assert proc.stdout == "" and "exported 4 rows" in proc.stderr
    assert out.read_text(encoding="utf-8") == ok(cli, "export", "--format", fmt).stdout

    fresh = tmp_path / "fresh.db"
    fresh.touch()
    other = ResourceDB(URL.create("sqlite", database=str(fresh)), "sqlite")
    other.create_schema()
    proc = ok(cli, "import", str(out), env={"DATABASE_URL": other.url_text})
    assert "4 lines; inserted 4" in proc.stdout
    original = [tuple(getattr(r, c) for c in COLUMNS_COMPARED) for r in db.rows().values()]
    copied = [tuple(getattr(r, c) for c in COLUMNS_COMPARED) for r in other.rows().values()]
    assert copied == original

    before = snapshot(db)
    assert "skipped 4" in ok(cli, "import", str(out), "--skip-existing").stdout
    assert "updated 4" in ok(cli, "import", str(out), "--update").stdout
    assert snapshot(db) == before  # updating with its own export changes nothing


def test_export_filters(cli: Cli, db: ResourceDB) -> None:
    _seed_round_trip(db)
    expired = list(csv.DictReader(io.StringIO(ok(cli, "export", "--expired").stdout)))
    assert [r["drama_name"] for r in expired] == ["过期的, \"引号\""]
    valid = [json.loads(line) for line in ok(cli, "export", "--valid", "--format", "json", "--drive-type", "quark").stdout.splitlines()]
    assert [r["drama_name"] for r in valid] == [NAME_255, "还没有链接"]
    error_line(cli.run("resources", "export", "-o", str(cli.home / "no" / "such" / "dir.csv")), 2, "--output")


# -- set-status, rm, revive ----------------------------------------------------------------------


def test_set_status_by_id_and_unknown_ids_change_nothing(cli: Cli, db: ResourceDB) -> None:
    a, b = db.seed([{"drama_name": "a", "link": share_url("aaaa00000001")}, {"drama_name": "b", "link": share_url("aaaa00000002"), "is_expired": 1}])
    proc = ok(cli, "set-status", str(a), str(b), "--expired")
    assert proc.stdout.strip() == f"marked 1 expired: #{a}; 1 already were"
    assert [r.is_expired for r in db.rows().values()] == [1, 1]
    error_line(cli.run("resources", "set-status", str(a), "999999", "--valid"), 2, "999999", "nothing was changed")
    assert [r.is_expired for r in db.rows().values()] == [1, 1]
    ok(cli, "set-status", str(a), "--valid")
    assert [r.is_expired for r in db.rows().values()] == [0, 1]
    error_line(cli.run("resources", "set-status", str(a)), 2, "--expired")


def _rm(cli: Cli, *args: str, answer: str) -> subprocess.CompletedProcess[str]:
    return cli.run("resources", "rm", *args, input=answer)


def test_rm_asks_first_and_takes_the_history_with_it(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "aaaa00000001")
    a, b, c = db.seed([{"drama_name": f"r{n}", "link": share_url("aaaa00000001")} for n in range(3)])
    assert cli.run("check-links", *FAST).returncode == 0

    declined = _rm(cli, str(a), str(b), answer="n\n")
    assert declined.returncode == 1 and "Delete these 2 resources?" in declined.stderr and "nothing was deleted" in declined.stderr
    assert f"#{a} r0 (quark)" in declined.stderr
    unanswered = _rm(cli, str(a), answer="")
    error_line(unanswered, 2, "--yes")
    error_line(_rm(cli, str(a), "999999", "--yes", answer=""), 2, "999999")
    assert sorted(db.rows()) == [a, b, c]

    accepted = _rm(cli, str(a), str(b), answer="y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.splitlines() == [f"deleted #{a} r0 (quark)", f"deleted #{b} r1 (quark)"]
    assert sorted(db.rows()) == [c]
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_check") == 1  # only c's check is left
    ok(cli, "rm", str(c), "--yes")
    assert db.rows() == {}


def test_revive_rechecks_only_expired_rows(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "back00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    sim.add_share(Share(pwd_id="dead00000002", title="d", dead_code=41012, files=[]))
    back, dead, active = db.seed([
        {"drama_name": "回来了", "link": share_url("back00000001"), "is_expired": 1},
        {"drama_name": "还是死的", "link": share_url("dead00000001"), "is_expired": 1},
        {"drama_name": "没标记的", "link": share_url("dead00000002")},
    ])
    dry = cli.run("resources", "revive", *FAST, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert [r.is_expired for r in db.rows().values()] == [1, 1, 0]

    proc = cli.run("resources", "revive", *FAST, "--json")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    document = json.loads(proc.stdout)
    assert document["summary"]["total"] == 2 and document["summary"]["valid"] == 1 and document["summary"]["expired"] == 1
    assert {r["id"]: r["marked"] for r in document["results"]} == {back: True, dead: False}
    rows = db.rows()
    assert (rows[back].is_expired, rows[dead].is_expired, rows[active].is_expired) == (0, 1, 0)
    assert sim.requests(endpoint="token", pwd_id="dead00000002") == []  # an active row is check-links' business
    assert json.loads(db.scalar("SELECT detail FROM quarkctl_run ORDER BY id DESC LIMIT 1"))["options"]["scope"] == "expired"


def test_add_takes_a_link_pasted_with_its_passcode_on_the_next_line(cli: Cli, db: ResourceDB) -> None:
    ok(cli, "add", "电影B", "https://pan.baidu.com/s/1AbCdEfGhij\n提取码：zz99")
    (row_id,) = db.rows()
    assert db.rows()[row_id].link == "https://pan.baidu.com/s/1AbCdEfGhij 提取码：zz99"
    assert db.rows()[row_id].drive_type == "baidu"


def test_a_link_with_a_control_character_is_one_problem_not_also_empty(cli: Cli, sqlite_only: ResourceDB) -> None:
    proc = cli.run("resources", "add", "电影C", "https://pan.quark.cn/s/abcd0000\x0b0001")
    assert proc.returncode == 2 and "control character" in proc.stderr and "link is empty" not in proc.stderr
