"""A re-acquisition run over its rows (issue 25): `resources acquire` in its run frame, or check-links --reacquire's
rows under check-links' run. Each row: the recovery first (acquire/recover.py), then its old link checked, a link
already made for its dead share given again (acquire/made.py), else the search, the check and the save
(acquire/job.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from quarkctl.acquire.job import _ABORTS, Acquirer, Rank, Search, _Abort, _words
from quarkctl.acquire.made import key_of
from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.pansou_answer import QueryRefused, SearchUnavailable
from quarkctl.acquire.recover import recover
from quarkctl.acquire.rows import ranked, wanted_rows
from quarkctl.acquire.verify import Verifier
from quarkctl.config.settings import Settings
from quarkctl.db.acquire import WantedRow
from quarkctl.db.database import Database
from quarkctl.errors import QuarkctlError
from quarkctl.i18n import ngettext
from quarkctl.jobs.frame import run_frame
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout
from quarkctl.quark.grace import GraceCutter
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.reports.acquire import JOB, AcquireListener, AcquireOutcome, AcquireReport
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.pacing import Sleeper
from quarkctl.runtime.stop import StopSignal, exit_code

MB = 1024 * 1024


def _one(acquirer: Acquirer, row: WantedRow, options: AcquireOptions) -> None:
    if row.other_drive:  # acquire saves and shares on Quark: another drive's row is left alone
        acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "not_quark_row"))
        return
    if row.missing:  # a named id the table does not have
        acquirer._tell(AcquireOutcome(row.id, "", "", "skipped", "no_such_row"))
        return
    if not row.name.strip():  # nothing to search for ("", "   ", "\u3000": an attacker's review, issue 25, exit 70)
        if row.id is not None:  # said once: not given a link later as a row of a named row's dead share
            acquirer.handled.add(row.id)
        acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "no_name"))
        return
    acquirer.listener.considering(row.name)
    # A live link is never replaced (a row marked so is unmarked), one of the account's own shares included: it is
    # said to be alive, not "left alone: one of your own shares" (a new user's review, issue 25)
    if row.link and acquirer.alive(row) is not None:
        return
    if row.link and acquirer.own_share(row):
        acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "own_share"))
        return
    old = key_of(row.link) if row.link else None
    made = acquirer.made.for_share(old) if old is not None else None
    # an earlier run replaced this dead share for another row: that link, unless it died since (give says None)
    outcome = (acquirer.give(row, made, "same_share") if made is not None else None) or acquirer.consider(row)
    acquirer.after(row, outcome)


def run_acquire(db: Database, client: QuarkClient, search: Search, rank: Rank, options: AcquireOptions, listener: AcquireListener,
                *, stop: StopSignal, source: str = "", clock: Callable[[], datetime] = utcnow, sleep: Sleeper | None = None,
                rng: random.Random | None = None, rows: list[WantedRow] | None = None, run_id: int | None = None) -> AcquireReport:
    """`resources acquire`, the caller holding the lock; check-links --reacquire gives its `rows` and its run (`run_id`)."""
    sleep = sleep or stop.sleep
    report = AcquireReport(started_at=clock(), dry_run=options.dry_run, database=db.label, source=source)
    own_run, start = rows is None, {"options": options.as_dict()}  # rows given: check-links' run records them
    report.run_id = run_id if not own_run else None if options.dry_run else db.start_run(JOB, report.started_at, start)
    session = DriveSession(client, sleep=sleep, retries=options.retries, backoff=options.backoff,
                           task_timeout=options.task_timeout, on_wait=listener.waiting)
    checker = LinkChecker(client, retries=options.retries, backoff=options.backoff, sleep=sleep, on_wait=listener.waiting)
    verifier = Verifier(checker, session, min_video_bytes=options.min_video_mb * MB)
    acquirer = Acquirer(db, session, verifier, search, rank, options, listener, report, clock=clock,
                        sleep=sleep, rng=rng or random.Random(), stop=stop)
    listener.acquire_started(len(wanted_rows(db, options) if rows is None else rows), database=db.label, source=source)
    try:
        recover(acquirer)
        # Read after the recovery: a new name's row it inserted is that row now (an attacker's review, issue 25: the
        # same title was searched and saved again in the run that recovered it)
        rows = wanted_rows(db, options) if rows is None else rows
        recovered = {o.resource_id for o in report.outcomes if o.resource_id is not None}
        for row in rows:
            if (row.id is not None and row.id in recovered | acquirer.handled) or row.name in acquirer.waiting:
                continue
            try:
                _one(acquirer, row, options)
            except (ApiFailure, TaskTimeout, SearchUnavailable) as exc:
                if acquirer.late():  # the deadline's cut (checker/reacquire.py) ended the request: not Quark's failing
                    acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "deadline"))
                elif isinstance(exc, QueryRefused):  # this row's search only (pansou_answer.py): the next row goes on
                    acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "failed", "query_refused", message=exc.detail))
                elif isinstance(exc, SearchUnavailable):
                    raise
                else:
                    # Quark failing outside the checks (its share list, the folder lookup; an attacker's review, issue
                    # 25: exit 70): the row fails and keeps its link, a save begun stays pending for the recovery
                    acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "failed", "quark_failed", **_words(exc)))
    except _Abort as exc:
        report.abort_reason, report.abort_detail = exc.reason, exc.detail
    except SearchUnavailable as exc:
        report.abort_reason, report.abort_detail = "search_unavailable", str(exc)
    report.finished_at = clock()
    if report.abort_reason is not None:
        told = {(o.resource_id, o.name if o.resource_id is None else "") for o in report.outcomes}
        report.not_reached = sum(1 for row in rows or [] if (row.id, row.name if row.id is None else "") not in told
                                 and (row.id is None or row.id not in acquirer.handled))
    if stop.signum is not None:
        report.abort_reason = "interrupted"
    report.exit_code = exit_code(stop, report.abort_reason, _ABORTS, failed=bool(report.problems))
    if report.run_id is not None and own_run:
        db.finish_run(report.run_id, report.finished_at, status="aborted" if report.abort_reason else "finished",
                      exit_code=int(report.exit_code), counts={"total": report.summary["total"], "skipped": report.summary["skipped"]},
                      detail={"options": options.as_dict(), "abort_reason": report.abort_reason, "counts": report.summary})
    return report


class UnknownIds(QuarkctlError):
    """`resources acquire 3 999`: an id the table does not have; nothing is done (as `resources set-status`)."""


def execute(settings: Settings, search: Any, options: AcquireOptions, listener: AcquireListener, *, stop: StopSignal,
            lock_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> AcquireReport:
    """The whole job: the run frame (database, the job's lock), the account's client, the run. An id the table does
    not have refuses the run whole before any request (a new user's review, issue 25: the others were saved)."""
    with run_frame(settings, JOB, stop=stop, lock_dir=lock_dir, dry_run=options.dry_run,
                   prepare=lambda db: db.prepare_for_acquire(dry_run=options.dry_run)) as db:
        if options.ids and (missing := sorted(set(options.ids) - set(db.get_resources(list(options.ids), history=False)))):
            raise UnknownIds(ngettext("no resource with id {ids}; nothing was changed", "no resources with ids {ids}; nothing was changed",
                                      len(missing)).format(ids=", ".join(map(str, missing))))
        with GraceCutter(stop.is_set) as cut, cut.watch(QuarkClient(cookie=settings.cookie, api_base=settings.api_base,
                                                                     timeout=timeout)) as client:
            cut.watch(search)  # a stop ends a search PanSou does not answer too, STOP_GRACE s after it (quark/grace.py)
            return run_acquire(db, client, search, ranked, options, listener, stop=stop, source=search.where)
