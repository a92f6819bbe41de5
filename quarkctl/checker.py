"""The check-links job: walk cloud_resource in keyset batches, check each link, mark the dead.

Workers only talk HTTP; this module's main loop owns the database and the listener, so every
write and every line of output happens on one thread, in completion order.
"""

from __future__ import annotations

import queue
import random
import signal
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from quarkctl.db import CheckRecord, Database, ResourceRow, Selection
from quarkctl.lock import RunLock, lock_path
from quarkctl.settings import Settings
from quarkctl.errors import AuthError, ConfigError, ExitCode, Interrupted, QuarkUnreachable
from quarkctl.i18n import _
from quarkctl.linkcheck import CheckResult, LinkChecker, parse_or_result
from quarkctl.links import ShareLink
from quarkctl.pacing import Pacer, PacingPolicy, Sleeper, StopSignal
from quarkctl.quark import QuarkClient
from quarkctl.verdict import Outcome, Verdict, classify

JOB = "check-links"
COUNT_KEYS = ("total", "valid", "expired", "needs_passcode", "errors", "skipped")
_COUNT_OF = {
    Verdict.VALID: "valid",
    Verdict.EXPIRED: "expired",
    Verdict.NEEDS_PASSCODE: "needs_passcode",
    Verdict.ERROR: "errors",
    Verdict.SKIPPED: "skipped",
}
_CACHEABLE = {Verdict.VALID, Verdict.EXPIRED, Verdict.NEEDS_PASSCODE}  # errors are never cached
# Which rows a run checks: "active" (is_expired 0), "all" (--recheck-expired), "expired" (resources revive).
SCOPES = ("active", "all", "expired")
# Same-link results kept for the run: enough for the duplicates a table holds, constant memory in its size.
CACHE_SIZE = 10_000


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_max_age(text: str) -> timedelta:
    """`--max-age`: a whole number and a unit, s m h d w (`7d`, `12h`, `30m`)."""
    value = text.strip().lower()
    if len(value) >= 2 and value[:-1].isdigit() and value[-1] in _UNITS and int(value[:-1]) > 0:
        return timedelta(seconds=int(value[:-1]) * _UNITS[value[-1]])
    raise ConfigError(_("--max-age: {value!r} is not a duration like 7d, 12h or 30m (units s, m, h, d, w)").format(value=text))


def parse_shard(text: str) -> tuple[int, int]:
    """`--shard K/N`: this host takes the rows with id % N == K (0 <= K < N)."""
    k, slash, n = text.strip().partition("/")
    if slash and k.isdigit() and n.isdigit() and 0 <= int(k) < int(n):
        return int(k), int(n)
    raise ConfigError(_("--shard: {value!r} is not K/N with 0 <= K < N, e.g. 0/3, 1/3, 2/3").format(value=text))


@dataclass(frozen=True)
class CheckOptions:
    batch_size: int = 100
    limit: int | None = None
    recheck_expired: bool = False
    dry_run: bool = False
    concurrency: int = 1
    pacing: PacingPolicy = field(default_factory=PacingPolicy)
    retries: int = 2
    backoff: float = 2.0
    max_consecutive_errors: int = 5
    scope: str = "active"
    max_age: timedelta | None = None  # --max-age: only rows last checked longer ago, least recently first
    shard: tuple[int, int] | None = None  # --shard K/N: only rows with id % N == K

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, got {self.scope!r}")
        if self.shard is not None and not 0 <= self.shard[0] < self.shard[1]:
            raise ValueError(f"shard must be K/N with 0 <= K < N, got {self.shard!r}")

    @property
    def rows(self) -> str:
        """The scope in effect: recheck_expired widens the default one to every row."""
        return "all" if self.recheck_expired and self.scope == "active" else self.scope

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_size": self.batch_size,
            "limit": self.limit,
            "recheck_expired": self.recheck_expired,
            "scope": self.rows,
            "dry_run": self.dry_run,
            "concurrency": self.concurrency,
            "pacing": vars(self.pacing),
            "max_age_seconds": self.max_age.total_seconds() if self.max_age is not None else None,
            "shard": f"{self.shard[0]}/{self.shard[1]}" if self.shard else None,
        }


@dataclass(frozen=True)
class LinkOutcome:
    index: int  # 1-based, in completion order
    total: int
    row: ResourceRow
    result: CheckResult
    changed: bool  # the row's is_expired was flipped by this run
    cached: bool  # same link already checked in this run: no request made


@dataclass
class RunReport:
    started_at: datetime
    finished_at: datetime | None = None
    counts: Counter[str] = field(default_factory=Counter)
    exit_code: ExitCode = ExitCode.OK
    abort_reason: str | None = None  # cookie_rejected | circuit_breaker | interrupted
    abort_streak: int = 0  # circuit_breaker: how many links in a row failed transiently
    run_id: int | None = None
    dry_run: bool = False
    newly_expired: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, link)

    @property
    def summary(self) -> dict[str, int]:
        return {key: int(self.counts.get(key, 0)) for key in COUNT_KEYS}

    @property
    def duration(self) -> float:
        return ((self.finished_at or self.started_at) - self.started_at).total_seconds()


