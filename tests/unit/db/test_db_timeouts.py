"""DB_TIMEOUT, the retry of a lost connection, SQLite's WAL and busy timeout (issue 15, items 1-3)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from conftest import Recorder, ResourceDB, run_checks
from helpers.mixed_links import seed_mixed
from quarkctl.config import settings
from quarkctl.db.database import Database
from quarkctl.db.retry import DbRetry, GaveUp, is_lost
from quarkctl.errors import ConfigError, DatabaseLost, ExitCode


class FakeClock:
    """monotonic() and sleep() on one injected timeline."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.slept.append(seconds)
        self.now += seconds
        return True


class Lost(Exception):
    lost = True


def test_retry_backs_off_until_the_timeout_then_gives_up() -> None:
    clock = FakeClock()
    retry = DbRetry(timeout=5, sleep=clock.sleep, monotonic=clock.monotonic)
    calls = []

    def work() -> None:
        calls.append(clock.now)
        raise Lost("gone")

    with pytest.raises(GaveUp):
        retry.run(work, lost=lambda exc: getattr(exc, "lost", False))
    assert clock.slept[:4] == [0.25, 0.5, 1.0, 2.0] and max(clock.slept) == 2.0  # grows, capped
    assert sum(clock.slept) == pytest.approx(5.0)  # the last pause ends at the deadline, no later
    assert len(calls) == len(clock.slept) + 1


def test_retry_returns_once_the_database_is_back_and_never_retries_other_errors() -> None:
    clock = FakeClock()
    retry = DbRetry(timeout=60, sleep=clock.sleep, monotonic=clock.monotonic)
    attempts = iter([Lost(), Lost(), "written"])

    def work() -> str:
        value = next(attempts)
        if isinstance(value, Exception):
            raise value
        return value

    assert retry.run(work, lost=lambda exc: getattr(exc, "lost", False)) == "written"
    assert clock.slept == [0.25, 0.5]
    with pytest.raises(ValueError):
        retry.run(lambda: (_ for _ in ()).throw(ValueError("constraint")), lost=lambda exc: False)


def test_a_signal_ends_the_retry_at_once() -> None:
    clock = FakeClock()
    retry = DbRetry(timeout=60, sleep=lambda s: False, monotonic=clock.monotonic)
    with pytest.raises(GaveUp):
        retry.run(lambda: (_ for _ in ()).throw(Lost()), lost=lambda exc: True)


def test_lost_connections_are_told_from_other_errors(tmp_path) -> None:
    refused = create_engine("mysql+pymysql://u:p@127.0.0.1:1/x", connect_args={"connect_timeout": 2})
    with pytest.raises(OperationalError) as caught:
        refused.connect()
    assert is_lost(caught.value)  # (2003) cannot connect
    engine = create_engine(URL.create("sqlite", database=str(tmp_path / "x.db")))
    with engine.connect() as conn, pytest.raises(OperationalError) as caught:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert not is_lost(caught.value)


@pytest.mark.parametrize(("raw", "value"), [("", 60.0), ("3", 3.0), ("0.5", 0.5), (" 120 ", 120.0)])
def test_db_timeout_setting(raw: str, value: float) -> None:
    assert settings.db_timeout({"DB_TIMEOUT": raw}) == value
    assert settings.load({"DB_TIMEOUT": raw}, need_cookie=False).db_timeout == value


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "nan", "inf", "99999999999"])
def test_db_timeout_setting_rejects_nonsense(raw: str) -> None:
    with pytest.raises(ConfigError, match="DB_TIMEOUT") as caught:
        settings.db_timeout({"DB_TIMEOUT": raw})
    assert "at most 86400" in str(caught.value)  # a too-large value is told why (it is "above 0")


def test_sqlite_connections_use_wal_and_the_busy_timeout(sqlitedb: ResourceDB) -> None:
    database = Database(sqlitedb.url, timeout=7)
    try:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000
    finally:
        database.close()


