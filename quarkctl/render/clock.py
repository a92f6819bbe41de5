"""Durations and moments as every command prints them: one format each, the duration translated."""

from __future__ import annotations

from datetime import datetime

from quarkctl.i18n import _

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


def duration(seconds: float | None) -> str:
    """`3m05s` / `1h02m05s` (`3分05秒` in Chinese); `-` when unknown (a run still going)."""
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("{hours}h{minutes:02d}m{seconds:02d}s").format(hours=hours, minutes=minutes, seconds=secs)
    return _("{minutes}m{seconds:02d}s").format(minutes=minutes, seconds=secs)


def local_time(moment: datetime | None) -> str:
    """In the machine's time zone, to the second; a naive moment is taken as local already; `-` for none."""
    if moment is None:
        return "-"
    return (moment.astimezone() if moment.tzinfo else moment).strftime(LOCAL_FORMAT)


def now() -> str:
    """The local time now, as log lines start."""
    return datetime.now().astimezone().strftime(LOCAL_FORMAT)
