"""The simulator's wall clock: real time plus an offset a test moves forward ("8 days later"), so a
timed share can run out without a test sleeping. Only what depends on the passing of days reads it
(own shares' expiry, quarkctl/simulator/shares.py); envelopes keep the real time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))  # Quark's days end at 23:59:59 +08:00 (share-api.md 1.1 expired_at)
DAY_MS = 86_400_000


class SimClock:
    def __init__(self) -> None:
        self._offset_ms = 0
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            return int(time.time() * 1000) + self._offset_ms

    def advance(self, seconds: float) -> tuple[int, int]:
        """Move the clock forward; returns (before, after) in ms. Never backwards: expiry is one-way."""
        if seconds < 0:
            raise ValueError("the simulator's clock only moves forward")
        with self._lock:
            before = int(time.time() * 1000) + self._offset_ms
            self._offset_ms += int(seconds * 1000)
            return before, before + int(seconds * 1000)


def china_day(ms: int) -> int:
    """The day number (in +08:00) of a ms timestamp: two readings on one Quark day give the same number."""
    return (ms + 8 * 3_600_000) // DAY_MS


def end_of_china_day(ms: int) -> int:
    """23:59:59.000 +08:00 of the day of `ms`, in ms (share_password[1]: expired_at 1748620799000)."""
    day = datetime.fromtimestamp(ms / 1000, CHINA).replace(hour=23, minute=59, second=59, microsecond=0)
    return int(day.timestamp()) * 1000