def test_a_reader_loop_and_a_run_never_lock_each_other_out(sim, sqlitedb: ResourceDB) -> None:
    ids, _ = seed_mixed(sim, sqlitedb, 60, dead_every=4)
    done, failures, reads = threading.Event(), [], []

    def reader() -> None:
        plain = sqlite3.connect(sqlitedb.url.database, timeout=0.05)  # a user's own reader: a short wait only
        ours = Database(sqlitedb.url)  # what `quarkctl resources list` reads through
        try:
            while not done.is_set():
                try:
                    reads.append(plain.execute("SELECT COUNT(*), SUM(is_expired) FROM cloud_resource").fetchone())
                    plain.execute("SELECT COUNT(*) FROM quarkctl_check").fetchone()
                    ours.list_resources(limit=5)
                except Exception as exc:  # noqa: BLE001 - recorded: the test fails on any
                    failures.append(exc)
        finally:
            plain.close()
            ours.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        report, recorder = run_checks(sqlitedb, sim, batch_size=7, concurrency=3)
    finally:
        done.set()
        thread.join(timeout=30)
    assert failures == []
    assert len(reads) > 1
    assert report.exit_code == ExitCode.OK and report.unwritten == []
    assert sqlitedb.scalar("SELECT COUNT(DISTINCT resource_id) FROM quarkctl_check") == len(ids)
    assert sqlitedb.scalar("SELECT SUM(is_expired) FROM cloud_resource") == 15


class LockingRecorder(Recorder):
    """After the first verdict, another writer takes the database (BEGIN IMMEDIATE): a real SQLITE_BUSY
    for every write of the run until `release()`."""

    def __init__(self, db: ResourceDB) -> None:
        super().__init__()
        Database(db.url).close()  # WAL on, before the other writer holds the file
        self.other = sqlite3.connect(db.url.database, isolation_level=None, check_same_thread=False)

    def link_done(self, outcome) -> None:
        super().link_done(outcome)
        if len(self.outcomes) == 1:
            self.other.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.other.in_transaction:
            self.other.rollback()


def _run_with_timeout(db: ResourceDB, sim, recorder: Recorder, timeout: float, sleep=None, **options) -> tuple:
    """run_checks, on a Database with this DB_TIMEOUT (and the retry's sleeper)."""
    real = ResourceDB.database

    def database(self: ResourceDB) -> Database:
        made = Database(self.url, timeout=timeout)
        if sleep is not None:  # the retry's own timeline: only its pauses move it
            clock = FakeClock()
            made.retry.sleep = lambda seconds: clock.sleep(seconds) and sleep(seconds)
            made.retry.monotonic = clock.monotonic
        return made

    ResourceDB.database = database  # type: ignore[method-assign]
    try:
        return run_checks(db, sim, recorder, **options)
    finally:
        ResourceDB.database = real  # type: ignore[method-assign]


def test_a_database_busy_past_the_timeout_ends_the_run_with_exit_5_and_lists_the_verdicts(sim, sqlitedb: ResourceDB) -> None:
    ids, _ = seed_mixed(sim, sqlitedb, 8, dead_every=4)
    recorder = LockingRecorder(sqlitedb)
    try:
        report, _ = _run_with_timeout(sqlitedb, sim, recorder, 0.3)
    finally:
        recorder.release()
        recorder.other.close()
    assert report.exit_code == ExitCode.DB_LOST and report.abort_reason == "database_lost"
    assert "did not answer within 0.3 s" in report.database_error and sqlitedb.url.database in report.database_error
    assert report.counts["total"] < len(ids)  # no new link after the loss
    listed = {u["id"]: u for u in report.unwritten}
    assert set(listed) == {o.row.id for o in recorder.outcomes}  # every verdict known is listed
    dead = [u for u in listed.values() if u["verdict"] == "expired"]
    assert dead and all(u["mark"] == "expired" for u in dead)
    assert all(u["link"].startswith("https://pan.quark.cn/s/") for u in listed.values())
    assert sqlitedb.scalar("SELECT COUNT(*) FROM quarkctl_check") == 0
    assert sqlitedb.scalar("SELECT SUM(is_expired) FROM cloud_resource") == 0
    assert sqlitedb.scalar("SELECT status FROM quarkctl_run") == "running"  # its last attempt found the lock held too


