"""`check-links --reacquire` (issue 25): after the checks, find new links for the Quark rows this run found
dead that a re-share cannot heal, with the `resources acquire` loop (quarkctl/acquire/run.py), in the same
process and under check-links' lock.

Which rows: without --reshare every Quark row this run newly found dead; with --reshare only the rows the
re-share said it cannot heal (reshare/plan.py's reasons below). A re-share that failed for a passing reason
is left to the next night's re-share: the owner still has those files, and a copy from a search would be
a second one. The acquire job's own lock is taken beside check-links' (as --reshare takes reshare's), so a
`resources acquire` run never saves the same rows at the same time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from quarkctl.acquire.run import run_acquire
from quarkctl.acquire.rows import ranked
from quarkctl.acquire.options import AcquireOptions
from quarkctl.db.database import Database
from quarkctl.db.records import ResourceRow
from quarkctl.errors import ExitCode, LockedError
from quarkctl.jobs.frame import job_lock
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.cookie import SessionCookie
from quarkctl.quark.grace import GraceCutter
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.reports.acquire import JOB as ACQUIRE_JOB, AcquireListener, AcquireReport
from quarkctl.reshare.hook import settle_exit_code
from quarkctl.reports.check import RunReport
from quarkctl.runtime.stop import StopSignal

# reshare/plan.py's reasons a dead row cannot be re-shared for, where a copy from the search service is the
# only way back: a takedown or a ban, a share Quark's review failed, a dead code no re-share heals, another
# account's share, and the shared files gone from the drive. Not several_items: the files are still in the
# owner's drive and a person re-shares them. The acquire loop itself leaves every own share alone (acquire/job.py
# own_share), so of these only other accounts' shares get a search.
REACQUIRABLE = frozenset({"taken_down", "failed_review", "cannot_heal", "not_own_share", "item_missing"})
# The acquire run's abort reasons that change check-links' exit code when its checks ended well
_ABORT_CODES = {"search_unavailable": ExitCode.SEARCH, "drive_full": ExitCode.ABORTED, "cookie_rejected": ExitCode.AUTH}


@dataclass(frozen=True)
class Reacquire:
    """What --reacquire needs beyond check-links' own: the search service (acquire/pansou.py) and the acquire
    run's options (acquire's defaults: --limit 3 saves a run)."""

    search: Any
    options: AcquireOptions


class DeadRows:
    """check-links' on_dead hook: keeps each Quark row the run found dead, in the order found."""

    def __init__(self, then: Callable[[ResourceRow, CheckResult], None] | None = None) -> None:
        self.rows: dict[int, ResourceRow] = {}
        self.then = then  # --reshare's hook, called first: it heals the row right after its marking

    def __call__(self, row: ResourceRow, result: CheckResult) -> None:
        if self.then is not None:
            self.then(row, result)
        self.rows.setdefault(row.id, row)

    def wanted(self, reshare: Any) -> list[ResourceRow]:
        """The rows to search for: with --reshare (its report), only those it positively could not heal."""
        if reshare is None:
            return list(self.rows.values())
        last = {o.resource_id: o for o in reshare.outcomes}  # a row's last word from the re-share
        return [row for row in self.rows.values() if row.id in last and last[row.id].reason in REACQUIRABLE
                and last[row.id].action in ("refused", "skipped")]


def not_now(checked: RunReport, now: datetime) -> str | None:
    """Why no search starts after these checks: they aborted (the database lost, Quark failing: their own line
    says so), or their deadline (--max-runtime, --until) passed; the rows stay marked expired for another run."""
    if checked.abort_reason in ("database_lost", "circuit_breaker"):
        return checked.abort_reason
    if checked.deadline_at is not None and now >= checked.deadline_at:
        return "deadline"
    return None


