"""A call that may not take longer than it is given, whole.

apprise and requests bound each read of a socket, not the exchange: a notification or ping target that
drips its answer held a finished run, and SIGTERM with it, for as long as it liked (an attacker's review,
issue 21). The call runs on a daemon thread; past its time the caller goes on, and the thread is left to
end with the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")
# Set by the signal handlers (quarkctl/commands/run.py): from the first bounded call that sees it (the one in
# flight, or the first after the run stopped), the bounded calls together are waited for STOP_WAIT seconds at
# most, so a SIGTERM during the notifications or the media-server hooks ends the process within that (a review,
# issue 21), while the report of an interrupted run still reaches a target that answers (issue 23: it names
# the tasks not run).
STOPPING = threading.Event()
STOP_WAIT = 2.0
_STEP = 0.1
_stopped_at: list[float] = []  # time.monotonic() when a bounded call first saw STOPPING (a process stops once)


def _until_stopped() -> float | None:
    """The moment after which no bounded call is waited for; None while not stopping."""
    if not STOPPING.is_set():
        return None
    if not _stopped_at:
        _stopped_at.append(time.monotonic())
    return _stopped_at[0] + STOP_WAIT


class TookTooLong(Exception):
    """The call had not returned after its seconds."""


def bounded(call: Callable[[], T], seconds: float) -> T:
    """`call()`'s value (or its exception), or TookTooLong after `seconds`, or STOP_WAIT after STOPPING was set."""
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as it is
            outcome.append((False, exc))

    worker = threading.Thread(target=run, daemon=True, name="bounded")
    worker.start()
    end = time.monotonic() + seconds
    while not outcome and (left := min(end, _until_stopped() or end) - time.monotonic()) > 0:
        worker.join(min(_STEP, left))
    if not outcome:
        raise TookTooLong
    ok, value = outcome[0]
    if not ok:
        raise value
    return cast(T, value)
