"""Run a re-acquisition (issue 25): for each dead row (or new name) search the user's own search service,
rank the results, check the best few, save the first that passes into the owner's drive, share it as the
owner's link and give the row that link.

Order of writes for one row: the intent (quarkctl_acquire, pending, naming the folder), then the save, the
share, and one transaction with the row's new link and the intent done. A crash in between leaves a pending
intent: the next run shares what is in that folder instead of saving again (recover()). Nothing in the drive
is ever deleted or overwritten: each save goes into a folder that did not exist (take.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from quarkctl.acquire.choose import listed, preference
from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.rank import Wanted
from quarkctl.acquire.rows import ranked, wanted_rows
from quarkctl.acquire.pansou_answer import SearchUnavailable
from quarkctl.config.settings import Settings
from quarkctl.acquire.take import NoFreeFolder, folder_for, free_folder, is_empty, save_into, share_saved, videos_in
from quarkctl.acquire.verify import Verified, Verifier, candidate_link
from quarkctl.db.acquire import WantedRow
from quarkctl.db.database import Database
from quarkctl.errors import ExitCode
from quarkctl.jobs.frame import run_frame
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout
from quarkctl.quark.grace import GraceCutter
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.shares import REFUSED_CODES, Shares
from quarkctl.quark.verdict import Outcome, Verdict
from quarkctl.reports.acquire import JOB, AcquireListener, AcquireOutcome, AcquireReport, Considered
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.pacing import Pacer, Sleeper
from quarkctl.runtime.stop import StopSignal, exit_code

SAVE_SETTLES = timedelta(days=1)  # an unfinished save's empty folder is waited for this long before the row is tried again
CAPACITY_CODE = 32003  # capacity limit: the drive is full (quark-api.md 4.1, a task-level failure)
_ABORTS = {"cookie_rejected": ExitCode.AUTH, "search_unavailable": ExitCode.SEARCH, "drive_full": ExitCode.ABORTED}


class Candidate(Protocol):
    url: str
    password: str
    note: str
    source: str


class Choice(Protocol):
    """A search result as the ranking weighed it (acquire/rank.py)."""

    candidate: Any
    score: int
    kept: bool
    reason: str
    detail: Any


class Search(Protocol):
    def search(self, keyword: str) -> Sequence[Candidate]: ...


Rank = Callable[[WantedRow, Sequence[Candidate]], Sequence[Choice]]


class _Abort(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail




class Acquirer:
    def __init__(self, db: Database, session: DriveSession, verifier: Verifier, search: Search, rank: Rank,
                 options: AcquireOptions, listener: AcquireListener, report: AcquireReport, *, clock: Callable[[], datetime],
                 sleep: Sleeper, rng: random.Random, stop: StopSignal) -> None:
        self.db, self.session, self.verifier, self.search, self.rank = db, session, verifier, search, rank
        self.options, self.listener, self.report, self.clock, self.stop = options, listener, report, clock, stop
        self.search_pacer = Pacer(options.search_pacing, sleep, rng, listener.waiting)
        self.check_pacer = Pacer(options.check_pacing, sleep, rng, listener.waiting)
        self.save_pacer = Pacer(options.save_pacing, sleep, rng, listener.waiting)
        self.saved = 0
        self.own: set[str] | None = None  # the account's own shares' pwd_ids, read once
        self.waiting: set[str] = set()
        self.retry_folder: str | None = None  # the empty folder a refused save of this row left: the next result's  # names whose unfinished save the recovery dealt with: not searched this run
        self.renewed: dict[str, AcquireOutcome] = {}  # dead share's pwd_id -> the outcome that replaced it this run

    def _tell(self, outcome: AcquireOutcome) -> AcquireOutcome:
        self.report.outcomes.append(outcome)
        self.listener.acquired(outcome)
        return outcome

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ApiFailure as exc:
            if exc.outcome is Outcome.AUTH:
                raise _Abort("cookie_rejected", exc.message) from None
            if exc.classified.api_code == CAPACITY_CODE:
                raise _Abort("drive_full", exc.message) from None
            raise

    # -- crash recovery -----------------------------------------------------------------------------

    def recover(self) -> None:
        """A pending intent's folder holds what a crashed run saved: share it and finish the row. An empty folder
        may still be filling (Quark runs a save task on its own after the run died: an attacker's review, issue 25),
        so the row waits a day before the intent is dropped and the row tried again like any other."""
        for intent in self.db.pending_acquires():
            path = str(intent["saved_path"] or "")
            row = WantedRow(intent["resource_id"], intent["name"], "", intent["old_link"], True)
            taken = Considered(intent["candidate_link"], intent["candidate_note"] or "", intent["source"] or "", 0, "recover")
            try:
                fid = self._guard(lambda: self.session.path_fids([path]).get(path)) if path else None
                # done when it holds the result's video files (recorded with the intent): a save cut short holds
                # fewer, and a share of it would give the row an incomplete work (a review of issue 25)
                held = self._guard(lambda: videos_in(self.session, str(fid))) if fid else None
                full = held is not None and held[0] > 0 and held[1] >= (intent.get("videos") or 0)
            except (ApiFailure, TaskTimeout) as exc:
                self.waiting.add(row.name)
                self._tell(AcquireOutcome(row.id, row.name, row.link, "failed", "share_failed", taken=taken, path=path, **_words(exc)))
                continue
            if not full:
                created = intent.get("created_at")
                if fid and created is not None and self.clock() - created < SAVE_SETTLES:
                    self.waiting.add(row.name)
                    self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "save_pending", taken=taken, path=path))
                elif not self.options.dry_run:
                    self.db.abandon_acquire(intent["id"], self.clock())
                continue
            self.waiting.add(row.name)
            if self.options.dry_run:
                self._tell(AcquireOutcome(row.id, row.name, row.link, "planned", "recover", taken=taken, path=path))
                continue
            try:
                link = self._guard(lambda: share_saved(self.session, str(fid), row.name))
            except (ApiFailure, TaskTimeout) as exc:
                # Still no share (a new user's review, issue 25: this crashed every later run with exit 70): a refusal
                # of the content is final, the intent dropped and the files left where they are; anything else waits
                # for the next run
                refused = isinstance(exc, ApiFailure) and exc.classified.api_code in REFUSED_CODES
                if refused:
                    self.db.abandon_acquire(intent["id"], self.clock())
                self._tell(AcquireOutcome(row.id, row.name, row.link, "failed", "share_refused" if refused else "share_failed",
                                          taken=taken, path=path, **_words(exc)))
                continue
            row_id = self.db.finish_acquire(intent["id"], row, new_link=link, videos=0, now=self.clock(), run_id=self.report.run_id)
            action = "failed" if row_id is None else ("added" if row.id is None else "replaced")
            self._tell(AcquireOutcome(row_id or row.id, row.name, row.link, action, "row_changed" if row_id is None else "recovered",
                                      new_link=link, taken=taken, path=path))

    # -- one row ------------------------------------------------------------------------------------

    def alive(self, row: WantedRow) -> bool:
        """Every row's link is checked now, marked expired or not (a new user's review, issue 25: a row marked
        expired by mistake, or by the column's default, had its live link replaced): only a dead answer lets the run
        replace it; an error, or a link no request can be made for, keeps it (a person fixes or clears it)."""
        if not self.check_pacer.before_link():
            return True  # interrupted: nothing is replaced
        result = self._guard(lambda: self.verifier.checker.check(row.link))
        return result.verdict is not Verdict.EXPIRED

    def own_pwd_ids(self) -> set[str]:
        if self.own is None:
            self.own = {share.pwd_id for share in self._guard(lambda: Shares(self.session).mine())}
        return self.own

    def own_share(self, row: WantedRow) -> bool:
        """The row's link is one of this account's own shares: `resources reshare` re-creates it from the files
        still in the drive, and a takedown of one is never worked around with another copy (the account's risk);
        either way not a search's business."""
        link = candidate_link(row.link, "")
        if link is None:
            return False
        return link.pwd_id in self.own_pwd_ids()

    def consider(self, row: WantedRow) -> AcquireOutcome:
        self.retry_folder = None
        if self.stop.is_set():
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "interrupted"))
        if self.saved >= self.options.limit:  # a dry run plans what the real run would save: no more
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "limit"))
        if not self.search_pacer.before_link():  # 2-4 s between searches
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "interrupted"))
        found = self.search.search(row.name)
        choices = list(self.rank(row, found))
        tried = 0
        need = self.db.known_videos(row.id) if row.id is not None else None
        # Every kept result up to --candidates is checked, then the one to take chosen (acquire/choose.py)
        passed: dict[int, Verified] = {}
        reasons: dict[int, str] = {}
        for n, choice in enumerate(choices):
            if not choice.kept or tried >= self.options.candidates:
                continue
            tried += 1
            if self.stop.is_set() or not self.check_pacer.before_link():
                considered = listed(choices[:n], reasons, {i: v.videos for i, v in passed.items()})
                return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "interrupted", considered=considered))
            c = choice.candidate
            own = candidate_link(str(c.url), "")
            if own is not None and own.pwd_id in self.own_pwd_ids():  # a channel reposting the owner's own links
                reasons[n] = "own_share"
                continue
            verified = self._guard(lambda: self.verifier.verify(str(c.url), str(c.password or ""), need_videos=need))
            if isinstance(verified, str):
                reasons[n] = verified
            else:
                passed[n], reasons[n] = verified, "not_chosen"
        order = sorted(passed)
        series = Wanted.of_row(row.name, row.alias or None).season is not None
        for n in [order[i] for i in preference([(choices[i].detail, passed[i].videos) for i in order], series=series)]:
            reasons[n] = "ok"
            considered = listed(choices, reasons, {i: v.videos for i, v in passed.items()})
            outcome = self._take(row, passed[n], considered[n], considered)
            if outcome is not None:
                return outcome
            reasons[n] = "save_refused"  # Quark saved nothing of it: the next result
        considered = listed(choices, reasons, {i: v.videos for i, v in passed.items()})
        reason = "no_result" if not choices else "none_passed"
        return self._tell(AcquireOutcome(row.id, row.name, row.link, "left_dead", reason, considered=considered))

    def same_share(self, row: WantedRow, first: AcquireOutcome) -> AcquireOutcome:
        """A row holding the same dead share as one this run replaced gets the same new link: one save, one share
        (a new user's review, issue 25: each row saved its own copy), its own entry in the chain."""
        taken = first.taken
        assert taken is not None
        base = AcquireOutcome(row.id, row.name, row.link, "planned", "same_share", new_link=first.new_link, taken=taken,
                              path=first.path)
        if self.options.dry_run or first.new_link is None:
            return self._tell(base)
        intent = self.db.acquire_intent(self.report.run_id, row, candidate_link=taken.url, note=taken.note, source=taken.source,
                                        saved_path=first.path or "", now=self.clock())
        row_id = self.db.finish_acquire(intent, row, new_link=first.new_link, videos=0, now=self.clock(), run_id=self.report.run_id)
        return self._tell(replace(base, action="replaced" if row_id is not None else "failed",
                                  reason="same_share" if row_id is not None else "row_changed"))

    def _take(self, row: WantedRow, verified: Verified, taken: Considered, considered: tuple[Considered, ...]) -> AcquireOutcome | None:
        """The save, the share and the row; None when Quark saved nothing of this result (try the next one)."""
        wanted = folder_for(self.options.savepath, row.name)
        base = AcquireOutcome(row.id, row.name, row.link, "planned", "acquired", taken=taken, path=wanted, considered=considered)
        try:  # a dry run names the folder the real run would use (its lookup only reads)
            path = self.retry_folder or self._guard(lambda: free_folder(self.session, wanted))
        except NoFreeFolder:
            return self._tell(replace(base, action="failed", reason="no_free_folder"))
        base = replace(base, path=path)
        if self.options.dry_run:
            self.saved += 1
            return self._tell(base)
        if self.stop.is_set() or not self.save_pacer.before_link():  # 3-6 s between saves
            return self._tell(replace(base, action="skipped", reason="interrupted"))
        intent = self.db.acquire_intent(self.report.run_id, row, candidate_link=taken.url, note=taken.note,
                                        source=taken.source, saved_path=path, now=self.clock(), videos=verified.videos)
        self.saved += 1
        try:
            folder = self._guard(lambda: save_into(self.session, verified, path))
        except _Abort:
            self.db.abandon_acquire(intent, self.clock())
            raise
        except ApiFailure as exc:
            if self._guard(lambda: is_empty(self.session, path)):
                # Quark saved nothing (it refuses to save the owner's own share, 41017; an attacker's review): the
                # intent is dropped and the next result is saved into the same empty folder
                self.db.abandon_acquire(intent, self.clock())
                self.saved -= 1
                self.retry_folder = path
                return None
            # Quark may have saved part of it: the folder stays (nothing is deleted) and the intent pending,
            # so the next run shares what is there (recover) instead of saving it again
            return self._tell(replace(base, action="failed", reason="save_failed", path=path, **_words(exc)))
        except TaskTimeout as exc:
            return self._tell(replace(base, action="failed", reason="save_failed", path=path, **_words(exc)))
        try:
            link = self._guard(lambda: share_saved(self.session, folder, row.name))
        except (ApiFailure, TaskTimeout) as exc:
            refused = isinstance(exc, ApiFailure) and exc.classified.api_code in REFUSED_CODES
            if refused:  # Quark will not share this content: its files stay in the folder, the row as it was
                self.db.abandon_acquire(intent, self.clock())
            return self._tell(replace(base, action="failed", reason="share_refused" if refused else "share_failed", path=path,
                                      **_words(exc)))
        row_id = self.db.finish_acquire(intent, row, new_link=link, videos=verified.videos, now=self.clock(),
                                        run_id=self.report.run_id)
        if row_id is None:  # the row changed while the run worked on it (another tool, a person): left as it is
            return self._tell(replace(base, action="failed", reason="row_changed", path=path, new_link=link))
        return self._tell(replace(base, resource_id=row_id, action="added" if row.id is None else "replaced", path=path,
                                  new_link=link))


