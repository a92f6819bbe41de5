"""A job of `quarkctl schedule run` as a child process: its output goes where the scheduler's goes (a container's
log), and the scheduler's stop signal is passed on to it, so the job writes its partial report and ends
(check-links and autosave stop on SIGTERM and SIGINT: runtime/stop.py) before the scheduler does."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Mapping

from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.runtime.stop import StopSignal

from .plan import Entry


class Children:
    def __init__(self, env: Mapping[str, str], stop: StopSignal, say: Callable[[str, str], None]) -> None:
        self.env, self.stop, self.say = dict(env), stop, say
        self.current: subprocess.Popen[bytes] | None = None

    def forward(self, signum: int) -> None:
        """From the signal handler: the running job gets the signal too."""
        proc = self.current
        if proc is not None and proc.poll() is None:
            proc.send_signal(signum)

    def __call__(self, entry: Entry) -> int:
        try:
            # A session of its own: a Ctrl-C at a terminal reaches the scheduler only, which passes it on once
            # (a job given the signal twice would take the second for an insistent stop).
            proc = subprocess.Popen(entry.argv, env=self.env, start_new_session=True)
        except OSError as exc:
            self.say("ERROR", _("schedule: cannot start {job}: {error}").format(job=entry.name, error=exc))
            return int(ExitCode.INTERNAL)
        self.current = proc
        try:
            if self.stop.is_set() and self.stop.signum is not None:  # the signal came while the job was starting
                proc.send_signal(self.stop.signum)
            code = proc.wait()
        finally:
            self.current = None
        return 128 + -code if code < 0 else code  # killed by a signal: the shell's 128+n


def forwarding_handler(stop: StopSignal, children: Children) -> Callable[[int, object], None]:
    def handler(signum: int, frame: object) -> None:
        stop.set(signum)
        children.forward(signum)

    return handler


def install(stop: StopSignal, children: Children) -> None:
    handler = forwarding_handler(stop, children)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
