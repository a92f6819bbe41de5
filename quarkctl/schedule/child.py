"""A job of `quarkctl schedule run` as a child process: its output goes where the scheduler's goes (a container's
log), and the scheduler's stop signal is passed on to it, so the job writes its partial report and ends
(check-links and autosave stop on SIGTERM and SIGINT: runtime/stop.py) before the scheduler does.

A job has a time limit, as under systemd (TimeoutStartSec in systemd/*.service) and Kubernetes
(activeDeadlineSeconds in deploy/kubernetes/): at its limit it gets SIGTERM, and a job still running GRACE seconds
after a SIGTERM (its limit's, or the scheduler's stop) gets SIGKILL, so a hung job never holds the schedule.
The job also gets SIGTERM when the scheduler dies, even by SIGKILL (Linux's PR_SET_PDEATHSIG): in a session of
its own, no terminal's or container's signal reaches it otherwise.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping

from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.runtime.stop import StopSignal

from .plan import Entry

# seconds: systemd/quarkctl-check-links.service's TimeoutStartSec=6h, quarkctl-autosave.service's 90min
LIMITS = {"check-links": 6 * 3600.0, "autosave": 90 * 60.0}
GRACE = 60.0  # seconds from SIGTERM to SIGKILL; check-links gives the links in flight 5 s (README, Pacing)
POLL = 1.0  # seconds between looks at the clock while a job runs
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Children:
    def __init__(self, env: Mapping[str, str], stop: StopSignal, say: Callable[[str, str], None], *,
                 job_env: Mapping[str, Mapping[str, str]] | None = None, limits: Mapping[str, float] = LIMITS,
                 grace: float = GRACE, clock: Callable[[], float] = time.monotonic) -> None:
        self.env, self.stop, self.say = dict(env), stop, say
        self.job_env = {name: dict(more) for name, more in (job_env or {}).items()}  # by job: jobenv.hide_secrets'
        self.limits, self.grace, self.clock = limits, grace, clock
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
            proc = subprocess.Popen(entry.argv, env={**self.env, **self.job_env.get(entry.name, {})}, start_new_session=True,
                                    preexec_fn=die_with_parent())
        except OSError as exc:
            self.say("ERROR", _("schedule: cannot start {job}: {error}").format(job=entry.name, error=exc))
            return int(ExitCode.INTERNAL)
        self.current = proc
        try:
            if self.stop.is_set() and self.stop.signum is not None:  # the signal came while the job was starting
                proc.send_signal(self.stop.signum)
            code = self._watch(entry.name, proc)
        finally:
            self.current = None
        return 128 + -code if code < 0 else code  # killed by a signal: the shell's 128+n

    def _watch(self, job: str, proc: subprocess.Popen[bytes]) -> int:
        """The job's exit code, once it ends: by itself, or by SIGTERM at its limit, or SIGKILL a grace later."""
        limit = self.limits.get(job)
        deadline = None if limit is None else self.clock() + limit
        kill_at: float | None = None
        while True:
            now = self.clock()
            if kill_at is None and deadline is not None and now >= deadline:
                self.say("WARN", _("schedule: {job} still running after its limit of {seconds} s: SIGTERM").format(
                    job=job, seconds=int(limit or 0)))
                proc.send_signal(signal.SIGTERM)
                kill_at = now + self.grace
            elif kill_at is None and self.stop.is_set():  # the handler passed the signal on
                kill_at = now + self.grace
            if kill_at is not None and now >= kill_at:
                self.say("WARN", _("schedule: {job} did not end {seconds} s after SIGTERM: SIGKILL").format(
                    job=job, seconds=int(self.grace)))
                proc.kill()
                return proc.wait()
            nxt = kill_at if kill_at is not None else deadline  # the next thing to do, once a limit's SIGTERM is sent
            try:
                return proc.wait(timeout=POLL if nxt is None else max(0.0, min(POLL, nxt - now)))
            except subprocess.TimeoutExpired:
                continue


def die_with_parent() -> Callable[[], None] | None:
    """What the job runs before it starts (Linux): SIGTERM to it when the scheduler dies; a scheduler already
    gone by then (the job's parent is no longer the scheduler) ends it at once."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork: the child only calls it
    parent = os.getpid()

    def before_exec() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return before_exec


def forwarding_handler(stop: StopSignal, children: Children) -> Callable[[int, object], None]:
    def handler(signum: int, frame: object) -> None:
        # SIGHUP (a closed terminal, `kill -HUP`) stops as SIGTERM does: the job ends with its partial report.
        signum = signal.SIGTERM if signum == signal.SIGHUP else signum
        stop.set(signum)
        children.forward(signum)

    return handler


def install(stop: StopSignal, children: Children) -> None:
    handler = forwarding_handler(stop, children)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, handler)
