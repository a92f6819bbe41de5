"""Run re-shares: recover what a crashed run left, plan each row, create its share, update the row.

Order of writes for one row: the intent (quarkctl_reshare, pending), then `POST share`, then one
transaction with the row's new link and the intent done. A crash in between leaves a pending
intent; the next run finds the share in the account's list by title and first fid and finishes
the row instead of creating a second share (share-api.md 1.2 step 5).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from quarkctl.config.settings import Settings
from quarkctl.db.database import Database
from quarkctl.db.records import ResourceRow
from quarkctl.errors import ExitCode
from quarkctl.reshare.options import ReshareOptions
from quarkctl.jobs.frame import run_frame
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.runtime.pacing import Pacer, Sleeper
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.stop import StopSignal, exit_code
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout
from quarkctl.quark.linkcheck import CheckResult, LinkChecker, parse_or_result
from quarkctl.quark.links import ROOT_FID, ShareLink
from quarkctl.quark.shares import EXPIRY_TYPES, REFUSED_CODES, OwnShare, Shares
from quarkctl.quark.verdict import Outcome, Verdict
from quarkctl.reports.reshare import JOB, ReshareListener, ReshareOutcome, ReshareReport
from quarkctl.reshare.plan import Plan, plan_row, same_share

T = TypeVar("T")


class CookieRejected(Exception):
    """Quark refused the account's cookie: the run stops (exit 3)."""


