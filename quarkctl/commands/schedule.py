"""`quarkctl schedule` (where the jobs are scheduled, when they run next, their last runs; drawn by
render/schedule.py), `schedule install` (the systemd units or crontab lines) and `schedule run` (the schedule
in the foreground, schedule/loop.py): options and printing.

The inspection (cronsim), the history and the database are imported where a command runs, not for `--help`.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from quarkctl.commands.history import open_database
from quarkctl.commands.options import DatabaseUrl, EnvFile, JsonObject
from quarkctl.commands.output import echo, print_json
from quarkctl.commands.run import fail
from quarkctl.errors import ConfigError, ExitCode, QuarkctlError
from quarkctl.i18n import _
from quarkctl.redact import redact
from quarkctl.render.messages import planned_file_header
from quarkctl.safe_text import printable_lines
from quarkctl.schedule.targets import DEFAULT_TIMEZONE, JOBS, cron_file, make_target, systemd_dir

if TYPE_CHECKING:
    from quarkctl.ops.history import RunRecord
    from quarkctl.schedule.plan import Plan

schedule_app = typer.Typer(
    invoke_without_command=True,
    help=_("Where the jobs are scheduled (systemd timers, crontabs), when they run next, and their last runs."),
)


@schedule_app.callback(invoke_without_command=True)
def schedule_list(
    ctx: typer.Context,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    runs: Annotated[int, typer.Option("--runs", min=0, help=_("Show each job's last N runs."))] = 3,
    json_output: JsonObject = False,
) -> None:
    """Without a subcommand, show each job's schedule. The group's help is schedule_app's: a callback help would replace it."""
    if ctx.invoked_subcommand is not None:
        return
    from quarkctl.ops.history import list_runs
    from quarkctl.render.schedule import ScheduleReport, schedule_json, schedule_lines
    from quarkctl.schedule.current import inspect

    sources = inspect()
    past: dict[str, list[RunRecord]] = {}
    runs_error = None
    try:
        db, _label = open_database(env_file, database_url)
        if db is not None:
            try:
                for name in JOBS:
                    past[name] = list_runs(db, job=name, limit=runs) if runs else []
            finally:
                db.close()
    except QuarkctlError as exc:  # the schedule is still worth showing
        runs_error = redact(str(exc))
    report = ScheduleReport(sources=sources, jobs=tuple(JOBS.values()), zone=DEFAULT_TIMEZONE, runs=past, runs_shown=runs,
                            runs_error=runs_error)
    if json_output:
        print_json(schedule_json(report))
        return
    for line in schedule_lines(report, datetime.now(timezone.utc)):
        echo(line)


@schedule_app.command(
    "install",
    help=_("Write the systemd units or the crontab lines with this machine's paths, and print the command that enables them.\n\n"
           "Example: quarkctl schedule install --systemd --print; sudo quarkctl schedule install --systemd"),
)
def schedule_install(
    systemd: Annotated[bool, typer.Option("--systemd", help=_("Write systemd service and timer units."))] = False,
    cron: Annotated[bool, typer.Option("--cron", help=_("Write crontab lines (/etc/cron.d/quarkctl, or a user crontab block with --user)."))] = False,
    user: Annotated[bool, typer.Option("--user", help=_("For this user: ~/.config/systemd/user units, or a user crontab block."))] = False,
    print_only: Annotated[bool, typer.Option("--print", help=_("Print the files instead of writing them."))] = False,
    force: Annotated[bool, typer.Option("--force", help=_("Replace files that differ from what quarkctl would write."))] = False,
    folder: Annotated[Optional[Path], typer.Option("--dir", file_okay=False, help=_("Write into this folder instead of the standard one."))] = None,
    env_file: Annotated[Optional[Path], typer.Option("--env-file", dir_okay=False, help=_("The .env the jobs read (default /etc/quarkctl/.env; ~/.config/quarkctl/.env with --user)."))] = None,
    timezone_name: Annotated[str, typer.Option("--timezone", metavar="ZONE", help=_("Time zone of the schedule."))] = DEFAULT_TIMEZONE,
) -> None:
    if systemd == cron:
        fail(_("choose one of --systemd and --cron"), ExitCode.USAGE)
    from quarkctl.render.history import pad
    from quarkctl.schedule.install import plan_install, write_install

    kind = "systemd" if systemd else "cron"
    env = dict(os.environ)
    target = make_target(env, user=user, timezone_name=timezone_name, env_file=env_file)
    default_folder = systemd_dir(env, user=user) if systemd else cron_file(env, user=user).parent
    plan = plan_install(kind, target, folder or default_folder)
    if print_only:
        for planned in plan.files:
            echo(planned_file_header(planned.state, planned.path))
            typer.echo(printable_lines(planned.content), nl=False)
        if plan.enable:
            echo(_("# ---- then enable them with ----"))
            echo(plan.enable)
        return
    written = write_install(plan, force=force)
    for planned in plan.files:
        state = _("wrote") if planned in written else _("unchanged")
        echo(f"{pad(state, 9)} {planned.path}")
    for note in plan.notes:
        echo(note)
    if plan.enable:
        echo(_("enable with: {command}").format(command=plan.enable))
    if not plan.user:
        echo(_("settings: put QUARK_COOKIE and the DB_* variables in {path} (chmod 600)").format(path=target.env_path))


