"""Render an autosave run: plain lines with indented trees, a rich Tree on a terminal, or JSON."""

from __future__ import annotations

from typing import IO, Any

from natsort import natsort_keygen
from rich.tree import Tree

from quarkctl.errors import ExitCode
from quarkctl.reports.autosave import JOB, SIGN_JOB, AccountResult, AutosaveReport, Listener, SavedNode, TaskResult, whole_folders
from quarkctl.i18n import _, clauses, ngettext
from quarkctl.redact import redact
from quarkctl.render.plain import Fanout, PlainLines, use_rich
from quarkctl.render.autosave_replace import candidate_lines, with_replacement
from quarkctl.render.messages import abort_text, more_text, reason_text, retry_text
from quarkctl.render.rich_text import SafeConsole, assemble, styled
from quarkctl.safe_text import json_text, printable

_LEVEL = {"saved": "INFO", "planned": "INFO", "nothing_new": "INFO", "skipped": "INFO", "banned": "WARN", "failed": "ERROR"}
_ICONS = {"video": "🎞️", "image": "🖼️", "audio": "🎵", "doc": "📄", "archive": "📦"}


def format_bytes(size: float | None) -> str:
    units = ("B", "KB", "MB", "GB", "TB", "PB")
    size = float(size or 0)
    i = 0
    while size >= 1024 and i < len(units) - 1:
        size /= 1024
        i += 1
    return f"{size:.2f} {units[i]}"


def account_line(account: AccountResult) -> tuple[str, str]:
    if account.verified is None:
        head = _("account {n}: sign-in only (no __uid in the cookie)").format(n=account.index)
    elif account.state == "drive_accepts":
        head = _("account {n}: the drive accepts the cookie (the account service could not tell: {message})").format(
            n=account.index, message=account.message or "")
    elif account.verified:
        head = _("account {n}: {nickname} verified").format(n=account.index, nickname=account.nickname)
    elif account.state == "inconclusive":
        head = _("account {n}: the cookie could not be verified, Quark did not answer properly ({message})").format(
            n=account.index, message=account.message or "")
    else:
        head = _("account {n}: the cookie was rejected ({message})").format(n=account.index, message=account.message or "")
    level = "ERROR" if account.verified is False else ("WARN" if account.state == "drive_accepts" else "INFO")
    sign = account.sign
    if sign is None:
        return level, head
    if sign.status in ("failed", "sign_unconfirmed"):
        level = "WARN" if level == "INFO" else level
    return level, clauses([head, sign_text(sign.as_dict())])


def _evidence(sign: dict[str, Any]) -> str:
    """`31001 require login [guest]`, `HTTP 500 cyclic sign config error`: what Quark answered."""
    code, status = sign.get("api_code"), sign.get("http_status")
    head = str(code) if code else (f"HTTP {status}" if status and status != 200 else "")
    return " ".join(x for x in (head, sign.get("message") or "") if x) or str(sign.get("reason") or "")


def sign_text(sign: dict[str, Any]) -> str:
    """One account's sign-in (SignResult.as_dict(), or the same dict from the run history) in words."""
    status, reason = sign.get("status"), sign.get("reason")
    if status == "skipped":
        return _("sign-in skipped: the cookie lacks the mobile parameters kps, sign, vcode")
    if status == "failed" and reason == "sign_params_rejected":
        return _("sign-in failed: Quark rejected the sign-in parameters kps, sign, vcode ({evidence}): they expired or are "
                 "wrong; capture them again from the Quark app's growth/info request").format(evidence=_evidence(sign))
    if status == "failed":
        return _("sign-in failed: {message}").format(message=_evidence(sign))
    if status == "sign_unconfirmed" and reason == "growth_info_unreadable":
        return _("sign-in not confirmed: Quark answered the sign request without a reward, and growth info could not be "
                 "read again ({evidence}); the next run tries again").format(evidence=_evidence(sign))
    if status == "sign_unconfirmed":
        return _("sign-in not confirmed: Quark answered the sign request without a reward, and growth info does not show "
                 "today as signed, so nothing was signed; the next run tries again")
    values = dict(reward=format_bytes(sign.get("reward_today")), progress=sign.get("progress"), target=sign.get("target"),
                  member=sign.get("member_type"), total=format_bytes(sign.get("total_capacity")),
                  signs=format_bytes(sign.get("sign_reward_total")))
    if status == "signed":
        text = _("signed today +{reward}, streak {progress}/{target}; {member}, {total} in all, {signs} from signing").format(**values)
        if reason == "confirmed_by_growth_info":
            text = clauses([text, _("the sign answer carried no reward: growth info confirms today is signed")])
        return text
    if status == "already_signed":
        return _("already signed today +{reward}, streak {progress}/{target}; {member}, {total} in all, {signs} from signing").format(
            **values)
    return str(status)  # a status this version does not know (a newer quarkctl wrote the history)


