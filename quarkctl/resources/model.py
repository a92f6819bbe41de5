"""What the resources operations take and give: the filter of a listing, the results of an import
and of an add, the errors (each with its exit code), and the open database (`Store`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quarkctl.errors import ExitCode, QuarkctlError

if TYPE_CHECKING:  # SQLAlchemy and HTTP load where they are used, not with the filters and errors
    from quarkctl.config.settings import Settings
    from quarkctl.db.database import Database
    from quarkctl.quark.linkcheck import CheckResult

STATUSES = ("all", "valid", "expired")
SORTS = ("id", "name", "drive", "status", "checked", "created", "updated")
ON_EXISTING = ("error", "skip", "update")
QUARK = "quark"


class InvalidInput(QuarkctlError):
    """Bad input; nothing was written. `problems` name each bad line."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, problems: Sequence[LineProblem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotFound(QuarkctlError):
    exit_code = ExitCode.USAGE


class DeadLink(QuarkctlError):
    """`add --check`: the link's drive says it is dead (or needs a passcode it lacks)."""

    exit_code = ExitCode.USAGE


class LinkNotChecked(QuarkctlError):
    """`add --check`: the drive could not tell (network, rate limit, unknown answer)."""

    exit_code = ExitCode.LINK_ERRORS


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based; 0 for a problem of the command line
    message: str


@dataclass(frozen=True)
class Record:
    """One validated input line: the columns it gives (always drama_name and drive_type)."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class ResourceFilter:
    status: str = "all"  # all | valid (is_expired 0) | expired (is_expired 1)
    search: str | None = None  # in drama_name, alias or link
    drive_type: str | None = None  # a drive's name or any of its spellings (providers/names.py), or any drive_type
    sort: str = "id"
    descending: bool = False
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}")


@dataclass(frozen=True)
class ImportResult:
    source: str
    format: str
    records: int
    inserted: int
    updated: int
    skipped: int
    dry_run: bool
    warnings: tuple[LineProblem, ...] = ()  # lines stored whose drive_type names another drive than the link's


@dataclass(frozen=True)
class AddResult:
    id: int
    action: str  # insert | update
    check: CheckResult | None
    warning: str | None = None  # the drive_type names another drive than the link's: stored as given
    drive_type: str = QUARK  # as stored: the one given, else the link's drive


@dataclass
class Store:
    db: Database
    history: bool  # quarkctl_check is there: listings show each row's last verdict


@contextmanager
def opened(settings: Settings) -> Iterator[Store]:
    from quarkctl.db.database import Database

    db = Database(settings.database_url, default_sqlite=settings.default_sqlite, timeout=settings.db_timeout)
    try:
        yield Store(db, db.prepare_for_resources())
    finally:
        db.close()
