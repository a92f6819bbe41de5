"""A reshare run's report (issue 17): one ReshareOutcome per row considered, the ReshareReport at the
end, and the listener the run calls as it goes. Data only: render/reshare.py turns it into text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quarkctl.errors import ExitCode

JOB = "reshare"
# What happened to a row (machine values: JSON, history):
#   reshared   a new share was made and the row carries its link
#   recovered  a share made by a run that crashed was found in the account's list; the row updated
#   planned    --dry-run: would be re-shared
#   refused    never re-shared: taken down, banned or failed review
#   skipped    does not qualify (not the account's share, still alive, several items ...)
#   failed     qualified, but Quark did not make the share (the row is left as it was)
ACTIONS = ("reshared", "recovered", "planned", "refused", "skipped", "failed")
# A live row the run only looked at (--expiring-within reads every live row): not listed, only counted (issue 23)
UNTOUCHED = ("not_expiring", "not_dead")
COUNT_KEYS = ("total", *ACTIONS)


@dataclass(frozen=True)
class ReshareOutcome:
    resource_id: int
    name: str
    old_link: str
    action: str
    reason: str  # machine reason: share_expired, expiring, taken_down, failed_review, several_items, not_own_share ...
    new_link: str | None = None
    path: str | None = None  # the drive folder of the shared item(s) (path_info)
    api_code: int | None = None
    message: str | None = None  # Quark's words, as sent
    named: bool = False  # the user named this row (resources reshare ID): not re-sharing it is a failure

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.resource_id, "name": self.name, "old_link": self.old_link, "new_link": self.new_link,
                "action": self.action, "reason": self.reason, "path": self.path, "api_code": self.api_code,
                "message": self.message}

    @property
    def listed(self) -> bool:
        """Worth a line: a row the run acts on or names, not a live share it only looked at."""
        return self.named or not (self.action == "skipped" and self.reason in UNTOUCHED)

    @property
    def problem(self) -> bool:
        """Counts for exit 1: a share Quark did not make, or a named row that was not re-shared."""
        return self.action == "failed" or (self.named and self.action in ("refused", "skipped"))


@dataclass
class ReshareReport:
    started_at: datetime
    finished_at: datetime | None = None
    dry_run: bool = False
    outcomes: list[ReshareOutcome] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.OK
    abort_reason: str | None = None  # cookie_rejected | interrupted | locked
    run_id: int | None = None
    database: str = ""  # the database's URL, password masked

    @property
    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter(o.action for o in self.outcomes)
        counts["total"] = len(self.outcomes)
        return counts

    @property
    def summary(self) -> dict[str, int]:
        counts = self.counts
        return {key: int(counts.get(key, 0)) for key in COUNT_KEYS}

    @property
    def renewed(self) -> list[ReshareOutcome]:
        """The rows that now carry a new link (old -> new, for notifications)."""
        return [o for o in self.outcomes if o.action in ("reshared", "recovered")]

    @property
    def unlisted(self) -> int:
        """Live rows looked at and left alone, not listed (ReshareOutcome.listed)."""
        return sum(not o.listed for o in self.outcomes)

    @property
    def problems(self) -> int:
        return sum(o.problem for o in self.outcomes)

    @property
    def duration(self) -> float:
        return ((self.finished_at or self.started_at) - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        return {"job": JOB, "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "dry_run": self.dry_run, "summary": self.summary, "results": [o.as_dict() for o in self.outcomes],
                "aborted": self.abort_reason, "exit_code": int(self.exit_code), "database": self.database}


class ReshareListener:
    """What a reshare run tells the outside world (all calls on the run's thread)."""

    def reshare_started(self, total: int, *, database: str = "") -> None:
        """The run's first line: the rows it reads, in which database (its URL, password masked)."""

    def considering(self, resource_id: int, name: str) -> None:
        """The row the run turns to next: its retries' lines name it."""

    def waiting(self, seconds: float, kind: str, cause: Any = None) -> None: ...

    def reshared(self, outcome: ReshareOutcome) -> None: ...
