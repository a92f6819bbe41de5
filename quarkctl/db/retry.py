"""Riding out a database that goes away mid-run: which errors mean "lost", and the retry until DB_TIMEOUT.

A lost connection (server restarted, killed, frozen, network path gone) is retried with a growing
pause until DB_TIMEOUT has passed since the first attempt; then the run ends with exit 5
(errors.DatabaseLost). Any other database error (a constraint, a missing table) is not retried.
The clock and the sleeper are injected, so tests need no real waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_DB_TIMEOUT = 60.0  # seconds: DB_TIMEOUT / --db-timeout
FIRST_WAIT = 0.25  # the first pause between attempts; doubled each time
MAX_WAIT = 2.0  # so a server back after an outage is found within about two seconds
LAST_ATTEMPT = 2.0  # the one quick try at the end of a lost run: record what can be, never wait long

# MySQL/MariaDB client and server codes that mean the connection, not the statement, failed:
# 2002/2003 cannot connect, 2006 gone away, 2013/2055 lost during a query (also a read/write
# timeout), 1053 server shutdown, 1927 connection killed, 4031 disconnected for inactivity.
LOST_MYSQL_CODES = frozenset({1053, 1927, 2002, 2003, 2006, 2013, 2055, 4031})
# SQLite: another process held its lock for the whole busy timeout.
LOST_SQLITE_TEXTS = ("database is locked", "database table is locked")


def is_lost(exc: BaseException) -> bool:
    """True when a SQLAlchemy/driver error says the database did not answer (retry), False for any other."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None) or exc
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        # pymysql.InterfaceError(0, ""): the connection was already closed under us.
        return args[0] in LOST_MYSQL_CODES or (args[0] == 0 and type(orig).__name__ == "InterfaceError")
    text = str(orig).lower()
    return any(t in text for t in LOST_SQLITE_TEXTS)


class GaveUp(Exception):
    """The deadline passed (or the sleeper said stop) with the connection still lost; `cause` is the last error."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


@dataclass
class DbRetry:
    """Retries a unit of work (one whole transaction) while its error is a lost connection.

    `lost(exc)` decides which errors are retried; `sleep(seconds)` returns False when the run is
    stopping (a signal), which ends the retrying at once."""

    timeout: float = DEFAULT_DB_TIMEOUT
    sleep: Callable[[float], Any] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    first_wait: float = FIRST_WAIT
    max_wait: float = MAX_WAIT

    def wait(self, attempt: int, left: float) -> float:
        """The pause after failed attempt number `attempt` (1 is the first), never past the deadline."""
        doubled: float = self.first_wait * 2 ** (attempt - 1)
        return max(0.0, min(doubled, self.max_wait, left))

    def run(self, work: Callable[[], T], lost: Callable[[BaseException], bool]) -> T:
        start = self.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return work()
            except Exception as exc:
                if not lost(exc):
                    raise
                left = self.timeout - (self.monotonic() - start)
                if left <= 0:
                    raise GaveUp(exc) from None
                pause = self.wait(attempt, left)
                if self.sleep(pause) is False:
                    raise GaveUp(exc) from None
