"""Operations commands: `history`, `schedule` and `doctor`. Options and printing only.

doctor, history and the database (SQLAlchemy) are imported where a command runs, not for `--help`.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from quarkctl.schedule import current as schedule_current
from quarkctl.schedule import install as schedule_installing
from quarkctl.schedule import targets as schedule_targets
from quarkctl.config import settings
from quarkctl.commands.options import DatabaseUrl, EnvFile, environment
from quarkctl.commands.run import fail
from quarkctl.errors import ExitCode, QuarkctlError
from quarkctl.i18n import _
from quarkctl.render.clock import duration, local_time
from quarkctl.render.messages import abort_text, count_text, planned_file_header, run_state_text, schedule_source_text, unit_state_text
from quarkctl.redact import redact

if TYPE_CHECKING:
    from quarkctl.ops import history
    from quarkctl.db.database import Database

JsonOption = Annotated[bool, typer.Option("--json", help=_("One JSON object on stdout."))]

history_app = typer.Typer(
    invoke_without_command=True,
    help=_("Past runs of every job (newest first), and what one run did link by link."),
)
schedule_app = typer.Typer(
    invoke_without_command=True,
    help=_("Where the jobs are scheduled (systemd timers, crontabs), when they run next, and their last runs."),
)


def _echo(text: str = "") -> None:
    typer.echo(redact(text))


def _json(document: Any) -> None:
    typer.echo(redact(json.dumps(document, ensure_ascii=False)))


def _open_db(env_file: Optional[Path], database_url: Optional[str]) -> tuple[Database | None, str]:
    """The database and its label; None while the embedded one does not exist (nothing has run)."""
    from quarkctl.db.database import Database

    config = settings.load(environment(env_file, DATABASE_URL=database_url), need_cookie=False)
    if config.default_sqlite and not Path(config.database_url.database or "").exists():
        return None, config.database_label  # reading the history must not create it
    return Database(config.database_url, default_sqlite=config.default_sqlite, timeout=config.db_timeout), config.database_label


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal cells: a Chinese character takes two."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def _run_line(run: history.RunRecord) -> str:
    counts = ", ".join(count_text(key, value) for key, value in run.counts.items())
    code = "-" if run.exit_code is None else str(run.exit_code)
    exit_text = _("exit {code}").format(code=code)
    return (f"#{run.id:<5} {run.job:<12} {local_time(run.started_at)}  {duration(run.duration):>8}  "
            f"{_pad(exit_text, 8)} {_pad(run_state_text(run.state), 11)} {counts}")


# -- history ---------------------------------------------------------------------------------------


@history_app.callback(invoke_without_command=True)
def history_list(
    ctx: typer.Context,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    job: Annotated[Optional[str], typer.Option("--job", help=_("Only this job's runs (check-links, ...)."))] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("Show at most N runs."))] = 20,
    json_output: JsonOption = False,
) -> None:
    """Without a subcommand, list past runs. The group's help is history_app's: a callback help would replace it."""
    ctx.obj = {"env_file": env_file, "database_url": database_url}
    if ctx.invoked_subcommand is not None:
        return
    from quarkctl.ops import history

    db, label = _open_db(env_file, database_url)
    runs = []
    if db is not None:
        try:
            runs = history.list_runs(db, job=job, limit=limit)
        finally:
            db.close()
    if json_output:
        _json({"database": label, "runs": [run.as_dict() for run in runs]})
        return
    if not runs:
        _echo(_("no runs recorded in {database}").format(database=label))
        return
    for run in runs:
        _echo(_run_line(run))


@history_app.command(
    "show",
    help=_("One run and its results: for check-links, every link's verdict.\n\n"
           "Example: quarkctl history show 12 --json"),
)
def history_show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(metavar="RUN", help=_("The run's number, from `quarkctl history`."))],
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    json_output: JsonOption = False,
) -> None:
    from quarkctl.ops import history

    parent = ctx.obj or {}
    db, label = _open_db(env_file or parent.get("env_file"), database_url or parent.get("database_url"))
    if db is None:
        raise history.RunNotFound(_("no run {id} in {database} (see `quarkctl history`)").format(id=run_id, database=label))
    try:
        detail = history.show_run(db, run_id)
    finally:
        db.close()
    if json_output:
        _json({"run": detail.run.as_dict(), "items": detail.items})
        return
    _echo(_run_line(detail.run))
    reason = detail.run.detail.get("abort_reason")
    if reason:
        limit = (detail.run.detail.get("options") or {}).get("max_consecutive_errors")  # the circuit breaker's count
        _echo(_("aborted: {reason}").format(reason=abort_text(reason, detail.run.job, n=limit if isinstance(limit, int) else 0)))
    if detail.run.deadline_text is not None:  # --max-runtime / --until cut it short
        _echo(detail.run.deadline_text)
    for line in detail.lines:
        _echo("  " + line)


# -- schedule --------------------------------------------------------------------------------------

def _entry_dict(entry: schedule_current.Entry) -> dict[str, Any]:
    return {
        "source": entry.source,
        "where": entry.where,
        "schedule": entry.schedule,
        "next_run": entry.next_run.isoformat() if entry.next_run else None,
        "last_run": entry.last_run.isoformat() if entry.last_run else None,
        "active": entry.enabled if entry.source != "cron" else True,
        "state": entry.state,
    }


def _next_run(moment: datetime) -> str:
    seconds = (moment - datetime.now(timezone.utc)).total_seconds()
    values = {"time": local_time(moment), "delta": duration(abs(seconds))}
    if seconds >= 0:
        return _("next {time} (in {delta})").format(**values)
    return _("next {time} ({delta} ago)").format(**values)  # systemd has not rearmed the timer yet


@schedule_app.callback(invoke_without_command=True)
def schedule_list(
    ctx: typer.Context,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    runs: Annotated[int, typer.Option("--runs", min=0, help=_("Show each job's last N runs."))] = 3,
    json_output: JsonOption = False,
) -> None:
    """Without a subcommand, show each job's schedule. The group's help is schedule_app's: a callback help would replace it."""
    if ctx.invoked_subcommand is not None:
        return
    from quarkctl.ops import history

    sources = schedule_current.inspect()
    past: dict[str, list[history.RunRecord]] = {}
    runs_error = None
    try:
        db, _label = _open_db(env_file, database_url)
        if db is not None:
            try:
                for name in schedule_targets.JOBS:
                    past[name] = history.list_runs(db, job=name, limit=runs) if runs else []
            finally:
                db.close()
    except QuarkctlError as exc:  # the schedule is still worth showing
        runs_error = redact(str(exc))
    if json_output:
        _json({
            "sources": [{"name": s.name, "available": s.available, "detail": s.detail} for s in sources],
            "jobs": [
                {
                    "job": job.name,
                    "description": job.description,
                    "default_schedule": {"cron": job.cron, "on_calendar": [f"{spec} {schedule_targets.DEFAULT_TIMEZONE}" for spec in job.on_calendar]},
                    "scheduled": [_entry_dict(e) for s in sources for e in s.entries if e.job == job.name],
                    "runs": [run.as_dict() for run in past.get(job.name, [])],
                }
                for job in schedule_targets.JOBS.values()
            ],
            "runs_error": runs_error,
        })
        return
    for source in sources:
        if not source.available:
            _echo(_("{source}: not available ({detail})").format(source=schedule_source_text(source.name), detail=source.detail))
    for job in schedule_targets.JOBS.values():
        _echo()
        _echo(f"{job.name}: {_(job.description)}")
        entries = [e for s in sources for e in s.entries if e.job == job.name]
        for e in entries:
            line = f"  {schedule_source_text(e.source)}: {e.where}  {e.schedule}"
            if e.state:
                line += f"  [{unit_state_text(e.state)}]"
            if e.next_run:
                line += "  " + _next_run(e.next_run)
            if e.last_run:
                line += "  " + _("last {time}").format(time=local_time(e.last_run))
            _echo(line)
        if not entries:
            _echo("  " + _("not scheduled: `quarkctl schedule install --systemd` or `--cron` (default: {cron}, {zone})").format(
                cron=job.cron, zone=schedule_targets.DEFAULT_TIMEZONE))
        if runs_error:
            _echo("  " + _("runs: {error}").format(error=runs_error))
        elif runs:
            found = past.get(job.name, [])
            _echo("  " + (_("last runs:") if found else _("no runs recorded yet")))
            for run in found:
                _echo("    " + _run_line(run))


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
    timezone_name: Annotated[str, typer.Option("--timezone", help=_("Time zone of the schedule."))] = schedule_targets.DEFAULT_TIMEZONE,
) -> None:
    if systemd == cron:
        fail(_("choose one of --systemd and --cron"), ExitCode.USAGE)
    kind = "systemd" if systemd else "cron"
    env = dict(os.environ)
    target = schedule_targets.make_target(env, user=user, timezone_name=timezone_name, env_file=env_file)
    default_folder = schedule_targets.systemd_dir(env, user=user) if systemd else schedule_targets.cron_file(env, user=user).parent
    plan = schedule_installing.plan_install(kind, target, folder or default_folder)
    if print_only:
        for planned in plan.files:
            _echo(planned_file_header(planned.state, planned.path))
            typer.echo(planned.content, nl=False)
        if plan.enable:
            _echo(_("# ---- then enable them with ----"))
            _echo(plan.enable)
        return
    written = schedule_installing.write_install(plan, force=force)
    for planned in plan.files:
        state = _("wrote") if planned in written else _("unchanged")
        _echo(f"{_pad(state, 9)} {planned.path}")
    for note in plan.notes:
        _echo(note)
    if plan.enable:
        _echo(_("enable with: {command}").format(command=plan.enable))
    if not plan.user:
        _echo(_("settings: put QUARK_COOKIE and the DB_* variables in {path} (chmod 600)").format(path=target.env_path))


