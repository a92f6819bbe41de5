"""The autosave job: quark-auto-save's daily run (follow share links, save what is new, rename it).

It follows the reference script's flow step by step (Cp0204/quark-auto-save 0.8.x, the
`do_save_task` / `dir_check_and_save` / `do_rename` path) and departs from it only where
quarkctl promises better: a transient failure or an unknown answer never bans a task, a passcode
problem bans it with Quark's words, a bad answer never crashes the run, `--dry-run` writes nothing,
a ledger keeps files the user deleted from coming back.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime

from quarkctl.quark.account import AccountState, check_account, probe_drive
from quarkctl.config.autosave.model import AutosaveConfig, Task
from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout
from quarkctl.runtime.deadline import Deadline, deadline_at
from quarkctl.errors import DatabaseLost, ExitCode, Interrupted
from quarkctl.quark.linkcheck import FOLDER_GONE, LOGIN_REQUIRED
from quarkctl.quark.links import ROOT_FID, LinkError, parse_share_url
from quarkctl.quark.share_cache import ShareCache
from quarkctl.runtime.pacing import Pacer, Sleeper
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.stop import StopSignal, exit_code
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.grace import GraceCutter
from quarkctl.quark.signin import sign_in
from quarkctl.quark.verdict import Classified, Outcome, Verdict
from quarkctl.render.messages import account_why
from quarkctl.reports.autosave import AccountResult, AutosaveReport, Listener, TaskResult
from quarkctl.autosave.options import AutosaveOptions

from quarkctl.acquire.verify import Verifier
from quarkctl.config.autosave.rename import Renamer
from quarkctl.quark.linkcheck import LinkChecker

from .replace import Replacer, Search, saved_files
from .task import Ledger, TaskBanned, Transfer, normalise_path, task_key

# The exit code of each reason an autosave run aborts for (runtime/stop.py: a signal's code comes first)
_ABORTS = {"no_account": ExitCode.AUTH, "cookie_rejected": ExitCode.AUTH, "account_unreachable": ExitCode.ABORTED}


class _Run:
    def __init__(self, config: AutosaveConfig, tasks: list[Task], options: AutosaveOptions, listener: Listener,
                 make_client: Callable[[str | None], QuarkClient], ledger: Ledger, stop: StopSignal,
                 clock: Callable[[], datetime], today: date, sleep: Sleeper, rng: random.Random,
                 ban_record: Callable[[Task], str | None], remember_ban: Callable[[Task], None], search: Search | None = None) -> None:
        self.config, self.tasks, self.options, self.listener = config, tasks, options, listener
        self.make_client, self.ledger, self.stop, self.clock, self.today = make_client, ledger, stop, clock, today
        self.cutter = GraceCutter(stop.is_set)
        self.sleep, self.rng = sleep, rng
        self.ban_record, self.remember_ban = ban_record, remember_ban
        self.search = search  # the search service a dead task's replacement is looked for in
        self.replacer: Replacer | None = None
        self.link_checker: LinkChecker | None = None
        self.report = AutosaveReport(started_at=clock(), dry_run=options.dry_run, planned=len(tasks) if options.transfer else 0)
        # --max-runtime: no task starts after it; the one running finishes (quarkctl.runtime.deadline)
        self.deadline = Deadline(deadline_at(self.report.started_at, max_runtime=options.max_runtime), clock)
        self.report.deadline_at = self.deadline.at
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
            client = self.cutter.watch(self.make_client(cookie))
            session = self._session(client)
            account = AccountResult(number, None)
            if "__uid" in cookie and (number == 1 or self.options.sign):
                self._verify(account, client, session, can_save=number == 1 and self.options.transfer)
            if self.options.sign and not self.options.dry_run:  # a dry run changes nothing, the day's sign-in included
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
                              stop_signum=lambda: self.stop.signum, on_wait=self.listener.waiting)
        session.requests += 1
        if check.state is AccountState.INCONCLUSIVE and can_save:
            drive = probe_drive(client)
            session.requests += 1
            if drive.state is not AccountState.INCONCLUSIVE:
                account.state = "drive_accepts" if drive.verified else drive.state.value
                account.verified = drive.verified
                account.message = account_why(check.reason, check.evidence) if drive.verified else account_why(drive.reason, drive.evidence)
                return
        account.state = check.state.value
        account.verified = check.verified
        account.nickname = check.nickname
        if not check.verified:
            account.message = account_why(check.reason, check.evidence)

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
        with self.cutter:  # a stop leaves the request in flight STOP_GRACE s (quarkctl/quark/grace.py)
            session = self.accounts()
            if self.options.transfer and self.tasks:
                if session is None:
                    # a cookie Quark refused is exit 3 (renew it); Quark or the network not answering is not
                    # the cookie's fault: exit 4, as the circuit breaker (issue 23)
                    first = self.report.accounts[0] if self.report.accounts else None
                    unreachable = first is not None and first.state == AccountState.INCONCLUSIVE.value and self.stop.signum is None
                    self.report.abort_reason = "account_unreachable" if unreachable else "no_account"
                else:
                    try:
                        self._run_tasks(session)
                    finally:
                        session.client.close()
        if self.options.transfer and self.stop.signum is not None:
            self._not_run()
        self.report.finished_at = self.clock()
        self.report.exit_code = self._exit_code()
        return self.report

    def _not_run(self) -> None:
        """A signal stopped the run: the tasks it did not get to are in the report by name, as not run (issue 23:
        an interrupted run looked like one that ran every task)."""
        ran = {result.index for result in self.report.tasks}
        for task in self.tasks:
            if task.index + 1 not in ran:
                self.report.tasks.append(TaskResult(task.index + 1, task.name, status="skipped", reason="interrupted",
                                                    savepath=normalise_path(task.savepath), position=len(self.report.tasks) + 1))
        self.report.abort_reason = self.report.abort_reason or "interrupted"

    def _exit_code(self) -> ExitCode:
        if not self.options.transfer and self.stop.signum is None:  # `quarkctl sign`: the sign-in is the whole job (issue 21)
            return self.report.sign_exit_code()
        return exit_code(self.stop, self.report.abort_reason, _ABORTS, failed=any(t.status == "failed" for t in self.report.tasks))

    def _run_tasks(self, session: DriveSession) -> None:
        self._lift_stale_bans()
        self.shares = ShareCache(session)  # one stoken per share, each share folder listed once (issue 16)
        due = [task for task in self.tasks if task.due(self.today) is None]
        try:
            new_folders = self._resolve_savepaths(session, due) if due else []
        except ApiFailure:
            new_folders = []  # each task then looks its own folder up, and reports it if that fails too
        pacer = Pacer(self.options.pacing, self.deadline.cut(self.sleep), self.rng, self.listener.waiting)
        if self.search is not None:
            self.link_checker = checker = LinkChecker(session.client, retries=self.options.retries, backoff=self.options.backoff, sleep=self.sleep,
                                  on_wait=self.listener.waiting)
            self.replacer = Replacer(self.search, Verifier(checker, session), self.report, candidates=self.options.replace_candidates,
                                     search_pacer=Pacer(self.options.search_pacing, self.sleep, self.rng, self.listener.waiting),
                                     check_pacer=Pacer(self.options.check_pacing, self.sleep, self.rng, self.listener.waiting),
                                     stopped=self.stop.is_set)
        for task in self.tasks:
            if self.stop.is_set():
                break
            # position: the task's place in this run, for the `[2/3]` counter (--task and --skip-invalid run fewer)
            result = TaskResult(task.index + 1, task.name, savepath=normalise_path(task.savepath), position=len(self.report.tasks) + 1)
            why_not = task.due(self.today)
            if why_not is not None:
                result.status, result.reason, result.message = "skipped", "not_due", why_not
                if task.shareurl_ban:
                    result.reason, result.message = "banned_earlier", task.shareurl_ban
                    if self.options.replace_dead and self.replacer is not None and task.due(self.today, ban=False) is None:
                        self._replace_banned(session, task, result)
            elif self.deadline.passed() or not pacer.before_link() or self.deadline.passed():  # before and after the pause
                if self.stop.is_set():
                    break
                result.status, result.reason = "skipped", "deadline"  # not run: the deadline came first
            else:
                self.listener.task_started(task)
                if result.savepath in new_folders:
                    result.new_folders.append(result.savepath)
                self._run_task(session, task, result)
                if result.status == "banned" and self.replacer is not None and not self.stop.is_set():
                    try:
                        self._replace(session, task, result)
                    except (DatabaseLost, Interrupted):
                        raise
                    except Exception as exc:  # noqa: BLE001 - the task stays banned, as without the switch
                        result.problems.append(f"replace-dead: {type(exc).__name__}: {exc}")
            self.report.tasks.append(result)
            self.listener.task_done(result)
            if result.reason == "cookie_rejected":
                self.report.abort_reason = "cookie_rejected"
                self.stop.set(reason="cookie_rejected")

    def _replace_banned(self, session: DriveSession, task: Task, result: TaskResult) -> None:
        """A task banned by an earlier run (a new user's review, issue 25: `--replace-dead takes it` was suggested, then
        only `skipped`): still dead or empty by check-links' check, it is replaced as in the run its share died."""
        assert self.replacer is not None and self.link_checker is not None
        if self.stop.is_set() or not self.replacer.check_pacer.before_link():
            return
        try:
            verdict = self.link_checker.check(task.shareurl).verdict
            if verdict not in (Verdict.EXPIRED, Verdict.EMPTY):
                return
            self._resolve_savepaths(session, [task])  # what the task saved is read from its folder
            self._replace(session, task, result)
        except (DatabaseLost, Interrupted):
            raise
        except Exception as exc:  # noqa: BLE001 - the task stays banned, as without the switch
            result.problems.append(f"replace-dead: {type(exc).__name__}: {exc}")

    def _replace(self, session: DriveSession, task: Task, result: TaskResult) -> None:
        """The task's share died in this run: look for a search result that continues its series; with
        --replace-dead move the task to it and run it there (files already saved are known by name, so none
        is saved twice), else only suggest it (autosave/replace.py)."""
        assert self.replacer is not None
        pattern, _replace = Renamer(self.config.magic_regex, task.name, today=self.today).resolve(task.pattern or "", task.replace or "")
        saved = saved_files(self.ledger.names(task_key(task)), session, self.savepath_fids.get(normalise_path(task.savepath)))
        found = self.replacer.find(task, result, saved, pattern)
        if found is None:
            return
        info = found.as_json(task.shareurl, result)
        if not self.options.replace_dead:
            result.suggested_replacement = info
            return
        result.replaced = {**info, "applied": not self.options.dry_run}
        if not self.options.dry_run:
            task.replace_shareurl(found.url)  # the old link kept as shareurl_dead, the ban lifted
        again = TaskResult(result.index, result.name, savepath=result.savepath, position=result.position,
                           new_folders=result.new_folders)
        self._run_task(session, task, again, shareurl=found.url, by_name=True, saved=saved)
        result.status, result.reason, result.message, result.added, result.problems = (
            again.status, again.reason, again.message, again.added, again.problems)

    def _run_task(self, session: DriveSession, task: Task, result: TaskResult, *, shareurl: str | None = None,
                  by_name: bool = False, saved: list[tuple[str, int | None]] | None = None) -> None:
        """One task; whatever goes wrong stays inside this task."""
        try:
            link = parse_share_url(shareurl or task.shareurl)
        except LinkError as exc:
            result.status, result.reason = "failed", exc.reason
            return
        transfer = Transfer(session, task, result, magic_regex=self.config.magic_regex, today=self.today, ledger=self.ledger,
                            savepath_fids=self.savepath_fids, dry_run=self.options.dry_run,
                            resave_deleted=self.options.resave_deleted, shares=self.shares, passcode=link.passcode,
                            by_name=by_name or bool(task.data.get("shareurl_dead")), saved=saved)  # a moved task, in later runs too
        clean = False
        try:
            clean = self._transfer(transfer, link.pwd_id, link.pdir_fid, task, result)
        finally:
            if not self.options.dry_run:
                try:
                    transfer.settle(clean)  # the scan marker: may the next run stop paging early (issue 16)
                except Exception as exc:  # noqa: BLE001 - as a ledger write that failed: this task only
                    result.status, result.reason, result.message = "failed", "internal_error", f"{type(exc).__name__}: {exc}"

    def _transfer(self, transfer: Transfer, pwd_id: str, pdir_fid: str, task: Task, result: TaskResult) -> bool:
        """The task's walk and save; True when it ran to the end (its saves may still have failed)."""
        try:
            try:
                stoken = self.shares.token(pwd_id, transfer.passcode)
                result.added = transfer.check_and_save(pwd_id, stoken, pdir_fid, "")
            except ApiFailure as failure:
                if failure.outcome is not Outcome.TOKEN_EXPIRED or transfer.retokened:
                    raise
                stoken = transfer.retoken(pwd_id)  # once a task (41016, quark-api.md 4.1), then as above
                result.added = transfer.check_and_save(pwd_id, stoken, pdir_fid, "")
        except TaskBanned as ban:
            if self._still_empty(transfer, pwd_id):
                self._ban(task, result, ban.reason, ban.message)
            else:  # listed files with a fresh stoken: a hiccup, never a ban (quark-api.md 4.2.6)
                result.status, result.reason = "failed", "empty_share"
            return False
        except ApiFailure as failure:
            if failure.endpoint == "detail" and (failure.outcome is Outcome.DEAD or failure.classified.reason == "unknown_code"):
                # A share folder's listing said dead (the link's own folder, or one the walk went into): the
                # share's root decides, as in check-links (quarkctl/quark/linkcheck.py). An attacker's review
                # (issue 21): one dead sub-folder under update_subdir banned a live share for good.
                failure = self._stale_folder(transfer, pwd_id, failure)
            if failure.outcome is Outcome.DEAD and failure.endpoint in ("token", "detail"):
                # The one rule (quarkctl/quark/verdict.py): only the share's own answer bans; a dead code from
                # the user's drive (file/sort, path_list) or a save task is this run's failure, never a ban
                self._ban(task, result, failure.classified.reason, failure.message)
            elif failure.classified.reason == FOLDER_GONE:
                result.status, result.reason, result.message = "failed", FOLDER_GONE, failure.message
            else:
                result.status, result.reason, result.message = "failed", failure.classified.reason, failure.message
                if failure.classified.reason == "aborted":  # cut off by a stop after its grace (quark/grace.py)
                    result.reason, result.message = "interrupted", ""
                if failure.outcome is Outcome.AUTH:
                    # On a share page 31001 may be the share's login wall (quark-api.md 7): the account
                    # service says whether the login is gone (then the run stops) or only this task fails.
                    share_page = failure.endpoint in ("token", "detail")
                    result.reason = LOGIN_REQUIRED if share_page and self._login_holds(transfer) else "cookie_rejected"
            return False
        except TaskTimeout:
            result.status, result.reason = "failed", "task_timeout"
            return False
        except DatabaseLost:  # the ledger could not be read: saving blind could bring deleted files back (exit 5)
            result.status, result.reason = "failed", "database_lost"
            return False
        except Exception as exc:  # noqa: BLE001 - one odd answer must not stop the other tasks
            result.status, result.reason, result.message = "failed", "internal_error", f"{type(exc).__name__}: {exc}"
            return False
        self._status(result)
        return True

    def _login_holds(self, transfer: Transfer) -> bool:
        try:
            check = check_account(transfer.session.client, sleep=self.sleep, retries=self.options.retries,
                                  backoff=self.options.backoff, stop_signum=lambda: self.stop.signum)
        except Interrupted:
            return False
        return check.verified

    def _still_empty(self, transfer: Transfer, pwd_id: str) -> bool:
        """An empty root, confirmed with a fresh stoken before a ban, as check-links confirms it."""
        try:
            stoken = self.shares.refresh(pwd_id, transfer.passcode)
            return not self.shares.listing(pwd_id, stoken, ROOT_FID, lambda page: True)
        except ApiFailure:
            return False  # could not confirm: no ban this run

    def _stale_folder(self, transfer: Transfer, pwd_id: str, failure: ApiFailure) -> ApiFailure:
        """A dead answer inside a sub-folder bans only when the share's root is dead too; a live root
        makes it `folder_gone` (the task fails, never banned: the owner fixes the link)."""
        try:
            stoken = self.shares.token(pwd_id, transfer.passcode)
            self.shares.listing(pwd_id, stoken, ROOT_FID, lambda page: True)  # one page says the root lives
        except ApiFailure as root:
            return root
        gone = Classified(Outcome.UNKNOWN, FOLDER_GONE, failure.classified.api_code, failure.classified.http_status,
                          failure.classified.message)
        return ApiFailure(gone, failure.endpoint)

    def _status(self, result: TaskResult) -> None:
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
    search: Search | None = None,
) -> AutosaveReport:
    stop = stop or StopSignal()
    return _Run(config, tasks, options, listener or Listener(), make_client, ledger or Ledger(), stop, clock,
                today or date.today(), sleep or stop.sleep, rng or random.Random(), ban_record, remember_ban, search).run()
