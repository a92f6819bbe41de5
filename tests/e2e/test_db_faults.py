"""The database goes away during a real check-links run (issue 15): restarted, killed for good, frozen.

A throwaway MariaDB of this module's own (own data directory and port): the shared server on 3306
is never touched. Real time by nature (a real server's timeouts), so DB_TIMEOUT is small and every
wait is on a condition with a deadline.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB
from helpers.mixed_links import seed_mixed
from helpers.throwaway_mariadb import PASSWORD, ThrowawayMariaDB, install_binary, server_binary

DB_TIMEOUT = 3
N = 12  # every third link dead: its mark is written at once, so a lost server shows within a link or two
PACED = ["--min-delay", "0.25", "--max-delay", "0.25", "--rest-every", "0", "--retry-backoff", "0", "--json"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayMariaDB]:
    if server_binary() is None or install_binary() is None:
        pytest.skip("no mariadbd / mariadb-install-db on this machine: the database fault tests need a server of their own")
    mdb = ThrowawayMariaDB(tmp_path_factory.mktemp("mariadb"))
    mdb.install()
    mdb.start()
    try:
        yield mdb
    finally:
        mdb.stop()


@pytest.fixture
def faultdb(server: ThrowawayMariaDB, cli: Cli, sim) -> Iterator[tuple[ResourceDB, list[int], set[int]]]:
    """A fresh database on the throwaway server, N rows, the CLI pointed at it; (db, ids, dead ids)."""
    if not server.running:
        server.start()
    db = ResourceDB(server.database(f"faults_{uuid.uuid4().hex[:8]}"), "mysql")
    ids, dead = seed_mixed(sim, db, N, dead_every=3)
    cli.env["DATABASE_URL"] = db.url_text
    try:
        yield db, ids, dead
    finally:
        server.thaw()


def _until_progress(proc: subprocess.Popen[str], count: int, within: float = 20.0) -> list[str]:
    """Read the run's progress lines (stderr with --json) until `count` links are done."""
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if sum("] ok " in x or "] dead " in x for x in lines) >= count:
            return lines
    raise AssertionError(f"the run did not get {count} links done: {lines}")


def _finish(proc: subprocess.Popen[str], within: float) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=within)
    return proc.returncode, out, err


def test_restart_mid_run_loses_nothing(server: ThrowawayMariaDB, faultdb, cli: Cli) -> None:
    db, ids, dead = faultdb
    proc = cli.popen("check-links", *PACED, "--db-timeout", "15")
    head = _until_progress(proc, 2)
    server.kill()
    server.start()  # back within the run's DB_TIMEOUT: the next write reconnects
    code, out, err = _finish(proc, 60)
    assert code == 0, "".join(head) + err
    document = json.loads(out)
    assert document["unwritten"] == [] and document["aborted"] is None
    assert {r.id for r in db.rows().values() if r.is_expired} == dead
    checked = db.scalar("SELECT COUNT(DISTINCT resource_id) FROM quarkctl_check")
    assert checked == N
    assert db.scalar("SELECT status FROM quarkctl_run") == "finished"


def _assert_lost(code: int, out: str, err: str, elapsed: float, db_port: int) -> dict:
    assert code == 5, err
    assert elapsed < DB_TIMEOUT + 8, elapsed
    document = json.loads(out)
    assert document["exit_code"] == 5 and document["aborted"] == "database_lost"
    assert f"127.0.0.1:{db_port}" in document["database_error"] and f"did not answer within {DB_TIMEOUT} s" in document["database_error"]
    assert PASSWORD not in out + err and "***" in document["database_error"]
    assert document["unwritten"], "the verdicts the database did not get are listed"
    assert any(line for line in err.splitlines() if "did not answer within" in line and "***" in line)
    return document


