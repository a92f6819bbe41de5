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
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.pansou_answer import SearchUnavailable
from quarkctl.acquire.rank import Wanted, rank
from quarkctl.config.settings import Settings
from quarkctl.acquire.take import NoFreeFolder, folder_for, free_folder, save_into, share_saved
from quarkctl.acquire.verify import Verified, Verifier
from quarkctl.db.acquire import WantedRow
from quarkctl.db.database import Database
from quarkctl.errors import ExitCode
from quarkctl.jobs.frame import run_frame
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.shares import REFUSED_CODES
from quarkctl.quark.verdict import Outcome, Verdict
from quarkctl.reports.acquire import JOB, AcquireListener, AcquireOutcome, AcquireReport, Considered
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.pacing import Pacer, Sleeper
from quarkctl.runtime.stop import StopSignal, exit_code

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


def ranked(row: WantedRow, found: Sequence[Any]) -> list[Any]:
    """The search's results for the row, ranked (acquire/rank.py); each choice's detail names the row's season
    and year, which the explanation of a passed-over result compares with (render/candidates.py)."""
    wanted = Wanted.of_row(row.name, row.alias or None)
    return [replace(choice, detail=Noted(choice.detail, wanted.season, wanted.year)) for choice in rank(wanted, found)]


@dataclass(frozen=True)
class Noted:
    """A choice's detail with the row's season and year beside it."""

    detail: Any
    season: int | None
    year: int | None

    def as_json(self) -> dict[str, Any]:
        return {**self.detail.as_json(), "wanted_season": self.season, "wanted_year": self.year}


def _considered(choice: Choice, reason: str | None = None) -> Considered:
    c = choice.candidate
    detail = choice.detail.as_json() if hasattr(choice.detail, "as_json") else {}
    return Considered(str(c.url), str(c.note or ""), str(getattr(c, "source", "") or ""), int(choice.score),
                      reason or choice.reason, detail)


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
        """A pending intent's folder holds what a crashed run saved: share it and finish the row; without
        the folder nothing was saved and the intent is dropped (the row is tried again like any other)."""
        for intent in self.db.pending_acquires():
            path = str(intent["saved_path"] or "")
            row = WantedRow(intent["resource_id"], intent["name"], "", intent["old_link"], True)
            fid = self._guard(lambda: self.session.path_fids([path]).get(path)) if path else None
            fids = [str(i["fid"]) for i in self._guard(lambda: self.session.list_dir(fid))] if fid else []
            if not fids:
                if not self.options.dry_run:
                    self.db.abandon_acquire(intent["id"], self.clock())
                continue
            taken = Considered(intent["candidate_link"], intent["candidate_note"] or "", intent["source"] or "", 0, "recover")
            if self.options.dry_run:
                self._tell(AcquireOutcome(row.id, row.name, row.link, "planned", "recover", taken=taken, path=path))
                continue
            link = self._guard(lambda: share_saved(self.session, fids, row.name))
            row_id = self.db.finish_acquire(intent["id"], row, new_link=link, videos=0, now=self.clock(), run_id=self.report.run_id)
            action = "failed" if row_id is None else ("added" if row.id is None else "replaced")
            self._tell(AcquireOutcome(row_id or row.id, row.name, row.link, action, "row_changed" if row_id is None else "recovered",
                                      new_link=link, taken=taken, path=path))

    # -- one row ------------------------------------------------------------------------------------

    def alive(self, row: WantedRow) -> bool:
        """A row not marked expired is checked now: only a dead answer, or a link no request can be made for
        (not a Quark share link), lets the run replace its link; an error keeps it (never replace a live link)."""
        result = self._guard(lambda: self.verifier.checker.check(row.link))
        return result.verdict is not Verdict.EXPIRED and result.requests > 0

    def consider(self, row: WantedRow) -> AcquireOutcome:
        if self.stop.is_set():
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "interrupted"))
        if not self.options.dry_run and self.saved >= self.options.limit:
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "limit"))
        if not self.search_pacer.before_link():  # 2-4 s between searches
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "interrupted"))
        found = self.search.search(row.name)
        choices = list(self.rank(row, found))
        considered: list[Considered] = []
        tried = 0
        need = self.db.known_videos(row.id) if row.id is not None else None
        for choice in choices:
            if not choice.kept or tried >= self.options.candidates:
                considered.append(_considered(choice, None if not choice.kept else "not_tried"))
                continue
            tried += 1
            if self.stop.is_set() or not self.check_pacer.before_link():
                return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "interrupted", considered=tuple(considered)))
            c = choice.candidate
            verified = self._guard(lambda: self.verifier.verify(str(c.url), str(c.password or ""), need_videos=need))
            if isinstance(verified, str):
                considered.append(_considered(choice, verified))
                continue
            taken = _considered(choice, "ok")
            considered.append(taken)
            rest = [_considered(x, "not_tried" if x.kept else None) for x in choices[choices.index(choice) + 1:]]
            return self._take(row, verified, taken, tuple(considered + rest))
        reason = "no_result" if not choices else "none_passed"
        return self._tell(AcquireOutcome(row.id, row.name, row.link, "left_dead", reason, considered=tuple(considered)))

    def _take(self, row: WantedRow, verified: Verified, taken: Considered, considered: tuple[Considered, ...]) -> AcquireOutcome:
        wanted = folder_for(self.options.savepath, row.name)
        base = AcquireOutcome(row.id, row.name, row.link, "planned", "acquired", taken=taken, path=wanted, considered=considered)
        if self.options.dry_run:
            return self._tell(base)
        if self.stop.is_set() or not self.save_pacer.before_link():  # 3-6 s between saves
            return self._tell(replace(base, action="skipped", reason="interrupted"))
        try:
            path = self._guard(lambda: free_folder(self.session, wanted))
        except NoFreeFolder:
            return self._tell(replace(base, action="failed", reason="no_free_folder"))
        intent = self.db.acquire_intent(self.report.run_id, row, candidate_link=taken.url, note=taken.note,
                                        source=taken.source, saved_path=path, now=self.clock())
        self.saved += 1
        try:
            fids = self._guard(lambda: save_into(self.session, verified, path))
        except _Abort:
            self.db.abandon_acquire(intent, self.clock())
            raise
        except (ApiFailure, TaskTimeout) as exc:
            # Quark may have saved part of it: the folder stays (nothing is deleted) and the intent pending,
            # so the next run shares what is there (recover) instead of saving it again
            return self._tell(replace(base, action="failed", reason="save_failed", path=path, **_words(exc)))
        try:
            link = self._guard(lambda: share_saved(self.session, fids, row.name))
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


