"""The check record of one verdict: what quarkctl_check (and quarkctl_check_drive, issue 24) keep of a result."""

from __future__ import annotations

from datetime import datetime

from quarkctl.db.records import CheckRecord, ResourceRow
from quarkctl.quark.linkcheck import CheckResult


def check_record(row: ResourceRow, now: datetime, result: CheckResult, drive: str | None) -> CheckRecord:
    """`drive`: the drive that claimed the row's link (None: none did). Its code as text: the code another drive
    sent as it was (a word, or -9), else api_code's digits (Quark, and UC of its family)."""
    code = result.code if result.code is not None else (None if result.api_code is None else str(result.api_code))
    return CheckRecord(row.id, now, result.verdict.value, result.reason, result.api_code, result.http_status, result.message,
                       link=row.link, drive=drive, code=code)