class Resharer:
    """Re-shares rows one at a time for one account; the own-share list is read once, on first use."""

    def __init__(self, db: Database, session: DriveSession, options: ReshareOptions, listener: ReshareListener,
                 report: ReshareReport, *, clock: Callable[[], datetime], sleep: Sleeper, rng: random.Random,
                 stop: StopSignal) -> None:
        self.db, self.session, self.shares = db, session, Shares(session)
        self.options, self.listener, self.report, self.clock, self.stop = options, listener, report, clock, stop
        self.pacer = Pacer(options.pacing, sleep, rng, listener.waiting)
        self.own: dict[str, OwnShare] | None = None
        self.folders: dict[str, set[str] | None] = {}  # drive folder -> fids in it (None: no such folder)
        self.created = 0
        self.renewed: dict[int, str] = {}  # resource id -> the new link this run gave it

    # -- what the run reads once ------------------------------------------------------------------

    def own_shares(self) -> dict[str, OwnShare]:
        if self.own is None:
            self.own = {share.pwd_id: share for share in self._guard(self.shares.mine)}
        return self.own

    def _guard(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except ApiFailure as exc:
            if exc.outcome is Outcome.AUTH:
                raise CookieRejected(exc.message) from None
            raise

    def _folder_fids(self, path: str) -> set[str] | None:
        if path not in self.folders:
            if path in ("", "/"):
                parent: str | None = ROOT_FID
            else:
                parent = self.session.path_fids([path]).get(path)
            self.folders[path] = None if parent is None else {str(i.get("fid")) for i in self.session.list_dir(parent)}
        return self.folders[path]

    def in_drive(self, path: str, fids: list[str]) -> bool:
        found = self._guard(lambda: self._folder_fids(path))
        return isinstance(found, set) and all(fid in found for fid in fids)

    # -- crash recovery ---------------------------------------------------------------------------

    def recover(self) -> None:
        """Finish what a crashed run left: a pending intent whose share is in the list is completed;
        one whose share is not was never made and is dropped (its row is planned again)."""
        for intent in self.db.pending_reshares():
            fids = intent["fid_list"]
            found = next((s for s in self.own_shares().values()
                          if s.title == intent["title"] and fids and s.first_fid == fids[0] and s.status == 1
                          and intent["old_link"].find(f"/s/{s.pwd_id}") < 0), None)
            row = ResourceRow(intent["resource_id"], intent["name"] if "name" in intent else intent["title"], intent["old_link"], True)
            if found is None:
                if not self.options.dry_run:
                    self.db.abandon_reshare(intent["id"], self.clock())
                continue
            if self.options.dry_run:
                self._tell(ReshareOutcome(row.id, intent["title"], row.link or "", "planned", "recover", path=found.path_info))
                continue
            info = self._guard(lambda: self.shares.link(found.share_id))
            others = self._siblings(row)
            self.db.finish_reshare(intent["id"], row.id, new_link=info.link, share_id=info.share_id, pwd_id=info.pwd_id,
                                   now=self.clock(), run_id=self.report.run_id, others=others)
            self.own_shares()[info.pwd_id] = found
            for each in [row, *others]:
                self.renewed[each.id] = info.link
                self._tell(ReshareOutcome(each.id, intent["title"] if each is row else each.name, each.link or "", "recovered",
                                          intent["reason"], new_link=info.link, path=found.path_info))

    def _siblings(self, row: ResourceRow) -> list[ResourceRow]:
        """The other rows of the row's share (check-links marks them all dead: reason same_share)."""
        link = parse_or_result(row.link)
        if not isinstance(link, ShareLink):
            return []
        return [r for r in self.db.share_rows(link.pwd_id, same_share(link)) if r.id != row.id and r.id not in self.renewed]

    # -- one row ----------------------------------------------------------------------------------

    def _tell(self, outcome: ReshareOutcome) -> ReshareOutcome:
        self.report.outcomes.append(outcome)
        self.listener.reshared(outcome)
        return outcome

    def consider(self, row: ResourceRow, dead: CheckResult | None, *, named: bool = False) -> ReshareOutcome:
        """Plan the row and, unless --dry-run, re-share it. A row this run already gave a new link (it
        shares its old share with a row before it) is not considered again."""
        if row.id in self.renewed:
            return next(o for o in reversed(self.report.outcomes) if o.resource_id == row.id)
        planned = plan_row(row, dead, self.own_shares(), now=self.clock(), within=self.options.expiring_within,
                           recorded_fids=self.db.recorded_fids, in_drive=self.in_drive, named=named)
        if isinstance(planned, ReshareOutcome):
            return self._tell(planned)
        if self.options.dry_run:
            return self._tell(self._outcome(planned, "planned"))
        if self.options.limit is not None and self.created >= self.options.limit:
            return self._tell(self._outcome(planned, "skipped", reason="limit"))
        if self.stop.is_set() or not self.pacer.before_link():  # 3-6 s between share creations
            return self._tell(self._outcome(planned, "skipped", reason="interrupted"))
        return self._create(planned)  # tells each row it updated, this one first

    @staticmethod
    def _outcome(plan: Plan, action: str, *, reason: str | None = None, new_link: str | None = None,
                 failure: ApiFailure | None = None, named: bool = False) -> ReshareOutcome:
        return ReshareOutcome(plan.row.id, plan.row.name, plan.row.link or "", action, reason or plan.reason, new_link=new_link,
                              path=plan.path, api_code=failure.classified.api_code if failure else None,
                              message=failure.message if failure else None, named=named)

    def _create(self, plan: Plan) -> ReshareOutcome:
        intent = self.db.reshare_intent(self.report.run_id, plan.row.id, plan.row.link or "", plan.fids, plan.title,
                                        plan.reason, self.clock())
        self.created += 1
        try:
            share_id = self._guard(lambda: self.shares.create(plan.fids, plan.title, passcode=plan.passcode,
                                                              expired_type=EXPIRY_TYPES[self.options.expiry]))
        except ApiFailure as exc:
            # Quark said no: nothing was made, so the intent is dropped (a lost answer stays pending: TaskTimeout).
            self.db.abandon_reshare(intent, self.clock())
            if exc.classified.api_code in REFUSED_CODES:
                return self._tell(self._outcome(plan, "refused", reason="failed_review", failure=exc))
            return self._tell(self._outcome(plan, "failed", reason="create_failed", failure=exc))
        except TaskTimeout:
            return self._tell(self._outcome(plan, "failed", reason="task_timeout"))
        try:
            info = self._guard(lambda: self.shares.link(str(share_id)))
        except ApiFailure as exc:
            # The share exists but its link did not come: the intent stays pending and the next run finds
            # the share in the list by title and first fid (share-api.md 1.2 step 5), not making a second.
            return self._tell(self._outcome(plan, "failed", reason="link_failed", failure=exc))
        others = self._siblings(plan.row)
        self.db.finish_reshare(intent, plan.row.id, new_link=info.link, share_id=info.share_id, pwd_id=info.pwd_id,
                               now=self.clock(), run_id=self.report.run_id, others=others)
        self.renewed[plan.row.id] = info.link
        outcome = self._tell(self._outcome(plan, "reshared", new_link=info.link))
        for other in others:
            self.renewed[other.id] = info.link
            self._tell(ReshareOutcome(other.id, other.name, other.link or "", "reshared", plan.reason, new_link=info.link,
                                      path=plan.path))
        if self.options.cancel_old and plan.old.status == 1:
            try:
                self._guard(lambda: self.shares.cancel([plan.old.share_id]))
            except ApiFailure:
                pass  # the new link is in place; the old share ends by itself
        return outcome


def dead_verdict(db: Database, checker: LinkChecker, row: ResourceRow, *, named: bool = False) -> CheckResult | None:
    """Why a row is dead: its last check when that said expired, else a check now; None when alive.
    A row not marked expired is taken as alive (check-links keeps that column true), unless the user
    named it: then it is checked now, since its share may have died since the last check-links run."""
    link = parse_or_result(row.link)
    if not isinstance(link, ShareLink) or not (row.is_expired or named):
        return None
    if not row.is_expired:
        result = checker.check_link(link)
        return result if result.verdict is Verdict.EXPIRED else None
    last = db.checks_of(row.id, limit=1) if "quarkctl_check" in db.existing_tables() else []
    if last and last[0]["verdict"] == Verdict.EXPIRED.value:
        check = last[0]
        return CheckResult(Verdict.EXPIRED, check["reason"], check["api_code"], check["http_status"], check["message"])
    result = checker.check_link(link)
    return result if result.verdict is Verdict.EXPIRED else None


_ABORTS = {"cookie_rejected": ExitCode.AUTH}  # the exit code of each reason a re-share run aborts for


def run_reshare(db: Database, client: QuarkClient, options: ReshareOptions, listener: ReshareListener, *,
                stop: StopSignal, clock: Callable[[], datetime] = utcnow, sleep: Sleeper | None = None,
                rng: random.Random | None = None) -> ReshareReport:
    """`resources reshare`: the caller holds the lock. Recover, then the named rows, or the expired and
    expiring ones."""
    sleep = sleep or stop.sleep
    report = ReshareReport(started_at=clock(), dry_run=options.dry_run, database=db.label)
    if not options.dry_run:
        report.run_id = db.start_run(JOB, report.started_at, {"options": options.as_dict()})
    session = DriveSession(client, sleep=sleep, retries=options.retries, backoff=options.backoff,
                           task_timeout=options.task_timeout, on_wait=listener.waiting)
    checker = LinkChecker(client, retries=options.retries, backoff=options.backoff, sleep=sleep, on_wait=listener.waiting)
    resharer = Resharer(db, session, options, listener, report, clock=clock, sleep=sleep, rng=rng or random.Random(), stop=stop)
    rows = _rows(db, options)
    listener.reshare_started(len(rows), database=db.label)  # the database in the first line (issue 23)
    try:
        resharer.recover()
        done = {o.resource_id for o in report.outcomes}
        for row in rows:
            if stop.is_set():
                break
            if row.id in done:
                continue
            if row.link is None:  # a named id that is not in the table (or has no Quark link)
                resharer._tell(ReshareOutcome(row.id, row.name, "", "skipped", "no_such_row", named=True))
                continue
            named = bool(options.ids)
            listener.considering(row.id, row.name)
            resharer.consider(row, dead_verdict(db, checker, row, named=named), named=named)
    except CookieRejected:
        report.abort_reason = "cookie_rejected"
    report.finished_at = clock()
    if stop.signum is not None:
        report.abort_reason = "interrupted"
    report.exit_code = exit_code(stop, report.abort_reason, _ABORTS, failed=bool(report.problems))
    if report.run_id is not None:
        counts = report.summary
        # Its own counts in the detail (ops/history.py reads them there); of quarkctl_run's columns only the two
        # that mean the same for a re-share run: rows considered and rows skipped. valid/errors stay check-links'.
        db.finish_run(report.run_id, report.finished_at, status="aborted" if report.abort_reason else "finished",
                      exit_code=int(report.exit_code), counts={"total": counts["total"], "skipped": counts["skipped"]},
                      detail={"options": options.as_dict(), "abort_reason": report.abort_reason, "counts": counts})
    return report


def _rows(db: Database, options: ReshareOptions) -> list[ResourceRow]:
    if options.ids:
        found = {row.id: row for row in db.reshare_rows(ids=options.ids)}
        return [found.get(i, ResourceRow(i, "", None, False)) for i in sorted(set(options.ids))]
    rows: dict[int, ResourceRow] = {}
    if options.all_expired:
        rows.update((r.id, r) for r in db.reshare_rows(expired=True))
    if options.expiring_within is not None:
        rows.update((r.id, r) for r in db.reshare_rows(expired=False))
    return [rows[i] for i in sorted(rows)]


def execute(settings: Settings, options: ReshareOptions, listener: ReshareListener, *, stop: StopSignal, lock_dir: Path,
            timeout: float = DEFAULT_TIMEOUT) -> ReshareReport:
    """The whole job: the run frame (database, lock), the account's client, the run."""
    with run_frame(settings, JOB, stop=stop, lock_dir=lock_dir, dry_run=options.dry_run, prepare=lambda db: db.prepare_for_reshare(dry_run=options.dry_run)) as db:
        with QuarkClient(cookie=settings.cookie, api_base=settings.api_base, timeout=timeout) as client:
            return run_reshare(db, client, options, listener, stop=stop)

