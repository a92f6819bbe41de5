"""`quarkctl schedule` (where the jobs are scheduled, when they run next, their last runs; drawn by
render/schedule.py) and `schedule install` (the systemd units or crontab lines): options and printing.

The inspection (cronsim), the history and the database are imported where a command runs, not for `--help`.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from quarkctl.commands.history import open_database
from quarkctl.commands.options import DatabaseUrl, EnvFile, JsonObject
from quarkctl.commands.output import echo, print_json
from quarkctl.commands.run import fail
from quarkctl.errors import ExitCode, QuarkctlError
from quarkctl.i18n import _
from quarkctl.redact import redact
from quarkctl.render.messages import planned_file_header
from quarkctl.safe_text import printable_lines
from quarkctl.schedule.targets import DEFAULT_TIMEZONE, JOBS, cron_file, make_target, systemd_dir

if TYPE_CHECKING:
    from quarkctl.ops.history import RunRecord

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


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