def _words(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ApiFailure):
        return {"api_code": exc.classified.api_code, "message": exc.message}
    return {}


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
    acquirer = Acquirer(db, session, Verifier(checker, session), search, rank, options, listener, report, clock=clock,
                        sleep=sleep, rng=rng or random.Random(), stop=stop)
    listener.acquire_started(len(wanted_rows(db, options) if rows is None else rows), database=db.label, source=source)
    try:
        acquirer.recover()
        # Read after the recovery: a new name's row it inserted is that row now (an attacker's review, issue 25: the
        # same title was searched and saved again in the run that recovered it)
        rows = wanted_rows(db, options) if rows is None else rows
        recovered = {o.resource_id for o in report.outcomes if o.resource_id is not None}
        for row in rows:
            if (row.id is not None and row.id in recovered) or row.name in acquirer.waiting:
                continue
            if row.other_drive:  # acquire saves and shares on Quark: another drive's row is left alone
                acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "not_quark_row"))
                continue
            if row.id is not None and not row.name:  # a named id the table does not have
                acquirer._tell(AcquireOutcome(row.id, "", "", "skipped", "no_such_row"))
                continue
            listener.considering(row.name)
            old = candidate_link(row.link, "") if row.link else None
            if old is not None and old.pwd_id in acquirer.renewed:  # its share was replaced for a row before it
                acquirer.same_share(row, acquirer.renewed[old.pwd_id])
                continue
            if acquirer.saved >= options.limit:  # before any request for the row
                acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "limit"))
                continue
            if row.link and acquirer.own_share(row):
                acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "own_share"))
                continue
            if row.link and acquirer.alive(row):  # a live link is never replaced
                acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "not_dead"))
                continue
            outcome = acquirer.consider(row)
            if old is not None and outcome.action in ("replaced", "planned") and outcome.taken is not None:
                acquirer.renewed[old.pwd_id] = outcome
    except _Abort as exc:
        report.abort_reason, report.abort_detail = exc.reason, exc.detail
    except SearchUnavailable as exc:
        report.abort_reason, report.abort_detail = "search_unavailable", str(exc)
    report.finished_at = clock()
    if stop.signum is not None:
        report.abort_reason = "interrupted"
    report.exit_code = exit_code(stop, report.abort_reason, _ABORTS, failed=bool(report.problems))
    if report.run_id is not None and own_run:
        db.finish_run(report.run_id, report.finished_at, status="aborted" if report.abort_reason else "finished",
                      exit_code=int(report.exit_code), counts={"total": report.summary["total"], "skipped": report.summary["skipped"]},
                      detail={"options": options.as_dict(), "abort_reason": report.abort_reason, "counts": report.summary})
    return report


def execute(settings: Settings, search: Any, options: AcquireOptions, listener: AcquireListener, *, stop: StopSignal,
            lock_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> AcquireReport:
    """The whole job: the run frame (database, the job's lock), the account's client, the run."""
    with run_frame(settings, JOB, stop=stop, lock_dir=lock_dir, dry_run=options.dry_run,
                   prepare=lambda db: db.prepare_for_acquire(dry_run=options.dry_run)) as db:
        with GraceCutter(stop.is_set) as cut, cut.watch(QuarkClient(cookie=settings.cookie, api_base=settings.api_base,
                                                                     timeout=timeout)) as client:
            cut.watch(search)  # a stop ends a search PanSou does not answer too, STOP_GRACE s after it (quark/grace.py)
            return run_acquire(db, client, search, ranked, options, listener, stop=stop, source=search.where)
