"""Next-run computation for cron expressions (cronsim), in the crontab's CRON_TZ."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

_CRON_NICKNAMES = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                   "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}


def cron_next(when: str, tz: str | None, now: datetime | None = None) -> datetime | None:
    """The next time a cron expression fires (cronsim), in its CRON_TZ; None when it cannot tell (@reboot, a typo)."""
    try:
        zone = ZoneInfo(tz) if tz else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
    start = now or datetime.now(timezone.utc)
    start = start.astimezone(zone) if zone else start.astimezone()
    try:
        return next(CronSim(_CRON_NICKNAMES.get(when, when), start))
    except (CronSimError, StopIteration):
        return None
