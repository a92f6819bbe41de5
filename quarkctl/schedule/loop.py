"""The foreground schedule of `quarkctl schedule run` (a container's default command, no cron daemon): one job
at a time, each at its next cron time; a job due while another runs starts after it, and a time missed while
a job ran is run once, not once per missed time.

The clock, the wait and the start of a job are injected (child.py starts the real one), so the loop is tested
without a real wait. The wait returns False when a signal arrived (runtime/stop.py StopSignal.sleep).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.runtime.stop import StopSignal

from .plan import Entry, Plan

LONGEST_WAIT = 60.0  # seconds: a long wait is cut in pieces, so a clock set forward (or a resumed machine) is noticed
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

Say = Callable[[str, str], None]  # (level, text)


@dataclass
class Loop:
    plan: Plan
    clock: Callable[[], datetime]  # aware
    sleep: Callable[[float], bool]  # False: stopped during the wait
    start: Callable[[Entry], int]  # runs the job to its end, returns its exit code
    say: Say
    stop: StopSignal

    def run(self, *, run_now: bool = False) -> int:
        """Until a signal: 0 when it came while no job ran, else 130/143 (the job was stopped with it)."""
        now = self.clock()
        due = {entry.name: now if run_now else entry.next_after(now, self.plan.zone) for entry in self.plan.entries}
        while not self.stop.is_set():
            entry = min(self.plan.entries, key=lambda e: due[e.name])  # ties: JOBS' order (min keeps the first)
            if due[entry.name] > self.clock():
                self.say("INFO", _("schedule: next {job} at {when} ({zone})").format(
                    job=entry.name, when=due[entry.name].astimezone(self.plan.zone).strftime(TIME_FORMAT), zone=self.plan.zone_name))
                if not self._wait_until(due[entry.name]):
                    break
            if self.stop.is_set():
                break
            if entry.needs is not None and not entry.needs.is_file():
                self.say("INFO", _("schedule: {job} not run: no config at {path} (it is looked for again at its next time)")
                         .format(job=entry.name, path=entry.needs))
            else:
                self._run(entry)
            # From the end of the run: the times it covered are one missed run, already made up for by the one
            # due next (another job's run due meanwhile keeps its time, now past, and so goes next).
            due[entry.name] = entry.next_after(self.clock(), self.plan.zone)
            if self.stop.is_set():
                return int(ExitCode.for_signal(self.stop.signum))
        self.say("INFO", _("schedule: stopped by signal {signal}, no job was running").format(signal=self.stop.signum))
        return 0

    def _wait_until(self, moment: datetime) -> bool:
        while (left := (moment - self.clock()).total_seconds()) > 0:
            if not self.sleep(min(left, LONGEST_WAIT)):
                return False
        return True

    def _run(self, entry: Entry) -> int:
        self.say("INFO", _("schedule: starting {job}").format(job=entry.name))
        started = self.clock()
        code = self.start(entry)
        took = int((self.clock() - started).total_seconds())
        level = "INFO" if code in (0, 1) else "WARN"  # 1: some links or tasks failed, the job's own report says which
        self.say(level, _("schedule: {job} ended with exit code {code} after {seconds} s").format(job=entry.name, code=code, seconds=took))
        return code
