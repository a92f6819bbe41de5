"""One autosave task's transfer: compare a share folder with its target folder, save what is new
in chunks, rename it (the reference's `dir_check_and_save` / `do_save` / `do_rename`).

The job (autosave.py) picks the tasks, gets the share token and turns failures into a task's
status; this module only walks folders and saves, writing what it did into the task's result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from quarkctl.i18n import _, ngettext
from quarkctl.quark.drive import SAVE_CHUNK, ApiFailure, DriveSession, TaskTimeout
from quarkctl.quark.verdict import Outcome
from quarkctl.rename import Renamer
from quarkctl.reports.autosave import SavedNode, TaskResult

if TYPE_CHECKING:
    from quarkctl.config.autosave import Task

EMPTY_SHARE_BAN = "分享为空，文件已被分享者删除"  # the reference's words, kept: users grep for them


def normalise_path(path: str) -> str:
    return re.sub(r"/{2,}", "/", f"/{path}")


def task_key(task: Task) -> str:
    """What identifies a task in quarkctl's own state: its name and save path (the reference has no id)."""
    return f"{task.name}\x1f{normalise_path(task.savepath)}"


class Ledger:
    """What was saved before, so a file the user deleted is not saved again (db-backed or in memory)."""

    def __init__(self, load: Callable[[str], set[str]] | None = None, record: Callable[..., None] | None = None) -> None:
        self._load = load or (lambda key: set())
        self._record = record or (lambda *args: None)
        self._cache: dict[str, set[str]] = {}

    def saved(self, task_key: str) -> set[str]:
        if task_key not in self._cache:
            self._cache[task_key] = self._load(task_key)
        return self._cache[task_key]

    def record(self, task_key: str, pwd_id: str, source_fid: str, source_name: str, saved_name: str) -> None:
        self.saved(task_key).add(source_fid)
        self._record(task_key, pwd_id, source_fid, source_name, saved_name)


