"""A re-acquisition run's report (issue 25): one AcquireOutcome per row or name, each with the search results
it weighed (Considered), the AcquireReport at the end, and the listener the run calls as it goes. Data
only: render/acquire.py turns it into text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quarkctl.errors import ExitCode

JOB = "acquire"
# What happened to a row (machine values: JSON, history):
#   replaced   a search result was saved, shared as the owner's link, and the row carries it
#   added      the same for a name that had no row: a new row
#   planned    --dry-run: this result would be taken
#   left_dead  no result passed (each one's reason in `considered`)
#   failed     a result passed but saving or sharing it failed; the row is as it was
#   skipped    not tried: --limit reached, interrupted, past the deadline, not dead, no such row
#   unmarked   the row was marked expired but its link is alive: marked valid again (alive_again)
ACTIONS = ("replaced", "added", "planned", "left_dead", "failed", "skipped", "unmarked")
COUNT_KEYS = ("total", *ACTIONS)


@dataclass(frozen=True)
class Considered:
    """One search result as the run weighed it: kept for a check or passed over, and why."""

    url: str
    note: str
    source: str
    score: int
    reason: str  # ok (taken), or why it was passed over: title_mismatch, trailer, other_season, dead, empty ...
    detail: dict[str, Any] = field(default_factory=dict)  # what the note said (acquire/rank.py Detail.as_json), the row's season and year

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "note": self.note, "source": self.source, "score": self.score, "reason": self.reason,
                "detail": self.detail}


@dataclass(frozen=True)
class AcquireOutcome:
    resource_id: int | None
    name: str
    old_link: str
    action: str
    reason: str  # acquired, no_result, none_passed, limit, interrupted, save_failed, share_refused, row_changed ...
    new_link: str | None = None
    taken: Considered | None = None  # the result saved (or, in a dry run, the one that would be)
    path: str | None = None  # the drive folder it was saved into
    considered: tuple[Considered, ...] = ()
    api_code: int | None = None
    message: str | None = None  # Quark's words, as sent
    old_verdict: str | None = None  # "empty": the row's share lists no files (acquire/job.py alive), searched for all the same
    keyword: str | None = None  # what the search service was asked (acquire/keyword.py); None: no search for the row

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.resource_id, "name": self.name, "old_link": self.old_link, "new_link": self.new_link,
                "action": self.action, "reason": self.reason, "taken": self.taken.as_dict() if self.taken else None,
                "path": self.path, "considered": [c.as_dict() for c in self.considered], "api_code": self.api_code,
                "message": self.message, "old_verdict": self.old_verdict, "keyword": self.keyword}

    @property
    def problem(self) -> bool:
        """Counts for exit 1: a row left dead or a take that failed."""
        return self.action in ("left_dead", "failed")


@dataclass
class AcquireReport:
    started_at: datetime
    finished_at: datetime | None = None
    dry_run: bool = False
    outcomes: list[AcquireOutcome] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.OK
    abort_reason: str | None = None  # cookie_rejected | search_unavailable | drive_full | interrupted | locked
    abort_detail: str | None = None  # the search service's or Quark's words for it
    run_id: int | None = None
    database: str = ""  # the database's URL, password masked
    source: str = ""  # the search service's URL
    not_reached: int = 0  # rows given that an abort left without an outcome: counted as skipped, so the total is
    # the rows the run started with (a second review of issue 25: "rows to find new links for: 1", then "total 0")

    @property
    def summary(self) -> dict[str, int]:
        counts: Counter[str] = Counter(o.action for o in self.outcomes)
        counts["skipped"] += self.not_reached
        counts["total"] = len(self.outcomes) + self.not_reached
        return {key: int(counts.get(key, 0)) for key in COUNT_KEYS}

    @property
    def renewed(self) -> list[AcquireOutcome]:
        """The rows that now carry a new link (old -> new, for notifications)."""
        return [o for o in self.outcomes if o.action in ("replaced", "added")]

    @property
    def left(self) -> list[AcquireOutcome]:
        return [o for o in self.outcomes if o.problem]

    @property
    def problems(self) -> int:
        return len(self.left)

    @property
    def duration(self) -> float:
        return ((self.finished_at or self.started_at) - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        return {"job": JOB, "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None, "dry_run": self.dry_run,
                "summary": self.summary, "results": [o.as_dict() for o in self.outcomes], "aborted": self.abort_reason,
                "exit_code": int(self.exit_code), "database": self.database, "source": self.source}


class AcquireListener:
    """What a re-acquisition run tells the outside world (all calls on the run's thread)."""

    def acquire_started(self, total: int, *, database: str = "", source: str = "") -> None:
        """The run's first line: the rows it takes on, the database, the search service."""

    def considering(self, name: str) -> None:
        """The row the run turns to next: its retries' lines name it."""

    def searching(self, name: str) -> None:
        """The run asks the search service for `name` now (a progress display shows it)."""

    def waiting(self, seconds: float, kind: str, cause: Any = None) -> None: ...

    def acquired(self, outcome: AcquireOutcome) -> None: ...