def sign_summary_text(report: AutosaveReport) -> str:
    """`quarkctl sign`'s last line."""
    return _("summary: accounts {total}, signed {signed}, already signed {already_signed}, not confirmed {unconfirmed}, "
             "failed {failed}, skipped {skipped}").format(failed=report.sign_summary["failed"], **report.sign_counts())


def folders_text(folders: list[SavedNode]) -> str:
    """`folder S01 (12 items)`, `2 folders (20 items)`: folders saved whole, with what the share's listing said
    they hold (files and sub-folders; no count when Quark did not say)."""
    known = [f.items for f in folders if f.items is not None]
    items = sum(known) if len(known) == len(folders) else None
    if len(folders) == 1:
        head = _("folder {name}").format(name=printable(folders[0].name))
    else:
        head = ngettext("{n} folder", "{n} folders", len(folders)).format(n=len(folders))
    if items is None:
        return head
    return ngettext("{folders} ({n} item)", "{folders} ({n} items)", items).format(folders=head, n=items)


def saved_text(result: TaskResult) -> str | None:
    """What a task saved (or would), when it saved folders whole; None: files only (the lines below word them)."""
    folders = whole_folders(result.added)
    if not folders:
        return None
    what = folders_text(folders)
    if result.files_saved:
        files = ngettext("{n} file", "{n} files", result.files_saved).format(n=result.files_saved)
        what = _("{files} and {folders}").format(files=files, folders=what)
    if result.status == "saved":
        return _("saved {what} into {path}").format(what=what, path=result.savepath)
    if result.new_folders:
        return _("dry run: would save {what} into {path} (new folder)").format(what=what, path=result.savepath)
    return _("dry run: would save {what} into {path}").format(what=what, path=result.savepath)


def task_line(result: TaskResult, total: int) -> str:
    """`[2/3] 剧集A: saved 3 files into /追更/剧集A`: the counter is the task's place in this run (issue 23: with
    --task or --skip-invalid the config's number said `[3/2]`); the config's number is in --json and `history show`."""
    head = f"[{result.position or result.index}/{total}] {printable(result.name)}: "
    folders = saved_text(result) if result.status in ("saved", "planned") else None
    if folders is not None:
        text = folders
    elif result.status == "saved":
        text = ngettext("saved {n} file into {path}", "saved {n} files into {path}", result.files_saved).format(
            n=result.files_saved, path=result.savepath)
    elif result.status == "planned" and result.new_folders:
        text = ngettext("dry run: would save {n} file into {path} (new folder)",
                        "dry run: would save {n} files into {path} (new folder)",
                        result.files_saved).format(n=result.files_saved, path=result.savepath)
    elif result.status == "planned":
        text = ngettext("dry run: would save {n} file into {path}", "dry run: would save {n} files into {path}",
                        result.files_saved).format(n=result.files_saved, path=result.savepath)
    elif result.status == "nothing_new":
        text = _("nothing new")
    elif result.status == "skipped" and result.reason == "deadline":
        text = _("not run: the run reached its --max-runtime first")
    elif result.status == "skipped" and result.reason == "interrupted":
        text = _("not run: the run was interrupted first")
    elif result.status == "skipped":
        text = _("skipped: {why}").format(why=result.message or result.reason)
    elif result.status == "failed" and result.reason == "database_lost":
        text = _("the database did not answer, so nothing was saved: saving without the ledger could bring back files you deleted")
    elif result.status == "banned":
        text = _("banned: {message}").format(message=result.message or result.reason)
    else:
        # The reason in words (a code newer than this table stays as it is), then Quark's own words
        words = reason_text(result.reason) if result.reason else ""
        text = _("failed: {why}").format(why=" ".join(x for x in (words, f"({result.message})" if result.message else "") if x))
    return head + clauses(with_replacement(result, [text, *result.problems]))