class TaskBanned(Exception):
    """The share itself says the task can never succeed (it is empty): the job bans the task."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason, self.message = reason, message


class Transfer:
    """One task's walk through its share, with the run's state it shares with the other tasks
    (the save paths already resolved, the ledger)."""

    def __init__(self, session: DriveSession, task: Task, result: TaskResult, *, magic_regex: dict[str, dict[str, str]],
                 today: date, ledger: Ledger, savepath_fids: dict[str, str], dry_run: bool, resave_deleted: bool) -> None:
        self.session, self.task, self.result = session, task, result
        self.magic_regex, self.today, self.ledger, self.savepath_fids = magic_regex, today, ledger, savepath_fids
        self.dry_run, self.resave_deleted = dry_run, resave_deleted

    def check_and_save(self, pwd_id: str, stoken: str, pdir_fid: str, subdir: str) -> list[SavedNode]:
        """The reference's dir_check_and_save: compare one share folder with one target folder."""
        items = self.session.share_list(pwd_id, stoken, pdir_fid)
        if not items:
            if subdir == "":
                raise TaskBanned("empty_share", EMPTY_SHARE_BAN)
            return []
        if subdir == "" and len(items) == 1 and items[0].get("dir"):
            items = self.session.share_list(pwd_id, stoken, str(items[0]["fid"]))  # a share that is one folder
        renamer = Renamer(self.magic_regex, self.task.name, today=self.today)
        pattern, replace = renamer.resolve(self.task.pattern or "", self.task.replace or "")

        def wanted(item: dict[str, Any]) -> bool:
            search = self.task.update_subdir if (item.get("dir") and self.task.update_subdir) else pattern
            return re.search(search or "", str(item.get("file_name", ""))) is not None

        if not any(wanted(item) for item in items):
            return []  # nothing in the share passes the filters: the target folder need not be listed
        savepath = normalise_path(f"{self.task.savepath}{subdir}")
        to_fid = self.savepath_fids.get(savepath)
        if to_fid is None and not (self.dry_run and savepath in self.result.new_folders):
            found = self.session.path_fids([savepath])
            to_fid = found.get(savepath)
            if to_fid is None:
                self.result.problems.append(_("no folder {path}").format(path=savepath))
                self.result.reason = "savepath_missing"
                return []
            self.savepath_fids[savepath] = to_fid
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
                    if is_dir or subdir:
                        need.append((item, name))
                    else:
                        new_name = renamer.new_name(pattern, replace, name)
                        if not renamer.exists(new_name, names, ignore_ext):
                            need.append((item, new_name))
                elif is_dir and self.task.update_subdir and re.search(self.task.update_subdir, name):
                    existing = next((f for f in target if f.get("file_name") == name), None)
                    if self.task.update_subdir_resave_mode:
                        if existing is not None and not self.dry_run:
                            self.session.delete_and_purge([str(existing["fid"])])
                        need.append((item, name))
                        resaved.add(str(item.get("fid")))
                    else:
                        children = self.check_and_save(pwd_id, stoken, str(item["fid"]), f"{subdir}/{name}")
                        if children:
                            nodes.append(SavedNode(name, name, True, existing.get("fid") if existing else None, children))
            if self.task.startfid and item.get("fid") == self.task.startfid:
                break  # the scan stops after that file, inclusive

        key = task_key(self.task)
        if not self.resave_deleted:
            seen = self.ledger.saved(key)
            need = [(item, name) for item, name in need if str(item.get("fid")) not in seen - resaved]
        if re.search(r"\{I+\}", replace):
            need = renamer.number(need, target, replace)
        if self.dry_run:
            return nodes + [SavedNode(name, str(item.get("file_name")), bool(item.get("dir"))) for item, name in need]
        return nodes + self._save(pwd_id, stoken, to_fid or "0", need, top_level=subdir == "")

    def _save(self, pwd_id: str, stoken: str, to_fid: str, need: list[tuple[dict[str, Any], str]], *, top_level: bool) -> list[SavedNode]:
        saved: list[SavedNode] = []
        key = task_key(self.task)
        batches = (batch for start in range(0, len(need), SAVE_CHUNK)
                   for batch in self._save_batches(pwd_id, stoken, to_fid, need[start : start + SAVE_CHUNK]))
        for chunk, new_fids in batches:
            if len(new_fids) != len(chunk):
                self.result.problems.append(ngettext("save answered {got} fids for {n} file", "save answered {got} fids for {n} files",
                                                     len(chunk)).format(got=len(new_fids), n=len(chunk)))
            for (item, name), fid in zip(chunk, new_fids):
                source = str(item.get("file_name", ""))
                node = SavedNode(name, source, bool(item.get("dir")), fid)
                if top_level and not node.is_dir and name != source:
                    try:
                        self.session.rename(fid, name)
                    except ApiFailure as failure:
                        node.renamed, node.name = False, source
                        self.result.problems.append(_("rename {source} -> {name} failed: {message}").format(
                            source=source, name=name, message=failure.message))
                self.ledger.record(key, pwd_id, str(item.get("fid")), source, node.name)
                saved.append(node)
        return saved

    def _save_batches(self, pwd_id: str, stoken: str, to_fid: str,
                      chunk: list[tuple[dict[str, Any], str]]) -> Iterator[tuple[list[tuple[dict[str, Any], str]], list[str]]]:
        """Save one chunk, yielding (items, new fids) per batch that Quark accepted. A chunk refused for
        its file count (41035, counted inside folders by account level) is halved down to one item:
        a failed task saved nothing, so saving its halves cannot save anything twice. Any other
        failure, or a task that may have succeeded (timeout), is never retried."""
        try:
            new_fids = self.session.save([str(i["fid"]) for i, _name in chunk], [str(i.get("share_fid_token", "")) for i, _name in chunk],
                                         to_fid, pwd_id, stoken)
        except ApiFailure as failure:
            if failure.outcome is Outcome.AUTH:
                raise
            if failure.save_too_large and len(chunk) > 1:
                half = len(chunk) // 2
                yield from self._save_batches(pwd_id, stoken, to_fid, chunk[:half])
                yield from self._save_batches(pwd_id, stoken, to_fid, chunk[half:])
                return
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
            return
        except TaskTimeout:
            self.result.problems.append(_("save task did not finish in time"))
            self.result.reason = "task_timeout"
            return
        yield chunk, new_fids
