"""One autosave task's transfer: compare a share folder with its target folder, save what is new
in chunks, rename it (the reference's `dir_check_and_save` / `do_save` / `do_rename`).

The job (autosave.py) picks the tasks, gets the share token and turns failures into a task's
status; this module only walks folders and saves, writing what it did into the task's result.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from quarkctl.acquire.replace import Series, saved_before
from quarkctl.autosave.ledger import Ledger as Ledger  # where the transfer and its callers meet it
from quarkctl.quark.links import ROOT_FID
from quarkctl.i18n import _, ngettext
from quarkctl.quark.drive import SAVE_CHUNK, ApiFailure, DriveSession, TaskTimeout
from quarkctl.quark.share_cache import Page, ShareCache
from quarkctl.quark.verdict import Outcome
from quarkctl.config.autosave.rename import Renamer
from quarkctl.reports.autosave import SavedNode, TaskResult

if TYPE_CHECKING:
    from quarkctl.config.autosave.model import Task

EMPTY_SHARE_BAN = "分享为空，文件已被分享者删除"  # the reference's words, kept: users grep for them


def normalise_path(path: str) -> str:
    return re.sub(r"/{2,}", "/", f"/{path}")


def task_key(task: Task) -> str:
    """What identifies a task in quarkctl's own state: its name and save path (the reference has no id)."""
    return f"{task.name}\x1f{normalise_path(task.savepath)}"


def _items(item: dict[str, Any]) -> int | None:
    """A share folder's item count (include_items, quark-api.md 3.3); None for a file or when Quark did not say."""
    count = item.get("include_items")
    return count if item.get("dir") and isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None


def filters_hash(task: Task, pattern: str) -> str:
    """What decides which share files a task wants and where its scan ends (`pattern` as resolved from
    magic_regex): a change may make older files wanted, so it needs a full listing first (issue 16)."""
    settings = [task.shareurl, task.pattern or "", pattern, task.update_subdir or "", task.startfid or ""]
    return hashlib.sha256(json.dumps(settings, ensure_ascii=False).encode()).hexdigest()


def until_startfid(items: list[dict[str, Any]], startfid: str | None) -> list[dict[str, Any]]:
    """The items the reference's scan looks at: up to the task's startfid, inclusive."""
    for index, item in enumerate(items):
        if startfid and item.get("fid") == startfid:
            return items[: index + 1]
    return items


def newest_first(page: list[dict[str, Any]]) -> bool:
    """Each file's updated_at (ms, quark-api.md 3.3) no newer than the one before it."""
    times = [item.get("updated_at") for item in page]
    numbers = [t for t in times if isinstance(t, (int, float)) and not isinstance(t, bool)]
    if len(numbers) != len(times):
        return False
    return all(a >= b for a, b in zip(numbers, numbers[1:]))


