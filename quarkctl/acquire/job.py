"""Run a re-acquisition (issue 25): for each dead row (or new name) search the user's own search service,
rank the results, check the best few, save the first that passes into the owner's drive, share it as the
owner's link and give the row that link.

Order of writes for one row: the intent (quarkctl_acquire, pending, naming the folder), then the save, the
share, and one transaction with the row's new link and the intent done. A crash in between leaves a pending
intent: the next run shares what is in that folder instead of saving again (acquire/recover.py). Nothing in the
drive is ever deleted or overwritten: each save goes into a folder that did not exist (take.py). A link already
made from the same dead share or the same search result is given again, never saved twice (acquire/made.py).
The run over the rows is acquire/run.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from quarkctl.acquire.choose import listed, preference
from quarkctl.acquire.keyword import search_keyword, wanted_name
from quarkctl.acquire.made import Made, MadeLinks, key_of
from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.rank import Wanted
from quarkctl.acquire.take import NoFreeFolder, folder_for, free_folder, is_empty, ready_folder, save_into, share_saved
from quarkctl.acquire.verify import Verified, Verifier, candidate_link
from quarkctl.db.acquire import WantedRow
from quarkctl.db.database import Database
from quarkctl.db.records import CheckRecord
from quarkctl.errors import ExitCode
from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout
from quarkctl.quark.shares import REFUSED_CODES, Shares
from quarkctl.quark.verdict import Outcome, Verdict
from quarkctl.reports.acquire import AcquireListener, AcquireOutcome, AcquireReport, Considered
from quarkctl.runtime.pacing import Pacer, Sleeper
from quarkctl.runtime.stop import StopSignal

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
        self.waiting: set[str] = set()  # names whose unfinished save the recovery dealt with: not searched this run
        self.retry_folder: str | None = None  # the empty folder a refused save of this row left: the next result's
        self.made = MadeLinks(db)
        self.handled: set[int] = set()  # rows given a link with another row of their dead share: not taken again
        self.empty_links: set[str] = set()  # rows' links whose share lists no files: searched for, said so (alive)
        self.unsent_folders: dict[str, str] = {}  # by name: the empty folder of an intent whose save was never sent
        self.keywords: dict[str, str] = {}  # each name searched for, what the search was asked (said in its outcome)

    def _tell(self, outcome: AcquireOutcome) -> AcquireOutcome:
        if outcome.old_link and outcome.old_link in self.empty_links and outcome.old_verdict is None:
            outcome = replace(outcome, old_verdict="empty")
        if outcome.keyword is None and outcome.name in self.keywords:
            outcome = replace(outcome, keyword=self.keywords[outcome.name])
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

    # -- one row ------------------------------------------------------------------------------------

    def late(self) -> bool:
        """The run's deadline (check-links' --until, --max-runtime) has passed: nothing more is searched, checked or
        saved (a review of issue 25: it was looked at only before the first search)."""
        return self.options.deadline is not None and self.clock() >= self.options.deadline

    def verdict(self, link: str, row_id: int | None = None) -> Verdict | None:
        """The link's check now, paced as the candidates' checks; None when interrupted or past the deadline. An
        emptied share (its root lists no files) is EXPIRED here: a visitor sees nothing of it (quark-api.md 4.2.6:
        an owner who deleted every file; content under review lists empty only for a while), so a search may replace
        it, as autosave --replace-dead replaces an emptied root (a new user's review, issue 25: never re-acquired,
        even once check-links marked it after --empty-grace). The row is not marked for it: check-links' rule
        marks an empty share. A sub-folder link that lists nothing stays `empty`: a folder may be empty."""
        if self.late() or not self.check_pacer.before_link():
            return None
        result = self._guard(lambda: self.verifier.checker.check(link))
        if row_id is not None and not self.options.dry_run:
            # the row's check goes into its history as check-links' does (a new user's review, issue 25: `resources
            # list` showed no verdict for it); under no run: check-links' run counts only its own verdicts
            code = result.code if result.code is not None else (None if result.api_code is None else str(result.api_code))
            self.db.add_check(None, CheckRecord(row_id, self.clock(), result.verdict.value, result.reason, result.api_code,
                                                result.http_status, result.message, link=link, code=code), flush=True)
        if result.verdict is Verdict.EMPTY and result.reason != "empty_folder":
            self.empty_links.add(link)
            return Verdict.EXPIRED
        return result.verdict  # type: ignore[no-any-return]

    def alive(self, row: WantedRow) -> AcquireOutcome | None:
        """Every row's link is checked now, marked expired or not (a new user's review, issue 25: a row marked
        expired by mistake, or by the column's default, had its live link replaced): only a dead answer lets the run
        replace it (None); an error, or a link no request can be made for, keeps it (a person fixes or clears it).
        A row marked expired whose link is alive is marked valid again (a review of issue 25: it stayed marked)."""
        if candidate_link(row.link, "") is None:  # not "not dead": no request can tell (a second review of issue 25)
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "unreadable_link"))
        verdict = self.verdict(row.link, row.id)
        if verdict is None:
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "deadline" if self.late() else "interrupted"))
        if verdict is Verdict.EXPIRED:
            return None
        if verdict is Verdict.VALID and row.is_expired and row.id is not None:
            if self.options.dry_run or self.db.unmark_alive(self.report.run_id, row, self.clock()):
                return self._tell(AcquireOutcome(row.id, row.name, row.link, "unmarked", "alive_again"))
        return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "not_dead"))

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

    def full(self) -> bool:
        """--limit saves made this run (a dry run plans what the real run would save): only saves count, so a row that
        needs none (unmarked, a link made before, a search that finds nothing) is never held back by it (a new user's
        review, issue 25)."""
        return self.saved >= self.options.limit

    def _stopped(self) -> str | None:
        return "interrupted" if self.stop.is_set() else "deadline" if self.late() else None

    def consider(self, row: WantedRow) -> AcquireOutcome:
        self.retry_folder = None
        if (why := self._stopped()) is not None:
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", why))
        if not self.search_pacer.before_link() or self.late():  # 2-4 s between searches
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", self._stopped() or "interrupted"))
        keyword = self.keywords[row.name] = search_keyword(row.name)
        self.listener.searching(keyword)
        found = self.search.search(keyword)
        choices = list(self.rank(row, found))
        tried = 0
        need = self.db.known_videos(row.id) if row.id is not None else None
        # Every kept result up to --candidates is checked, then the one to take chosen (acquire/choose.py)
        passed: dict[int, Verified | Made] = {}  # a result taken before (Made) is not checked nor saved again
        reasons: dict[int, str] = {}

        def counts() -> dict[int, int]:
            return {i: v.videos or 0 for i, v in passed.items()}

        for n, choice in enumerate(choices):
            if not choice.kept or tried >= self.options.candidates:
                continue
            tried += 1
            c = choice.candidate
            if self.made.refused(str(c.url)):  # Quark would not share it: its files stay where they were saved
                reasons[n] = "share_refused_before"
                continue
            made = self.made.for_result(str(c.url))
            if made is None and self.full():  # only a link made before can be given now: no check for a save
                continue
            if made is not None:  # the check it passed then stands: no second check, no second save
                if need is not None and made.videos is not None and made.videos < need:
                    reasons[n] = "fewer_videos"
                else:
                    passed[n], reasons[n] = made, "not_chosen"
                continue
            if (why := self._stopped()) is not None or not self.check_pacer.before_link():
                return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", self._stopped() or why or "interrupted",
                                                 considered=listed(choices[:n], reasons, counts())))
            own = candidate_link(str(c.url), "")
            if own is not None and own.pwd_id in self.own_pwd_ids():  # a channel reposting the owner's own links
                reasons[n] = "own_share"
                continue
            verified = self._guard(lambda: self.verifier.verify(str(c.url), str(c.password or ""), need_videos=need,
                                                                  title=row.name))
            if isinstance(verified, str):
                reasons[n] = verified
            else:
                passed[n], reasons[n] = verified, "not_chosen"
        order = sorted(passed)
        series = Wanted.of_row(wanted_name(row.name), row.alias or None).season is not None
        for n in [order[i] for i in preference([(choices[i].detail, passed[i].videos or 0) for i in order], series=series)]:
            reasons[n] = "ok"
            considered = listed(choices, reasons, counts())
            chosen = passed[n]
            if isinstance(chosen, Made):  # taken for another row: that row's link, no second save
                outcome = self.give(row, chosen, "same_result", considered[n], considered)
                if outcome is not None:
                    return outcome
                reasons[n] = "made_link_dead"
                continue
            if self.full():
                break
            outcome = self._take(row, chosen, considered[n], considered)
            if outcome is not None:
                return outcome
            reasons[n] = "save_refused"  # Quark saved nothing of it: the next result
        considered = listed(choices, reasons, counts())
        if choices and self.full() and any(choice.kept for choice in choices):  # a save was wanted: next run
            return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "limit", considered=considered))
        reason = "no_result" if not choices else "none_passed"
        return self._tell(AcquireOutcome(row.id, row.name, row.link, "left_dead", reason, considered=considered))

    def give(self, row: WantedRow, made: Made, reason: str, taken: Considered | None = None,
             considered: tuple[Considered, ...] = ()) -> AcquireOutcome | None:
        """The row gets a link already made (`reason`: same_share, a row of the same dead share; same_result, the
        same search result): one save, one share (a new user's review, issue 25: each row saved its own copy), its
        own entry in the chain. None when an earlier run's link is dead by now: the row is searched for as any."""
        if made.earlier and made.new_link is not None and (verdict := self.verdict(made.new_link)) is not Verdict.VALID:
            if verdict is None:  # interrupted, or the deadline passed: not a dead link
                return self._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", self._stopped() or "interrupted"))
            return None
        taken = taken or made.taken
        base = AcquireOutcome(row.id, row.name, row.link, "planned", reason, new_link=made.new_link, taken=taken,
                              path=made.path, considered=considered)
        if self.options.dry_run or made.new_link is None:
            return self._tell(base)
        intent = self.db.acquire_intent(self.report.run_id, row, candidate_link=taken.url, note=taken.note, source=taken.source,
                                        saved_path=made.path, now=self.clock(), videos=made.videos)
        row_id = self.db.finish_acquire(intent, row, new_link=made.new_link, videos=made.videos or 0, now=self.clock(),
                                        run_id=self.report.run_id)
        if row_id is None:
            return self._tell(replace(base, action="failed", reason="row_changed"))
        return self._tell(replace(base, resource_id=row_id, action="added" if row.id is None else "replaced"))

    def _unsent_folder(self, row: WantedRow) -> str | None:
        """The folder a killed run made for this row before it sent any save (acquire/recover.py), while still empty:
        the save goes there, not into `<folder> (2)`."""
        path = self.unsent_folders.pop(row.name, None)
        return path if path is not None and self._guard(lambda: is_empty(self.session, path)) else None

    def after(self, row: WantedRow, outcome: AcquireOutcome) -> None:
        """A result taken is remembered (another row finding it gets this link), and the table's other rows of the
        row's dead share get the link at once (a review of issue 25: check-links --reacquire is given only the first
        row of a share it marks; the others were left dead for a later run to save again)."""
        if outcome.taken is None or outcome.action not in ("replaced", "added", "planned"):
            return
        videos = outcome.taken.detail.get("videos")
        made = Made(outcome.new_link, outcome.taken, outcome.path or "", videos if isinstance(videos, int) else None)
        self.made.remember(made)
        old = key_of(row.link) if row.link else None
        if old is None:
            return
        # the same share and the same sub-folder: another folder of the share is other content (acquire/made.py key_of)
        same = self.db.share_rows(old[0], lambda text: key_of(text or "") == old)
        ids = [r.id for r in same if r.id != row.id and r.id not in self.handled]
        for other in self.db.acquire_rows(ids=ids) if ids else []:
            if not other.name.strip():  # a row without a name is left alone, said once in its turn (run.py _one)
                continue
            self.handled.add(int(other.id or 0))
            self.listener.considering(other.name)
            self.give(other, made, "same_share")

    def _take(self, row: WantedRow, verified: Verified, taken: Considered, considered: tuple[Considered, ...]) -> AcquireOutcome | None:
        """The save, the share and the row; None when Quark saved nothing of this result (try the next one)."""
        wanted = folder_for(self.options.savepath, row.name)
        base = AcquireOutcome(row.id, row.name, row.link, "planned", "acquired", taken=taken, path=wanted, considered=considered)
        try:  # a dry run names the folder the real run would use (its lookup only reads)
            path = self.retry_folder or self._unsent_folder(row) or self._guard(lambda: free_folder(self.session, wanted))
        except NoFreeFolder:
            return self._tell(replace(base, action="failed", reason="no_free_folder"))
        base = replace(base, path=path)
        if self.options.dry_run:
            self.saved += 1
            return self._tell(base)
        if (why := self._stopped()) is not None or not self.save_pacer.before_link() or self.late():  # 3-6 s between saves
            return self._tell(replace(base, action="skipped", reason=self._stopped() or why or "interrupted"))
        try:
            path, to_fid = self._guard(lambda: ready_folder(self.session, wanted, path))
        except NoFreeFolder:
            return self._tell(replace(base, action="failed", reason="no_free_folder"))
        base = replace(base, path=path)
        intent = self.db.acquire_intent(self.report.run_id, row, candidate_link=taken.url, note=taken.note,
                                        source=taken.source, saved_path=path, now=self.clock(), videos=verified.videos,
                                        status="prepared")
        self.saved += 1
        try:
            folder = self._guard(lambda: save_into(self.session, verified, to_fid, lambda: self.db.saving(intent)))
        except _Abort:
            self.db.abandon_acquire(intent, self.clock())
            raise
        except (ApiFailure, TaskTimeout) as exc:
            if self.late():  # the deadline cut the save's task short: the intent stays, a later run shares what it saved
                return self._tell(replace(base, action="skipped", reason="deadline", path=path))
            if isinstance(exc, TaskTimeout):
                return self._tell(replace(base, action="failed", reason="save_failed", path=path))
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
        if len(self._guard(lambda: self.session.list_dir(folder))) > len(verified.items):
            # something else was put into the folder during the save (another tool, a person): never shared as the row's
            # public link (an attacker's review, issue 25); what was saved stays, the intent is dropped
            self.db.abandon_acquire(intent, self.clock())
            return self._tell(replace(base, action="failed", reason="folder_changed", path=path))
        try:
            link = self._guard(lambda: share_saved(self.session, folder, row.name))
        except (ApiFailure, TaskTimeout) as exc:
            refused = isinstance(exc, ApiFailure) and exc.classified.api_code in REFUSED_CODES
            if refused:  # Quark will not share this content: its files stay in the folder, the row as it was, and the
                self.db.abandon_acquire(intent, self.clock(), status="refused")  # result is never saved again
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
