"""Issue 24: a check-links run on a table of every drive, then `history show` and `resources show` say each
result's drive and the drive's own code (in process, SQLite and MariaDB; the drives simulator answers
tests/samples/drives-replies.json's shapes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, inspect, text

from conftest import Cli, ResourceDB, on_database
from helpers.mixed_drives import bases, seed_every_drive
from quarkctl.db.records import utc_naive
from quarkctl.db.schema import check_drive, check_history, run_history
from quarkctl.simulator import Simulator
from quarkctl.simulator.drives_server import DrivesSimulator

EARLIER = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
FAST = ["--no-pacing", "--retry-backoff", "0", "--max-consecutive-errors", "0"]
# Each drive's code on its dead share, as the drives simulator sends it (quarkctl/simulator/drive_replies.py `dead`)
DEAD_CODES = {"quark": "41012", "uc": "41006", "baidu": "-21", "aliyun": "NotFound.ShareLink", "123": "5103",
              "tianyi": "ShareNotFound", "mobile": "200000727", "115": "4100010"}
LABELS = {"quark": "Quark", "uc": "UC", "baidu": "Baidu", "aliyun": "Aliyun", "123": "123pan", "tianyi": "Tianyi (189)",
          "mobile": "China Mobile (139)", "115": "115", "xunlei": "Xunlei"}


@pytest.fixture
def dsim(cli: Cli) -> Iterator[DrivesSimulator]:
    with DrivesSimulator() as sim:
        cli.env.update(bases(sim))
        yield sim


def _show(cli: Cli, *args: str) -> dict:
    proc = cli.run(*args, "--json")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def test_history_show_gives_each_results_drive_and_code(cli: Cli, sim: Simulator, dsim: DrivesSimulator, testdb: ResourceDB) -> None:
    db = on_database(cli, testdb)
    mixed = seed_every_drive(db, sim, dsim, states=("alive", "dead", "unverified_dead", "captcha"))
    unclaimed = db.seed([{"drama_name": "别处", "link": "https://example.com/s/abc", "drive_type": "quark"}])[0]
    run = cli.run("check-links", *FAST, "--json")
    assert run.returncode == 1, run.stderr  # the captcha rows are errors
    run_id = json.loads(cli.run("history", "--json").stdout)["runs"][0]["id"]

    items = {item["resource_id"]: item for item in _show(cli, "history", "show", str(run_id))["items"]}
    assert len(items) == len(mixed.ids) + 1
    for (drive, state), row_id in mixed.ids.items():
        item = items[row_id]
        assert item["drive"] == drive, (drive, state, item)
        if state == "dead":
            assert (item["verdict"], item["code"]) == ("expired", DEAD_CODES[drive]), item
    assert items[mixed.ids[("xunlei", "row0")]]["code"] is None
    assert (items[unclaimed]["drive"], items[unclaimed]["code"], items[unclaimed]["reason"]) == (None, None, "unsupported_link")
    aliyun_dead = items[mixed.ids[("aliyun", "dead")]]
    assert aliyun_dead["api_code"] is None and aliyun_dead["http_status"] == 404  # a word code: api_code stays Quark's integer

    lines = cli.run("history", "show", str(run_id)).stdout.splitlines()
    for (drive, state), row_id in mixed.ids.items():
        (line,) = [line for line in lines if line.startswith(f"  #{row_id} ")]
        assert f" [{LABELS[drive]}] " in line, line
        if state == "dead":  # the code once, even where the drive's words begin with it
            assert f"({DEAD_CODES[drive]}" in line and line.count(DEAD_CODES[drive]) == 1, line
    (line,) = [line for line in lines if line.startswith(f"  #{unclaimed} ")]
    assert "[no drive] skipped" in line

    shown = _show(cli, "resources", "show", str(mixed.ids[("tianyi", "dead")]))
    assert [(c["drive"], c["code"], c["verdict"]) for c in shown["checks"]] == [("tianyi", "ShareNotFound", "expired")]
    plain = cli.run("resources", "show", str(mixed.ids[("baidu", "captcha")])).stdout
    assert "\tBaidu\terror\t" in plain, plain


def test_history_show_speaks_chinese_drive_names(cli: Cli, sim: Simulator, dsim: DrivesSimulator, sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    mixed = seed_every_drive(db, sim, dsim, states=("dead",), drives=("tianyi",), quark=1, xunlei=0)
    assert cli.run("check-links", *FAST).returncode == 0
    out = Cli.run(cli, "--lang", "zh_CN", "history", "show", "1").stdout  # the installed command: a language is per process
    (line,) = [line for line in out.splitlines() if line.startswith(f"  #{mixed.ids[('tianyi', 'dead')]} ")]
    assert "[天翼云盘]" in line and "ShareNotFound" in line, line


def test_an_old_database_gets_the_drive_table_on_the_next_run_nothing_lost(cli: Cli, sim: Simulator, dsim: DrivesSimulator,
                                                                        testdb: ResourceDB) -> None:
    """A database the previous quarkctl set up (no quarkctl_check_drive) with a run of its own: its history reads as
    before, and the next run adds the table beside it, the earlier verdicts kept."""
    cli.env["DATABASE_URL"] = testdb.url_text
    mixed = seed_every_drive(testdb, sim, dsim, states=("dead",), drives=("baidu",), quark=1, xunlei=0)
    quark = mixed.ids[("quark", "dead")]
    engine = testdb.engine()
    with engine.begin() as conn:  # the previous version's tables, its run and its verdict
        conn.execute(text(f"DROP TABLE {check_drive.name}"))
        conn.execute(insert(run_history).values(id=1, job="check-links", started_at=utc_naive(EARLIER), finished_at=utc_naive(EARLIER),
                                                status="finished", exit_code=0, total=1, expired=1))
        conn.execute(insert(check_history).values(run_id=1, resource_id=quark, checked_at=utc_naive(EARLIER), verdict="expired",
                                                  reason="share_cancelled", api_code=41012, message="好友已取消了分享"))
    engine.dispose()
    assert [(i["drive"], i["code"]) for i in _show(cli, "history", "show", "1")["items"]] == [("quark", "41012")]  # read as it is
    assert cli.run("check-links", *FAST).returncode == 0
    engine = testdb.engine()
    with engine.connect() as conn:
        assert check_drive.name in inspect(conn).get_table_names()  # the run created it, as `db init` would
    engine.dispose()
    assert [(i["resource_id"], i["verdict"], i["drive"], i["code"]) for i in _show(cli, "history", "show", "1")["items"]] == [
        (quark, "expired", "quark", "41012")]  # nothing lost
    runs = _show(cli, "history")["runs"]
    assert [r["id"] for r in runs] == [2, 1]
    assert sorted((i["resource_id"], i["drive"], i["code"]) for i in _show(cli, "history", "show", "2")["items"]) == [
        (mixed.ids[("baidu", "dead")], "baidu", "-21"), (quark, "quark", "41012")]