def wanted_rows(db: Database, options: AcquireOptions) -> list[WantedRow]:
    """The named ids (a missing one: a skipped outcome), the names (their Quark row when there is one, else
    a new row to be), or every expired Quark row."""
    rows: dict[Any, WantedRow] = {}
    if options.ids:
        found = {row.id: row for row in db.acquire_rows(ids=options.ids)}
        missing = [i for i in options.ids if i not in found]
        # a row of another drive is named in its message; an id the table lacks stays without a name
        others = db.get_resources(missing, history=False) if missing else {}
        for i in missing:
            if i in others:
                found[i] = WantedRow(i, str(others[i].get("drama_name") or ""), "", "", False, other_drive=True)
        rows.update((i, found.get(i, WantedRow(i, "", "", "", False))) for i in sorted(set(options.ids)))
    if options.all_expired:
        rows.update((r.id, r) for r in db.acquire_rows(expired=True))
    if options.names:
        existing = {row.name: row for row in db.acquire_rows(names=options.names)}
        for name in dict.fromkeys(options.names):
            row = existing.get(name)
            rows.setdefault(row.id if row else ("new", name), row or WantedRow(None, name, "", "", False))
    return list(rows.values())


def run_acquire(db: Database, client: QuarkClient, search: Search, rank: Rank, options: AcquireOptions, listener: AcquireListener,
                *, stop: StopSignal, source: str = "", clock: Callable[[], datetime] = utcnow, sleep: Sleeper | None = None,
                rng: random.Random | None = None) -> AcquireReport:
    """`resources acquire`: the caller holds the lock."""
    sleep = sleep or stop.sleep
    report = AcquireReport(started_at=clock(), dry_run=options.dry_run, database=db.label, source=source)
    if not options.dry_run:
        report.run_id = db.start_run(JOB, report.started_at, {"options": options.as_dict()})
    session = DriveSession(client, sleep=sleep, retries=options.retries, backoff=options.backoff,
                           task_timeout=options.task_timeout, on_wait=listener.waiting)
    checker = LinkChecker(client, retries=options.retries, backoff=options.backoff, sleep=sleep, on_wait=listener.waiting)
    acquirer = Acquirer(db, session, Verifier(checker, session), search, rank, options, listener, report, clock=clock,
                        sleep=sleep, rng=rng or random.Random(), stop=stop)
    rows = wanted_rows(db, options)
    listener.acquire_started(len(rows), database=db.label, source=source)
    try:
        acquirer.recover()
        recovered = {o.resource_id for o in report.outcomes}
        for row in rows:
            if row.id is not None and row.id in recovered:
                continue
            if row.other_drive:  # acquire saves and shares on Quark: another drive's row is left alone
                acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "not_quark_row"))
                continue
            if row.id is not None and not row.name:  # a named id the table does not have
                acquirer._tell(AcquireOutcome(row.id, "", "", "skipped", "no_such_row"))
                continue
            listener.considering(row.name)
            if row.link and not row.is_expired and acquirer.alive(row):  # a named row still alive keeps its link
                acquirer._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "not_dead"))
                continue
            acquirer.consider(row)
    except _Abort as exc:
        report.abort_reason, report.abort_detail = exc.reason, exc.detail
    except SearchUnavailable as exc:
        report.abort_reason, report.abort_detail = "search_unavailable", str(exc)
    report.finished_at = clock()
    if stop.signum is not None:
        report.abort_reason = "interrupted"
    report.exit_code = exit_code(stop, report.abort_reason, _ABORTS, failed=bool(report.problems))
    if report.run_id is not None:
        db.finish_run(report.run_id, report.finished_at, status="aborted" if report.abort_reason else "finished",
                      exit_code=int(report.exit_code), counts={"total": report.summary["total"], "skipped": report.summary["skipped"]},
                      detail={"options": options.as_dict(), "abort_reason": report.abort_reason, "counts": report.summary})
    return report


def execute(settings: Settings, search: Any, options: AcquireOptions, listener: AcquireListener, *, stop: StopSignal,
            lock_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> AcquireReport:
    """The whole job: the run frame (database, the job's lock), the account's client, the run."""
    with run_frame(settings, JOB, stop=stop, lock_dir=lock_dir, dry_run=options.dry_run,
                   prepare=lambda db: db.prepare_for_acquire(dry_run=options.dry_run)) as db:
        with QuarkClient(cookie=settings.cookie, api_base=settings.api_base, timeout=timeout) as client:
            return run_acquire(db, client, search, ranked, options, listener, stop=stop, source=search.where)
