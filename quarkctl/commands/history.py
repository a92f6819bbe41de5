"""`quarkctl history` (past runs, newest first) and `history show RUN` (what one run did): options and printing.

ops/history.py and the database (SQLAlchemy) are imported where a command runs, not for `--help`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from quarkctl.commands.options import DatabaseUrl, EnvFile, JsonObject, environment
from quarkctl.commands.output import echo, print_json
from quarkctl.commands.run import fail
from quarkctl.config import settings
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.render.messages import abort_text
from quarkctl.reports.autosave import JOB as AUTOSAVE_JOB, SIGN_JOB
from quarkctl.reports.check import JOB as CHECK_JOB, REVIVE_JOB
from quarkctl.reports.reshare import JOB as RESHARE_JOB

JOBS = (CHECK_JOB, REVIVE_JOB, AUTOSAVE_JOB, SIGN_JOB, RESHARE_JOB)  # what `history --job` takes

if TYPE_CHECKING:
    from quarkctl.db.database import Database

history_app = typer.Typer(
    invoke_without_command=True,
    help=_("Past runs of every job (newest first), and what one run did link by link."),
)


def open_database(env_file: Optional[Path], database_url: Optional[str]) -> tuple[Database | None, str]:
    """The database and its label; None while the embedded one does not exist (nothing has run)."""
    from quarkctl.db.database import Database
    from quarkctl.jobs import unfinished

    env = environment(env_file, DATABASE_URL=database_url)
    config = settings.load(env, need_cookie=False)
    if config.default_sqlite and not Path(config.database_url.database or "").exists():
        return None, config.database_label  # reading the history must not create it
    db = Database(config.database_url, default_sqlite=config.default_sqlite, timeout=config.db_timeout)
    # The end of a run whose database was gone (exit 5), kept on this machine: shown as it was, not as killed
    unfinished.settle(settings.state_dir(env) / "locks", db)
    return db, config.database_label


@history_app.callback(invoke_without_command=True)
def history_list(
    ctx: typer.Context,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    job: Annotated[Optional[str], typer.Option("--job", metavar="JOB", help=_("Only this job's runs (check-links, ...)."))] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("Show at most N runs."))] = 20,
    json_output: JsonObject = False,
) -> None:
    """Without a subcommand, list past runs. The group's help is history_app's: a callback help would replace it."""
    ctx.obj = {"env_file": env_file, "database_url": database_url}
    if ctx.invoked_subcommand is not None:
        return
    if job is not None and job not in JOBS:  # a typo would list nothing and look like "no runs" (issue 23)
        fail(_("--job {job!r}: quarkctl has no such job; one of: {jobs}").format(job=job, jobs=", ".join(JOBS)), ExitCode.USAGE)
    from quarkctl.ops.history import list_runs
    from quarkctl.render.history import run_line

    db, label = open_database(env_file, database_url)
    runs = []
    if db is not None:
        try:
            runs = list_runs(db, job=job, limit=limit)
        finally:
            db.close()
    if json_output:
        print_json({"database": label, "runs": [run.as_dict() for run in runs]})
        return
    if not runs:
        echo(_("no runs recorded in {database}").format(database=label))
        return
    for run in runs:
        echo(run_line(run))


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
    json_output: JsonObject = False,
) -> None:
    from quarkctl.ops.history import RunNotFound, show_run
    from quarkctl.render.history import run_line

    parent = ctx.obj or {}
    db, label = open_database(env_file or parent.get("env_file"), database_url or parent.get("database_url"))
    if db is None:
        raise RunNotFound(_("no run {id} in {database} (see `quarkctl history`)").format(id=run_id, database=label))
    try:
        detail = show_run(db, run_id)
    finally:
        db.close()
    if json_output:
        print_json({"run": detail.run.as_dict(), "items": detail.items})
        return
    echo(run_line(detail.run))
    from quarkctl.render.check_words import drive_lines, tripped_texts

    for line in drive_lines(detail.run.detail.get("drives")):  # a run over several drives: each drive's counts
        echo("  " + line)
    reason = detail.run.detail.get("abort_reason")
    tripped = tripped_texts(detail.run.detail.get("tripped"), detail.run.detail.get("drives")) if reason == "circuit_breaker" else []
    for line in tripped:  # each drive whose own breaker tripped (issue 24)
        echo(_("aborted: {reason}").format(reason=line))
    if reason and not tripped:
        limit = (detail.run.detail.get("options") or {}).get("max_consecutive_errors")  # the circuit breaker's count
        echo(_("aborted: {reason}").format(reason=abort_text(reason, detail.run.job, n=limit if isinstance(limit, int) else 0)))
    if detail.run.deadline_text is not None:  # --max-runtime / --until cut it short
        echo(detail.run.deadline_text)
    for line in detail.lines:
        echo("  " + line)


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history")
