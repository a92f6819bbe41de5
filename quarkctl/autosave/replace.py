"""A replacement for a task whose share died in this run (issue 25, `autosave --replace-dead`).

The task's name is searched (its year in brackets removed, as the reference's UI does), the results
ranked as `resources acquire` ranks them (acquire/rank.py: the title whole, no trailer or sample, the
task's season), then weighed against what the task saved (acquire/replace.py: same extension, episodes
beyond the last saved, sizes close). The best few are checked with check-links' link check (paced), and
of those whose files continue the series the replacement is chosen as `resources acquire` chooses
(acquire/choose.py: the most video files for a series). Running the task on it is the run's job
(autosave/run.py); this module only finds it.

A search service that cannot be asked is said once (report.search_warning) and asked no more this run:
the tasks stay banned, as without the switch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from quarkctl.acquire.choose import preference
from quarkctl.acquire.keyword import wanted_name
from quarkctl.acquire.pansou_answer import SearchUnavailable
from quarkctl.acquire.rank import Wanted, rank
from quarkctl.acquire.replace import Fit, Series, continues, note_continues, search_keyword
from quarkctl.acquire.verify import Verifier
from quarkctl.quark.drive import ApiFailure
from quarkctl.quark.shares import Shares
from quarkctl.quark.drive import DriveSession
from quarkctl.config.autosave.model import Task
from quarkctl.quark.links import ROOT_FID, LinkError, ShareLink, parse_share_url
from quarkctl.reports.autosave import AutosaveReport, TaskResult
from quarkctl.runtime.pacing import Pacer

SHARE_URL = "https://pan.quark.cn/s/{}"


class Search(Protocol):
    def search(self, keyword: str) -> Sequence[Any]: ...


@dataclass(frozen=True)
class Found:
    """The replacement: its link as the task will hold it, the search result, the files that continue the series."""

    url: str
    candidate: Any
    fit: Fit

    def as_json(self, old_url: str, result: TaskResult) -> dict[str, Any]:
        c = self.candidate
        return {"old_url": old_url, "url": self.url, "note": str(c.note or ""), "source": str(getattr(c, "source", "") or ""),
                "episodes": list(self.fit.episodes), "files": len(self.fit.files),
                "dead_reason": result.reason, "dead_message": result.message}


def task_url(link: ShareLink) -> str:
    """The link written into the task: the passcode as `?pwd=`, a sub-folder as `#/list/share/<fid>` (README's task keys)."""
    url = SHARE_URL.format(link.pwd_id) + (f"?pwd={link.passcode}" if link.passcode else "")
    return url + (f"#/list/share/{link.pdir_fid}" if link.pdir_fid != ROOT_FID else "")


def saved_files(ledger_names: Iterable[str], session: DriveSession, folder_fid: str | None) -> list[tuple[str, int | None]]:
    """What a task saved: the ledger's names, and its save folder's files with their sizes."""
    files: dict[str, int | None] = dict.fromkeys(ledger_names)
    try:
        listed = session.list_dir(folder_fid) if folder_fid else []
    except ApiFailure:
        listed = []  # the names alone, then
    for item in listed:
        size = item.get("size")
        if not item.get("dir"):
            files[str(item.get("file_name", ""))] = size if isinstance(size, int) and not isinstance(size, bool) else None
    return list(files.items())


def _pwd_id(url: str) -> str | None:
    try:
        return parse_share_url(url).pwd_id
    except LinkError:
        return None


class Replacer:
    def __init__(self, search: Search, verifier: Verifier, report: AutosaveReport, *, search_pacer: Pacer, check_pacer: Pacer,
                 candidates: int, stopped: Callable[[], bool]) -> None:
        self.search, self.verifier, self.report = search, verifier, report
        self.search_pacer, self.check_pacer, self.candidates, self.stopped = search_pacer, check_pacer, candidates, stopped
        self._own: set[str] | None = None

    def own_shares(self) -> set[str]:
        """The account's own shares' pwd_ids, read once: Quark never saves an account's own share (41017), so a task
        moved onto one failed on every run (a review of issue 25); unreadable, none are known."""
        if self._own is None:
            try:
                self._own = {share.pwd_id for share in Shares(self.verifier.session).mine()}
            except ApiFailure:
                self._own = set()
        return self._own

    def find(self, task: Task, result: TaskResult, saved: Sequence[tuple[str, int | None]], pattern: str) -> Found | None:
        """The search result that replaces the task's share (of the checked ones that continue its series, the one
        acquire/choose.py prefers); each one weighed is noted in the result."""
        if self.report.search_warning is not None or not self.search_pacer.before_link():
            return None
        try:
            found = self.search.search(search_keyword(task.name))
        except SearchUnavailable as exc:
            self.report.search_warning = str(exc)
            return None
        result.replacement_search = search_keyword(task.name)
        series = Series.of(saved)
        old = _pwd_id(task.shareurl)
        checked = 0
        choices = rank(Wanted.of_row(wanted_name(task.name)), found)
        reasons: list[str] = []
        passed: dict[int, tuple[Found, int]] = {}  # each result that passed: its replacement and its video files
        for n, choice in enumerate(choices):
            candidate = choice.candidate
            reason = self._before_check(choice, candidate, series, old)
            if reason is None and _pwd_id(candidate.url) in self.own_shares():
                reason = "own_share"
            if reason is None and checked >= self.candidates:
                reason = "not_checked"  # every result is listed, the ones after the checked too
            if reason is None:
                checked += 1
                if self.stopped() or not self.check_pacer.before_link():
                    return None
                reason, taken = self._check(candidate, series, pattern, task.name)
                if taken is not None:
                    passed[n], reason = taken, "not_chosen"
            reasons.append(reason)
        # the one to take as `resources acquire` takes it (acquire/choose.py; a new user's review: «三体 E01 4K»
        # was taken over «三体 全30集 1080p»): the most video files when the task is a series or a note names episodes
        order = sorted(passed)
        best = preference([(choices[n].detail, passed[n][1]) for n in order], series=Wanted.of_row(wanted_name(task.name)).season is not None)
        chosen = order[best[0]] if best else None
        if chosen is not None:
            reasons[chosen] = "ok"
        for choice, reason in zip(choices, reasons):
            self._note(result, choice.candidate, reason)
        return passed[chosen][0] if chosen is not None else None

    def _check(self, candidate: Any, series: Series, pattern: str, title: str) -> tuple[str, tuple[Found, int] | None]:
        """The result's reason, and when it continues the series, its replacement and its video files."""
        verified = self.verifier.verify(candidate.url, candidate.password, title=title)
        if isinstance(verified, str):
            return verified, None
        fit = continues(series, zip(verified.video_names, verified.video_sizes), pattern)
        if not fit.kept:
            return fit.reason, None
        return "ok", (Found(task_url(verified.link), candidate, fit), verified.videos)

    @staticmethod
    def _before_check(choice: Any, candidate: Any, series: Series, old: str | None) -> str | None:
        if not choice.kept:
            return str(choice.reason)
        if old is not None and _pwd_id(candidate.url) == old:
            return "same_share"
        if not note_continues(series, candidate.note or ""):
            return "no_new_episodes"
        return None

    @staticmethod
    def _note(result: TaskResult, candidate: Any, reason: str) -> None:
        result.replacement_candidates.append({"url": str(candidate.url), "note": str(candidate.note or ""), "reason": reason})
