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
# Set by the signal handlers (quarkctl/commands/run.py): from then on no bounded call is waited for, so a
# SIGTERM during the notifications or the media-server hooks ends the process at once (a review, issue 21).
STOPPING = threading.Event()
_STEP = 0.1


class TookTooLong(Exception):
    """The call had not returned after its seconds."""


def bounded(call: Callable[[], T], seconds: float) -> T:
    """`call()`'s value (or its exception), or TookTooLong after `seconds` or once STOPPING is set."""
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as it is
            outcome.append((False, exc))

    worker = threading.Thread(target=run, daemon=True, name="bounded")
    worker.start()
    end = time.monotonic() + seconds
    while not outcome and not STOPPING.is_set() and (left := end - time.monotonic()) > 0:
        worker.join(min(_STEP, left))
    if not outcome:
        raise TookTooLong
    ok, value = outcome[0]
    if not ok:
        raise value
    return cast(T, value)