_BY_NAME = natsort_keygen()


def by_name(nodes: list[SavedNode]) -> list[SavedNode]:
    """Siblings in natural order of their names (E2 before E10), as the reference's treelib display
    sorts them; the save itself goes newest first."""
    return sorted(nodes, key=lambda node: _BY_NAME(node.name))


def tree_lines(nodes: list[SavedNode], prefix: str = "") -> list[str]:
    lines = []
    nodes = by_name(nodes)
    for i, node in enumerate(nodes):
        last = i == len(nodes) - 1
        label = f"📁{printable(node.name)}" if node.is_dir else printable(node.name)
        if node.name != node.source_name:
            label += f"  ← {printable(node.source_name)}"
        lines.append(f"{prefix}{'└── ' if last else '├── '}{label}")
        lines.extend(tree_lines(node.children, prefix + ("    " if last else "│   ")))
    return lines


def started_text(job: str, database: str, tasks: int) -> str:
    """`autosave: 3 tasks, database sqlite:////root/.local/share/quarkctl/quarkctl.db` (password masked)."""
    if job == SIGN_JOB:
        return _("{job}: database {database}").format(job=job, database=printable(database))
    return ngettext("{job}: {n} task, database {database}", "{job}: {n} tasks, database {database}", tasks).format(
        job=job, n=tasks, database=printable(database))


# A dry run's plan in plain lines (cron mail, a pipe, the log file) shows this many lines of its tree, then
# `... and N more`; a terminal and --json get the whole plan (README, autosave).
PLAN_LINES = 50


def plan_lines(result: TaskResult) -> list[str]:
    """The tree of what a task saved, or would save; a dry run's cut after PLAN_LINES lines."""
    lines = tree_lines(result.added)
    if result.status == "planned" and len(lines) > PLAN_LINES:
        return [*lines[:PLAN_LINES], more_text(len(lines) - PLAN_LINES)]
    return lines


def interrupted_text(report: AutosaveReport) -> str | None:
    """`interrupted: 2 of 5 tasks not run: 剧集A, 剧集B`; None when a signal did not stop the run before a task."""
    left = report.interrupted
    if not left:
        return None
    return ngettext("interrupted: {n} of {total} tasks not run: {names}", "interrupted: {n} of {total} tasks not run: {names}",
                    len(left)).format(n=len(left), total=len(report.tasks), names=", ".join(printable(t.name) for t in left))


def deadline_text(report: AutosaveReport) -> str | None:
    """The line of a run --max-runtime cut short; None otherwise."""
    if not report.not_run:
        return None
    return _("stopped at the deadline: {n} of {total} tasks not run").format(n=report.not_run, total=len(report.tasks))


def unwritten_text(item: dict[str, Any]) -> str:
    """One write a lost database did not take (AutosaveReport.unwritten)."""
    kind, task = item.get("kind"), item.get("task")
    if kind == "ledger":
        return _("ledger: {task}: {name} was saved but is not in the ledger (deleted, it could be saved again)").format(
            task=task, name=item.get("name"))
    if kind == "scan":
        return _("scan marker: {task}: how far this run read its share is not recorded").format(task=task)
    if kind == "ban":
        return _("ban: {task}: {message} (kept in the config file, not in the database)").format(task=task, message=item.get("message"))
    if kind == "task_results":
        n = int(item.get("tasks") or 0)
        return ngettext("history: the result of {n} task of run #{run}", "history: the results of {n} tasks of run #{run}", n).format(
            n=n, run=item.get("run"))
    return _("history: run #{run} is still recorded as running").format(run=item.get("run"))


