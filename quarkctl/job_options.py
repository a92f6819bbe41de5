"""What each job takes: the options of a check-links run and of an autosave run, with their defaults.

Kept apart from the jobs and light (no SQLAlchemy, no HTTP) so that the command line can declare
its options with these defaults without loading the jobs: `--help` starts fast. `checker` and
`autosave` re-export their option class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.pacing import PacingPolicy

# Connect and read timeout of each request to Quark, seconds (--timeout); quark.client's default too.
DEFAULT_TIMEOUT = 15.0

# Which rows a run checks: "active" (is_expired 0), "all" (--recheck-expired), "expired" (resources revive).
SCOPES = ("active", "all", "expired")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DEFAULT_EMPTY_GRACE = timedelta(hours=12)


def parse_duration(text: str, *, allow_zero: bool = False) -> timedelta | None:
    """A whole number and a unit, s m h d w (`7d`, `12h`, `30m`), more than zero unless `allow_zero`
    (then a bare `0` too); None when the text is not one."""
    value = text.strip().lower()
    if allow_zero and value.isdigit() and int(value) == 0:
        return timedelta(0)
    if len(value) >= 2 and value[:-1].isdigit() and value[-1] in _UNITS and (allow_zero or int(value[:-1]) > 0):
        return timedelta(seconds=int(value[:-1]) * _UNITS[value[-1]])
    return None


def parse_empty_grace(text: str) -> timedelta:
    """`--empty-grace`: as --max-age, and `0` (an empty share is marked at once)."""
    grace = parse_duration(text, allow_zero=True)
    if grace is None:
        raise ConfigError(_("--empty-grace: {value!r} is not a duration like 12h, 30m or 0 (units s, m, h, d, w)").format(value=text))
    return grace


def parse_max_age(text: str) -> timedelta:
    """`--max-age`: a whole number and a unit, s m h d w (`7d`, `12h`, `30m`)."""
    age = parse_duration(text)
    if age is not None:
        return age
    raise ConfigError(_("--max-age: {value!r} is not a duration like 7d, 12h or 30m (units s, m, h, d, w)").format(value=text))


def parse_shard(text: str) -> tuple[int, int]:
    """`--shard K/N`: this host takes the rows with id % N == K (0 <= K < N)."""
    k, slash, n = text.strip().partition("/")
    if slash and k.isdigit() and n.isdigit() and 0 <= int(k) < int(n):
        return int(k), int(n)
    raise ConfigError(_("--shard: {value!r} is not K/N with 0 <= K < N, e.g. 0/3, 1/3, 2/3").format(value=text))


@dataclass(frozen=True)
class CheckOptions:
    batch_size: int = 100
    limit: int | None = None
    recheck_expired: bool = False
    dry_run: bool = False
    concurrency: int = 1
    pacing: PacingPolicy = field(default_factory=PacingPolicy)
    retries: int = 2
    backoff: float = 2.0
    max_consecutive_errors: int = 5
    scope: str = "active"
    max_age: timedelta | None = None  # --max-age: only rows last checked longer ago, least recently first
    shard: tuple[int, int] | None = None  # --shard K/N: only rows with id % N == K
    # --empty-grace: a share seen empty is marked once it has been empty this long (quark-api.md 4.2.6)
    empty_grace: timedelta = DEFAULT_EMPTY_GRACE

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, got {self.scope!r}")
        if self.shard is not None and not 0 <= self.shard[0] < self.shard[1]:
            raise ValueError(f"shard must be K/N with 0 <= K < N, got {self.shard!r}")

    @property
    def rows(self) -> str:
        """The scope in effect: recheck_expired widens the default one to every row."""
        return "all" if self.recheck_expired and self.scope == "active" else self.scope

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_size": self.batch_size,
            "limit": self.limit,
            "recheck_expired": self.recheck_expired,
            "scope": self.rows,
            "dry_run": self.dry_run,
            "concurrency": self.concurrency,
            "pacing": vars(self.pacing),
            "max_age_seconds": self.max_age.total_seconds() if self.max_age is not None else None,
            "shard": f"{self.shard[0]}/{self.shard[1]}" if self.shard else None,
            "empty_grace_seconds": self.empty_grace.total_seconds(),
        }


@dataclass(frozen=True)
class AutosaveOptions:
    dry_run: bool = False
    resave_deleted: bool = False
    sign: bool = True
    transfer: bool = True
    pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(1.0, 3.0, 0, 0.0))
    retries: int = 2
    backoff: float = 2.0
    task_timeout: float = 120.0
