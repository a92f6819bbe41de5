"""What each job takes: the options of a check-links run and of an autosave run, with their defaults.

Kept apart from the jobs and light (no SQLAlchemy, no HTTP) so that the command line can declare
its options with these defaults without loading the jobs: `--help` starts fast. `checker` and
`autosave` re-export their option class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.quark import DEFAULT_TIMEOUT  # noqa: F401 - --timeout's default (the whole request, s), re-exported


# Which rows a run checks: "active" (is_expired 0), "all" (--recheck-expired), "expired" (resources revive).
SCOPES = ("active", "all", "expired")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# ASCII digits, at most 18: str.isdigit() takes "²", which int() refuses, and int() refuses over 4300 digits.
_DIGITS = re.compile(r"[0-9]{1,18}")
DEFAULT_EMPTY_GRACE = timedelta(hours=12)


def parse_duration(text: str, *, allow_zero: bool = False) -> timedelta | None:
    """A whole number and a unit, s m h d w (`7d`, `12h`, `30m`), more than zero unless `allow_zero`
    (then a bare `0` too); None when the text is not one."""
    value = text.strip().lower()
    if allow_zero and _DIGITS.fullmatch(value) and int(value) == 0:
        return timedelta(0)
    if len(value) >= 2 and _DIGITS.fullmatch(value[:-1]) and value[-1] in _UNITS and (allow_zero or int(value[:-1]) > 0):
        try:
            return timedelta(seconds=int(value[:-1]) * _UNITS[value[-1]])
        except OverflowError:  # past timedelta's range (about 2.7 million years)
            return None
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


def parse_max_runtime(text: str) -> timedelta:
    """`--max-runtime`: as --max-age (`90m`, `5h`); the run takes no new link or task after it."""
    runtime = parse_duration(text)
    if runtime is not None:
        return runtime
    raise ConfigError(_("--max-runtime: {value!r} is not a duration like 5h, 90m or 30s (units s, m, h, d, w)").format(value=text))


_CLOCK_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")  # ASCII digits only: str.isdigit() takes '²' too


def parse_until(text: str) -> time:
    """`--until HH:MM`: a local time of day, 00:00 to 23:59 (the next such time after the start is the deadline)."""
    match = _CLOCK_TIME.fullmatch(text.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise ConfigError(_("--until: {value!r} is not a time of day HH:MM between 00:00 and 23:59, e.g. 06:00").format(value=text))


def parse_shard(text: str) -> tuple[int, int]:
    """`--shard K/N`: this host takes the rows with id % N == K (0 <= K < N)."""
    k, slash, n = text.strip().partition("/")
    if slash and _DIGITS.fullmatch(k) and _DIGITS.fullmatch(n) and 0 <= int(k) < int(n):
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
    # --max-runtime / --until: no new link after the earlier of the two (quarkctl.runtime.deadline)
    max_runtime: timedelta | None = None
    until: time | None = None
    reshare: bool = False  # --reshare: re-share each link found dead (issue 17, quarkctl.reshare.hook)

    def reshare_options(self) -> ReshareOptions:
        """--reshare re-shares with the defaults of `resources reshare`, and writes nothing with --dry-run."""
        return ReshareOptions(dry_run=self.dry_run, retries=self.retries, backoff=self.backoff)

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
            "max_runtime_seconds": self.max_runtime.total_seconds() if self.max_runtime is not None else None,
            "until": self.until.strftime("%H:%M") if self.until is not None else None,
            "reshare": self.reshare,
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
    max_runtime: timedelta | None = None  # --max-runtime: no new task after it (quarkctl.runtime.deadline)


# -- reshare (issue 17): `resources reshare` and `check-links --reshare` -------------------------
RESHARE_EXPIRIES = ("permanent", "1d", "7d", "30d")  # --expiry: Quark's expired_type 1, 2, 3, 4 (share-api.md 2)


def parse_expiring_within(text: str) -> timedelta:
    """`--expiring-within`: as --max-age (`2d`, `12h`)."""
    within = parse_duration(text)
    if within is None:
        raise ConfigError(_("--expiring-within: {value!r} is not a duration like 2d, 12h or 30m (units s, m, h, d, w)").format(value=text))
    return within


@dataclass(frozen=True)
class ReshareOptions:
    ids: tuple[int, ...] = ()
    all_expired: bool = False
    expiring_within: timedelta | None = None
    dry_run: bool = False
    limit: int | None = None  # at most N share creations
    expiry: str = "permanent"
    cancel_old: bool = False
    # A pause between share creations, 3-6 s (issue 17): creating shares is a write, paced slower than checks.
    pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(3.0, 6.0, 0, 0.0))
    retries: int = 2
    backoff: float = 2.0
    task_timeout: float = 120.0

    def __post_init__(self) -> None:
        if self.expiry not in RESHARE_EXPIRIES:
            raise ConfigError(_("--expiry: expected one of {choices}").format(choices=", ".join(RESHARE_EXPIRIES)))

    def as_dict(self) -> dict[str, Any]:
        return {"ids": list(self.ids), "all_expired": self.all_expired, "dry_run": self.dry_run, "limit": self.limit,
                "expiring_within_seconds": self.expiring_within.total_seconds() if self.expiring_within else None,
                "expiry": self.expiry, "cancel_old": self.cancel_old, "pacing": vars(self.pacing)}