def unwritten_lines(report: AutosaveReport) -> list[str]:
    """After a lost database: the line naming it, then every write it did not take, so none is lost unseen."""
    if report.abort_reason != "database_lost":
        return []
    lines = [report.database_error] if report.database_error else []
    # A signal that ended the run during the outage sets the exit code (130/143): "exit code 5" would be wrong.
    signalled = int(report.exit_code) in (int(ExitCode.SIGINT), int(ExitCode.SIGTERM))
    lines.append(abort_text("interrupted" if signalled else "database_lost", job="autosave"))
    n = len(report.unwritten)
    if not n:
        return lines + [_("Everything this run had to write was written before the end.")]
    lines.append(ngettext("{n} write did not reach the database; here it is, so that it is not lost:",
                          "{n} writes did not reach the database; here they are, so that none is lost:", n).format(n=n))
    return lines + [unwritten_text(item) for item in report.unwritten]


def summary_text(report: AutosaveReport) -> str:
    s = report.summary
    if s["folders_saved"]:  # folders saved whole: their files are not in files_saved (issue 23)
        if report.dry_run:
            return _("summary: tasks {tasks}, saved {saved}, nothing new {nothing_new}, skipped {skipped}, banned {banned}, "
                     "failed {failed}, files saved {files_saved}, folders saved {folders_saved} (dry run: nothing written)").format(**s)
        return _("summary: tasks {tasks}, saved {saved}, nothing new {nothing_new}, skipped {skipped}, banned {banned}, "
                 "failed {failed}, files saved {files_saved}, folders saved {folders_saved}").format(**s)
    if report.dry_run:
        return _("summary: tasks {tasks}, saved {saved}, nothing new {nothing_new}, skipped {skipped}, banned {banned}, "
                 "failed {failed}, files saved {files_saved} (dry run: nothing written)").format(**s)
    return _("summary: tasks {tasks}, saved {saved}, nothing new {nothing_new}, skipped {skipped}, banned {banned}, "
             "failed {failed}, files saved {files_saved}").format(**s)


class PlainAutosaveReporter(PlainLines, Listener):
    def __init__(self, stream: IO[str], *, quiet: bool = False, total: int = 0, job: str = JOB) -> None:
        super().__init__(stream, quiet=quiet)
        self.total, self.job = total, job
        self.current = ""  # the task running: its retries' lines name it

    def started(self, *, database: str = "", tasks: int = 0) -> None:
        self.line("INFO", started_text(self.job, database, tasks))

    def account(self, account: AccountResult) -> None:
        self.line(*account_line(account))

    def task_started(self, task: Any) -> None:
        self.current = task.name  # a retry's line names its task (issue 23)

    def task_done(self, result: TaskResult) -> None:
        self.current = ""
        self._task_line(result)

    def waiting(self, seconds: float, kind: str, cause: Any = None) -> None:
        if kind == "backoff":
            self.line("INFO", retry_text(seconds, cause, printable(self.current)))

    def _task_line(self, result: TaskResult) -> None:
        text = "\n".join([task_line(result, self.total), *candidate_lines(result)])
        if result.added:
            text += "\n" + "\n".join([result.savepath, *plan_lines(result)])
        self.line(_LEVEL.get(result.status, "INFO"), text)

    def finish(self, report: AutosaveReport) -> None:
        if report.search_warning:  # --replace-dead could not search: the dead tasks stay banned
            self.line("WARN", _("no replacement searched: {why}").format(why=report.search_warning), always=True)
        for name in report.lifted_bans:
            self.line("INFO", _("ban lifted for {task}: its share link changed since the ban").format(task=name), always=True)
        if report.abort_reason in ("no_account", "account_unreachable"):
            self.line("ERROR", abort_text(report.abort_reason, job="autosave"), always=True)
        if (stopped := deadline_text(report)) is not None:
            self.line("INFO", stopped, always=True)
        if (interrupted := interrupted_text(report)) is not None:
            self.line("WARN", interrupted, always=True)
        for text in unwritten_lines(report):
            self.line("ERROR", text, always=True)
        if report.config_unsaved:  # read-only: a warning; a failed write-back: exit 6
            self.line("ERROR" if report.exit_code == ExitCode.CONFIG_UNSAVED else "WARN", report.config_unsaved, always=True)
        if self.job == SIGN_JOB:
            self.line("ERROR" if int(report.exit_code) else "INFO", sign_summary_text(report), always=True)
            return
        self.line("INFO", summary_text(report), always=True)


