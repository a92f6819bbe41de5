"""Issue 24 end to end: the installed `quarkctl check-links` on a table of every drive (SQLite and MariaDB),
against the Quark simulator and the drives simulator (QUARKCTL_API_BASE_<DRIVE>)."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import Cli, ResourceDB, on_database
from helpers.mixed_drives import CHECKED, bases, link, seed_every_drive, share_id
from quarkctl.simulator import Simulator
from quarkctl.simulator.drives_server import DrivesSimulator

FAST = ["--no-pacing", "--retry-backoff", "0", "--json"]
ERRORS = ("unverified_dead", "rate_limited", "captcha", "html", "wrong_shape")
# A link of each drive with its passcode in one of the reference's forms (tests/unit/providers/test_drive_checks.py)
WITH_PASSCODE = {
    "uc": "https://drive.uc.cn/s/d60d722172f84?pwd=ab12",
    "baidu": "https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12",
    "aliyun": "https://www.alipan.com/s/4F9AbCdEfGh 提取码：ab12",
    "123": "https://www.123pan.com/s/yXg6Vv-enZ7v提取码:ab12",
    "tianyi": "https://cloud.189.cn/t/AbCdEf123456（访问码：ab12）",
    "mobile": "https://caiyun.139.com/w/i/2rJV89vKpVPsr\n提取码:ab12",
    "115": "https://115.com/s/swfsfjg3h7i?password=ab12",
}

# The drives whose anonymous check sends the passcode (the others' first answer says whether one is needed)
SENDS_PASSCODE = ("uc", "baidu", "123", "115")


@pytest.fixture
def dsim(cli: Cli) -> DrivesSimulator:
    with DrivesSimulator() as sim:
        cli.env.update(bases(sim))
        yield sim


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def test_a_mixed_table_marks_exactly_the_seen_dead_rows(cli: Cli, sim: Simulator, dsim: DrivesSimulator, testdb: ResourceDB) -> None:
    db = on_database(cli, testdb)
    mixed = seed_every_drive(db, sim, dsim)
    proc = cli.run("check-links", *FAST, "--max-consecutive-errors", "0")
    doc = _json(proc)
    assert proc.returncode == 1  # the error rows
    rows = db.rows()
    assert {i for i, r in rows.items() if r.is_expired} == mixed.dead
    results = {r["id"]: r for r in doc["results"]}
    for drive in CHECKED:
        for state in ERRORS:
            result = results[mixed.ids[(drive, state)]]
            assert (result["verdict"], result["marked"], result["drive"]) == ("error", False, drive), (drive, state, result)
    assert results[mixed.ids[("xunlei", "row0")]]["reason"] == "unsupported_drive"
    drives = doc["drives"]
    assert set(drives) == {"quark", *CHECKED, "xunlei"}
    for drive in CHECKED:
        errors = 6 if drive == "baidu" else 5  # Baidu's locked answer (-9) is dead shares' too: error
        assert (drives[drive]["total"], drives[drive]["expired"], drives[drive]["errors"]) == (8, 1, errors), drive
    assert drives["quark"] == {"total": 2, "valid": 1, "expired": 1, "needs_passcode": 0, "empty": 0, "errors": 0, "skipped": 0,
                               "same_share": 0, "unchecked": 0}
    assert doc["tripped"] == {} and doc["drive_type_mismatch"] == []
    # The human summary has a line per drive
    plain = cli.run("check-links", "--no-pacing", "--retry-backoff", "0", "--recheck-expired", "--dry-run").stdout
    assert "Baidu: total 8" in plain and "Quark: total 2" in plain, plain


def test_one_drives_outage_leaves_the_others_checked(cli: Cli, sim: Simulator, dsim: DrivesSimulator, sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    mixed = seed_every_drive(db, sim, dsim, states=("alive", "dead"))
    for n in range(5):
        text = link("aliyun", 100 + n)
        dsim.add("aliyun", share_id(text), "server_error")
        db.seed([{"drama_name": f"down {n}", "link": text, "drive_type": "aliyun"}])
    proc = cli.run("check-links", *FAST, "--retries", "0", "--max-consecutive-errors", "2")
    doc = _json(proc)
    assert proc.returncode == 4 and doc["aborted"] == "circuit_breaker"
    assert doc["tripped"] == {"aliyun": 2} and doc["drives"]["aliyun"]["unchecked"] == 3
    assert {i for i, r in db.rows().items() if r.is_expired} == mixed.dead  # every other drive was checked
    [run] = _json(cli.run("history", "--json"))["runs"]  # the history keeps each drive's counts
    assert run["drives"]["aliyun"]["unchecked"] == 3 and run["drives"]["uc"]["total"] == 2, run
    shown = cli.run("history", "show", str(run["id"])).stdout
    assert "Aliyun: total 4, valid 1, expired 1, errors 2, left unchecked 3" in shown, shown
    assert "aborted: Aliyun: 2 links in a row failed" in shown, shown
    text = cli.run("check-links", "--no-pacing", "--retries", "0", "--max-consecutive-errors", "2").stdout
    assert "Aliyun: 2 links in a row failed with transient errors" in text, text


def test_drives_trust_and_pace_flags(cli: Cli, sim: Simulator, dsim: DrivesSimulator, sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    mixed = seed_every_drive(db, sim, dsim, states=("dead", "unverified_dead"), drives=("uc", "baidu"))
    doc = _json(cli.run("check-links", *FAST, "--drives", "quark,uc", "--trust-unverified", "uc", "--pace", "uc=0-0"))
    results = {r["id"]: r for r in doc["results"]}
    assert results[mixed.ids[("uc", "unverified_dead")]]["verdict"] == "expired"
    assert not set(mixed.of("baidu")) & set(results) and not dsim.requests("baidu")  # not selected: no result, no record
    assert doc["not_selected"] == len(mixed.of("baidu")) + 1  # and Xunlei's row
    for flags in (["--drives", "dropbox"], ["--pace", "baidu=6-3"], ["--trust-unverified", "quark"]):
        bad = cli.run("check-links", *flags)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr, bad.stderr
        assert len((bad.stderr + bad.stdout).strip().splitlines()) == 1, bad.stderr


def test_a_passcode_in_every_form_reaches_its_drives_request(cli: Cli, sim: Simulator, dsim: DrivesSimulator,
                                                             sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    for drive, text in WITH_PASSCODE.items():
        dsim.add(drive, share_id(text), "locked", passcode="ab12")
    db.seed([{"drama_name": drive, "link": text, "drive_type": drive} for drive, text in WITH_PASSCODE.items()])
    doc = _json(cli.run("check-links", *FAST))
    assert {r["name"]: r["verdict"] for r in doc["results"]} == {drive: "valid" for drive in WITH_PASSCODE}, doc["results"]
    for drive in SENDS_PASSCODE:
        asked = [r.passcode for r in dsim.requests(drive) if r.share_id]
        assert [p for p in asked if p] == ["ab12"], (drive, asked)  # sent once, as stored
