"""A check-links run's report: one LinkOutcome per link, the RunReport at the end, and the Listener
the run calls as it goes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quarkctl.errors import ExitCode

if TYPE_CHECKING:  # types only: a reader need not load the database or the HTTP client
    from quarkctl.db.records import ResourceRow
    from quarkctl.quark.account import AccountCheck
    from quarkctl.quark.linkcheck import CheckResult

JOB = "check-links"
# A link no request can check: its row, if it says it is Quark's, holds a typo or garbage (issue 23)
MALFORMED_REASONS = ("unsupported_link", "malformed_link", "malformed_url")
# `resources revive`: a check-links run over the rows marked expired, recorded as a job of its own (issue 23),
# under check-links' lock (both mark rows).
REVIVE_JOB = "revive"
# A row of a drive left out by --drives (skipped, never marked); the per-drive counts' key of rows no drive claims
NOT_SELECTED = "drive_not_selected"
OTHER_DRIVE = "other"
# A run's counts; quarkctl_run has columns for the first six (RUN_COLUMNS), the rest live in its detail.
# same_share: rows marked expired, without a request, because another row with their share was found dead.
COUNT_KEYS = ("total", "valid", "expired", "needs_passcode", "empty", "errors", "skipped", "same_share")
RUN_COLUMNS = ("total", "valid", "expired", "needs_passcode", "errors", "skipped")
# Rows marked valid again (a dry run: that would be): counted by the runs that look at expired rows
# (revive, check-links --recheck-expired); a run over valid rows only has none, and no such key.
REVIVED = "revived"


@dataclass(frozen=True)
class LinkOutcome:
    index: int  # 1-based, in completion order
    total: int
    row: ResourceRow
    result: CheckResult
    changed: bool  # the row's is_expired was flipped by this run
    cached: bool  # same link already checked in this run: no request made
    same_share_as: int | None = None  # marked because this row (same share) was found dead; no request made
    drive: str | None = None  # the drive of the row's link (providers/names.py); None: no drive claims it


@dataclass(frozen=True)
class CoolDown:
    """The cause of a "cool_down" wait: `drive` answered `result`, a back-off answer (checker/lanes.py)."""

    drive: str
    result: CheckResult


@dataclass
class RunReport:
    started_at: datetime
    finished_at: datetime | None = None
    counts: Counter[str] = field(default_factory=Counter)
    exit_code: ExitCode = ExitCode.OK
    abort_reason: str | None = None  # cookie_rejected | circuit_breaker | interrupted | database_lost
    abort_streak: int = 0  # circuit_breaker: how many links in a row failed transiently
    run_id: int | None = None
    dry_run: bool = False
    newly_expired: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, link)
    account: AccountCheck | None = None  # the cookie's check; None for an anonymous run
    cookie_dropped_mid_run: bool = False  # Quark rejected the cookie during the run: the rest went anonymous
    database_error: str | None = None  # database_lost: the one line naming the database (password masked)
    history_missing: bool = False  # a dry run on a database without quarkctl's tables: no history read or kept
    # database_lost: verdicts known but not written, {id, link, verdict, reason, checked_at, mark}
    unwritten: list[dict[str, object]] = field(default_factory=list)
    selected: int = 0  # the candidates the run set out to check (after --limit)
    deadline_at: datetime | None = None  # --max-runtime / --until; None: no deadline
    deadline_reached: bool = False  # the deadline stopped the run with links left unchecked
    reshare: Any = None  # check-links --reshare: the ReshareReport (reports/reshare.py); None without it
    reacquire: Any = None  # check-links --reacquire: the AcquireReport (reports/acquire.py); None without it
    errors: list[tuple[int, str]] = field(default_factory=list)  # (id, reason) of each row that ended in `error`: why exit 1
    # Rows of drive_type quark whose link is none (another site, a Quark URL without a share, garbage): the summary warns
    malformed: list[int] = field(default_factory=list)
    database: str = ""  # the database the run used, its URL with the password masked (issue 23: named in the first line)
    job: str = JOB  # REVIVE_JOB for `resources revive`: its name in the history and the JSON
    revives: bool = False  # the run looks at expired rows: its summary counts REVIVED
    # Issue 24: the counts per drive (COUNT_KEYS; OTHER_DRIVE: rows no drive claims); the rows whose drive_type
    # names another drive than their link's host (a warning only); each drive whose breaker tripped, with its
    # streak, and how many of its rows were left unchecked then
    by_drive: dict[str, Counter[str]] = field(default_factory=dict)
    mismatched: list[int] = field(default_factory=list)
    tripped: dict[str, int] = field(default_factory=dict)
    unchecked: dict[str, int] = field(default_factory=dict)
    not_selected: int = 0  # candidate rows of the drives --drives left out: not checked, not recorded

    @property
    def drives(self) -> dict[str, dict[str, int]]:
        """The counts of each drive that had rows in this run, as the JSON and the history say them."""
        return {drive: {key: int(counts.get(key, 0)) for key in COUNT_KEYS} | {"unchecked": self.unchecked.get(drive, 0)}
                for drive, counts in self.by_drive.items()}

    @property
    def summary(self) -> dict[str, int]:
        keys = COUNT_KEYS + (REVIVED,) if self.revives else COUNT_KEYS
        return {key: int(self.counts.get(key, 0)) for key in keys}

    @property
    def deadline(self) -> dict[str, object] | None:
        """The deadline as the JSON and the run's history say it; None without one."""
        if self.deadline_at is None:
            return None
        return {"at": self.deadline_at.isoformat(), "reached": self.deadline_reached,
                "checked": int(self.counts.get("total", 0)), "selected": self.selected}

    @property
    def duration(self) -> float:
        return ((self.finished_at or self.started_at) - self.started_at).total_seconds()


class Listener:
    """What the run tells the outside world; every call comes from the main thread."""

    def account_checked(self, check: AccountCheck, during_run: bool) -> None:
        """The cookie could not be verified, or was rejected (at the start or during the run)."""

    def started(self, total: int, *, database: str = "", job: str = JOB) -> None:
        """The run's first line: how many links, in which database (its URL, password masked)."""

    def link_started(self, row: ResourceRow) -> None: ...

    def waiting(self, seconds: float, kind: str, cause: Any = None, *, row: ResourceRow | None = None, account: bool = False) -> None:
        """A pause: kind "delay", "rest" or "backoff"; a backoff's cause (the failure retried) and what it
        retries: a row's check, or the account check (`account`)."""

    def link_done(self, outcome: LinkOutcome) -> None: ...
