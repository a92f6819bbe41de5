"""An injected monotonic clock for task polling: one second per reading, so no test sleeps."""

from __future__ import annotations


class Ticks:
    """Each call is one second later: a pending task times out in a few polls."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now
