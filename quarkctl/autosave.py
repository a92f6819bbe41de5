"""The autosave job: quark-auto-save's daily run (follow share links, save what is new, rename it).

It follows the reference script's flow step by step (Cp0204/quark-auto-save 0.8.x, the
`do_save_task` / `dir_check_and_save` / `do_rename` path) and departs from it only where
quarkctl promises better: a transient failure or an unknown answer never bans a task, a passcode
problem bans it with Quark's words, a bad answer never crashes the run, `--dry-run` writes nothing,
a ledger keeps files the user deleted from coming back.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from quarkctl.quark.account import AccountState, check_account, probe_drive
from quarkctl.config.autosave import AutosaveConfig, Task
from quarkctl.quark.drive import SAVE_CHUNK, ApiFailure, DriveSession, TaskTimeout
from quarkctl.errors import ExitCode
from quarkctl.i18n import _, ngettext
from quarkctl.quark.links import LinkError, parse_share_url
from quarkctl.pacing import Pacer, PacingPolicy, Sleeper, StopSignal
from quarkctl.quark.client import QuarkClient
from quarkctl.rename import Renamer
from quarkctl.quark.signin import SignResult, sign_in
from quarkctl.quark.verdict import Outcome

JOB = "autosave"
EMPTY_SHARE_BAN = "分享为空，文件已被分享者删除"  # the reference's words, kept: users grep for them
TASK_STATUSES = ("saved", "nothing_new", "planned", "skipped", "banned", "failed")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def normalise_path(path: str) -> str:
    return re.sub(r"/{2,}", "/", f"/{path}")


@dataclass
class SavedNode:
    name: str  # the name in the user's drive (after renaming)
    source_name: str
    is_dir: bool
    fid: str | None = None  # in the user's drive; None in a dry-run plan
    children: list[SavedNode] = field(default_factory=list)
    renamed: bool = True  # False when the rename failed (the file keeps source_name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source_name": self.source_name,
            "is_dir": self.is_dir,
            "fid": self.fid,
            "children": [child.as_dict() for child in self.children],
        }

    def count_files(self) -> int:
        return (0 if self.is_dir else 1) + sum(child.count_files() for child in self.children)


@dataclass
class TaskResult:
    index: int  # 1-based, as the reference prints "#1"
    name: str
    status: str = "nothing_new"
    reason: str = ""
    message: str | None = None  # Quark's words, or the ban text
    savepath: str = ""
    added: list[SavedNode] = field(default_factory=list)
    new_folders: list[str] = field(default_factory=list)  # dry run: save paths that would be created
    problems: list[str] = field(default_factory=list)
    hooks: list[dict[str, Any]] = field(default_factory=list)  # post-save hook results: {"hook", "ok", "message"}

    @property
    def files_saved(self) -> int:
        return sum(node.count_files() for node in self.added)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "savepath": self.savepath,
            "added": [node.as_dict() for node in self.added],
            "new_folders": self.new_folders,
            "problems": self.problems,
            "hooks": self.hooks,
            "files_saved": self.files_saved,
        }


@dataclass
class AccountResult:
    index: int
    verified: bool | None  # None: sign-in only account (no __uid), not verified
    nickname: str = ""
    message: str | None = None
    sign: SignResult | None = None
    # verified | drive_accepts (account/info could not tell, the drive took the cookie) | rejected |
    # inconclusive (nothing could tell); None: not checked
    state: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "verified": self.verified,
            "nickname": self.nickname,
            "message": self.message,
            "state": self.state,
            "sign": self.sign.as_dict() if self.sign else None,
        }


@dataclass
class AutosaveReport:
    started_at: datetime
    finished_at: datetime | None = None
    dry_run: bool = False
    accounts: list[AccountResult] = field(default_factory=list)
    tasks: list[TaskResult] = field(default_factory=list)
    lifted_bans: list[str] = field(default_factory=list)
    abort_reason: str | None = None
    exit_code: ExitCode = ExitCode.OK
    run_id: int | None = None

    @property
    def summary(self) -> dict[str, int]:
        counts = {status: 0 for status in TASK_STATUSES}
        for task in self.tasks:
            counts[task.status] = counts.get(task.status, 0) + 1
        counts["tasks"] = len(self.tasks)
        counts["files_saved"] = sum(task.files_saved for task in self.tasks if task.status == "saved")
        return counts


class Listener:
    """What the run tells the outside world, in order, from one thread."""

    def account(self, account: AccountResult) -> None: ...

    def task_started(self, task: Task) -> None: ...

    def task_done(self, result: TaskResult) -> None: ...

    def waiting(self, seconds: float, kind: str) -> None: ...


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


@dataclass(frozen=True)
class AutosaveOptions:
    dry_run: bool = False
    resave_deleted: bool = False
    sign: bool = True
    transfer: bool = True
    pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(1.0, 3.0, 0, 0.0))
    retries: int = 2
    backoff: float = 2.0
    task_timeout: float = 120.0


class _TaskBanned(Exception):
    def __init__(self, reason: str, message: str) -> None:
        self.reason, self.message = reason, message


class _Run:
    def __init__(self, config: AutosaveConfig, tasks: list[Task], options: AutosaveOptions, listener: Listener,
                 make_client: Callable[[str | None], QuarkClient], ledger: Ledger, stop: StopSignal,
                 clock: Callable[[], datetime], today: date, sleep: Sleeper, rng: random.Random,
                 ban_record: Callable[[Task], str | None], remember_ban: Callable[[Task], None]) -> None:
        self.config, self.tasks, self.options, self.listener = config, tasks, options, listener
        self.make_client, self.ledger, self.stop, self.clock, self.today = make_client, ledger, stop, clock, today
        self.sleep, self.rng = sleep, rng
        self.ban_record, self.remember_ban = ban_record, remember_ban
        self.report = AutosaveReport(started_at=clock(), dry_run=options.dry_run)
        self.savepath_fids: dict[str, str] = {"/": "0"}

    def _session(self, client: QuarkClient) -> DriveSession:
        return DriveSession(client, sleep=self.sleep, retries=self.options.retries, backoff=self.options.backoff,
                            task_timeout=self.options.task_timeout, on_wait=self.listener.waiting)

    # -- accounts and sign-in ----------------------------------------------------------------------

    def accounts(self) -> DriveSession | None:
        """Verify and sign each account; the session of the first one when it can transfer."""
        first: DriveSession | None = None
        for number, cookie in enumerate(self.config.accounts, start=1):
            if self.stop.is_set():
                break
            client = self.make_client(cookie)
            session = self._session(client)
            account = AccountResult(number, None)
            if "__uid" in cookie and (number == 1 or self.options.sign):
                self._verify(account, client, session, can_save=number == 1 and self.options.transfer)
            if self.options.sign:
                account.sign = sign_in(session, cookie, number)
            self.report.accounts.append(account)
            self.listener.account(account)
            if number == 1 and account.verified:
                first = session
            else:
                client.close()
        return first

    def _verify(self, account: AccountResult, client: QuarkClient, session: DriveSession, *, can_save: bool) -> None:
        """account/info in its own envelope; when it cannot tell, the first drive call decides for the
        account that saves (autosave cannot save without a login, check-links can check without one)."""
        check = check_account(client, sleep=self.sleep, retries=self.options.retries, backoff=self.options.backoff,
                              stop_signum=lambda: self.stop.signum)
        session.requests += 1
        if check.state is AccountState.INCONCLUSIVE and can_save:
            drive = probe_drive(client)
            session.requests += 1
            if drive.state is not AccountState.INCONCLUSIVE:
                account.state = "drive_accepts" if drive.verified else drive.state.value
                account.verified = drive.verified
                account.message = check.why if drive.verified else drive.why
                return
        account.state = check.state.value
        account.verified = check.verified
        account.nickname = check.nickname
        if not check.verified:
            account.message = check.why

    # -- tasks -------------------------------------------------------------------------------------

    def _lift_stale_bans(self) -> None:
        """A ban recorded for another share URL than the task has now is lifted (the user fixed the link)."""
        for task in self.tasks:
            if task.shareurl_ban and (banned_url := self.ban_record(task)) is not None and banned_url != task.shareurl:
                if not self.options.dry_run:
                    task.shareurl_ban = None
                self.report.lifted_bans.append(task.name)

    def _resolve_savepaths(self, session: DriveSession, tasks: list[Task]) -> list[str]:
        """One path_list for all save paths (batches of 50), then mkdir what is missing; returns new folders."""
        paths = sorted({normalise_path(task.savepath) for task in tasks} - {"/"})
        if not paths:
            return []
        self.savepath_fids.update(session.path_fids(paths))
        missing = [path for path in paths if path not in self.savepath_fids]
        if self.options.dry_run:
            return missing
        for path in missing:
            try:
                self.savepath_fids[path] = session.mkdir(path)
            except ApiFailure:
                pass  # reported by the task that needs it
        return missing

    def run(self) -> AutosaveReport:
        session = self.accounts()
        if self.options.transfer and self.tasks:
            if session is None:
                self.report.abort_reason = "no_account"
            else:
                try:
                    self._run_tasks(session)
                finally:
                    session.client.close()
        self.report.finished_at = self.clock()
        self.report.exit_code = self._exit_code()
        return self.report

    def _exit_code(self) -> ExitCode:
        if self.stop.signum is not None:
            return ExitCode.SIGINT if self.stop.signum == 2 else ExitCode.SIGTERM
        if self.report.abort_reason in ("no_account", "cookie_rejected"):
            return ExitCode.AUTH
        return ExitCode.LINK_ERRORS if any(t.status == "failed" for t in self.report.tasks) else ExitCode.OK

    def _run_tasks(self, session: DriveSession) -> None:
        self._lift_stale_bans()
        due = [task for task in self.tasks if task.due(self.today) is None]
        try:
            new_folders = self._resolve_savepaths(session, due) if due else []
        except ApiFailure:
            new_folders = []  # each task then looks its own folder up, and reports it if that fails too
        pacer = Pacer(self.options.pacing, self.sleep, self.rng, self.listener.waiting)
        for task in self.tasks:
            if self.stop.is_set():
                break
            result = TaskResult(task.index + 1, task.name, savepath=normalise_path(task.savepath))
            why_not = task.due(self.today)
            if why_not is not None:
                result.status, result.reason, result.message = "skipped", "not_due", why_not
                if task.shareurl_ban:
                    result.reason, result.message = "banned_earlier", task.shareurl_ban
            else:
                if not pacer.before_link():
                    break
                self.listener.task_started(task)
                if result.savepath in new_folders:
                    result.new_folders.append(result.savepath)
                self._run_task(session, task, result)
            self.report.tasks.append(result)
            self.listener.task_done(result)
            if result.reason == "cookie_rejected":
                self.report.abort_reason = "cookie_rejected"
                self.stop.set(reason="cookie_rejected")

    def _run_task(self, session: DriveSession, task: Task, result: TaskResult) -> None:
        """One task; whatever goes wrong stays inside this task."""
        try:
            link = parse_share_url(task.shareurl)
        except LinkError as exc:
            result.status, result.reason = "failed", exc.reason
            return
        try:
            try:
                stoken = session.token(link.pwd_id, link.passcode)
                result.added = self._check_and_save(session, task, result, link.pwd_id, stoken, link.pdir_fid, "")
            except ApiFailure as failure:
                if failure.outcome is not Outcome.TOKEN_EXPIRED:
                    raise
                stoken = session.token(link.pwd_id, link.passcode)  # one fresh token, then as above
                result.added = self._check_and_save(session, task, result, link.pwd_id, stoken, link.pdir_fid, "")
        except _TaskBanned as ban:
            self._ban(task, result, ban.reason, ban.message)
            return
        except ApiFailure as failure:
            if failure.outcome in (Outcome.DEAD, Outcome.NEEDS_PASSCODE):
                self._ban(task, result, failure.classified.reason, failure.message)
            else:
                result.status, result.reason, result.message = "failed", failure.classified.reason, failure.message
                if failure.outcome is Outcome.AUTH:
                    result.reason = "cookie_rejected"
            return
        except TaskTimeout:
            result.status, result.reason = "failed", "task_timeout"
            return
        except Exception as exc:  # noqa: BLE001 - one odd answer must not stop the other tasks
            result.status, result.reason, result.message = "failed", "internal_error", f"{type(exc).__name__}: {exc}"
            return
        if result.problems and not result.added:
            result.status, result.reason = "failed", result.reason or "save_failed"
        elif result.added:
            result.status = "planned" if self.options.dry_run else "saved"
        else:
            result.status = "nothing_new"

    def _ban(self, task: Task, result: TaskResult, reason: str, message: str) -> None:
        result.status, result.reason, result.message = "banned", reason, message
        if not self.options.dry_run:
            task.shareurl_ban = message
            self.remember_ban(task)

    def _check_and_save(self, session: DriveSession, task: Task, result: TaskResult, pwd_id: str, stoken: str,
                        pdir_fid: str, subdir: str) -> list[SavedNode]:
        """The reference's dir_check_and_save: compare one share folder with one target folder."""
        items = session.share_list(pwd_id, stoken, pdir_fid)
        if not items:
            if subdir == "":
                raise _TaskBanned("empty_share", EMPTY_SHARE_BAN)
            return []
        if subdir == "" and len(items) == 1 and items[0].get("dir"):
            items = session.share_list(pwd_id, stoken, str(items[0]["fid"]))  # a share that is one folder
        renamer = Renamer(self.config.magic_regex, task.name, today=self.today)
        pattern, replace = renamer.resolve(task.pattern or "", task.replace or "")

        def wanted(item: dict[str, Any]) -> bool:
            search = task.update_subdir if (item.get("dir") and task.update_subdir) else pattern
            return re.search(search or "", str(item.get("file_name", ""))) is not None

        if not any(wanted(item) for item in items):
            return []  # nothing in the share passes the filters: the target folder need not be listed
        savepath = normalise_path(f"{task.savepath}{subdir}")
        to_fid = self.savepath_fids.get(savepath)
        if to_fid is None and not (self.options.dry_run and savepath in result.new_folders):
            found = session.path_fids([savepath])
            to_fid = found.get(savepath)
            if to_fid is None:
                result.problems.append(_("no folder {path}").format(path=savepath))
                result.reason = "savepath_missing"
                return []
            self.savepath_fids[savepath] = to_fid
        target = session.list_dir(to_fid) if to_fid else []
        names = [str(f.get("file_name", "")) for f in target]

        ignore_ext = bool(task.ignore_extension)
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
                elif is_dir and task.update_subdir and re.search(task.update_subdir, name):
                    existing = next((f for f in target if f.get("file_name") == name), None)
                    if task.update_subdir_resave_mode:
                        if existing is not None and not self.options.dry_run:
                            session.delete_and_purge([str(existing["fid"])])
                        need.append((item, name))
                        resaved.add(str(item.get("fid")))
                    else:
                        children = self._check_and_save(session, task, result, pwd_id, stoken, str(item["fid"]), f"{subdir}/{name}")
                        if children:
                            nodes.append(SavedNode(name, name, True, existing.get("fid") if existing else None, children))
            if task.startfid and item.get("fid") == task.startfid:
                break  # the scan stops after that file, inclusive

        key = task_key(task)
        if not self.options.resave_deleted:
            seen = self.ledger.saved(key)
            need = [(item, name) for item, name in need if str(item.get("fid")) not in seen - resaved]
        if re.search(r"\{I+\}", replace):
            need = renamer.number(need, target, replace)
        if self.options.dry_run:
            return nodes + [SavedNode(name, str(item.get("file_name")), bool(item.get("dir"))) for item, name in need]
        return nodes + self._save(session, task, result, pwd_id, stoken, to_fid or "0", need, top_level=subdir == "")

    def _save(self, session: DriveSession, task: Task, result: TaskResult, pwd_id: str, stoken: str, to_fid: str,
              need: list[tuple[dict[str, Any], str]], *, top_level: bool) -> list[SavedNode]:
        saved: list[SavedNode] = []
        key = task_key(task)
        batches = (batch for start in range(0, len(need), SAVE_CHUNK)
                   for batch in self._save_batches(session, result, pwd_id, stoken, to_fid, need[start : start + SAVE_CHUNK]))
        for chunk, new_fids in batches:
            if len(new_fids) != len(chunk):
                result.problems.append(ngettext("save answered {got} fids for {n} file", "save answered {got} fids for {n} files",
                                                len(chunk)).format(got=len(new_fids), n=len(chunk)))
            for (item, name), fid in zip(chunk, new_fids):
                source = str(item.get("file_name", ""))
                node = SavedNode(name, source, bool(item.get("dir")), fid)
                if top_level and not node.is_dir and name != source:
                    try:
                        session.rename(fid, name)
                    except ApiFailure as failure:
                        node.renamed, node.name = False, source
                        result.problems.append(_("rename {source} -> {name} failed: {message}").format(
                            source=source, name=name, message=failure.message))
                self.ledger.record(key, pwd_id, str(item.get("fid")), source, node.name)
                saved.append(node)
        return saved

    def _save_batches(self, session: DriveSession, result: TaskResult, pwd_id: str, stoken: str, to_fid: str,
                      chunk: list[tuple[dict[str, Any], str]]) -> Iterator[tuple[list[tuple[dict[str, Any], str]], list[str]]]:
        """Save one chunk, yielding (items, new fids) per batch that Quark accepted. A chunk refused for
        its file count (41035, counted inside folders by account level) is halved down to one item:
        a failed task saved nothing, so saving its halves cannot save anything twice. Any other
        failure, or a task that may have succeeded (timeout), is never retried."""
        try:
            new_fids = session.save([str(i["fid"]) for i, _name in chunk], [str(i.get("share_fid_token", "")) for i, _name in chunk],
                                    to_fid, pwd_id, stoken)
        except ApiFailure as failure:
            if failure.outcome is Outcome.AUTH:
                raise
            if failure.save_too_large and len(chunk) > 1:
                half = len(chunk) // 2
                yield from self._save_batches(session, result, pwd_id, stoken, to_fid, chunk[:half])
                yield from self._save_batches(session, result, pwd_id, stoken, to_fid, chunk[half:])
                return
            item, name = chunk[0]
            if failure.save_too_large and item.get("dir"):
                result.problems.append(_(
                    "folder {name} holds more files than Quark lets this account save at once ({message}): "
                    "set the task's update_subdir to save only the sub-folders you want, or split the folder"
                ).format(name=name, message=failure.message))
            else:
                result.problems.append(_("save failed: {message}").format(message=failure.message))  # Quark's words
            result.reason = "save_limit" if failure.save_too_large else failure.classified.reason
            result.message = failure.message
            return
        except TaskTimeout:
            result.problems.append(_("save task did not finish in time"))
            result.reason = "task_timeout"
            return
        yield chunk, new_fids


def task_key(task: Task) -> str:
    """What identifies a task in quarkctl's own state: its name and save path (the reference has no id)."""
    return f"{task.name}\x1f{normalise_path(task.savepath)}"


def run_autosave(
    config: AutosaveConfig,
    tasks: list[Task],
    options: AutosaveOptions,
    listener: Listener | None = None,
    *,
    make_client: Callable[[str | None], QuarkClient],
    ledger: Ledger | None = None,
    stop: StopSignal | None = None,
    clock: Callable[[], datetime] = utcnow,
    today: date | None = None,
    sleep: Sleeper | None = None,
    rng: random.Random | None = None,
    ban_record: Callable[[Task], str | None] = lambda task: None,
    remember_ban: Callable[[Task], None] = lambda task: None,
) -> AutosaveReport:
    stop = stop or StopSignal()
    return _Run(config, tasks, options, listener or Listener(), make_client, ledger or Ledger(), stop, clock,
                today or date.today(), sleep or stop.sleep, rng or random.Random(), ban_record, remember_ban).run()