def reacquire(db: Database, make_client: Callable[[], QuarkClient], rows: list[ResourceRow], setup: Reacquire, listener: Any, *,
              stop: StopSignal, lock_dir: Path, session: SessionCookie, clock: Callable[[], datetime], checked: RunReport,
              rng: random.Random | None = None, reshared: bool = False) -> AcquireReport:
    """The acquire loop over `rows`, its acquisitions recorded under check-links' run (`checked.run_id`); `reshared`:
    --reshare chose them (its header says they are the rows a re-share cannot heal)."""
    # the checks' deadline (--until, --max-runtime) holds between the searches, checks and saves too
    options = replace(setup.options, deadline=checked.deadline_at) if checked.deadline_at is not None else setup.options
    report = AcquireReport(started_at=clock(), dry_run=options.dry_run, database=db.label, source=str(setup.search.where))
    if not rows:
        report.finished_at = report.started_at
        return report
    if stop.is_set():
        report.abort_reason = "interrupted"
    elif not session.active:  # Quark refused the cookie: saving needs it
        report.abort_reason = "cookie_rejected"
    else:
        report.abort_reason = not_now(checked, report.started_at)
    if report.abort_reason is not None:
        report.finished_at = clock()
        return report
    try:
        lock = job_lock(lock_dir, ACQUIRE_JOB, db).acquire()
    except LockedError:  # a `resources acquire` run is at work: these rows wait for it or the next night
        report.abort_reason, report.finished_at = "locked", clock()
        return report
    try:
        db.prepare_for_acquire(dry_run=options.dry_run)
        found = {r.id: r for r in db.acquire_rows(ids=[row.id for row in rows])}
        # found dead by this run: is_expired (a dry run did not write it) spares the acquire loop a second check
        wanted = [replace(found[row.id], is_expired=True) for row in rows if row.id in found]
        # A stop, or the deadline passing, ends the search or save in flight too (a PanSou that does not answer, a save
        # task Quark never finishes), STOP_GRACE s after it (an attacker's review: the deadline was overrun by a minute)
        with GraceCutter(lambda: stop.is_set() or past(options.deadline, clock)) as cutter, cutter.watch(make_client()) as client:
            cutter.watch(setup.search)  # it has abort(), all the cutter calls
            return run_acquire(db, client, setup.search, ranked, options, cast(AcquireListener, _Listener(listener, reshared)), stop=stop, source=report.source, clock=clock,
                               sleep=until(options.deadline, clock, stop), rng=rng, rows=wanted, run_id=checked.run_id)
    finally:
        lock.release()


def past(deadline: datetime | None, clock: Callable[[], datetime]) -> bool:
    return deadline is not None and clock() >= deadline


def until(deadline: datetime | None, clock: Callable[[], datetime], stop: StopSignal) -> Callable[[float], bool]:
    """The run's sleep, cut at the deadline too (False once it passed, as a stop's sleep says): the pauses and the
    retries' waits of a request the deadline's cut ended do not run on past it (an attacker's review: 26 s for an 8 s
    deadline, a save's task polls retried with their back-off)."""

    def sleep(seconds: float) -> bool:
        if deadline is None:
            return stop.sleep(seconds)
        left = (deadline - clock()).total_seconds()
        if left <= 0:
            return False
        return stop.sleep(min(seconds, left)) and seconds <= left

    return sleep


class _Listener:
    """check-links' reporter as the acquire loop's listener: its pauses go to `acquire_waiting` (the check's
    own `waiting` words a check's pauses), everything else as it is."""

    def __init__(self, listener: Any, reshared: bool = False) -> None:
        self.listener, self.reshared = listener, reshared

    def acquire_started(self, total: int, **kwargs: Any) -> None:
        getattr(self.listener, "acquire_started", lambda *args, **kw: None)(total, reshared=self.reshared, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.listener, name, lambda *args, **kwargs: None)

    def waiting(self, seconds: float, kind: str, cause: Any = None) -> None:
        getattr(self.listener, "acquire_waiting", lambda *args: None)(seconds, kind, cause)


def with_reacquire(report: RunReport, reacquired: AcquireReport, db: Database | None = None, *,
                   stop: StopSignal | None = None) -> RunReport:
    """check-links' report with its re-acquisitions, and their exit code folded in when the checks ended well:
    the search service down or refusing 7, a full drive 4, the cookie refused while saving 3, a take that
    failed (saved or shared only in part: a person looks) 1; the first three over a check's exit 1 too; a signal
    during them (`stop`) 130/143 and `interrupted`, the run's history too. A row left dead because no search result
    passed is not a failure of the night's job: it is marked expired, listed, and in the notification."""
    report.reacquire = reacquired
    checked = int(report.exit_code)
    if stop is not None and stop.signum is not None and report.abort_reason is None:
        # a SIGINT or SIGTERM during the searches stops the whole run: 130/143 and `interrupted` in its JSON and
        # history as in the checks' (a new user's review: exit 143, but JSON and history said 0, finished)
        report.abort_reason, report.exit_code = "interrupted", ExitCode.for_signal(stop.signum)
        reacquired.abort_reason = reacquired.abort_reason or "interrupted"
        reacquired.exit_code = report.exit_code
        return settle_exit_code(report, checked, db, interrupted=True)
    if checked in (ExitCode.OK, ExitCode.LINK_ERRORS) and reacquired.abort_reason in _ABORT_CODES:
        report.exit_code = _ABORT_CODES[reacquired.abort_reason]  # says more than exit 1 would: what to mend
    elif checked == ExitCode.OK and any(o.action == "failed" for o in reacquired.outcomes):
        report.exit_code = ExitCode.LINK_ERRORS
    reacquired.exit_code = report.exit_code
    return settle_exit_code(report, checked, db)