# -- doctor ----------------------------------------------------------------------------------------

# Not translated: a level, like the INFO/WARN/ERROR of the log lines, that README (doctor) documents
# and scripts and mail filters match (`grep ^FAIL`), the same in every language.
_STATUS = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


DOCTOR_HELP = _("Check that the jobs can run here: settings, Quark, cookie, autosave config, database, tables, time zone, schedule, last runs, locks.\n\n"
                "Exit code 0 when no check failed (warnings allowed), 1 when one did.\n"
                "Example: quarkctl doctor --env-file /etc/quarkctl/.env")


def doctor(
    env_file: Annotated[Optional[Path], typer.Option("--env-file", dir_okay=False, help=_("Check the settings of this .env file (default: ./.env if present)."))] = None,
    database_url: DatabaseUrl = None,
    api_base: Annotated[Optional[str], typer.Option("--api-base", help=_("As QUARK_API_BASE."))] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help=_("Timeout of each request to Quark, seconds."))] = 10.0,
    config: Annotated[Optional[Path], typer.Option("--config", dir_okay=False, help=_("The autosave config to check (default: QUARKCTL_CONFIG, else ~/.config/quarkctl/quark_config.json)."))] = None,
    json_output: JsonOption = False,
) -> None:
    from quarkctl.ops import doctor as doctor_lib

    ctx = doctor_lib.Context(env_file=env_file, flags={"DATABASE_URL": database_url, "QUARK_API_BASE": api_base}, timeout=timeout,
                             config=config)
    findings = doctor_lib.run_doctor(ctx)
    code = doctor_lib.exit_code(findings)
    if json_output:
        _json({"checks": [f.as_dict() for f in findings], "exit_code": code})
    else:
        width = max((len(f.name) for f in findings), default=0)
        for f in findings:
            _echo(f"{_STATUS[f.status]:<4}  {f.name:<{width}}  {f.message}")
            if f.fix and f.status != "ok":
                _echo(f"      {'':<{width}}  " + _("fix: {fix}").format(fix=f.fix))
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("doctor", help=DOCTOR_HELP)(doctor)
    app.add_typer(history_app, name="history")
    app.add_typer(schedule_app, name="schedule")
