"""What crosses the database layer: the rows and records the jobs pass in and get back, and the
conversions of their times to the columns'. No SQLAlchemy here: a caller that only names these
(reshare/plan.py, the reports) does not load it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

SAME_SHARE_REASON = "same_share"  # the check record of a row marked because another row of its share was dead


def cell_text(value: object) -> str | None:
    """A cell read as text: SQLite keeps whatever a cell was given (a BLOB, a number, in a TEXT column);
    bytes are read as UTF-8, anything else as its text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


@dataclass(frozen=True)
class ResourceRow:
    id: int
    name: str
    link: str | None
    is_expired: bool
    last_checked: datetime | None = None  # naive UTC; read only for --max-age runs (the keyset's first half)
    drive_type: str | None = None  # the row's own word for its drive; None where the reader did not ask

    def __post_init__(self) -> None:
        # A table as it is: SQLite keeps whatever a cell was given (an attacker's review: a BLOB link ended
        # the run with exit 70). Bytes are read as UTF-8, anything else as its text.
        for name in ("name", "link"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                object.__setattr__(self, name, cell_text(value))


@dataclass(frozen=True)
class Selection:
    """Which candidate rows a run takes beyond the scope: `--shard K/N` and `--max-age`."""

    shard: tuple[int, int] | None = None  # (K, N): only rows with id % N == K
    checked_before: datetime | None = None  # aware; only rows whose last check is older (or none)


@dataclass(frozen=True)
class CheckRecord:
    """One verdict to store: what the database needs of a check result, nothing more."""

    resource_id: int
    checked_at: datetime  # aware
    verdict: str
    reason: str
    api_code: int | None = None
    http_status: int | None = None
    message: str | None = None
    link: str | None = None  # not stored: names the row in a report of what could not be written
    # Issue 24: the drive of the row's link (providers/names.py; None: no drive claims it) and the drive's
    # code as text, api_code's digits for Quark (quarkctl_check_drive keeps them for the other drives)
    drive: str | None = "quark"
    code: str | None = None


def utc_naive(moment: datetime) -> datetime:
    """quarkctl's own tables hold naive UTC."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def local_naive(moment: datetime) -> datetime:
    # cloud_resource.update_time is local wall time, as the system that owns the table writes it.
    return moment.astimezone().replace(tzinfo=None)


def utc_aware(moment: datetime | None) -> datetime | None:
    """A naive UTC time read back, made aware (None stays None)."""
    return moment.replace(tzinfo=timezone.utc) if moment else None