class Listener:
    """What the run tells the outside world; every call comes from the main thread."""

    def started(self, total: int) -> None: ...

    def link_started(self, row: ResourceRow) -> None: ...

    def waiting(self, seconds: float, kind: str) -> None: ...

    def link_done(self, outcome: LinkOutcome) -> None: ...


def verify_account(client: QuarkClient, *, sleep: Sleeper, retries: int, backoff: float, stop_signum: Callable[[], int | None] = lambda: None) -> str:
    """The account's nickname; AuthError when Quark rejects the cookie, QuarkUnreachable when it cannot tell."""
    last = None
    for attempt in range(retries + 1):
        if attempt and not sleep(backoff * 2 ** (attempt - 1)):
            raise Interrupted(_("interrupted while verifying the cookie"), stop_signum())
        reply = client.account_info()
        last = classify(reply)
        data = reply.data if isinstance(reply.data, dict) else None
        if last.outcome is Outcome.OK and data:
            return str(data.get("nickname") or "")
        if last.outcome in (Outcome.AUTH, Outcome.OK):  # OK without data: the cookie is not a login
            detail = " ".join(str(x) for x in (last.api_code, last.message) if x)
            raise AuthError(
                _("QUARK_COOKIE was rejected by Quark ({detail}): sign in at pan.quark.cn and copy a fresh cookie").format(
                    detail=detail or last.http_status
                )
            )
        if last.outcome is not Outcome.TRANSIENT:
            break
    assert last is not None
    reason = last.reason
    if last and last.api_code is not None:
        reason = f"{reason} {last.api_code} {last.message or ''}".strip()
    raise QuarkUnreachable(_("could not verify the cookie, Quark did not answer properly: {reason}").format(reason=reason))


def _exit_code(report: RunReport, stop: StopSignal) -> ExitCode:
    if stop.signum == signal.SIGINT:
        return ExitCode.SIGINT
    if stop.signum is not None:
        return ExitCode.SIGTERM
    if report.abort_reason == "cookie_rejected":
        return ExitCode.AUTH
    if report.abort_reason == "circuit_breaker":
        return ExitCode.ABORTED
    return ExitCode.LINK_ERRORS if report.counts.get("errors") else ExitCode.OK