def test_killed_for_good_ends_within_the_timeout_and_lists_what_was_not_written(server: ThrowawayMariaDB, faultdb,
                                                                                cli: Cli) -> None:
    db, ids, dead = faultdb
    proc = cli.popen("check-links", *PACED, "--db-timeout", str(DB_TIMEOUT))
    _until_progress(proc, 1)
    server.kill()
    started = time.monotonic()
    code, out, err = _finish(proc, 60)
    document = _assert_lost(code, out, err, time.monotonic() - started, server.port)
    reported = {r["id"] for r in document["results"]}
    assert reported < set(ids), "the run stopped taking links"
    unwritten = {u["id"]: u for u in document["unwritten"]}
    for item in unwritten.values():
        assert item["link"] and item["verdict"] in ("valid", "expired") and item["reason"]
    assert any(u["mark"] == "expired" for u in unwritten.values()) or not (reported & dead)
    # Nothing known is lost: every verdict reported is either in the database or listed.
    server.start()
    stored = {row[0] for row in db.engine().connect().exec_driver_sql("SELECT resource_id FROM quarkctl_check")}
    assert reported <= stored | set(unwritten)
    for item in unwritten.values():
        if item["mark"] == "expired":
            assert not db.rows()[item["id"]].is_expired  # listed as not marked: indeed not marked


def test_frozen_server_ends_within_the_timeout(server: ThrowawayMariaDB, faultdb, cli: Cli) -> None:
    db, ids, dead = faultdb
    proc = cli.popen("check-links", *PACED, "--db-timeout", str(DB_TIMEOUT))
    _until_progress(proc, 1)
    server.freeze()
    started = time.monotonic()
    try:
        code, out, err = _finish(proc, 60)
    finally:
        server.thaw()
    _assert_lost(code, out, err, time.monotonic() - started, server.port)
    # The lock was released: the next run starts (and the server, thawed, answers again).
    again = cli.run("check-links", "--no-pacing", "--retry-backoff", "0", "--db-timeout", str(DB_TIMEOUT), timeout=60)
    assert again.returncode == 0, again.stderr
    statuses = [r[0] for r in db.engine().connect().exec_driver_sql("SELECT status FROM quarkctl_run ORDER BY id")]
    assert statuses[-1] == "finished" and statuses[0] in ("aborted", "running")


def test_unreachable_at_the_start_stays_exit_2(server: ThrowawayMariaDB, faultdb, cli: Cli, tmp_path: Path) -> None:
    db, ids, dead = faultdb
    url = db.url.set(port=1)  # nothing listens there
    proc = cli.run("check-links", "--no-pacing", "--db-timeout", "2", env={"DATABASE_URL": url.render_as_string(hide_password=False)})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "cannot connect" in proc.stderr and PASSWORD not in proc.stderr


def test_a_run_that_ended_with_exit_5_is_recorded_as_aborted_once_the_database_is_back(server: ThrowawayMariaDB, faultdb,
                                                                                         cli: Cli) -> None:
    """Issue 23: the run's own row could not be told how it ended, so `history` called it abandoned and `doctor`
    said it was killed. Its end is kept on this machine and written once the database answers again."""
    db, ids, dead = faultdb
    proc = cli.popen("check-links", *PACED, "--db-timeout", str(DB_TIMEOUT))
    _until_progress(proc, 1)
    server.kill()
    code, out, err = _finish(proc, 60)
    assert code == 5, err
    server.start()
    assert db.scalar("SELECT status FROM quarkctl_run") == "running"  # the row itself could not be told
    doctor = cli.run("doctor", "--json", timeout=60)  # the first to look writes the run's end
    [last] = [c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "last_run:check-links"]
    assert "killed" not in last["message"] and "exit 5" in last["message"], last
    history = cli.run("history", "--json", timeout=60)
    [run] = json.loads(history.stdout)["runs"]
    assert (run["status"], run["exit_code"], run["aborted"]) == ("aborted", 5, "database_lost"), run
    assert run["counts"]["total"] == len(json.loads(out)["results"])
    text = cli.run("history", timeout=60).stdout
    assert "exit 5" in text and "aborted" in text and "abandoned" not in text, text
