"""The one retry policy for Quark calls: link checks, drive reads and the account check.

Exponential from `backoff` (backoff, 2*backoff, 4*backoff ...), at least what Retry-After asks,
never more than MAX_WAIT per wait: a server asking for ten minutes must not stall a nightly run.
Each wait is announced before it starts, so a reporter can say why the run pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quarkctl.runtime.pacing import Sleeper, WaitListener

if TYPE_CHECKING:
    from quarkctl.quark.verdict import Classified

MAX_WAIT = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    sleep: Sleeper
    retries: int = 2  # retries after the first attempt
    backoff: float = 2.0
    on_wait: WaitListener | None = None
    max_wait: float = MAX_WAIT

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def seconds(self, attempt: int, retry_after: float | None = None) -> float:
        """The wait before attempt number `attempt` (1 is the first retry)."""
        doubled: float = self.backoff * 2 ** (attempt - 1)
        return min(max(doubled, retry_after or 0.0), self.max_wait)

    def wait(self, attempt: int, retry_after: float | None = None, cause: Classified | None = None) -> bool:
        """Announce and sleep before a retry; False when the sleep was cut short (the run is stopping).
        A zero wait is no wait: nothing announced, nothing slept. `cause`: the failure retried, for the line."""
        seconds = self.seconds(attempt, retry_after)
        if seconds <= 0:
            return True
        if self.on_wait is not None:
            self.on_wait(seconds, "backoff", cause)
        return self.sleep(seconds)