class _Run:
    def __init__(self, db: Database, make_client: Callable[[], QuarkClient], options: CheckOptions, listener: Listener,
                 stop: StopSignal, clock: Callable[[], datetime], sleep: Sleeper,
                 rng_for_worker: Callable[[int], random.Random]) -> None:
        self.db, self.make_client, self.options, self.listener = db, make_client, options, listener
        self.stop, self.clock, self.sleep, self.rng_for_worker = stop, clock, sleep, rng_for_worker
        self.work: queue.Queue[ResourceRow | None] = queue.Queue()
        self.events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.cache: OrderedDict[ShareLink, CheckResult] = OrderedDict()  # oldest dropped past CACHE_SIZE
        self.report = RunReport(started_at=clock(), dry_run=options.dry_run)
        self.index = 0
        self.total = 0
        self.consecutive_transient = 0

    # -- workers: HTTP only ------------------------------------------------------------------

    def _worker(self, number: int) -> None:
        def on_wait(seconds: float, kind: str) -> None:
            self.events.put(("wait", seconds, kind))

        opts = self.options
        client = self.make_client()
        checker = LinkChecker(client, retries=opts.retries, backoff=opts.backoff, sleep=self.sleep, on_wait=on_wait)
        pacer = Pacer(opts.pacing, self.sleep, self.rng_for_worker(number), on_wait, monotonic=time.monotonic)
        try:
            while (row := self.work.get()) is not None:
                link = parse_or_result(row.link)
                assert isinstance(link, ShareLink)
                if self.stop.is_set() or not pacer.before_link():
                    self.events.put(("dropped", row))
                    continue
                self.events.put(("start", row))
                try:
                    result = checker.check_link(link)
                except Exception as exc:  # a bug: report it on the main thread and stop
                    self.events.put(("crash", row, exc))
                    continue
                pacer.link_done()  # the next pause starts now, while the main thread records this result
                self.events.put(("done", row, result))
        finally:
            client.close()

    # -- main thread: database and listener ---------------------------------------------------

    def _record(self, row: ResourceRow, result: CheckResult, cached: bool) -> None:
        now = self.clock()
        changed = False
        expired = result.verdict is Verdict.EXPIRED
        if not self.options.dry_run:
            if expired:
                changed = self.db.set_expired(row.id, True, now)
            elif result.verdict is Verdict.VALID and row.is_expired:
                changed = self.db.set_expired(row.id, False, now)
            record = CheckRecord(row.id, now, result.verdict.value, result.reason, result.api_code, result.http_status, result.message)
            self.db.add_check(self.report.run_id, record, flush=expired or changed)
        if expired and (changed or self.options.dry_run):
            self.report.newly_expired.append((row.id, row.name, row.link or ""))
        self.index += 1
        self.report.counts[_COUNT_OF[result.verdict]] += 1
        self.report.counts["total"] += 1
        self.listener.link_done(LinkOutcome(self.index, max(self.total, self.index), row, result, changed, cached))
        if result.auth_rejected:
            self.report.abort_reason = "cookie_rejected"
            self.stop.set(reason="cookie_rejected")
        elif result.transient:
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
            self.listener.waiting(event[1], event[2])
            return False
        if kind == "start":
            self.listener.link_started(event[1])
            return False
        if kind == "done":
            row, result = event[1], event[2]
            link = parse_or_result(row.link)
            if result.verdict in _CACHEABLE and isinstance(link, ShareLink):
                self.cache[link] = result
                if len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)
            self._record(row, result, cached=False)
            return True
        if kind == "crash":
            self.stop.set(reason="crash")
            raise event[2]
        return True  # dropped: taken by a worker after the stop

    def run(self) -> RunReport:
        opts, db = self.options, self.db
        scope = opts.rows
        checked_before = self.report.started_at - opts.max_age if opts.max_age is not None else None
        selection = Selection(shard=opts.shard, checked_before=checked_before)
        self.total = db.count_candidates(scope=scope, selection=selection)
        if opts.limit is not None:
            self.total = min(self.total, opts.limit)
        if not opts.dry_run:
            self.report.run_id = db.start_run(JOB, self.report.started_at, {"options": opts.as_dict()})
        self.listener.started(self.total)
        workers = [threading.Thread(target=self._worker, args=(n,), daemon=True, name=f"check-{n}") for n in range(opts.concurrency)]
        for worker in workers:
            worker.start()
        pending: deque[ResourceRow] = deque()
        last_id, fetched, exhausted, dispatched, accounted = 0, 0, False, 0, 0
        last_checked: datetime | None = None  # with --max-age the keyset is (last check, id)
        try:
            while True:
                # At most one row in flight per worker, so the cache and the circuit breaker see every
                # result before the next row goes out; fetch the next batch only when needed.
                while not self.stop.is_set() and dispatched - accounted < opts.concurrency:
                    if not pending:
                        want = opts.batch_size if opts.limit is None else min(opts.batch_size, opts.limit - fetched)
                        batch = (db.fetch_batch(last_id, want, scope=scope, selection=selection, after_checked=last_checked)
                                 if want > 0 and not exhausted else [])
                        exhausted = exhausted or len(batch) < want or want <= 0
                        if not batch:
                            break
                        last_id, last_checked, fetched = batch[-1].id, batch[-1].last_checked, fetched + len(batch)
                        pending.extend(batch)
                    row = pending.popleft()
                    link = parse_or_result(row.link)
                    if isinstance(link, CheckResult) or link in self.cache:  # no request needed
                        self._record(row, link if isinstance(link, CheckResult) else self.cache[link], cached=not isinstance(link, CheckResult))
                        continue
                    self.work.put(row)
                    dispatched += 1
                if accounted == dispatched and (self.stop.is_set() or (exhausted and not pending)):
                    break
                try:
                    event = self.events.get(timeout=0.2)
                except queue.Empty:
                    continue
                accounted += self._handle(event)
        finally:
            for _worker in workers:
                self.work.put(None)
            if not opts.dry_run:
                db.flush_checks()
        for worker in workers:
            worker.join()
        report = self.report
        report.finished_at = self.clock()
        if self.stop.signum is not None:
            report.abort_reason = "interrupted"
        report.exit_code = _exit_code(report, self.stop)
        if report.run_id is not None:
            status = "interrupted" if self.stop.signum is not None else ("aborted" if report.abort_reason else "finished")
            db.finish_run(report.run_id, report.finished_at, status=status, exit_code=int(report.exit_code),
                          counts=report.summary, detail={"options": opts.as_dict(), "abort_reason": report.abort_reason})
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
) -> RunReport:
    """Check every candidate row once. The caller holds the lock and has verified the account."""
    stop = stop or StopSignal()
    return _Run(db, make_client, options, listener or Listener(), stop, clock, sleep or stop.sleep, rng_for_worker).run()


def execute(
    settings: Settings,
    options: CheckOptions,
    listener: Listener,
    *,
    stop: StopSignal,
    lock_dir: Path,
    anonymous: bool = False,
    timeout: float = 15.0,
) -> RunReport:
    """The whole job: lock, database, account check, run. Raises QuarkctlError subclasses."""
    db = Database(settings.database_url, default_sqlite=settings.default_sqlite)
    cookie = None if anonymous else settings.cookie

    def make_client() -> QuarkClient:
        return QuarkClient(cookie=cookie, api_base=settings.api_base, timeout=timeout)

    try:
        with RunLock(lock_path(lock_dir, JOB, db.label), JOB):
            db.prepare_for_check(dry_run=options.dry_run)
            if cookie:
                with make_client() as client:
                    verify_account(client, sleep=stop.sleep, retries=options.retries, backoff=options.backoff,
                                   stop_signum=lambda: stop.signum)
            return run_check(db, make_client, options, listener, stop=stop)
    finally:
        db.close()
