"""The whole autosave job: config, the run frame (database, lock), run, write-back, history. Raises QuarkctlError subclasses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from quarkctl.config.autosave import loading as autosave_config_loading
from quarkctl.config.autosave import validation as autosave_config_validation
from quarkctl.config.autosave import write as autosave_config_write
from quarkctl.autosave.options import AutosaveOptions
from quarkctl.reports.autosave import JOB, SIGN_JOB, AutosaveReport, Listener
from quarkctl.config.autosave.model import AutosaveConfig, Task
from quarkctl.db.loss import AutosaveLoss
from quarkctl.errors import ConfigError, DatabaseLost, ExitCode
from quarkctl.i18n import _, ngettext
from quarkctl.jobs.frame import run_frame
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.stop import StopSignal
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.client import QuarkClient
from quarkctl.redact import redact
from quarkctl.config.settings import Settings

from .run import run_autosave
from .ledger import Ledger
from .task import task_key


@dataclass(frozen=True)
class Selection:
    tasks: list[str] = field(default_factory=list)  # --task NAME|NUMBER
    skip_invalid: bool = False


@dataclass
class Checked:
    """A config loaded and validated once, and what of it to run: the input of execute()."""

    path: Path
    config: AutosaveConfig
    tasks: list[Task]  # the tasks to run
    skipped: list[str]  # the problems --skip-invalid passed over
    selection: Selection


def load_checked(path: Path, env: Mapping[str, str], selection: Selection,
                 load: Callable[[Path], AutosaveConfig] = autosave_config_loading.load) -> Checked:
    """The config, the tasks to run, and the problems skipped; every problem found before any request."""
    config = load(path)
    for cookie in config.accounts:
        redact.add_cookie(cookie)
    from_env = autosave_config_loading.tasks_from_env(env)
    tasks = from_env if from_env is not None else config.tasks
    problems = autosave_config_validation.validate(config, from_env)
    skipped: list[str] = []
    if problems:
        invalid = autosave_config_validation.invalid_task_indexes(problems)
        fatal = [p for p in problems if p.task_index is None]
        if fatal or not selection.skip_invalid:
            hint = "" if fatal else "\n" + _("(--skip-invalid runs the other tasks)")
            head = ngettext("{path}: {n} problem", "{path}: {n} problems", len(problems)).format(path=path, n=len(problems))
            raise ConfigError(head + "\n  " + "\n  ".join(map(str, problems)) + hint)
        skipped = [str(p) for p in problems]
        tasks = [task for task in tasks if task.index not in invalid]
    if not config.accounts:
        raise ConfigError(_("{path}: cookie: no account configured").format(path=path))
    return Checked(path, config, autosave_config_loading.select(tasks, selection.tasks), skipped, selection)


def unban(path: Path, selectors: list[str], *, dry_run: bool = False) -> list[str]:
    """Clear the ban of the selected tasks; returns the names unbanned (a dry run: would unban, writes nothing)."""
    config = autosave_config_loading.load(path)
    done = []
    for task in autosave_config_loading.select(config.tasks, selectors, option="--unban"):
        if task.shareurl_ban:
            task.shareurl_ban = None
            done.append(task.name)
    if done and not dry_run:
        autosave_config_write.save(config)
    return done


def execute(
    settings: Settings,
    checked: Checked,
    env: Mapping[str, str],
    options: AutosaveOptions,
    listener: Listener,
    *,
    stop: StopSignal,
    lock_dir: Path,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Callable[[], Any] = utcnow,
) -> AutosaveReport:
    """The run of a config load_checked() read: it is not read again (once per run)."""
    config, tasks, skipped, config_path = checked.config, checked.tasks, checked.skipped, checked.path
    # `quarkctl sign` (no transfer) is a job of its own: its own lock and its own name in the history.
    job = JOB if options.transfer else SIGN_JOB
    if options.transfer and autosave_config_loading.tasks_from_env(env) is not None:
        options = replace(options, sign=False)  # as the reference: a TASKLIST run saves and does not sign in
    options = replace(options, replace_dead=options.replace_dead or config.replace_dead)
    search = _search_service(env, config, options) if options.transfer else None

    def make_client(cookie: str | None) -> QuarkClient:
        return QuarkClient(cookie=cookie, api_base=settings.api_base, timeout=timeout)

    # The lock is the config's, not the database's: two configs may save side by side into one database.
    with run_frame(settings, job, stop=stop, lock_dir=lock_dir, key=config_path, dry_run=options.dry_run,
                   prepare=lambda db: db.prepare_for_autosave(dry_run=options.dry_run)) as db:
        listener.started(database=db.label, tasks=len(tasks))  # a lost .env shows in the first line (issue 23)
        loss = AutosaveLoss(db, stop)  # the database lost mid-run: no new task, what was not written is listed (db/loss.py)
        dry = options.dry_run
        # From here on a lost connection is retried until DB_TIMEOUT, then the run ends (exit 5). A dry
        # run only reads, and goes on without the database as before.
        db.resilient = not dry
        ledger = Ledger(
            load=(lambda key: loss.must_read(lambda: db.ledger_fids(key))) if not dry
            else lambda key: loss.call(lambda: _safe(lambda: db.ledger_fids(key), set()), set()),
            record=(lambda key, pwd_id, fid, source, saved: loss.ledger_add(key, pwd_id, fid, source, saved, clock()))
            if not dry else None,
            clean_scan=lambda key: loss.call(lambda: _safe(lambda: db.clean_scan(key), None) if dry else db.clean_scan(key), None),
            mark_scan=(lambda key, filters: loss.mark_scan(key, filters, clock())) if not dry else lambda key, filters: None,
            names=lambda key: loss.call(lambda: _safe(lambda: db.ledger_names(key), set()), set()),
        )
        started = {"config": str(config_path), "tasks": checked.selection.tasks} if options.transfer else {"config": str(config_path)}
        run_id = None if dry else db.start_run(job, clock(), started)
        report = run_autosave(
            config, tasks, options, listener, make_client=make_client, ledger=ledger, stop=stop, clock=clock,
            ban_record=lambda task: loss.call(lambda: _safe(lambda: db.ban_url(task_key(task)), None), None),
            remember_ban=lambda task: loss.remember_ban(task_key(task), task.name, task.shareurl, task.shareurl_ban or "", clock()),
            search=search,
        )
        report.run_id = run_id

        def lost() -> None:  # the run ends with exit 5 (a signal's code wins) and a partial report
            loss.tell(report)
            if stop.signum is None:
                report.exit_code = ExitCode.DB_LOST

        if run_id is not None and options.transfer:  # run_id is None in a dry run only
            _run_hooks(config, tasks, report)
            _write_back(config, report)
            loss.task_results(run_id, [_task_row(t) for t in report.tasks])
        if loss.lost is not None:
            lost()
        if run_id is not None:
            summary = report.summary

            def finish() -> None:
                if not options.transfer:  # a sign run: one item per account (history.ITEMS["sign"])
                    counts = report.sign_counts()
                    db.finish_run(run_id, report.finished_at or clock(), status=_status(report), exit_code=int(report.exit_code),
                                  counts=counts, detail={"counts": counts, "sign_summary": report.sign_summary,
                                                         "accounts": [_sign_row(a) for a in report.accounts],
                                                         "aborted": report.abort_reason, "abort_reason": report.abort_reason})
                    return
                db.finish_run(run_id, report.finished_at or clock(), status=_status(report), exit_code=int(report.exit_code),
                              counts={"total": summary["tasks"], "errors": summary["failed"], "skipped": summary["skipped"]},
                              detail={"summary": summary, "aborted": report.abort_reason, "abort_reason": report.abort_reason,
                                      "skipped_invalid": skipped, "deadline": report.deadline, "unwritten": len(loss.listed())})

            loss.finish_run(run_id, finish, status=lambda: _status(report), on_lost=lost)
        report.unwritten = loss.listed()
        return report


def _search_service(env: Mapping[str, str], config: AutosaveConfig, options: AutosaveOptions) -> Any:
    """Where a dead task's replacement is searched (PANSOU_URL, else the config's `source.pansou`), None when
    nowhere: replacing needs one (a usage error before any request), suggesting only when there is one."""
    from quarkctl.acquire.pansou import PanSou
    from quarkctl.config.settings import pansou_settings

    try:
        found = pansou_settings(env) or pansou_settings(env, config.data)
    except ConfigError:
        if options.replace_dead:
            raise
        return None
    if found is None and options.replace_dead:
        raise ConfigError(_("--replace-dead (replace_dead in the config) needs a search service: set PANSOU_URL (PanSou's "
                            "address, like http://127.0.0.1:8888), or source.pansou.server in the autosave config"))
    return PanSou.from_settings(found) if found is not None else None  # PanSou's own timeout: a cold search is slow


def _run_hooks(config: AutosaveConfig, tasks: list[Task], report: AutosaveReport) -> None:
    """Post-save hooks (media-server refresh) for the tasks that saved files; results go into each task."""
    from quarkctl import hooks

    saved = [result for result in report.tasks if result.status == "saved"]
    active = hooks.build(config.plugins) if saved else []
    by_number = {task.index + 1: task for task in tasks}
    try:
        for result in saved:
            task = by_number.get(result.index)
            if task is not None:
                result.hooks = [outcome.as_dict() for outcome in hooks.run_hooks(active, task.data, result.savepath)]
    finally:
        for hook in active:
            hook.close()


def _safe(read: Callable[[], Any], default: Any) -> Any:
    """Reads of quarkctl's own tables in a dry run, where they may not exist yet."""
    try:
        return read()
    except DatabaseLost:
        raise  # not a missing table: the run ends (exit 5)
    except Exception:  # noqa: BLE001 - a dry run must not fail on a missing history table
        return default


