"""A re-share run's options (`resources reshare`, `check-links --reshare`) and their defaults: light, for
the command line (see checker/options.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.runtime.deadline import parse_duration
from quarkctl.runtime.pacing import PacingPolicy

RESHARE_EXPIRIES = ("permanent", "1d", "7d", "30d")  # --expiry: Quark's expired_type 1, 2, 3, 4 (docs/reference/share-api.md 2)


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
