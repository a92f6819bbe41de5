"""The check-links run: walk cloud_resource in keyset batches, check each link, mark the dead.

Workers only talk HTTP; this module's main loop owns the database and the listener, so every
write and every line of output happens on one thread, in completion order.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from quarkctl.db.loss import CheckLoss
from quarkctl.runtime.deadline import Deadline, deadline_at
from quarkctl.db.database import Database
from quarkctl.db.records import SAME_SHARE_REASON, CheckRecord, ResourceRow, Selection
from quarkctl.db.schema import SHARE_DRIVE
from quarkctl.quark.account import AccountCheck, AccountState
from quarkctl.quark.cookie import SessionCookie
from quarkctl.errors import DatabaseLost, ExitCode
from quarkctl.providers.base import CheckRun, Drives, DriveSetup, Link, LinkCheck
from quarkctl.providers.registry import open_drives
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.runtime.pacing import Pacer, Sleeper
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.stop import StopSignal, exit_code
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.grace import STOP_GRACE, GraceCutter
from quarkctl.quark.verdict import Verdict
from quarkctl.reports.check import JOB, MALFORMED_REASONS, REVIVE_JOB, REVIVED, LinkOutcome, Listener, RunReport
from quarkctl.checker.options import CheckOptions

from .marking import empty_verdict

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


# The exit code of each reason a check run aborts for (runtime/stop.py: a signal's code comes first)
_ABORTS = {"database_lost": ExitCode.DB_LOST, "cookie_rejected": ExitCode.AUTH, "circuit_breaker": ExitCode.ABORTED}


def _exit_code(report: RunReport, stop: StopSignal) -> ExitCode:
    reason = report.abort_reason
    if reason not in _ABORTS and report.account is not None and report.account.state is AccountState.REJECTED:
        reason = "cookie_rejected"  # the links were checked anonymously; the cookie needs renewing (exit 3)
    return exit_code(stop, reason, _ABORTS, failed=bool(report.counts.get("errors")))


class _Run:
    def __init__(self, db: Database, make_client: Callable[[], QuarkClient], options: CheckOptions, listener: Listener,
                 stop: StopSignal, clock: Callable[[], datetime], sleep: Sleeper,
                 rng_for_worker: Callable[[int], random.Random], session: SessionCookie | None = None,
                 account: AccountCheck | None = None, on_dead: Callable[[ResourceRow, CheckResult], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db, self.options, self.listener = db, options, listener
        self.on_dead = on_dead  # check-links --reshare (quarkctl.reshare.hook)
        # The drives a row's link may point to (quarkctl/providers/): this run knows no drive itself
        self.drives: Drives = open_drives(DriveSetup(make_client, session))
        self.stop, self.clock, self.sleep, self.rng_for_worker = stop, clock, sleep, rng_for_worker
        self.work: queue.Queue[ResourceRow | None] = queue.Queue()
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
        self.consecutive_transient = 0
        self.marked: set[int] = set()  # rows marked with an earlier row of their share: not checked again
        # The database stopped answering (DB_TIMEOUT passed): no more writes until the last attempt (quarkctl.dbloss)
        self.loss = CheckLoss(db, stop, self.report)
        self.pending: deque[ResourceRow] = deque()  # fetched, not yet dispatched
        # With concurrency, a row whose link is in flight waits for that result instead of asking again.
        self.in_flight: set[Link] = set()
        self.held: dict[Link, list[ResourceRow]] = {}

    # -- workers: HTTP only ------------------------------------------------------------------

    def _worker(self, number: int) -> None:
        current: list[ResourceRow | None] = [None]  # the row a retry's pause is for: its line names it (issue 23)

        def on_wait(seconds: float, kind: str, cause: Any = None) -> None:
            self.events.put(("wait", seconds, kind, cause, current[0] if kind == "backoff" else None))

        opts = self.options
        run = CheckRun(opts.retries, opts.backoff, sleep=self.sleep, retry_sleep=self.hard_deadline.cut(self.sleep), on_wait=on_wait,
                       watch=self.cutter.watch, login_dropped=lambda result: self.events.put(("cookie_dropped", result)))
        checkers: dict[str, LinkCheck] = {}  # this worker's, one per drive, opened at its first link there
        # A pause that runs into the deadline ends there; the link after it is not started.
        pacer = Pacer(opts.pacing, self.deadline.cut(self.sleep), self.rng_for_worker(number), on_wait, monotonic=time.monotonic)
        try:
            while (row := self.work.get()) is not None:
                link = self.drives.read(row.link)
                assert isinstance(link, Link)
                if self.stop.is_set() or not pacer.before_link() or self.deadline.passed():
                    self.events.put(("dropped", row))
                    continue
                self.events.put(("start", row))
                current[0] = row
                try:
                    if link.drive not in checkers:
                        checkers[link.drive] = self.drives[link.drive].checker(run)
                    result = checkers[link.drive].check(link)
                except Exception as exc:  # a bug: report it on the main thread and stop
                    self.events.put(("crash", row, exc))
                    continue
                pacer.link_done()  # the next pause starts now, while the main thread records this result
                self.events.put(("done", row, result))
        finally:
            for checker in checkers.values():
                checker.close()

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
        if same_share_as is not None:
            self.report.counts["same_share"] += 1
        self.listener.link_done(LinkOutcome(self.index, max(self.total, self.index), row, result, changed, cached, same_share_as))

    def _record(self, row: ResourceRow, result: CheckResult, cached: bool) -> None:
        if row.id in self.marked:  # already marked and reported with an earlier row of its share
            return
        now = self.clock()
        link = self.drives.read(row.link)
        share = link if isinstance(link, Link) else None
        if share is not None:
            result = empty_verdict(self.db, self.loss, self.options, row, share, result, now)
        changed = False
        others: list[ResourceRow] = []
        dry_run = self.options.dry_run
        record = CheckRecord(row.id, now, result.verdict.value, result.reason, result.api_code, result.http_status, result.message,
                             link=row.link)
        dead = share if result.verdict is Verdict.EXPIRED else None
        revive = result.verdict is Verdict.VALID and row.is_expired
        try:
            self.loss.guard()
            if dead is not None:
                # Every not-yet-expired row of the same share goes in the same transaction, even rows this
                # run would not reach (--limit, --shard, --max-age).
                changed, others = self.db.expire_share(self.report.run_id, record, pwd_id=dead.share_id, dry_run=dry_run,
                                                       same_share=lambda text: self.drives.same_share(text, dead))
            elif not dry_run:
                if revive:
                    changed = self.db.set_expired(row.id, False, now)
                self.db.add_check(self.report.run_id, record, flush=changed)
        except DatabaseLost as exc:
            self.loss.lose(exc)
            if not dry_run and not any(r is record for r in self.db.pending_checks()):
                # db/loss.py finds a dead share's rows by Quark's pwd_id: it is handed the drive's own link
                self.loss.keep_verdict(lambda: self.report.run_id, record, None if dead is None else dead.native,  # type: ignore[arg-type]
                                       revive and not changed, lambda text, _native: dead is not None and self.drives.same_share(text, dead),
                                       already_expired=bool(row.is_expired))
        self._tell(row, result, changed, cached)
        if dead is not None and (changed or dry_run) and self.on_dead is not None:
            self.on_dead(row, result)  # check-links --reshare (issue 17): right after marking it
        for other in others:
            self.marked.add(other.id)
            self._tell(other, replace(result, reason=SAME_SHARE_REASON, requests=0), not dry_run, True, same_share_as=row.id)
        if result.transient:
            self.consecutive_transient += 1
            if self.consecutive_transient >= self.options.max_consecutive_errors > 0:
                self.report.abort_reason = "circuit_breaker"
                self.report.abort_streak = self.consecutive_transient
                self.stop.set(reason="circuit_breaker")
        elif result.requests and not cached and result.reason != "interrupted":
            self.consecutive_transient = 0

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
        link = self.drives.read(row.link)
        if isinstance(link, Link):
            self.in_flight.discard(link)
            self.pending.extendleft(reversed(self.held.pop(link, [])))  # next, answered from the cache
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

    def run(self) -> RunReport:
        opts, db = self.options, self.db
        db.resilient = True  # from here on a lost connection is retried until DB_TIMEOUT, then the run ends (exit 5)
        scope = opts.rows
        checked_before = self.report.started_at - opts.max_age if opts.max_age is not None else None
        selection = Selection(shard=opts.shard, checked_before=checked_before)
        self.total = db.count_candidates(scope=scope, selection=selection)
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
        workers = [threading.Thread(target=self._worker, args=(n,), daemon=True, name=f"check-{n}") for n in range(opts.concurrency)]
        self.cutter.start()
        for worker in workers:
            worker.start()
        pending = self.pending
        last_id, fetched, exhausted, dispatched, accounted = 0, 0, False, 0, 0
        last_checked: datetime | None = None  # with --max-age the keyset is (last check, id)
        try:
            while True:
                # At most one row in flight per worker, so the cache and the circuit breaker see every
                # result before the next row goes out; fetch the next batch only when needed.
                while not self.stop.is_set() and not self.deadline.passed() and dispatched - accounted < opts.concurrency:
                    if not pending:
                        want = opts.batch_size if opts.limit is None else min(opts.batch_size, opts.limit - fetched)
                        try:
                            batch = (db.fetch_batch(last_id, want, scope=scope, selection=selection, after_checked=last_checked)
                                     if want > 0 and not exhausted else [])
                        except DatabaseLost as exc:  # the links in flight are still recorded (listed)
                            self.loss.lose(exc)
                            break
                        exhausted = exhausted or len(batch) < want or want <= 0
                        if not batch:
                            break
                        last_id, last_checked, fetched = batch[-1].id, batch[-1].last_checked, fetched + len(batch)
                        pending.extend(batch)
                    row = pending.popleft()
                    if row.id in self.marked:
                        continue
                    link = self.drives.read(row.link)
                    if isinstance(link, CheckResult) or link in self.cache:  # no request needed
                        self._record(row, link if isinstance(link, CheckResult) else self.cache[link], cached=not isinstance(link, CheckResult))
                        continue
                    if link in self.in_flight:
                        self.held.setdefault(link, []).append(row)
                        continue
                    self.in_flight.add(link)
                    self.work.put(row)
                    dispatched += 1
                if accounted == dispatched and (self.stop.is_set() or (exhausted and not pending)):
                    break
                if accounted == dispatched and self.deadline.passed():
                    # Cut short only if a row was left: when a batch ended just here, the next row tells.
                    self.report.deadline_reached = any(r.id not in self.marked for r in pending) or (
                        not exhausted and (opts.limit is None or fetched < opts.limit)
                        and bool(db.fetch_batch(last_id, 1, scope=scope, selection=selection, after_checked=last_checked)))
                    break
                try:
                    event = self.events.get(timeout=0.2)
                except queue.Empty:
                    event = None
                if event is not None:
                    accounted += self._handle(event)
                if not opts.dry_run and self.loss.lost is None:
                    try:
                        db.flush_due()  # history rows reach the database within a second of their verdict
                    except DatabaseLost as exc:
                        self.loss.lose(exc)
        except DatabaseLost as exc:
            self.loss.lose(exc)
        finally:
            for _worker in workers:
                self.work.put(None)
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

        def finish() -> None:
            if report.run_id is None:
                return
            status = "interrupted" if self.stop.signum is not None else ("aborted" if report.abort_reason else "finished")
            db.finish_run(report.run_id, report.finished_at, status=status, exit_code=int(report.exit_code),
                          counts=report.summary, detail={"options": opts.as_dict(), "abort_reason": report.abort_reason,
                                                         "counts": report.summary, "deadline": report.deadline,
                                                         "unwritten": len(self.loss.listed())})

        self.loss.end(finish, on_lost=lambda: setattr(report, "exit_code", _exit_code(report, self.stop)))
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
) -> RunReport:
    """Check every candidate row once. The caller holds the lock and has checked the account; with the
    run's `session` (the cookie every client of make_client shares), a cookie Quark rejects mid-run is
    dropped and the run goes on anonymously."""
    stop = stop or StopSignal()
    return _Run(db, make_client, options, listener or Listener(), stop, clock, sleep or stop.sleep, rng_for_worker,
                session, account, on_dead).run()