def test_a_short_outage_is_ridden_out_and_nothing_is_lost(sim, sqlitedb: ResourceDB) -> None:
    ids, _ = seed_mixed(sim, sqlitedb, 8, dead_every=4)
    recorder = LockingRecorder(sqlitedb)
    pauses = []

    def sleep(seconds: float) -> bool:  # the retry's first pause: the other writer lets go
        pauses.append(seconds)
        recorder.release()
        return True

    try:
        report, _ = _run_with_timeout(sqlitedb, sim, recorder, 0.5, sleep)
    finally:
        recorder.other.close()
    assert pauses, "the write was retried"
    assert report.exit_code == ExitCode.OK and report.unwritten == [] and report.abort_reason is None
    assert sqlitedb.scalar("SELECT COUNT(DISTINCT resource_id) FROM quarkctl_check") == len(ids)
    assert sqlitedb.scalar("SELECT SUM(is_expired) FROM cloud_resource") == 2
    assert sqlitedb.scalar("SELECT status FROM quarkctl_run") == "finished"


def test_before_the_run_a_failure_is_the_start_up_error_not_exit_5(tmp_path) -> None:
    database = Database(URL.create("mysql+pymysql", username="u", password="pw-secret-1", host="127.0.0.1", port=1, database="x"),
                        timeout=1)
    with pytest.raises(Exception) as caught:
        database.count_candidates()
    assert not isinstance(caught.value, DatabaseLost) and caught.value.exit_code == ExitCode.USAGE
    database.resilient = True
    database.retry = DbRetry(timeout=0.2, sleep=lambda s: True)
    with pytest.raises(DatabaseLost) as lost:
        database.count_candidates()
    assert lost.value.exit_code == 5 and "pw-secret-1" not in str(lost.value) and "***" in str(lost.value)


def test_a_signal_during_the_outage_still_lists_the_verdicts_not_written(sim, sqlitedb: ResourceDB) -> None:
    """SIGTERM (systemd's stop) while a write waits for a locked database: exit 143, and the report
    still names the database and lists the verdicts it did not get (they were silently dropped)."""
    import random
    import signal

    from quarkctl.checker.options import CheckOptions
    from quarkctl.checker.run import run_check
    from quarkctl.runtime.pacing import PacingPolicy
    from quarkctl.runtime.stop import StopSignal
    from quarkctl.quark.client import QuarkClient
    from quarkctl.render.check import unwritten_lines
    from conftest import COOKIE, Clock

    seed_mixed(sim, sqlitedb, 8, dead_every=4)
    stop = StopSignal()

    class Signalled(LockingRecorder):
        def link_done(self, outcome) -> None:
            super().link_done(outcome)
            if len(self.outcomes) == 1:  # the database is locked now; the service manager stops the run
                stop.set(signum=signal.SIGTERM)

    recorder = Signalled(sqlitedb)
    database = Database(sqlitedb.url, timeout=0.3)
    try:
        report = run_check(database, lambda: QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5),
                           CheckOptions(pacing=PacingPolicy.off(), backoff=0.0), recorder, stop=stop, clock=Clock(),
                           sleep=lambda s: True, rng_for_worker=lambda n: random.Random(n))
    finally:
        database.close()
        recorder.release()
        recorder.other.close()
    assert report.exit_code == ExitCode.SIGTERM and report.abort_reason == "interrupted"
    assert report.unwritten and {u["id"] for u in report.unwritten} == {o.row.id for o in recorder.outcomes}
    lines = unwritten_lines(report)
    assert lines[0] == report.database_error and sqlitedb.url.database in lines[0]
    assert all(any(f"#{u['id']} {u['link']}" in line for line in lines) for u in report.unwritten)


def test_a_recheck_of_a_row_already_marked_does_not_list_its_mark_as_missing(sim, sqlitedb: ResourceDB) -> None:
    """--recheck-expired: a dead row marked on an earlier night is still dead; when the database is
    lost its history row is listed, but not as "[not marked expired]" (it is marked)."""
    ids, dead = seed_mixed(sim, sqlitedb, 4, dead_every=2)
    with sqlitedb.engine().begin() as conn:
        conn.execute(text(f"UPDATE cloud_resource SET is_expired = 1 WHERE id = {min(dead)}"))
    recorder = LockingRecorder(sqlitedb)
    try:
        report, _ = _run_with_timeout(sqlitedb, sim, recorder, 0.3, recheck_expired=True)
    finally:
        recorder.release()
        recorder.other.close()
    assert report.exit_code == ExitCode.DB_LOST
    listed = {u["id"]: u for u in report.unwritten}
    assert min(dead) in listed and listed[min(dead)]["verdict"] == "expired"
    assert listed[min(dead)]["mark"] is None
    others = [u for i, u in listed.items() if i in dead and i != min(dead)]
    assert all(u["mark"] == "expired" for u in others)