class TaskBanned(Exception):
    """The share itself says the task can never succeed (it is empty): the job bans the task."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason, self.message = reason, message


class Transfer:
    """One task's walk through its share, with the run's state it shares with the other tasks
    (the save paths already resolved, the ledger)."""

    def __init__(self, session: DriveSession, task: Task, result: TaskResult, *, magic_regex: dict[str, dict[str, str]],
                 today: date, ledger: Ledger, savepath_fids: dict[str, str], dry_run: bool, resave_deleted: bool,
                 shares: ShareCache | None = None, early_stop: bool = True, passcode: str = "",
                 by_name: bool = False, saved: Iterable[tuple[str, int | None]] | None = None) -> None:
        self.session, self.task, self.result = session, task, result
        self.magic_regex, self.today, self.ledger, self.savepath_fids = magic_regex, today, ledger, savepath_fids
        self.dry_run, self.resave_deleted = dry_run, resave_deleted
        self.shares = shares or ShareCache(session)
        self.early_stop = early_stop  # False: every page, as the reference (tests compare the two)
        self.passcode = passcode
        self.by_name = by_name  # a replacement share (--replace-dead): files saved before are known by name, not fid
        # a moved task's saved episodes (`saved`: its files; later runs: the ledger's names): one no later than the
        # last is not saved again
        files = saved if saved is not None else ((name, None) for name in ledger.names(task_key(task)))
        self.series: Series | None = Series.of(files) if by_name else None
        self.stoken = ""  # the one in use: a re-token at save time replaces it for the rest of the task
        self.retokened = False  # a task gets one fresh stoken, whether a listing or a save asked for it
        self.filters: str | None = None  # set once the share is listed: the run reached the scan
        self.save_failed = False
        self._listed_with: dict[str, str] = {}  # share folder -> the stoken its items (and their share_fid_token) came with

    def retoken(self, pwd_id: str) -> str:
        """The task's one fresh stoken (41016 / 41020, quark-api.md 4.1); the share's cached pages go
        with the old one (their share_fid_token belongs to it)."""
        self.retokened = True
        self.stoken = self.shares.refresh(pwd_id, self.passcode)
        return self.stoken

    def settle(self, clean: bool) -> None:
        """At the end of a task run that listed its share: the marker says clean for these filters only
        when nothing failed; anything else means full paging next time. Not for --dry-run."""
        if self.filters is not None:
            self.ledger.mark_scan(task_key(self.task), self.filters if clean and not self.save_failed else None)

    def check_and_save(self, pwd_id: str, stoken: str, pdir_fid: str, subdir: str) -> list[SavedNode]:
        """The reference's dir_check_and_save: compare one share folder with one target folder."""
        renamer = Renamer(self.magic_regex, self.task.name, today=self.today)
        pattern, replace = renamer.resolve(self.task.pattern or "", self.task.replace or "")
        if subdir == "":
            self.stoken, self.filters = stoken, filters_hash(self.task, pattern)
        stoken = self.stoken  # a sub-folder walk after a re-token at save time uses the fresh one

        def wanted(item: dict[str, Any]) -> bool:
            search = self.task.update_subdir if (item.get("dir") and self.task.update_subdir) else pattern
            return re.search(search or "", str(item.get("file_name", ""))) is not None

        items = self.shares.listing(pwd_id, stoken, pdir_fid, self._enough(wanted))
        if not items:
            if subdir == "" and pdir_fid == ROOT_FID:  # an empty sub-folder link is legitimate (quark-api.md 4.2.6)
                raise TaskBanned("empty_share", EMPTY_SHARE_BAN)
            return []
        if subdir == "" and len(items) == 1 and items[0].get("dir"):  # a share that is one folder
            pdir_fid = str(items[0]["fid"])
            items = self.shares.listing(pwd_id, stoken, pdir_fid, self._enough(wanted))
        self._listed_with[pdir_fid] = stoken
        scanned = until_startfid(items, self.task.startfid)
        if not any(wanted(item) for item in scanned):
            return []  # nothing in the share passes the filters: the target folder need not be listed
        savepath = normalise_path(f"{self.task.savepath}{subdir}")
        to_fid = self.savepath_fids.get(savepath)
        if to_fid is None and not (self.dry_run and savepath in self.result.new_folders):
            found = self.session.path_fids([savepath])
            to_fid = found.get(savepath)
            if to_fid is None and not (self.by_name and subdir):  # a moved task's new sub-folder is made below
                self.result.problems.append(_("no folder {path}").format(path=savepath))
                self.result.reason = "savepath_missing"
                self.save_failed = True  # its wanted files are not saved
                return []
            if to_fid is not None:
                self.savepath_fids[savepath] = to_fid
        if self._ledger_answers([item for item in scanned if wanted(item)]):
            return []  # all of it was saved before: nothing can be new, the target folder need not be listed
        target = self.session.list_dir(to_fid) if to_fid else []
        names = [str(f.get("file_name", "")) for f in target]

        ignore_ext = bool(self.task.ignore_extension)
        need: list[tuple[dict[str, Any], str]] = []
        resaved: set[str] = set()  # folders deleted to be saved again: the ledger must not hold them back
        nodes: list[SavedNode] = []
        for item in items:
            name, is_dir = str(item.get("file_name", "")), bool(item.get("dir"))
            if wanted(item):
                if not renamer.exists(name, names, ignore_ext and not is_dir):
                    if is_dir and self.by_name:
                        # a moved task walks into a folder its save path lacks too: saved whole, it copied again the
                        # episodes saved before under other names (a review of issue 25)
                        nodes += self._walk_into(pwd_id, item, name, subdir, savepath, None)
                    elif is_dir or subdir:
                        need.append((item, name))
                    else:
                        new_name = renamer.new_name(pattern, replace, name)
                        if not renamer.exists(new_name, names, ignore_ext):
                            need.append((item, new_name))
                # A moved task walks into a folder it has already (a new user's review, issue 25: the new share's
                # S01 matched the saved S01 and only its 海报.jpg was saved); it never deletes one to save it again
                elif is_dir and (self.by_name or (self.task.update_subdir and re.search(self.task.update_subdir, name))):
                    existing = next((f for f in target if f.get("file_name") == name), None)
                    if self.task.update_subdir_resave_mode and not self.by_name:
                        if existing is not None and not self.dry_run:
                            self.session.delete_and_purge([str(existing["fid"])])
                        need.append((item, name))
                        resaved.add(str(item.get("fid")))
                    else:
                        nodes += self._walk_into(pwd_id, item, name, subdir, savepath, existing)
            if self.task.startfid and item.get("fid") == self.task.startfid:
                break  # the scan stops after that file, inclusive

        key = task_key(self.task)
        if not self.resave_deleted:
            seen = self.ledger.saved(key)
            need = [(item, name) for item, name in need if str(item.get("fid")) not in seen - resaved]
            if self.by_name:
                named = self.ledger.names(key)
                need = [(item, name) for item, name in need if name not in named and str(item.get("file_name")) not in named]
        if self.by_name and self.series is not None:
            need = [(item, name) for item, name in need if item.get("dir") or not saved_before(self.series, str(item.get("file_name")))]
        if re.search(r"\{I+\}", replace):
            need = renamer.number(need, target, replace)
        if self.dry_run:
            return nodes + [SavedNode(name, str(item.get("file_name")), bool(item.get("dir")), items=_items(item)) for item, name in need]
        if need and to_fid is None:  # a moved task's sub-folder the save path lacked, now that something goes in
            to_fid = self.savepath_fids[savepath] = self.session.mkdir(savepath)
        return nodes + self._save(pwd_id, pdir_fid, to_fid or "0", need, top_level=subdir == "")

    def _walk_into(self, pwd_id: str, item: dict[str, Any], name: str, subdir: str, savepath: str,
                   existing: dict[str, Any] | None) -> list[SavedNode]:
        """A share folder compared with its namesake in the save path (there already, or made when needed)."""
        if existing is not None and existing.get("dir") and existing.get("fid"):
            self.savepath_fids.setdefault(normalise_path(f"{savepath}/{name}"), str(existing["fid"]))  # listed already: no path_list
        children = self.check_and_save(pwd_id, self.stoken, str(item["fid"]), f"{subdir}/{name}")
        return [SavedNode(name, name, True, existing.get("fid") if existing else None, children)] if children else []

    def _known(self) -> set[str]:
        """The share fids this task saved before; none count with --resave-deleted (the ledger is ignored)."""
        return set() if self.resave_deleted else self.ledger.saved(task_key(self.task))

    def _ledger_answers(self, wanted: list[dict[str, Any]]) -> bool:
        """Every item passing the filters was saved before, and none is a folder update_subdir walks
        into: the reference's comparison with the target could then only drop them all (the ledger
        holds back what it knows), so the target listing is not needed (issue 16)."""
        if not wanted or any(item.get("dir") and (self.task.update_subdir or self.by_name) for item in wanted):
            return False
        known = self._known()
        return all(str(item.get("fid")) in known for item in wanted)

    def _enough(self, wanted: Callable[[dict[str, Any]], bool]) -> Callable[[Page], bool] | None:
        """When a share listing may stop paging (issue 16). The reference asks `_sort=file_type:asc,
        updated_at:desc` (quark-api.md 3.3): folders first, then files newest first. A page of files
        only, in that order, where every file passing the filters is past the task's startfid (the
        reference's scan ends there) or in the ledger, and at least one is, ends the listing: older
        files were there for the run that saved the known ones. A page with a folder, or out of
        order (a server that ignored `_sort`), never does. Assumes a share grows at the top, and only
        after this task's last run was clean for the same filters (the scan marker): a run that failed
        to save older files, or filters widened since, leave files below a known page unsaved."""
        if not self.early_stop or self.filters is None or self.ledger.clean_scan(task_key(self.task)) != self.filters:
            return None
        startfid, past = self.task.startfid, False

        def enough(page: Page) -> bool:
            nonlocal past
            settled, evidence = True, False
            for item in page:
                fid = str(item.get("fid"))
                if past:
                    evidence = True
                elif wanted(item):
                    if fid in self._known():
                        evidence = True
                    else:
                        settled = False
                if startfid and fid == startfid:
                    past = True  # inclusive: the start file itself is scanned
            files_only = bool(page) and not any(item.get("dir") for item in page)
            return files_only and settled and evidence and newest_first(page)

        return enough

    def _save(self, pwd_id: str, pdir_fid: str, to_fid: str, need: list[tuple[dict[str, Any], str]], *, top_level: bool) -> list[SavedNode]:
        saved: list[SavedNode] = []
        key = task_key(self.task)
        if need:
            self.ledger.mark_scan(key, None)  # before the first save: a run killed mid-way is not clean
        for chunk, new_fids in self._batches(pwd_id, pdir_fid, to_fid, need):
            if len(new_fids) != len(chunk):
                self.save_failed = True  # the files without a fid are not in the ledger
                self.result.problems.append(ngettext("save answered {got} fids for {n} file", "save answered {got} fids for {n} files",
                                                     len(chunk)).format(got=len(new_fids), n=len(chunk)))
            for (item, name), fid in zip(chunk, new_fids):
                source = str(item.get("file_name", ""))
                node = SavedNode(name, source, bool(item.get("dir")), fid, items=_items(item))
                if top_level and not node.is_dir and name != source:
                    try:
                        self.session.rename(fid, name)
                    except ApiFailure as failure:
                        node.name = source
                        self.result.problems.append(_("rename {source} -> {name} failed: {message}").format(
                            source=source, name=name, message=failure.message))
                self.ledger.record(key, pwd_id, str(item.get("fid")), source, node.name)
                saved.append(node)
        return saved

    def _batches(self, pwd_id: str, pdir_fid: str, to_fid: str,
                 need: list[tuple[dict[str, Any], str]]) -> Iterator[tuple[list[tuple[dict[str, Any], str]], list[str]]]:
        """`need` saved in chunks of SAVE_CHUNK; a chunk listed with an stoken replaced since (by a save
        here or in a sub-folder) gets the fresh share_fid_tokens first."""
        tokened_with = self._listed_with.get(pdir_fid)
        for start in range(0, len(need), SAVE_CHUNK):
            chunk = need[start : start + SAVE_CHUNK]
            if tokened_with != self.stoken:
                try:
                    chunk = self._with_tokens(pwd_id, pdir_fid, chunk)
                except ApiFailure as failure:
                    if failure.outcome is Outcome.AUTH:
                        raise
                    self._failed(failure, chunk)
                    continue
            yield from self._save_batches(pwd_id, pdir_fid, to_fid, chunk)

    def _save_batches(self, pwd_id: str, pdir_fid: str, to_fid: str,
                      chunk: list[tuple[dict[str, Any], str]]) -> Iterator[tuple[list[tuple[dict[str, Any], str]], list[str]]]:
        """Save one chunk, yielding (items, new fids) per batch that Quark accepted. A chunk refused for
        its file count (41035, counted inside folders by account level) is halved down to one item:
        a failed task saved nothing, so saving its halves cannot save anything twice. A stale stoken or
        share_fid_token (41016 / 41020) gets the task's one re-token, a fresh listing and one more try:
        a refused save saved nothing either. Any other failure, or a task that may have succeeded
        (timeout), is never retried."""
        try:
            new_fids = self.session.save([str(i["fid"]) for i, _name in chunk], [str(i.get("share_fid_token", "")) for i, _name in chunk],
                                         to_fid, pwd_id, self.stoken)
        except ApiFailure as failure:
            if failure.outcome is Outcome.AUTH:
                raise
            if failure.save_too_large and len(chunk) > 1:
                half = len(chunk) // 2
                yield from self._save_batches(pwd_id, pdir_fid, to_fid, chunk[:half])
                yield from self._save_batches(pwd_id, pdir_fid, to_fid, chunk[half:])
                return
            if failure.outcome is Outcome.TOKEN_EXPIRED and not self.retokened:
                try:
                    self.retoken(pwd_id)
                    fresh = self._with_tokens(pwd_id, pdir_fid, chunk)
                except ApiFailure as again:
                    if again.outcome is Outcome.AUTH:
                        raise
                    failure = again  # reported below, as any failed save
                else:
                    yield from self._save_batches(pwd_id, pdir_fid, to_fid, fresh)
                    return
            self._failed(failure, chunk)
            return
        except TaskTimeout:
            self.result.problems.append(_("save task did not finish in time"))
            self.result.reason = "task_timeout"
            self.save_failed = True
            return
        yield chunk, new_fids

    def _failed(self, failure: ApiFailure, chunk: list[tuple[dict[str, Any], str]]) -> None:
        self.save_failed = True
        item, name = chunk[0]
        if failure.save_too_large and item.get("dir"):
            self.result.problems.append(_(
                "folder {name} holds more files than Quark lets this account save at once ({message}): "
                "set the task's update_subdir to save only the sub-folders you want, or split the folder"
            ).format(name=name, message=failure.message))
        else:
            self.result.problems.append(_("save failed: {message}").format(message=failure.message))  # Quark's words
        self.result.reason = "save_limit" if failure.save_too_large else failure.classified.reason
        self.result.message = failure.message

    def _with_tokens(self, pwd_id: str, pdir_fid: str,
                     need: list[tuple[dict[str, Any], str]]) -> list[tuple[dict[str, Any], str]]:
        """`need` with the share_fid_tokens of a listing with the stoken in use (quark-api.md 4.1: they
        belong to the stoken), which stops once it has every item; an item gone keeps its old token
        (its save then fails as any). Raises ApiFailure when the listing fails."""
        missing = {str(item.get("fid")) for item, _name in need}

        def enough(page: Page) -> bool:
            missing.difference_update(str(i.get("fid")) for i in page)
            return not missing

        found = {str(i.get("fid")): i for i in self.shares.listing(pwd_id, self.stoken, pdir_fid, enough)}
        return [(found.get(str(item.get("fid")), item), name) for item, name in need]
