"""The check record of one verdict: what quarkctl_check (and quarkctl_check_drive, issue 24) keep of a result;
and the run's own history row and exit code when it ends."""

from __future__ import annotations

from datetime import datetime

from quarkctl.checker.options import CheckOptions
from quarkctl.db.database import Database
from quarkctl.db.records import CheckRecord, ResourceRow
from quarkctl.quark.account import AccountState
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.errors import ExitCode
from quarkctl.reports.check import RunReport
from quarkctl.runtime.stop import StopSignal, exit_code


def check_record(row: ResourceRow, now: datetime, result: CheckResult, drive: str | None) -> CheckRecord:
    """`drive`: the drive that claimed the row's link (None: none did). Its code as text: the code another drive
    sent as it was (a word, or -9), else api_code's digits (Quark, and UC of its family)."""
    code = result.code if result.code is not None else (None if result.api_code is None else str(result.api_code))
    return CheckRecord(row.id, now, result.verdict.value, result.reason, result.api_code, result.http_status, result.message,
                       link=row.link, drive=drive, code=code)


# The exit code of each reason a check run aborts for (runtime/stop.py: a signal's code comes first)
_ABORTS = {"database_lost": ExitCode.DB_LOST, "cookie_rejected": ExitCode.AUTH, "circuit_breaker": ExitCode.ABORTED}


def run_exit_code(report: RunReport, stop: StopSignal) -> ExitCode:
    reason = report.abort_reason
    if reason not in _ABORTS and report.account is not None and report.account.state is AccountState.REJECTED:
        reason = "cookie_rejected"  # the links were checked anonymously; the cookie needs renewing (exit 3)
    return exit_code(stop, reason, _ABORTS, failed=bool(report.counts.get("errors")))


def finish_history(db: Database, report: RunReport, options: CheckOptions, *, interrupted: bool, unwritten: int) -> None:
    """The run's own history row, finished: its status, exit code, counts and what the run saw of each drive."""
    if report.run_id is None:
        return
    status = "interrupted" if interrupted else ("aborted" if report.abort_reason else "finished")
    db.finish_run(report.run_id, report.finished_at, status=status, exit_code=int(report.exit_code),
                  counts=report.summary, detail={"options": options.as_dict(), "abort_reason": report.abort_reason,
                                                 "counts": report.summary, "deadline": report.deadline,
                                                 "drives": report.drives, "tripped": report.tripped,
                                                 "drive_type_mismatch": report.mismatched, "unwritten": unwritten})
