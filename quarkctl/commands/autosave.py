"""`quarkctl autosave` and `quarkctl sign`: parse options, call autosave_job, print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl import autosave_job
from quarkctl.config import autosave as autosave_config, settings
from quarkctl.autosave import AutosaveOptions, AutosaveReport
from quarkctl.commands.common import (
    ApiBase,
    DatabaseUrl,
    EnvFile,
    JsonReport,
    LogFilePath,
    NoPacing,
    NotifyUrls,
    PingUrl,
    Quiet,
    Retries,
    RetryBackoff,
    Timeout,
    environment,
    errors_to_exit_codes,
    fail,
    install_signal_handlers,
    pinged,
    warn,
)
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.pacing import PacingPolicy, StopSignal

ConfigPath = Annotated[Optional[Path], typer.Option("--config", dir_okay=False, help=_("The quark-auto-save config (default: QUARKCTL_CONFIG, else ~/.config/quarkctl/quark_config.json)."))]


def _run(env_file: Optional[Path], database_url: Optional[str], api_base: Optional[str], config: Optional[Path],
         options: AutosaveOptions, selection: autosave_job.Selection, *, timeout: float, json_output: bool, quiet: bool,
         log_file: Optional[Path], notify_urls: Optional[list[str]] = None, ping_url: Optional[str] = None,
         pings: bool = True) -> None:
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    from quarkctl.hooks.monitoring import notify
    from quarkctl.hooks.monitoring.pings import Pinger

    pinger = Pinger.from_settings(ping_url, env, dry_run=options.dry_run or not pings, warn=warn)
    pinger.start()
    loaded: list[autosave_config.AutosaveConfig] = []  # the config once read, for the error notification

    def notify_error(message: str) -> list[str]:
        known = loaded[0] if loaded else None
        return notify.deliver(notify.gather(env, notify_urls or [], known).urls, notify.autosave_failure_title(known), message)

    with pinged(pinger, None if options.dry_run else notify_error):
        report = _autosave_run(env, config, options, selection, loaded, timeout=timeout, json_output=json_output,
                               quiet=quiet, log_file=log_file)
    for task in report.tasks:
        for hook in task.hooks:
            if not hook.get("ok"):
                warn(_("warning: hook {hook} failed for {name}: {message}").format(hook=hook.get("hook"), name=task.name,
                                                                                   message=hook.get("message")))
    if not options.dry_run:
        known = loaded[0] if loaded else None
        targets = notify.gather(env, notify_urls or [], known)
        body = notify.autosave_body(report, include_sign=notify.sign_in_wanted(env, known))
        for line in targets.warnings + notify.deliver(targets.urls, notify.autosave_title(known), body):
            warn(line)
    pinger.finish(int(report.exit_code))
    raise typer.Exit(int(report.exit_code))


def _autosave_run(env: dict[str, str], config: Optional[Path], options: AutosaveOptions, selection: autosave_job.Selection,
                  loaded: list[autosave_config.AutosaveConfig], *, timeout: float, json_output: bool, quiet: bool,
                  log_file: Optional[Path]) -> AutosaveReport:
    path = autosave_config.config_path(config, env)
    cfg = settings.load(env, need_cookie=False)
    from quarkctl.render.autosave import make_autosave_reporter
    from quarkctl.render.check import LogFile

    log_stream = None
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            log_stream = LogFile(log_file)
        except OSError as exc:
            fail(_("--log-file: cannot open {path}: {reason}").format(path=log_file, reason=exc.strerror), ExitCode.USAGE)
    stop = StopSignal()
    install_signal_handlers(stop)
    reporter = None
    try:
        # Validation happens before the reporter exists, so a broken config is one clean error.
        _config, tasks, skipped = autosave_job.load_checked(path, env, selection)
        loaded.append(_config)
        reporter = make_autosave_reporter(json_mode=json_output, quiet=quiet, stdout=sys.stdout, stderr=sys.stderr,
                                          log_file=log_stream, total=len(tasks))
        for problem in skipped:
            typer.echo(_("skipped (--skip-invalid): {problem}").format(problem=problem), err=True)
        report, _skipped = autosave_job.execute(cfg, path, env, options, selection, reporter, stop=stop,
                                                lock_dir=settings.state_dir(env) / "locks", timeout=timeout)
        reporter.finish(report)
    finally:
        if reporter is not None:
            reporter.close()
        if log_stream is not None:
            log_stream.close()
    return report


# The command helps, registered in register() below.
AUTOSAVE_HELP = _("Follow share links: save new files into your drive, rename them, as quark-auto-save does.\n\n"
                  "Example: quarkctl autosave --config ~/quark_config.json --dry-run")
SIGN_HELP = _("Only the daily sign-in (签到领空间) of every account in the config.\n\n"
              "Example: quarkctl sign --config ~/quark_config.json")


@errors_to_exit_codes
def autosave(
    config: ConfigPath = None,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    api_base: ApiBase = None,
    task: Annotated[Optional[list[str]], typer.Option("--task", help=_("Run only this task (name or number as the log shows it); repeatable."))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Show what would be saved and renamed; save, rename and write nothing."))] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help=_("Run the valid tasks when some tasks have config problems."))] = False,
    unban: Annotated[Optional[list[str]], typer.Option("--unban", help=_("Clear the ban of this task (name or number) and exit; repeatable."))] = None,
    resave_deleted: Annotated[bool, typer.Option("--resave-deleted", help=_("Save files again that were saved before and then deleted from your drive."))] = False,
    no_sign: Annotated[bool, typer.Option("--no-sign", help=_("Skip the daily sign-in."))] = False,
    min_delay: Annotated[float, typer.Option("--min-delay", min=0, help=_("Shortest pause between tasks, seconds."))] = 1.0,
    max_delay: Annotated[float, typer.Option("--max-delay", min=0, help=_("Longest pause between tasks, seconds."))] = 3.0,
    no_pacing: NoPacing = False,
    retries: Retries = 2,
    retry_backoff: RetryBackoff = 2.0,
    task_timeout: Annotated[float, typer.Option("--task-timeout", min=1, help=_("Longest wait for one save task, seconds."))] = 120.0,
    timeout: Timeout = 15.0,
    json_output: JsonReport = False,
    quiet: Quiet = False,
    log_file: LogFilePath = None,
    notify: NotifyUrls = None,
    ping_url: PingUrl = None,
) -> None:
    if unban:
        env = environment(env_file)
        names = autosave_job.unban(autosave_config.config_path(config, env), unban)
        typer.echo(_("unbanned: {names}").format(names=", ".join(names)) if names else _("no ban to clear"))
        raise typer.Exit(0)
    pacing = PacingPolicy.off() if no_pacing else PacingPolicy(min_delay, max_delay, 0, 0.0).validate()
    options = AutosaveOptions(dry_run=dry_run, resave_deleted=resave_deleted, sign=not no_sign, pacing=pacing,
                              retries=retries, backoff=retry_backoff, task_timeout=task_timeout)
    _run(env_file, database_url, api_base, config, options, autosave_job.Selection(task or [], skip_invalid),
         timeout=timeout, json_output=json_output, quiet=quiet, log_file=log_file, notify_urls=notify, ping_url=ping_url)


@errors_to_exit_codes
def sign(
    config: ConfigPath = None,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    api_base: ApiBase = None,
    timeout: Timeout = 15.0,
    json_output: JsonReport = False,
) -> None:
    options = AutosaveOptions(transfer=False)
    _run(env_file, database_url, api_base, config, options, autosave_job.Selection(), timeout=timeout,
         json_output=json_output, quiet=False, log_file=None, pings=False)


def register(app: typer.Typer) -> None:
    app.command("autosave", help=AUTOSAVE_HELP)(autosave)
    app.command("sign", help=SIGN_HELP)(sign)