class RichAutosaveReporter(PlainAutosaveReporter):
    def __init__(self, stream: IO[str], *, quiet: bool = False, total: int = 0, job: str = JOB) -> None:
        super().__init__(stream, quiet=quiet, total=total, job=job)
        self.console = SafeConsole(stream)

    def line(self, level: str, text: str, *, always: bool = False) -> None:
        if self.quiet and not always:
            return
        style = {"WARN": "yellow", "ERROR": "bold red"}.get(level, "")
        self.console.print(styled(text, style))

    def task_done(self, result: TaskResult) -> None:
        self.current = ""
        self.line(_LEVEL.get(result.status, "INFO"), "\n".join([task_line(result, self.total), *candidate_lines(result)]))
        if result.added and not self.quiet:
            tree = Tree(styled(result.savepath))
            self._grow(tree, result.added)
            self.console.print(tree)

    def _grow(self, tree: Tree, nodes: list[SavedNode]) -> None:
        for node in by_name(nodes):
            name = printable(node.name)
            label = assemble(f"📁{name}" if node.is_dir else name)
            if node.name != node.source_name:
                label.append_text(assemble(" ", (f"← {printable(node.source_name)}", "dim")))
            self._grow(tree.add(label), node.children)


class JsonAutosaveCollector(Listener):
    def __init__(self, stream: IO[str], job: str = JOB) -> None:
        self.stream, self.job = stream, job
        self.database: str | None = None  # null when the run ended before it opened the database

    def started(self, *, database: str = "", tasks: int = 0) -> None:
        self.database = database

    def finish(self, report: AutosaveReport) -> None:
        document: dict[str, Any] = {
            "job": self.job,
            "started_at": report.started_at.isoformat(),
            "finished_at": report.finished_at.isoformat() if report.finished_at else None,
            "dry_run": report.dry_run,
            "accounts": [a.as_dict() for a in report.accounts],
            "tasks": [t.as_dict() for t in report.tasks],
            "lifted_bans": report.lifted_bans,
            "summary": report.summary,
            # each account's sign-in by SignResult.status: signed, already_signed, sign_unconfirmed, failed, skipped
            "sign_summary": report.sign_summary,
            "aborted": report.abort_reason,
            "exit_code": int(report.exit_code),
            "deadline": report.deadline,  # null without --max-runtime
            # database_lost: the line naming the database, and each write it did not take ({"kind": ledger |
            # scan | ban | task_results | run, ...})
            "database_error": report.database_error,
            "unwritten": report.unwritten,
            "database": self.database,  # its URL, password masked
            "config_unsaved": report.config_unsaved,  # null, or why this run's bans and fids are not in the config
            # the tasks this run did not start (the deadline or a signal came first: tasks[].reason says which)
            "not_run": report.not_run_names,
            "search_warning": report.search_warning,  # null, or why --replace-dead could not search (tasks stay banned)
        }
        self.stream.write(redact(json_text(document)) + "\n")
        self.stream.flush()


def make_autosave_reporter(*, json_mode: bool, quiet: bool, stdout: IO[str], stderr: IO[str], log_file: IO[str] | None, total: int,
                           job: str = JOB) -> Fanout:
    human_stream = stderr if json_mode else stdout
    listeners: list[Listener] = []
    if not (json_mode and quiet):
        human = RichAutosaveReporter if use_rich(human_stream) else PlainAutosaveReporter
        listeners.append(human(human_stream, quiet=quiet, total=total, job=job))
    if json_mode:
        listeners.append(JsonAutosaveCollector(stdout, job))
    if log_file is not None:
        listeners.append(PlainAutosaveReporter(log_file, total=total, job=job))
    return Fanout(*listeners)
