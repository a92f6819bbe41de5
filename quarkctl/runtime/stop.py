"""A run's stop: the signal (or the run's own reason) that every sleep wakes up from, and the exit code it means.

Every job (checker/, autosave/, reshare/) ends with the same rule (exit_code): a signal's code first,
then the code of the reason the run aborted for, then 1 when something failed, else 0.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from quarkctl.errors import ExitCode


class StopSignal:
    """Set once by a signal handler (or the run itself); every sleep wakes up at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signum: int | None = None
        self.reason: str | None = None

    def set(self, signum: int | None = None, reason: str | None = None) -> None:
        if not self._event.is_set():
            self.signum, self.reason = signum, reason
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def sleep(self, seconds: float) -> bool:
        if seconds <= 0:
            return not self._event.is_set()
        return not self._event.wait(seconds)


def exit_code(stop: StopSignal, abort_reason: str | None, aborts: Mapping[str, ExitCode], *, failed: bool) -> ExitCode:
    """A run's exit code: a signal's (130, 143); else what the job maps its abort reason to (`aborts`);
    else 1 when something failed (a link, a task, a re-share), else 0."""
    if stop.signum is not None:
        return ExitCode.for_signal(stop.signum)
    if abort_reason is not None and abort_reason in aborts:
        return aborts[abort_reason]
    return ExitCode.LINK_ERRORS if failed else ExitCode.OK