def _write_back(config: AutosaveConfig, report: AutosaveReport) -> None:
    """Bans and lifted bans into the config (a no-op when nothing changed). A failure is added to the run's
    report, never instead of it: the saves happened and are recorded (issue 23)."""
    try:
        autosave_config_write.save(config)
    except autosave_config_write.ConfigReadOnly as exc:  # the user's choice: said, not an error
        report.config_unsaved = str(exc)
    except ConfigError as exc:
        report.config_unsaved = str(exc)
        if report.exit_code in (ExitCode.OK, ExitCode.LINK_ERRORS):
            report.exit_code = ExitCode.CONFIG_UNSAVED


def _status(report: AutosaveReport) -> str:
    if report.abort_reason == "interrupted" or report.exit_code in (130, 143):
        return "interrupted"
    return "aborted" if report.abort_reason else "finished"


def _sign_row(account: Any) -> dict[str, Any]:
    """One account of a sign run, as `history show` reads it: its sign-in and the cookie's check."""
    sign = account.sign.as_dict() if account.sign is not None else {"account": account.index, "status": "skipped"}
    return {**sign, "verified": account.verified, "state": account.state}


def _task_row(result: Any) -> dict[str, Any]:
    return {
        "task_index": result.index,
        "taskname": result.name,
        "status": result.status,
        "reason": result.reason,
        "message": result.message,
        "files_saved": result.files_saved,
        "detail": {"added": [n.as_dict() for n in result.added], "problems": result.problems, "savepath": result.savepath,
                   "hooks": result.hooks, "replaced": result.replaced, "suggested_replacement": result.suggested_replacement},
    }
