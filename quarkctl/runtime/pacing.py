"""Polite pacing between links (the sleeps a signal cuts short are runtime/stop.py's).

Same rules as the job quarkctl replaces: a random uniform(min, max) pause between links and a
longer rest after every `rest_every` links; never after the last link, errors paced too.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from quarkctl.errors import ConfigError
from quarkctl.i18n import _



class WaitListener(Protocol):
    """Called before each wait: (seconds, kind) with kind "delay", "rest" or "backoff"; a backoff also gets
    its cause, the failure being retried (quark.verdict.Classified), so its line can say why (issue 23)."""

    def __call__(self, seconds: float, kind: str, cause: Any = None) -> None: ...


# Sleeps; returns False when it was interrupted (the run is stopping).
Sleeper = Callable[[float], bool]


@dataclass(frozen=True)
class PacingPolicy:
    min_delay: float = 1.0
    max_delay: float = 3.0
    rest_every: int = 10
    rest_seconds: float = 10.0

    @classmethod
    def off(cls) -> PacingPolicy:
        return cls(0.0, 0.0, 0, 0.0)

    @classmethod
    def from_flags(cls, min_delay: float, max_delay: float, rest_every: int = 0, rest_seconds: float = 0.0, *,
                   off: bool = False) -> PacingPolicy:
        """The policy the shared flags ask for (--min-delay, --max-delay, --rest-every, --rest-seconds,
        --no-pacing), checked; a command without the rest flags rests never."""
        return cls.off() if off else cls(min_delay, max_delay, rest_every, rest_seconds).validate()

    def validate(self) -> PacingPolicy:
        if min(self.min_delay, self.max_delay, self.rest_seconds) < 0 or self.rest_every < 0:
            raise ConfigError(_("pacing: delays and --rest-every must not be negative"))
        if self.min_delay > self.max_delay:
            raise ConfigError(_("--min-delay: must not be larger than --max-delay"))
        return self


class Pacer:
    """One per worker: call before_link() before each link; it waits as the policy says."""

    def __init__(
        self,
        policy: PacingPolicy,
        sleep: Sleeper,
        rng: random.Random | None = None,
        on_wait: WaitListener | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.policy = policy
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.on_wait: WaitListener = on_wait or (lambda seconds, kind, cause=None: None)
        # With a clock, a pause counts from the end of the previous link (link_done), so the time
        # spent recording its result is part of the pause instead of coming on top of it.
        self.monotonic = monotonic
        self.done = 0  # links this worker has started
        self._finished_at: float | None = None
        self._credit = 0.0  # seconds of the coming pause that have already passed

    def link_done(self) -> None:
        if self.monotonic is not None:
            self._finished_at = self.monotonic()

    def _wait(self, seconds: float, kind: str) -> bool:
        """Pause `seconds` (what the listener hears), sleeping only what has not passed yet."""
        if seconds <= 0:
            return True
        self.on_wait(seconds, kind)
        used = min(seconds, self._credit)
        self._credit -= used
        return self.sleep(seconds - used)  # sleep(0) still reports a stop

    def before_link(self) -> bool:
        """False when interrupted while waiting: the link must not be started."""
        self.done += 1
        if self.done == 1:
            return True
        policy = self.policy
        if self.monotonic is not None and self._finished_at is not None:
            self._credit = max(0.0, self.monotonic() - self._finished_at)
        if policy.max_delay > 0 and not self._wait(self.rng.uniform(policy.min_delay, policy.max_delay), "delay"):
            return False
        finished = self.done - 1
        if policy.rest_every and finished % policy.rest_every == 0:
            return self._wait(policy.rest_seconds, "rest")
        return True
