"""The check-links run: walk cloud_resource in keyset batches, check each link, mark the dead.

Workers only talk HTTP; this module's main loop owns the database and the listener, so every
write and every line of output happens on one thread, in completion order.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from quarkctl.db.loss import CheckLoss
from quarkctl.runtime.deadline import Deadline, deadline_at
from quarkctl.db.database import Database
from quarkctl.db.records import SAME_SHARE_REASON, ResourceRow, Selection
from quarkctl.db.schema import SHARE_DRIVE
from quarkctl.quark.account import AccountCheck, AccountState
from quarkctl.quark.cookie import SessionCookie
from quarkctl.errors import DatabaseLost
from quarkctl.providers.base import CheckRun, Drives, DriveSetup, Link
from quarkctl.providers.names import DRIVE_NAMES, type_disagrees
from quarkctl.providers.registry import open_drives
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.runtime.pacing import Sleeper
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.stop import StopSignal
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.grace import STOP_GRACE, GraceCutter
from quarkctl.quark.verdict import Verdict
from quarkctl.reports.check import (JOB, MALFORMED_REASONS, OTHER_DRIVE, REVIVE_JOB, REVIVED, CoolDown, LinkOutcome,
                                    Listener, RunReport)
from quarkctl.checker.options import CheckOptions

from .feed import Feed
from .lanes import Lane, WorkerKit, make_lanes, place, work
from .marking import empty_verdict
from .record import check_record, finish_history, run_exit_code as _exit_code
from .selection import count_selected, rows_left, selects

_COUNT_OF = {
    Verdict.VALID: "valid",
    Verdict.EXPIRED: "expired",
    Verdict.NEEDS_PASSCODE: "needs_passcode",
    Verdict.EMPTY: "empty",
    Verdict.ERROR: "errors",
    Verdict.SKIPPED: "skipped",
}
# Errors are never cached; `empty` is, as the share's answer: each row's own history decides what it means.
_CACHEABLE = {Verdict.VALID, Verdict.EXPIRED, Verdict.NEEDS_PASSCODE, Verdict.EMPTY}
# Same-link results kept for the run: enough for the duplicates a table holds, constant memory in its size.
CACHE_SIZE = 10_000


class _Run:
    def __init__(self, db: Database, make_client: Callable[[], QuarkClient], options: CheckOptions, listener: Listener,
                 stop: StopSignal, clock: Callable[[], datetime], sleep: Sleeper,
                 rng_for_worker: Callable[[int], random.Random], session: SessionCookie | None = None,
                 account: AccountCheck | None = None, on_dead: Callable[[ResourceRow, CheckResult], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic, timeout: float = DEFAULT_TIMEOUT,
                 api_bases: Mapping[str, str] | None = None) -> None:
        self.db, self.options, self.listener = db, options, listener
        self.on_dead = on_dead  # check-links --reshare (quarkctl.reshare.hook)
        # The drives a row's link may point to (quarkctl/providers/): this run knows no drive itself. Every
        # drive reads links; the chosen ones get a lane, and a row of another drive is not selected (_selects).
        self.drives: Drives = open_drives(DriveSetup(make_client, session, trust_unverified=options.trust_unverified,
                                                     timeout=timeout, api_bases=api_bases), DRIVE_NAMES)
        chosen = Drives(self.drives[name] for name in (options.drives or DRIVE_NAMES))
        self.lanes = make_lanes(chosen, options)
        # a row's text is read at dispatch, result and record: read once
        self.read = lru_cache(maxsize=4096)(partial(place, self.drives, self.lanes))
        self.stop, self.clock, self.sleep, self.rng_for_worker = stop, clock, sleep, rng_for_worker
        self.events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.cache: OrderedDict[Link, CheckResult] = OrderedDict()  # oldest dropped past CACHE_SIZE
        self.report = RunReport(started_at=clock(), dry_run=options.dry_run, account=account,
                                job=REVIVE_JOB if options.rows == "expired" else JOB, revives=options.rows != "active")
        # --max-runtime / --until: from the run's start, on the run's clock; no new link once it passed
        self.deadline = Deadline(deadline_at(self.report.started_at, max_runtime=options.max_runtime, until=options.until), clock)
        self.report.deadline_at = self.deadline.at
        # Past the deadline's grace a retry's pause ends too, and the connections in flight are closed
        grace = timedelta(seconds=STOP_GRACE)
        self.hard_deadline = Deadline(self.deadline.at + grace if self.deadline.at is not None else None, clock)
        # A stop or the deadline leaves the links in flight STOP_GRACE s; then their connections are closed
        self.cutter = GraceCutter(lambda: self.stop.is_set() or self.deadline.passed(), monotonic=monotonic)
        self.dropped = 0  # rows taken by a worker but not started: the stop or the deadline came first
        self.index = 0
        self.total = 0
        self.marked: set[int] = set()  # rows marked with an earlier row of their share: not checked again
        # The database stopped answering (DB_TIMEOUT passed): no more writes until the last attempt (quarkctl.dbloss)
        self.loss = CheckLoss(db, stop, self.report)
        # With concurrency, a row whose link is in flight waits for that result instead of asking again.
        self.in_flight: set[Link] = set()
        self.held: dict[Link, list[ResourceRow]] = {}

    def _selects(self, text: str | None) -> bool:
        return selects(self.read(text)[0], self.lanes, self.options)

    def _count_left(self, feed: Feed) -> None:
        """Every lane's breaker tripped (the run's stop): the rows never reached are `unchecked` too."""
        if self.stop.reason != "circuit_breaker" or self.stop.signum is not None or self.loss.lost is not None:
            return
        for row in rows_left(self.lanes, feed):
            lane = self._lane(row)
            lane.unchecked += row.id not in self.marked and lane.tripped and isinstance(self._link(row), Link)
        self.report.unchecked.update({lane.drive: lane.unchecked for lane in self.lanes.values() if lane.unchecked})

    def _link(self, row: ResourceRow) -> Link | CheckResult:
        return self.read(row.link)[1]

    def _same_share(self, text: str | None, dead: Link) -> bool:
        """Another row of a dead share is marked with it for Quark only: db/marking.py finds the candidates by
        Quark's `/s/<pwd_id>` among drive_type quark rows, which other drives' links do not follow."""
        return dead.drive == "quark" and self.drives.same_share(text, dead)

    def _lane(self, row: ResourceRow) -> Lane:
        """The lane of the row's drive; a row that needs no request waits in the first lane, in table order."""
        link = self.read(row.link)[1]
        return self.lanes[link.drive] if isinstance(link, Link) else next(iter(self.lanes.values()))

    # -- workers: HTTP only (lanes.py) -------------------------------------------------------

    def _worker(self, lane: Lane, number: int) -> None:
        current: list[ResourceRow | None] = [None]  # the row a retry's pause is for: its line names it (issue 23)

        def on_wait(seconds: float, kind: str, cause: Any = None) -> None:
            cause = CoolDown(lane.drive, cause) if kind == "cool_down" else cause
            self.events.put(("wait", seconds, kind, cause, current[0] if kind in ("backoff", "cool_down") else None))

        opts = self.options
        run = CheckRun(opts.retries, opts.backoff, sleep=self.sleep, retry_sleep=self.hard_deadline.cut(self.sleep), on_wait=on_wait,
                       watch=self.cutter.watch, login_dropped=lambda result: self.events.put(("cookie_dropped", result)))
        # A pause that runs into the deadline ends there; the link after it is not started.
        kit = WorkerKit(self.drives, self.events, run, self.deadline.cut(self.sleep),
                        lambda: self.stop.is_set() or self.deadline.passed(), self.rng_for_worker(number))
        work(lane, kit, current)

    # -- main thread: database and listener ---------------------------------------------------

    def _tell(self, row: ResourceRow, result: CheckResult, changed: bool, cached: bool, same_share_as: int | None = None) -> None:
        # a dry run counts what a real run would newly mark: not a row that is expired already (--recheck-expired)
        if result.verdict is Verdict.EXPIRED and (changed or (self.options.dry_run and not row.is_expired)):
            self.report.newly_expired.append((row.id, row.name, row.link or ""))
        # revived: marked valid again; a dry run counts the expired rows a real run would mark valid
        if result.verdict is Verdict.VALID and row.is_expired and (changed or self.options.dry_run):
            self.report.counts[REVIVED] += 1
        self.index += 1
        if result.verdict is Verdict.ERROR:
            self.report.errors.append((row.id, result.reason))
        if result.reason in MALFORMED_REASONS and (row.drive_type or SHARE_DRIVE).strip().lower() == SHARE_DRIVE:
            self.report.malformed.append(row.id)
        self.report.counts[_COUNT_OF[result.verdict]] += 1
        self.report.counts["total"] += 1
        drive, link = self.read(row.link)
        by_drive = self.report.by_drive.setdefault(drive or OTHER_DRIVE, Counter())
        by_drive[_COUNT_OF[result.verdict]] += 1
        by_drive["total"] += 1
        if isinstance(link, Link) and type_disagrees(row.drive_type, link.drive):
            self.report.mismatched.append(row.id)  # a summary warning; the link's host decides the drive
        if same_share_as is not None:
            self.report.counts["same_share"] += 1
        self.listener.link_done(LinkOutcome(self.index, max(self.total, self.index), row, result, changed, cached, same_share_as,
                                            drive=drive))

    def _record(self, row: ResourceRow, result: CheckResult, cached: bool) -> None:
        if row.id in self.marked:  # already marked and reported with an earlier row of its share
            return
        now = self.clock()
        link = self._link(row)
        share = link if isinstance(link, Link) else None
        if share is not None:
            result = empty_verdict(self.db, self.loss, self.options, row, share, result, now)
        changed = False
        others: list[ResourceRow] = []
        dry_run = self.options.dry_run
        record = check_record(row, now, result, self.read(row.link)[0])
        dead = share if result.verdict is Verdict.EXPIRED else None
        revive = result.verdict is Verdict.VALID and row.is_expired
        try:
            self.loss.guard()
            if dead is not None:
                # Every not-yet-expired row of the same share goes in the same transaction, even rows this
                # run would not reach (--limit, --shard, --max-age).
                changed, others = self.db.expire_share(self.report.run_id, record, pwd_id=dead.share_id, dry_run=dry_run,
                                                       same_share=lambda text: self._same_share(text, dead))
            elif not dry_run:
                if revive:
                    changed = self.db.set_expired(row.id, False, now)
                self.db.add_check(self.report.run_id, record, flush=changed)
        except DatabaseLost as exc:
            self.loss.lose(exc)
            if not dry_run and not any(r is record for r in self.db.pending_checks()):
                # db/loss.py finds a dead share's rows by Quark's pwd_id: it is handed the drive's own link
                self.loss.keep_verdict(lambda: self.report.run_id, record, None if dead is None else dead.native,  # type: ignore[arg-type]
                                       revive and not changed, lambda text, _native: dead is not None and self._same_share(text, dead),
                                       already_expired=bool(row.is_expired))
        self._tell(row, result, changed, cached)
        if dead is not None and dead.drive == "quark" and (changed or dry_run) and self.on_dead is not None:
            self.on_dead(row, result)  # check-links --reshare (issue 17): right after marking it
        for other in others:
            self.marked.add(other.id)
            self._tell(other, replace(result, reason=SAME_SHARE_REASON, requests=0), not dry_run, True, same_share_as=row.id)
        lane = self._lane(row)  # each drive's own breaker: one drive's outage does not stop the others
        if result.transient:
            lane.streak += 1
            if lane.streak >= self.options.max_consecutive_errors > 0 and not lane.tripped:
                lane.tripped = True
                self.report.tripped[lane.drive] = lane.streak
                self.report.abort_reason = "circuit_breaker"
                self.report.abort_streak = max(self.report.tripped.values())
                if all(other.tripped for other in self.lanes.values()):
                    self.stop.set(reason="circuit_breaker")
        elif result.requests and not cached and result.reason != "interrupted":
            lane.streak = 0
    
    def _handle(self, event: tuple[Any, ...]) -> bool:
        """True when the event accounts for one dispatched row."""
        kind = event[0]
        if kind == "wait":
            self.listener.waiting(event[1], event[2], event[3], row=event[4])
            return False
        if kind == "start":
            self.listener.link_started(event[1])
            return False
        if kind == "cookie_dropped":
            result = event[1]
            evidence = " ".join(str(x) for x in (result.api_code, result.message) if x)
            self.report.account = AccountCheck(AccountState.REJECTED, "cookie_rejected", evidence=evidence)
            self.report.cookie_dropped_mid_run = True
            self.listener.account_checked(self.report.account, during_run=True)
            return False
        if kind == "crash":
            self.stop.set(reason="crash")
            raise event[2]
        row = event[1]
        link = self._link(row)
        lane = self._lane(row)
        lane.busy -= 1
        if isinstance(link, Link):
            self.in_flight.discard(link)
            lane.pending.extendleft(reversed(self.held.pop(link, [])))  # next, answered from the cache
        if kind == "done":
            result = event[2]
            if result.verdict in _CACHEABLE and isinstance(link, Link):
                self.cache[link] = result
                if len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)
            self._record(row, result, cached=False)
        else:
            self.dropped += 1
        return True  # done, or dropped: taken by a worker after the stop or the deadline

    def _waiting(self) -> int:
        return sum(len(lane.pending) for lane in self.lanes.values())

    def _dispatch(self) -> None:
        """Each lane's next rows to its workers while it has a free one; rows that need no request are recorded
        in their turn; a tripped lane's rows are left unchecked."""
        for lane in self.lanes.values():
            while lane.pending and not self.stop.is_set() and not self.deadline.passed() and (lane.tripped or lane.busy < lane.workers):
                row = lane.pending.popleft()
                if row.id in self.marked:
                    continue
                link = self._link(row)
                if isinstance(link, CheckResult) or link in self.cache:  # no request needed
                    self._record(row, link if isinstance(link, CheckResult) else self.cache[link], cached=not isinstance(link, CheckResult))
                elif lane.tripped:
                    lane.unchecked += 1
                    self.report.unchecked[lane.drive] = lane.unchecked
                elif link in self.in_flight:
                    self.held.setdefault(link, []).append(row)
                else:
                    self.in_flight.add(link)
                    lane.work.put(row)
                    lane.busy += 1

    def run(self) -> RunReport:
        opts, db = self.options, self.db
        db.resilient = True  # from here on a lost connection is retried until DB_TIMEOUT, then the run ends (exit 5)
        checked_before = self.report.started_at - opts.max_age if opts.max_age is not None else None
        selection = Selection(shard=opts.shard, checked_before=checked_before)
        self.total, self.report.not_selected = count_selected(db, opts, selection, self._selects)
        if opts.limit is not None:
            self.total = min(self.total, opts.limit)
        self.report.selected = self.total
        if not opts.dry_run:
            self.report.run_id = db.start_run(self.report.job, self.report.started_at, {"options": opts.as_dict()})
        # The database first (issue 23): a cron job that lost its .env runs on the empty built-in SQLite and
        # says so in its first line, before the cookie's warning
        self.report.database = db.label
        self.listener.started(self.total, database=db.label, job=self.report.job)
        if self.report.account is not None and not self.report.account.verified:
            self.listener.account_checked(self.report.account, during_run=False)
        seats = [(lane, i) for lane in self.lanes.values() for i in range(lane.workers)]  # each worker's own seeded pacer
        workers = [threading.Thread(target=self._worker, args=(lane, n), daemon=True, name=f"check-{lane.drive}-{i}")
                   for n, (lane, i) in enumerate(seats)]
        self.cutter.start()
        for worker in workers:
            worker.start()
        feed = Feed(db, opts, selection, keep=lambda row: self._selects(row.link))
        try:
            while True:
                # At most one row in flight per worker of each lane, so the cache and each drive's breaker see
                # every result before its next row goes out; the next batch only when a lane has nothing to do.
                while True:
                    self._dispatch()
                    if (self.stop.is_set() or self.deadline.passed() or feed.exhausted or self._waiting() >= feed.buffer
                            or not any(lane.wants_rows() for lane in self.lanes.values())):
                        break
                    try:
                        batch = feed.next()
                    except DatabaseLost as exc:  # the links in flight are still recorded (listed)
                        self.loss.lose(exc)
                        break
                    for row in batch:
                        self._lane(row).pending.append(row)
                busy = sum(lane.busy for lane in self.lanes.values())
                if not busy and (self.stop.is_set() or (feed.exhausted and not self._waiting())):
                    self._count_left(feed)
                    break
                if not busy and self.deadline.passed():
                    # Cut short only if a row was left: when a batch ended just here, the next row tells.
                    self.report.deadline_reached = any(r.id not in self.marked for lane in self.lanes.values()
                                                       for r in lane.pending) or feed.more()
                    break
                try:
                    event = self.events.get(timeout=0.2)
                except queue.Empty:
                    event = None
                if event is not None:
                    self._handle(event)
                if not opts.dry_run and self.loss.lost is None:
                    try:
                        db.flush_due()  # history rows reach the database within a second of their verdict
                    except DatabaseLost as exc:
                        self.loss.lose(exc)
        except DatabaseLost as exc:
            self.loss.lose(exc)
        finally:
            for lane in self.lanes.values():
                for _n in range(lane.workers):
                    lane.work.put(None)
            if not opts.dry_run:
                self.loss.call(db.flush_checks, None)
        for worker in workers:
            worker.join()
        self.cutter.close()
        report = self.report
        if self.dropped and not self.stop.is_set():  # a worker let a row go at the deadline
            report.deadline_reached = True
        report.finished_at = self.clock()
        report.history_missing = self.db.history_missing
        if self.stop.signum is not None:
            report.abort_reason = "interrupted"
        report.exit_code = _exit_code(report, self.stop)

        self.loss.end(lambda: finish_history(db, report, opts, interrupted=self.stop.signum is not None, unwritten=len(self.loss.listed())),
                      on_lost=lambda: setattr(report, "exit_code", _exit_code(report, self.stop)))
        if self.loss.lost is not None:
            report.unwritten = self.loss.listed()
        return report


def run_check(
    db: Database,
    make_client: Callable[[], QuarkClient],
    options: CheckOptions,
    listener: Listener | None = None,
    *,
    stop: StopSignal | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Sleeper | None = None,
    rng_for_worker: Callable[[int], random.Random] = lambda n: random.Random(),
    session: SessionCookie | None = None,
    account: AccountCheck | None = None,
    on_dead: Callable[[ResourceRow, CheckResult], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    api_bases: Mapping[str, str] | None = None,
) -> RunReport:
    """Check every candidate row once. The caller holds the lock and has checked the account; with the
    run's `session` (the cookie every client of make_client shares), a cookie Quark rejects mid-run is
    dropped and the run goes on anonymously. `api_bases`: the other drives' QUARKCTL_API_BASE_<KEY> by KEY
    (config/settings.py; None: read from the process environment)."""
    stop = stop or StopSignal()
    return _Run(db, make_client, options, listener or Listener(), stop, clock, sleep or stop.sleep, rng_for_worker,
                session, account, on_dead, timeout=timeout, api_bases=api_bases).run()
