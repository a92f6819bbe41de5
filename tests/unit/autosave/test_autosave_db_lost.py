"""autosave on a lost database (issue 15): the partial report, what could not be written listed (text
and --json), the lock released, and the run recorded as aborted once the database is back."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import COOKIE, ResourceDB, share_url
from quarkctl.autosave import job as autosave_job
from quarkctl.autosave.options import AutosaveOptions
from quarkctl.config.settings import Settings
from quarkctl.db.database import Database
from quarkctl.errors import ExitCode
from quarkctl.lock import RunLock, lock_path
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal
from quarkctl.render.autosave import JsonAutosaveCollector, PlainAutosaveReporter
from quarkctl.reports.autosave import JOB
from quarkctl.simulator import Share, Simulator

MS = 1760700000000


class TakesTheDatabase(PlainAutosaveReporter):
    """Once the first task is done, another writer takes the SQLite file (BEGIN IMMEDIATE): a real
    SQLITE_BUSY for every write after it; it lets go once `release_after` tasks are done (None: never)."""

    def __init__(self, db: ResourceDB, release_after: int | None = None) -> None:
        super().__init__(io.StringIO(), total=3)
        Database(db.url).close()  # WAL on, before the other writer holds the file
        self.other = sqlite3.connect(db.url.database, isolation_level=None, check_same_thread=False)
        self.release_after = release_after
        self.done: list[str] = []

    def task_done(self, result) -> None:
        super().task_done(result)
        self.done.append(result.name)
        if len(self.done) == 1:
            self.other.execute("BEGIN IMMEDIATE")
        if len(self.done) == self.release_after:
            self.release()

    def release(self) -> None:
        if self.other.in_transaction:
            self.other.rollback()


def _run(sim: Simulator, db: ResourceDB, tmp_path: Path, listener: TakesTheDatabase):
    sim.tq_gap, sim.task_polls = 10, 1
    tasks = []
    for n in range(3):
        pwd_id = f"d1b{n:09d}"
        sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=[{"name": f"{n}-{i}.mp4", "size": 1000 + i, "updated_at": MS + i}
                                                                 for i in range(2)]))
        tasks.append({"taskname": f"task{n}", "shareurl": share_url(pwd_id), "savepath": f"/t{n}", "pattern": "", "replace": ""})
    path = tmp_path / "quark_config.json"
    path.write_text(json.dumps({"cookie": COOKIE, "tasklist": tasks}), encoding="utf-8")
    settings = Settings(cookie=None, database_url=db.url, default_sqlite=False, api_base=sim.base_url, db_timeout=0.3)
    checked = autosave_job.load_checked(path, {}, autosave_job.Selection())
    options = AutosaveOptions(pacing=PacingPolicy.off(), backoff=0.0, sign=False)
    lock_dir = tmp_path / "locks"
    try:
        report = autosave_job.execute(settings, checked, {}, options, listener, stop=StopSignal(), lock_dir=lock_dir, timeout=5.0)
    finally:
        listener.release()
        listener.other.close()
    # The lock is released: the next run takes it at once.
    RunLock(lock_path(lock_dir, JOB, str(path.resolve())), JOB).acquire().release()
    return report


def test_a_database_busy_past_the_timeout_gives_a_partial_report_listing_what_was_not_written(
        sim: Simulator, sqlitedb: ResourceDB, tmp_path: Path) -> None:
    listener = TakesTheDatabase(sqlitedb)
    report = _run(sim, sqlitedb, tmp_path, listener)
    assert report.exit_code == ExitCode.DB_LOST and report.abort_reason == "database_lost"
    assert "did not answer within 0.3 s" in report.database_error and sqlitedb.url.database in report.database_error
    # The task running at the loss finished (its files are in the drive); no task started after it.
    assert [(t.name, t.status) for t in report.tasks] == [("task0", "saved"), ("task1", "saved")]
    assert sim.drive().listdir("/t1") == ["1-0.mp4", "1-1.mp4"] and sim.drive().listdir("/t2") == []  # made at the start, empty
    kinds = [item["kind"] for item in report.unwritten]
    assert sorted(item["name"] for item in report.unwritten if item["kind"] == "ledger") == ["1-0.mp4", "1-1.mp4"]
    assert kinds[-2:] == ["task_results", "run"] and report.unwritten[-1] == {"kind": "run", "run": report.run_id, "status": "aborted"}
    # Nothing after the loss reached the database: task0's ledger rows only, the run still "running".
    assert sqlitedb.scalar("SELECT COUNT(*) FROM quarkctl_saved") == 2
    assert sqlitedb.scalar("SELECT status FROM quarkctl_run") == "running"
    assert sqlitedb.scalar("SELECT COUNT(*) FROM quarkctl_autosave_task") == 0
    # The text report names the database and lists each write; the JSON carries the same.
    listener.finish(report)
    text = listener.stream.getvalue()
    assert report.database_error in text and "task1: 1-0.mp4 was saved but is not in the ledger" in text
    assert "history: run #%d is still recorded as running" % report.run_id in text
    out = io.StringIO()
    JsonAutosaveCollector(out).finish(report)
    doc = json.loads(out.getvalue())
    assert doc["aborted"] == "database_lost" and doc["exit_code"] == 5 and doc["database_error"] == report.database_error
    assert doc["unwritten"] == report.unwritten


def test_the_last_attempt_writes_everything_and_records_the_run_as_aborted_when_the_database_is_back(
        sim: Simulator, sqlitedb: ResourceDB, tmp_path: Path) -> None:
    listener = TakesTheDatabase(sqlitedb, release_after=2)  # lets go after the loss, before the end
    report = _run(sim, sqlitedb, tmp_path, listener)
    assert report.exit_code == ExitCode.DB_LOST and report.unwritten == []
    assert sqlitedb.scalar("SELECT COUNT(*) FROM quarkctl_saved") == 4  # task1's ledger rows too
    assert sqlitedb.scalar("SELECT COUNT(*) FROM quarkctl_autosave_task") == 2
    assert sqlitedb.scalar("SELECT status || ' ' || exit_code FROM quarkctl_run") == "aborted 5"
    detail = json.loads(sqlitedb.scalar("SELECT detail FROM quarkctl_run"))
    assert detail["abort_reason"] == "database_lost" and detail["unwritten"] == 0
    listener.finish(report)
    assert "Everything this run had to write was written before the end." in listener.stream.getvalue()


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")



@pytest.mark.parametrize(("code", "says_5"), [(ExitCode.DB_LOST, True), (ExitCode.SIGTERM, False), (ExitCode.SIGINT, False)])
def test_the_report_of_a_run_a_signal_ended_during_the_outage_does_not_claim_exit_5(code: ExitCode, says_5: bool) -> None:
    from datetime import datetime, timezone

    from quarkctl.reports.autosave import AutosaveReport
    from quarkctl.render.autosave import unwritten_lines

    report = AutosaveReport(started_at=datetime(2026, 11, 29, tzinfo=timezone.utc), abort_reason="database_lost", exit_code=code,
                            database_error="database sqlite:////x.db did not answer within 3 s (DB_TIMEOUT): database is locked",
                            unwritten=[{"kind": "run", "run": 4, "status": "aborted"}])
    lines = unwritten_lines(report)
    assert lines[0].startswith("database sqlite:") and any("run #4" in line for line in lines)
    assert any("(exit code 5)" in line for line in lines) is says_5
    assert any("interrupted by a signal" in line for line in lines) is not says_5


def test_a_task_whose_ledger_could_not_be_read_says_why_in_words() -> None:
    from quarkctl.render.autosave import task_line
    from quarkctl.reports.autosave import TaskResult

    line = task_line(TaskResult(2, "剧集", status="failed", reason="database_lost"), 3)
    assert line.startswith("[2/3] 剧集: the database did not answer, so nothing was saved")
    assert "database_lost" not in line


def test_a_run_end_the_database_did_not_take_is_kept_and_written_once_it_answers(
        sim: Simulator, sqlitedb: ResourceDB, tmp_path: Path) -> None:
    """Issue 23: the row stayed "running" and `history`/`doctor` took the run for a killed one. Its end is
    kept beside the locks and written once the database answers, onto that row only."""
    from quarkctl.jobs import unfinished

    report = _run(sim, sqlitedb, tmp_path, TakesTheDatabase(sqlitedb))
    assert report.exit_code == ExitCode.DB_LOST and sqlitedb.scalar("SELECT status FROM quarkctl_run") == "running"
    notes = [p.name for p in (tmp_path / "locks").iterdir() if p.name.startswith(unfinished.PREFIX)]
    assert len(notes) == 1 and notes[0].endswith(f"-{report.run_id}.json")
    db = sqlitedb.database()
    try:
        (tmp_path / "other.db").touch()
        other = Database(sqlitedb.url.set(database=str(tmp_path / "other.db")))
        try:
            other.prepare_for_autosave(dry_run=False)
            assert unfinished.settle(tmp_path / "locks", other) == 0  # another database's note is not its own
        finally:
            other.close()
        assert unfinished.settle(tmp_path / "locks", db) == 1
    finally:
        db.close()
    assert sqlitedb.scalar("SELECT status || ' ' || exit_code FROM quarkctl_run") == "aborted 5"
    detail = json.loads(sqlitedb.scalar("SELECT detail FROM quarkctl_run"))
    assert detail["abort_reason"] == "database_lost"
    assert not any(p.name.startswith(unfinished.PREFIX) for p in (tmp_path / "locks").iterdir())
