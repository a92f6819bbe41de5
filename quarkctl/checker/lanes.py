"""One lane per drive in a check-links run (issue 24): the drive's rows waiting, its workers, its pace and
its circuit breaker, so the drives run side by side and a mixed table takes about as long as its largest drive.

Quark's lane has --concurrency workers (its meaning before issue 24); every other drive has one. Each worker
has its own Pacer on its drive's policy: --pace DRIVE=MIN-MAX, else Quark's --min-delay/--max-delay, else the
drive's own default (providers/webdrive.py WebDrive.pace); --rest-every/--rest-seconds apply to every drive.
A drive that answers "leave me alone" (providers/evidence.py BACK_OFF) gets a cool-down before its next link,
doubling while it keeps saying so (drives-api.md section 1 rule 5).
"""

from __future__ import annotations

import queue
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quarkctl.checker.options import CheckOptions
from quarkctl.db.records import ResourceRow
from quarkctl.providers.base import UNSUPPORTED, CheckRun, Drives, Link, LinkCheck
from quarkctl.providers.evidence import BACK_OFF
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict
from quarkctl.reports.check import NOT_SELECTED
from quarkctl.runtime.pacing import Pacer, PacingPolicy, Sleeper

# The longest cool-down after a back-off answer (seconds): HD pauses a drive an hour, but a nightly run has
# a deadline, and the circuit breaker ends a drive that keeps refusing.
COOL_DOWN_CAP = 600.0
# A cool-down is slept in steps this long, so a lane whose breaker trips meanwhile stops waiting at once (an
# attacker's review of issue 24: the worker slept out its doubled rest, the run waiting on it); a stop wakes
# the run's sleep itself (runtime/stop.py)
REST_STEP = 0.5


@dataclass
class Lane:
    drive: str
    workers: int
    policy: PacingPolicy
    work: queue.Queue[ResourceRow | None] = field(default_factory=queue.Queue)
    pending: deque[ResourceRow] = field(default_factory=deque)  # fetched, not yet dispatched
    busy: int = 0  # dispatched, result not yet handled
    streak: int = 0  # links in a row that failed transiently (the breaker's count)
    tripped: bool = False  # the breaker tripped: no more of this drive's links this run
    unchecked: int = 0  # rows of this drive not checked because the breaker tripped

    def wants_rows(self) -> bool:
        return not self.tripped and not self.pending and self.busy < self.workers


def lane_policy(drive: str, provider: Any, options: CheckOptions) -> PacingPolicy:
    """The pause between two of this drive's links, as the module docstring says."""
    base = options.pacing
    if drive in options.paces:
        low, high = options.paces[drive]
        return PacingPolicy(low, high, base.rest_every, base.rest_seconds)
    if options.no_pacing:
        return PacingPolicy.off()
    if drive == "quark":
        return base
    low, high = getattr(provider, "pace", (base.min_delay, base.max_delay))
    return PacingPolicy(low, high, base.rest_every, base.rest_seconds)


def make_lanes(drives: Drives, options: CheckOptions) -> dict[str, Lane]:
    """Every opened drive's lane; Quark's first (rows no drive claims are recorded in its order)."""
    return {name: Lane(name, options.concurrency if name == "quark" else 1, lane_policy(name, provider, options))
            for name, provider in drives.by_name.items()}


def place(drives: Drives, lanes: dict[str, Lane], text: str | None) -> tuple[str | None, Link | CheckResult]:
    """The drive a row's text belongs to (None: no drive's), and its link or the verdict it gets without a
    request: a drive left out of the run (--drives) skips it, a drive that checks nothing says so (Xunlei)."""
    found = drives.read(text)
    if isinstance(found, Link):
        drive: str | None = found.drive
    else:
        drive = None if found.reason == UNSUPPORTED else drives.owner(text)
    if drive is not None and drive not in lanes:
        return drive, CheckResult(Verdict.SKIPPED, NOT_SELECTED)
    unchecked = getattr(drives[drive], "unchecked", None) if drive is not None else None
    return drive, unchecked if isinstance(found, Link) and unchecked is not None else found


def rest(lane: Lane, seconds: float, sleep: Sleeper) -> bool:
    """A cool-down of `seconds` on `sleep` (the run's: a stop wakes it, the deadline cuts it), ended as soon as
    the lane trips (the main thread trips it while its worker waits). False: cut short."""
    left = seconds
    while left > 0:
        if lane.tripped:
            return False
        step = min(left, REST_STEP)
        if not sleep(step):
            return False
        left -= step
    return not lane.tripped


def cool_down(policy: PacingPolicy, times: int) -> float:
    """The pause after the `times`-th back-off answer in a row: the rest doubled, capped; none unpaced."""
    first = max(policy.rest_seconds, policy.max_delay)
    return 0.0 if first <= 0 else min(COOL_DOWN_CAP, first * 2 ** (times - 1))


@dataclass
class WorkerKit:
    """What one worker needs of the run (checker/run.py): it only talks HTTP and puts events."""

    drives: Drives
    events: queue.Queue[tuple[Any, ...]]
    run: CheckRun
    sleep_to_deadline: Sleeper  # the run's sleep, cut at the deadline
    stopping: Callable[[], bool]  # a stop, or the deadline passed
    rng: random.Random


def work(lane: Lane, kit: WorkerKit, current: list[ResourceRow | None]) -> None:
    """One worker of one lane: take its rows, pace, check, put the result on the events queue."""
    checkers: dict[str, LinkCheck] = {}  # this worker's, opened at its first link
    on_wait = kit.run.on_wait
    pacer = Pacer(lane.policy, kit.sleep_to_deadline, kit.rng, on_wait, monotonic=time.monotonic)
    backed_off = 0
    try:
        while (row := lane.work.get()) is not None:
            link = kit.drives.read(row.link)
            assert isinstance(link, Link)
            if kit.stopping() or not pacer.before_link() or kit.stopping():
                kit.events.put(("dropped", row))
                continue
            kit.events.put(("start", row))
            current[0] = row
            try:
                if link.drive not in checkers:
                    checkers[link.drive] = kit.drives[link.drive].checker(kit.run)
                result: CheckResult = checkers[link.drive].check(link)
            except Exception as exc:  # a bug: report it on the main thread and stop
                kit.events.put(("crash", row, exc))
                continue
            pacer.link_done()  # the next pause starts now, while the main thread records this result
            kit.events.put(("done", row, result))
            backed_off = backed_off + 1 if result.reason in BACK_OFF else 0
            if backed_off and (seconds := cool_down(lane.policy, backed_off)) > 0 and not lane.tripped:
                on_wait(seconds, "cool_down", result)
                # a stop, the deadline or the lane's breaker ends it; the next link's check says so
                rest(lane, seconds, kit.sleep_to_deadline)
    finally:
        for checker in checkers.values():
            checker.close()
