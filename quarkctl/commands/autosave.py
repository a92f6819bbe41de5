"""`quarkctl autosave` and `quarkctl sign`: parse options, call autosave_job, print.

The job (autosave_job: the database, HTTP, the config's renaming) is imported where a command runs,
so that `--help` does not load it.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from quarkctl.config import settings
from quarkctl.commands.options import (
    AUTOSAVE,
    DEFAULT_TIMEOUT,
    MAX_SECONDS,
    ApiBase,
    DatabaseUrl,
    DbTimeout,
    EnvFile,
    JsonReport,
    LogFilePath,
    MetricsFilePath,
    NoPacing,
    NotifyUrls,
    PingUrl,
    Quiet,
    Retries,
    RetryBackoff,
    Timeout,
    db_timeout_flag,
    environment,
)
from quarkctl.commands.output import echo
from quarkctl.commands.run import failing, json_errors, run_job
from quarkctl.i18n import _
from quarkctl.autosave.options import AutosaveOptions
from quarkctl.runtime.deadline import parse_max_runtime
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal

if TYPE_CHECKING:
    from quarkctl.autosave import job as autosave_job
    from quarkctl.config.autosave import model as autosave_config_model

ConfigPath = Annotated[Optional[Path], typer.Option("--config", dir_okay=False, help=_("The quark-auto-save config (default: QUARKCTL_CONFIG, else ~/.config/quarkctl/quark_config.json)."))]


class AutosaveJob:
    name = "autosave"
    """An autosave (or sign-in) run, for the run frame (commands/run.py). The config is read once,
    before the reporter exists, so a broken config is one clean error."""

    def __init__(self, env: dict[str, str], config: Optional[Path], options: AutosaveOptions, selection: autosave_job.Selection,
                 *, timeout: float, notify_urls: Optional[list[str]] = None, load: Any = None) -> None:
        from quarkctl.config.autosave import loading as autosave_config_loading  # natsort and the rest only when a job runs

        self.env, self.config_flag, self.options, self.selection = env, config, options, selection
        self.timeout, self.notify_urls, self.load = timeout, notify_urls or [], load or autosave_config_loading.load
        self.dry_run = options.dry_run
        self.settings: settings.Settings | None = None
        self.checked: autosave_job.Checked | None = None  # also what the error notification knows of the config

    def prepare(self) -> None:
        from quarkctl.config.autosave import loading as autosave_config_loading

        self.path = autosave_config_loading.config_path(self.config_flag, self.env)
        self.settings = settings.load(self.env, need_cookie=False)

    def reporter(self, *, json_mode: bool, quiet: bool, log_file: Any) -> Any:
        from quarkctl.autosave import job as autosave_job
        from quarkctl.render.autosave import make_autosave_reporter

        self.checked = autosave_job.load_checked(self.path, self.env, self.selection, self.load)
        return make_autosave_reporter(json_mode=json_mode, quiet=quiet, stdout=sys.stdout, stderr=sys.stderr,
                                      log_file=log_file, total=len(self.checked.tasks))

    def run(self, reporter: Any, *, stop: StopSignal, lock_dir: Path) -> Any:
        from quarkctl.autosave import job as autosave_job

        assert self.settings is not None and self.checked is not None  # prepare() and reporter() came first
        for problem in self.checked.skipped:
            echo(_("skipped (--skip-invalid): {problem}").format(problem=problem), err=True)  # a task's name: data
        return autosave_job.execute(self.settings, self.checked, self.env, self.options, reporter, stop=stop,
                                    lock_dir=lock_dir, timeout=self.timeout)

    @property
    def config(self) -> Optional[autosave_config_model.AutosaveConfig]:
        return self.checked.config if self.checked is not None else None

    def targets(self) -> Any:
        from quarkctl.hooks.monitoring import notify

        return notify.gather(self.env, self.notify_urls, self.config)

    def failure_title(self) -> str:
        from quarkctl.hooks.monitoring import notify

        return notify.autosave_failure_title(self.config)

    def title(self, report: Any) -> str:
        from quarkctl.hooks.monitoring import notify

        return notify.autosave_title(self.config)

    def body(self, report: Any) -> Optional[str]:
        from quarkctl.hooks.monitoring import notify

        return notify.autosave_body(report, include_sign=notify.sign_in_wanted(self.env, self.config))

    def warnings(self, report: Any) -> list[str]:
        return [_("warning: hook {hook} failed for {name}: {message}").format(hook=hook.get("hook"), name=task.name,
                                                                              message=hook.get("message"))
                for task in report.tasks for hook in task.hooks if not hook.get("ok")]


class SignJob(AutosaveJob):
    """`quarkctl sign`: the sign-in of every account and nothing else, recorded in the run history as
    the job `sign` (not as an autosave run); its exit code is the sign-in's (reports.autosave
    AutosaveReport.sign_exit_code)."""

    name = "sign"

    def reporter(self, *, json_mode: bool, quiet: bool, log_file: Any) -> Any:
        from quarkctl.autosave import job as autosave_job
        from quarkctl.errors import ConfigError
        from quarkctl.quark.signin import mobile_params
        from quarkctl.render.autosave import make_autosave_reporter
        from quarkctl.reports.autosave import SIGN_JOB

        self.checked = autosave_job.load_checked(self.path, self.env, self.selection, self.load)
        self.checked.skipped = []  # the tasks are not run: their problems are not this job's to list
        if not any(mobile_params(cookie) for cookie in self.checked.config.accounts):
            raise ConfigError(_("{path}: cookie: no account carries kps, sign and vcode, so none can sign in; add the values "
                                "of the Quark app's growth/info request to the cookie").format(path=self.path))
        return make_autosave_reporter(json_mode=json_mode, quiet=quiet, stdout=sys.stdout, stderr=sys.stderr,
                                      log_file=log_file, total=0, job=SIGN_JOB)


# The command helps, registered in register() below.
AUTOSAVE_HELP = _("Follow share links: save new files into your drive, rename them, as quark-auto-save does.\n\n"
                  "Example: quarkctl autosave --config ~/quark_config.json --dry-run")
SIGN_HELP = _("Only the daily sign-in (签到领空间) of every account in the config.\n\n"
              "Example: quarkctl sign --config ~/quark_config.json")


def autosave(
    config: ConfigPath = None,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    db_timeout: DbTimeout = None,
    api_base: ApiBase = None,
    task: Annotated[Optional[list[str]], typer.Option("--task", metavar="NAME", help=_("Run only this task (name or number as the log shows it); repeatable."))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Show what would be saved and renamed; save, rename and write nothing."))] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help=_("Run the valid tasks when some tasks have config problems."))] = False,
    unban: Annotated[Optional[list[str]], typer.Option("--unban", metavar="NAME", help=_("Clear the ban of this task (name or number) and exit; repeatable."))] = None,
    resave_deleted: Annotated[bool, typer.Option("--resave-deleted", help=_("Save files again that were saved before and then deleted from your drive."))] = False,
    no_sign: Annotated[bool, typer.Option("--no-sign", help=_("Skip the daily sign-in."))] = False,
    replace_dead: Annotated[bool, typer.Option("--replace-dead", help=_("A task whose share died: move it to a search result (PANSOU_URL) that continues its series, and run it there."))] = False,
    min_delay: Annotated[float, typer.Option("--min-delay", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("Shortest pause between tasks, seconds."))] = AUTOSAVE.pacing.min_delay,
    max_delay: Annotated[float, typer.Option("--max-delay", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("Longest pause between tasks, seconds."))] = AUTOSAVE.pacing.max_delay,
    no_pacing: NoPacing = False,
    retries: Retries = AUTOSAVE.retries,
    retry_backoff: RetryBackoff = AUTOSAVE.backoff,
    task_timeout: Annotated[float, typer.Option("--task-timeout", metavar="SECONDS", min=1, max=MAX_SECONDS, help=_("Longest wait for one save task, seconds."))] = AUTOSAVE.task_timeout,
    max_runtime: Annotated[Optional[str], typer.Option("--max-runtime", metavar="DURATION", help=_("Start no new task after this long (90m, 5h); the rest are reported as not run, exit 0."))] = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    json_output: JsonReport = False,
    quiet: Quiet = False,
    log_file: LogFilePath = None,
    notify: NotifyUrls = None,
    ping_url: PingUrl = None,
    metrics_file: MetricsFilePath = None,
) -> None:
    from quarkctl.autosave import job as autosave_job
    from quarkctl.config.autosave import loading as autosave_config_loading

    if unban:
        env = environment(env_file)
        names = autosave_job.unban(autosave_config_loading.config_path(config, env), unban, dry_run=dry_run)
        done = _("dry run: would unban: {names}") if dry_run else _("unbanned: {names}")  # a dry run writes nothing
        echo(done.format(names=", ".join(names)) if names else _("no ban to clear"))
        raise typer.Exit(0)
    json_errors(AutosaveJob.name, json_output)
    with failing():
        pacing = PacingPolicy.from_flags(min_delay, max_delay, AUTOSAVE.pacing.rest_every, AUTOSAVE.pacing.rest_seconds, off=no_pacing)
        options = AutosaveOptions(dry_run=dry_run, resave_deleted=resave_deleted, sign=not no_sign, pacing=pacing,
                                  retries=retries, backoff=retry_backoff, task_timeout=task_timeout,
                                  max_runtime=parse_max_runtime(max_runtime) if max_runtime is not None else None,
                                  replace_dead=replace_dead)
        if no_pacing:  # the searches' and the candidate checks' pauses too
            options = replace(options, search_pacing=PacingPolicy.off(), check_pacing=PacingPolicy.off())
        env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base, DB_TIMEOUT=db_timeout_flag(db_timeout))
    job = AutosaveJob(env, config, options, autosave_job.Selection(task or [], skip_invalid), timeout=timeout, notify_urls=notify)
    from quarkctl.hooks.monitoring.metrics import autosave_figures
    from quarkctl.hooks.monitoring.metrics_file import MetricsFile

    metrics = MetricsFile.from_settings(metrics_file, env, dry_run=dry_run, command=AutosaveJob.name, shard="",
                                        figures=autosave_figures)
    run_job(job, env, json_output=json_output, quiet=quiet, log_file=log_file, ping_url=ping_url, metrics=metrics)


def sign(
    config: ConfigPath = None,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    api_base: ApiBase = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    json_output: JsonReport = False,
) -> None:
    from quarkctl.autosave import job as autosave_job

    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    # the sign-in runs no task: a task's problem must not keep the day's sign-in from running (a new user's review)
    job = SignJob(env, config, AutosaveOptions(transfer=False), autosave_job.Selection(skip_invalid=True), timeout=timeout)
    run_job(job, env, json_output=json_output, quiet=False, log_file=None, pings=False)


def register(app: typer.Typer) -> None:
    app.command("autosave", help=AUTOSAVE_HELP)(autosave)
    app.command("sign", help=SIGN_HELP)(sign)
