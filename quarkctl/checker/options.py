"""A check-links run's options and their defaults, with the parsers of check-links' own flags.

Light (no SQLAlchemy, no HTTP) and reached through an __init__ that imports nothing, so that the command
line declares its options with these defaults without loading the job: `--help` starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from typing import Any

from quarkctl.acquire.options import AcquireOptions
from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.providers.names import DRIVE_NAMES, TRUSTABLE, drive_named
from quarkctl.reshare.options import ReshareOptions
from quarkctl.runtime.deadline import DIGITS, parse_duration
from quarkctl.runtime.pacing import PacingPolicy

# Which rows a run checks: "active" (is_expired 0), "all" (--recheck-expired), "expired" (resources revive).
SCOPES = ("active", "all", "expired")
DEFAULT_EMPTY_GRACE = timedelta(hours=12)


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


MAX_SHARDS = 256  # db/serverlock.py's slots: a whole run looks at each shard's in one query


def parse_shard(text: str) -> tuple[int, int]:
    """`--shard K/N`: this host takes the rows with id % N == K (0 <= K < N <= MAX_SHARDS)."""
    k, slash, n = text.strip().partition("/")
    if slash and DIGITS.fullmatch(k) and DIGITS.fullmatch(n) and 0 <= int(k) < int(n):
        if int(n) > MAX_SHARDS:
            raise ConfigError(_("--shard: {value!r}: N is at most {most}").format(value=text, most=MAX_SHARDS))
        return int(k), int(n)
    raise ConfigError(_("--shard: {value!r} is not K/N with 0 <= K < N, e.g. 0/3, 1/3, 2/3").format(value=text))


def _names(flag: str, text: str) -> tuple[str, ...]:
    """The drives a list names, each by its name or any drive_type spelling (`百度`, `189`: providers/names.py)."""
    names = [drive_named(part) for part in text.split(",") if part.strip()]
    if not names or None in names:
        raise ConfigError(_("{flag}: {value!r} is not a comma-separated list of drives ({choices})").format(
            flag=flag, value=text, choices=", ".join(DRIVE_NAMES)))
    return tuple(dict.fromkeys(name for name in names if name is not None))


def parse_drives(text: str) -> tuple[str, ...]:
    """`--drives quark,uc,...`: the drives a run checks, in the registry's order."""
    chosen = set(_names("--drives", text))
    return tuple(name for name in DRIVE_NAMES if name in chosen)


def parse_trust(text: str) -> frozenset[str]:
    """`--trust-unverified baidu,...`: the drives whose code-only dead rules may mark (providers/evidence.py)."""
    names = _names("--trust-unverified", text)
    if without := [name for name in names if name not in TRUSTABLE]:
        raise ConfigError(_("--trust-unverified: {drives} has no code-only dead rules to trust (these drives have: {choices})").format(
            drives=", ".join(without), choices=", ".join(TRUSTABLE)))
    return frozenset(names)


def parse_paces(items: list[str]) -> dict[str, tuple[float, float]]:
    """`--pace DRIVE=MIN-MAX` (repeatable, or comma-separated): a drive's pause between links, seconds."""
    paces: dict[str, tuple[float, float]] = {}
    for item in (part.strip() for text in items for part in text.split(",")):
        drive, equals, span = item.partition("=")
        low, dash, high = span.strip().partition("-")
        try:
            pace = (float(low), float(high if dash else low))
        except ValueError:
            pace = (-1.0, -1.0)
        drive = drive_named(drive) or ""
        if not equals or not drive or not 0 <= pace[0] <= pace[1] <= 86_400 or pace != pace:
            raise ConfigError(_("--pace: {value!r} is not DRIVE=MIN-MAX in seconds, e.g. baidu=3-6 (drives: {choices})").format(
                value=item, choices=", ".join(DRIVE_NAMES)))
        paces[drive] = pace
    return paces


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
    # --empty-grace: a share seen empty is marked once it has been empty this long (docs/reference/quark-api.md 4.2.6)
    empty_grace: timedelta = DEFAULT_EMPTY_GRACE
    # --max-runtime / --until: no new link after the earlier of the two (quarkctl.runtime.deadline)
    max_runtime: timedelta | None = None
    until: time | None = None
    reshare: bool = False  # --reshare: re-share each link found dead (issue 17, quarkctl.reshare.hook)
    # --reacquire: find new links in the search service for the rows found dead that no re-share heals, after
    # the checks (issue 25, checker/reacquire.py); --reacquire-limit: saves a run, acquire's own default
    reacquire: bool = False
    reacquire_limit: int = AcquireOptions().limit
    # Issue 24: the drives checked (None: every drive), the drives whose code-only dead rules mark, each
    # drive's pause override (--pace); --no-pacing stops every drive's pauses, not only Quark's
    drives: tuple[str, ...] | None = None
    trust_unverified: frozenset[str] = frozenset()
    paces: dict[str, tuple[float, float]] = field(default_factory=dict)
    no_pacing: bool = False

    def reshare_options(self) -> ReshareOptions:
        """--reshare re-shares with the defaults of `resources reshare`, and writes nothing with --dry-run."""
        return ReshareOptions(dry_run=self.dry_run, retries=self.retries, backoff=self.backoff)

    def acquire_options(self) -> AcquireOptions:
        """--reacquire searches, checks and saves with the pauses of `resources acquire` (none with --no-pacing)."""
        options = AcquireOptions(limit=self.reacquire_limit, dry_run=self.dry_run, retries=self.retries, backoff=self.backoff)
        if self.no_pacing:
            off = PacingPolicy.off()
            options = replace(options, search_pacing=off, check_pacing=off, save_pacing=off)
        return options

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
            "reacquire": self.reacquire,
            "reacquire_limit": self.reacquire_limit,
            "drives": list(self.drives or DRIVE_NAMES),
            "trust_unverified": sorted(self.trust_unverified),
            "paces": {drive: list(pace) for drive, pace in self.paces.items()},
            "no_pacing": self.no_pacing,
        }
