"""What `quarkctl schedule run` checks of its jobs before anything runs: how often each runs. A check-links run
every minute would ask Quark for every link again and again, the pattern its risk control blocks (README, Risk
control): more often than hourly is one warning line, more often than every MIN_GAP is refused (exit 2)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

from quarkctl.errors import ConfigError
from quarkctl.i18n import _

from .plan import Entry

MIN_GAP = timedelta(minutes=10)  # check-links: refused under it
WARN_GAP = timedelta(hours=1)  # check-links: a warning under it
_SPAN = timedelta(days=8)  # a week and a day: every gap of a weekly expression comes round
_MOST = 20_000  # fire times looked at, at most (a once-a-minute expression shows its gap in the first two)


def shortest_gap(cron: str, zone: ZoneInfo) -> timedelta:
    """The shortest time between two runs of `cron` over a week, from a fixed Monday (the result is the same
    every time; a gap that only a month's end makes is not looked for: it is never shorter than a week's)."""
    start = datetime(2024, 1, 1, tzinfo=zone)
    times = CronSim(cron, start)
    last = next(times)
    gap = _SPAN
    for _count, moment in zip(range(_MOST), times):
        gap = min(gap, moment - last)
        if moment - start > _SPAN or gap <= timedelta(minutes=1):
            break
        last = moment
    return gap


def check_frequency(entry: Entry, zone: ZoneInfo) -> str | None:
    """None, or a warning for a check-links run more often than hourly; raises ConfigError under MIN_GAP."""
    if entry.name != "check-links":
        return None  # autosave's runs are few requests each, and its own tasks say when they are due
    gap = shortest_gap(entry.cron, zone)
    minutes = int(gap.total_seconds() // 60)
    if gap < MIN_GAP:
        raise ConfigError(_("check-links at '{cron}' would run every {minutes} min: at most every {least} min is allowed "
                            "(each run asks Quark about every link it takes; README, Risk control)")
                          .format(cron=entry.cron, minutes=minutes, least=int(MIN_GAP.total_seconds() // 60)))
    if gap < WARN_GAP:
        return _("check-links at '{cron}' runs every {minutes} min: more often than hourly draws Quark's risk control; "
                 "prefer one nightly sweep with --max-age (README, Risk control)").format(cron=entry.cron, minutes=minutes)
    return None
