"""check-links --reacquire's run is in history before its searches start: when they end the command with another
code (a bug's 70, a stop), the entry says that code, not the checks' 0 (an attacker's review, issue 25)."""

from __future__ import annotations

import pytest

from quarkctl.checker.job import failed
from quarkctl.errors import AuthError, ExitCode
from quarkctl.reports.check import RunReport
from tests.conftest import Clock, ResourceDB


@pytest.mark.parametrize(("exc", "code"), [(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), ExitCode.INTERNAL),
                                           (KeyboardInterrupt(), ExitCode.SIGINT), (AuthError("x"), ExitCode.AUTH)])
def test_the_history_entry_gets_the_code_the_command_ends_with(testdb: ResourceDB, exc: BaseException, code: ExitCode) -> None:
    testdb.create_schema()
    db = testdb.database()
    db.prepare_for_check(dry_run=False)
    now = Clock()()
    run_id = db.start_run("check-links", now, {})
    db.finish_run(run_id, now, status="finished", exit_code=0, counts={}, detail={})
    failed(db, RunReport(started_at=now, run_id=run_id), exc)
    assert [(r["id"], r["exit_code"]) for r in db.recent_runs()] == [(run_id, int(code))]
    db.close()


def test_past_the_deadline_the_runs_sleep_says_stop_at_once() -> None:
    """checker/reacquire.py until: the pauses and a retry's back-off end at the deadline (no real sleep here: the
    deadline has passed, so nothing is slept)."""
    from datetime import timedelta

    from quarkctl.checker.reacquire import past, until
    from quarkctl.runtime.stop import StopSignal

    now = Clock()()
    assert until(now, lambda: now, StopSignal())(30.0) is False
    assert until(now - timedelta(seconds=1), lambda: now, StopSignal())(0.0) is False
    assert past(now, lambda: now) and not past(now + timedelta(seconds=1), lambda: now) and not past(None, lambda: now)
