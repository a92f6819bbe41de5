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
