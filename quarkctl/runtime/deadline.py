"""A run's deadline (--max-runtime, --until): the flags, when it is, whether it has passed, and pauses it cuts short.

A run takes no new link (or autosave task) once its deadline has passed; what is in flight finishes.
The clock is the run's own (injected in tests), so the deadline is exact there too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone, tzinfo

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.runtime.pacing import Sleeper

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# ASCII digits, at most 18: str.isdigit() takes "²", which int() refuses, and int() refuses over 4300 digits.
DIGITS = re.compile(r"[0-9]{1,18}")
_CLOCK_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")  # ASCII digits only: str.isdigit() takes '²' too


def parse_duration(text: str, *, allow_zero: bool = False) -> timedelta | None:
    """A whole number and a unit, s m h d w (`7d`, `12h`, `30m`), more than zero unless `allow_zero`
    (then a bare `0` too); None when the text is not one. Every duration flag of every job reads this way."""
    value = text.strip().lower()
    if allow_zero and DIGITS.fullmatch(value) and int(value) == 0:
        return timedelta(0)
    if len(value) >= 2 and DIGITS.fullmatch(value[:-1]) and value[-1] in _UNITS and (allow_zero or int(value[:-1]) > 0):
        try:
            return timedelta(seconds=int(value[:-1]) * _UNITS[value[-1]])
        except OverflowError:  # past timedelta's range (about 2.7 million years)
            return None
    return None


def parse_max_runtime(text: str) -> timedelta:
    """`--max-runtime`: as --max-age (`90m`, `5h`); the run takes no new link or task after it."""
    runtime = parse_duration(text)
    if runtime is not None:
        return runtime
    raise ConfigError(_("--max-runtime: {value!r} is not a duration like 5h, 90m or 30s (units s, m, h, d, w)").format(value=text))


def parse_until(text: str) -> time:
    """`--until HH:MM`: a local time of day, 00:00 to 23:59 (the next such time after the start is the deadline)."""
    match = _CLOCK_TIME.fullmatch(text.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise ConfigError(_("--until: {value!r} is not a time of day HH:MM between 00:00 and 23:59, e.g. 06:00").format(value=text))


def next_local_time(start: datetime, at: time, tz: tzinfo | None = None) -> datetime:
    """The first moment after `start` (aware) when the clock in `tz` reads `at`; tz None: the
    machine's zone; in UTC. A time that a DST change skips that night falls an hour later, as a wall clock does."""
    if tz is not None:
        local = start.astimezone(tz)
        for days in (0, 1, 2):
            # In UTC at once: a time in a DST gap or fold compares unequal to every other zone's (PEP 495).
            candidate = datetime.combine(local.date() + timedelta(days=days), at, tzinfo=tz).astimezone(timezone.utc)
            if candidate > start:
                return candidate
        raise AssertionError("unreachable: a day later is always after the start")
    # Naive local times: datetime.astimezone() asks the C library, which knows the machine zone's DST rules.
    local_naive = start.astimezone().replace(tzinfo=None)
    for days in (0, 1, 2):
        candidate = datetime.combine(local_naive.date() + timedelta(days=days), at).astimezone().astimezone(timezone.utc)
        if candidate > start:
            return candidate
    raise AssertionError("unreachable: a day later is always after the start")


def deadline_at(start: datetime, *, max_runtime: timedelta | None = None, until: time | None = None,
                tz: tzinfo | None = None) -> datetime | None:
    """The run's deadline: start + max_runtime, the next `until` after the start, the earlier of the two; None: no deadline."""
    moments = []
    if max_runtime is not None:
        try:
            moments.append(start + max_runtime)
        except OverflowError:
            pass  # past the year 9999: never reached, as no deadline
    if until is not None:
        moments.append(next_local_time(start, until, tz))
    return min(moments) if moments else None


class Deadline:
    """A run's deadline on the run's clock; `at` None: there is none and it never passes."""

    def __init__(self, at: datetime | None, clock: Callable[[], datetime]) -> None:
        self.at, self.clock = at, clock

    def passed(self) -> bool:
        return self.at is not None and self.clock() >= self.at

    def seconds_left(self) -> float | None:
        return None if self.at is None else (self.at - self.clock()).total_seconds()

    def cut(self, sleep: Sleeper) -> Sleeper:
        """`sleep`, woken at the deadline: a pause before the next link that runs past it ends there and
        reports False (as a stop does), so that link is not started."""
        if self.at is None:
            return sleep

        def sleep_until_deadline(seconds: float) -> bool:
            left = self.seconds_left()
            assert left is not None
            if left <= 0:
                return False
            if seconds < left:
                return sleep(seconds)
            sleep(left)
            return False

        return sleep_until_deadline