@schedule_app.command(
    "run",
    help=_("Run the schedule in the foreground, one job at a time, each as a child process, logging to stdout "
           "(a container's command: no cron daemon). SIGTERM or SIGINT stops it after the running job's partial report.\n\n"
           "Example: quarkctl schedule run --env-file /data/config/quarkctl/.env --run-now"),
)
def schedule_run(
    ctx: typer.Context,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    config: Annotated[Optional[Path], typer.Option("--config", dir_okay=False, help=_("autosave's config (default: QUARKCTL_CONFIG, else ~/.config/quarkctl/quark_config.json); while it does not exist, autosave's times are skipped."))] = None,
    check_links: Annotated[Optional[str], typer.Option("--check-links", metavar="CRON", help=_("When check-links runs (QUARKCTL_SCHEDULE_CHECK_LINKS, default '0 2 * * *'); 'off' turns it off."))] = None,
    autosave: Annotated[Optional[str], typer.Option("--autosave", metavar="CRON", help=_("When autosave runs (QUARKCTL_SCHEDULE_AUTOSAVE, default '0 8,18,20 * * *'); 'off' turns it off."))] = None,
    check_links_args: Annotated[Optional[str], typer.Option("--check-links-args", metavar="ARGS", help=_("More options for each check-links run (QUARKCTL_SCHEDULE_CHECK_LINKS_ARGS; default '--max-age 7d --until 07:50', '' for none)."))] = None,
    autosave_args: Annotated[Optional[str], typer.Option("--autosave-args", metavar="ARGS", help=_("More options for each autosave run (QUARKCTL_SCHEDULE_AUTOSAVE_ARGS)."))] = None,
    timezone_name: Annotated[Optional[str], typer.Option("--timezone", metavar="ZONE", help=_("Time zone of the schedule (CRON_TZ, default Asia/Shanghai)."))] = None,
    run_now: Annotated[bool, typer.Option("--run-now", help=_("Run each job once at the start, then follow the schedule."))] = False,
) -> None:
    import sys
    import time

    from quarkctl.commands.options import environment
    from quarkctl.config.autosave.loading import config_path
    from quarkctl.render.plain import PlainLines
    from quarkctl.runtime.clock import utcnow
    from quarkctl.runtime.stop import StopSignal
    from quarkctl.schedule import child, jobenv
    from quarkctl.schedule.loop import Loop
    from quarkctl.schedule.plan import job_environment, plan

    try:
        env = environment(env_file)
        schedule = plan(env, times={"check-links": check_links, "autosave": autosave},
                        args={"check-links": check_links_args, "autosave": autosave_args}, zone=timezone_name,
                        env_file=env_file, config=config_path(config, env))
        warnings = check_jobs(ctx, schedule)
    except QuarkctlError as exc:
        fail(str(exc), exc.exit_code)
    # The schedule's zone for the scheduler's own log lines and its jobs (their --until): TZ, when it is unset.
    os.environ.update(job_environment(os.environ, schedule.zone_name))
    time.tzset()
    # The secrets given in a job's extra arguments reach it in its environment, not in its command line, which
    # `ps` shows and the log below prints (schedule/jobenv.py).
    hidden = {entry.name: jobenv.hide_secrets(entry.argv, env) for entry in schedule.entries}
    schedule = dataclasses.replace(schedule, entries=tuple(dataclasses.replace(entry, argv=hidden[entry.name][0])
                                                           for entry in schedule.entries))
    lines = PlainLines(sys.stdout)
    stop = StopSignal()
    # The jobs read the real environment (and --env-file themselves); a --database-url reaches them there, not in
    # their command line, where `ps` and the log would show its password.
    children = child.Children({**os.environ, **({"DATABASE_URL": database_url} if database_url else {})}, stop, lines.line,
                              job_env={name: more for name, (_argv, more) in hidden.items()})
    child.install(stop, children)
    for note in schedule.notes:
        lines.line("INFO", _("schedule: {note}").format(note=note))
    for warning in warnings:
        lines.line("WARN", _("schedule: {note}").format(note=warning))
    for entry in schedule.entries:
        lines.line("INFO", _("schedule: {job} at '{cron}' ({zone}): {command}").format(
            job=entry.name, cron=entry.cron, zone=schedule.zone_name, command=jobenv.shown(entry.argv)))
    loop = Loop(schedule, clock=utcnow, sleep=stop.sleep, start=children, say=lines.line, stop=stop)
    raise typer.Exit(loop.run(run_now=run_now))


def check_jobs(ctx: typer.Context, schedule: Plan) -> list[str]:
    """Before anything runs: each job's arguments parsed by the job's own command (not run), so a bad option or
    value is refused now, not at 02:00 (ConfigError, exit 2); and how often each runs (schedule/checks.py).
    Returns the warnings."""
    from quarkctl.schedule.checks import check_frequency
    from quarkctl.schedule.plan import ARGS_VARS

    import importlib

    # The jobs' own commands, as `quarkctl check-links` and `quarkctl autosave` register them (the running
    # command line holds only `schedule`: cli.py make_app).
    jobs = typer.Typer()
    for module in ("check", "autosave"):
        importlib.import_module(f"quarkctl.commands.{module}").register(jobs)
    group = typer.main.get_command(jobs)
    root = ctx.find_root()
    get_command = getattr(group, "get_command", None)
    warnings = []
    for entry in schedule.entries:
        command = get_command(root, entry.name) if get_command is not None else None
        if command is not None:
            args = list(entry.argv[entry.argv.index(entry.name) + 1:])
            try:
                command.make_context(entry.name, args, parent=root).close()
            except (typer.Exit, typer.Abort):
                pass  # --help or the like among them: each run would print it and end
            except Exception as exc:  # the click that typer carries: its errors have format_message()
                message = getattr(exc, "format_message", None)
                if message is None:
                    raise
                raise ConfigError(_("{variable}: {job} would refuse its arguments: {error}").format(
                    variable=ARGS_VARS[entry.name], job=entry.name, error=redact(str(message())))) from None
        warning = check_frequency(entry, schedule.zone)
        if warning is not None:
            warnings.append(warning)
    return warnings


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
