"""The command line: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl import __version__, checker, settings
from quarkctl.db import Database
from quarkctl.cli_common import DatabaseUrl, EnvFile, environment, errors_to_exit_codes, fail, install_signal_handlers
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.pacing import PacingPolicy, StopSignal
from quarkctl.redact import redact

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Check Quark (夸克网盘) share links and keep your resource table honest. Run it from cron or a systemd timer.",
)
db_app = typer.Typer(no_args_is_help=True, help="Manage quarkctl's database tables.")
app.add_typer(db_app, name="db")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"quarkctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """quarkctl: Quark share links, checked nightly."""


@app.command("check-links")
@errors_to_exit_codes
def check_links(
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    api_base: Annotated[Optional[str], typer.Option("--api-base", help="Replace scheme+host of every Quark endpoint (QUARK_API_BASE), e.g. a proxy or the simulator.")] = None,
    anonymous: Annotated[bool, typer.Option("--anonymous", help="Check without a cookie (share pages work logged out).")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows read per database query.")] = 100,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="Check at most N links this run.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Connect and read timeout per request, seconds.")] = 15.0,
    min_delay: Annotated[float, typer.Option("--min-delay", min=0, help="Shortest pause between links, seconds.")] = 1.0,
    max_delay: Annotated[float, typer.Option("--max-delay", min=0, help="Longest pause between links, seconds.")] = 3.0,
    rest_every: Annotated[int, typer.Option("--rest-every", min=0, help="Rest after every N links (0: never).")] = 10,
    rest_seconds: Annotated[float, typer.Option("--rest-seconds", min=0, help="Length of that rest, seconds.")] = 10.0,
    no_pacing: Annotated[bool, typer.Option("--no-pacing", help="No pauses at all (for your own proxy or tests, not for Quark).")] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=32, help="Workers checking in parallel, each paced.")] = 1,
    retries: Annotated[int, typer.Option("--retries", min=0, max=10, help="Retries of a transient failure per link.")] = 2,
    retry_backoff: Annotated[float, typer.Option("--retry-backoff", min=0, help="First retry wait, doubled each retry, seconds.")] = 2.0,
    max_consecutive_errors: Annotated[int, typer.Option("--max-consecutive-errors", min=0, help="Abort after N links in a row fail transiently (0: never).")] = 5,
    recheck_expired: Annotated[bool, typer.Option("--recheck-expired", help="Also check rows marked expired; valid ones are marked valid again.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check, but write nothing to the database.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object on stdout; progress on stderr.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary.")] = False,
    log_file: Annotated[Optional[Path], typer.Option("--log-file", dir_okay=False, help="Also append the plain lines to this file.")] = None,
) -> None:
    """Check every not-yet-expired Quark share link in cloud_resource; mark the dead ones expired.

    Example: quarkctl check-links --env-file /etc/quarkctl/.env --log-file /var/log/quarkctl.log
    """
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    config = settings.load(env, need_cookie=not anonymous)
    pacing = PacingPolicy.off() if no_pacing else PacingPolicy(min_delay, max_delay, rest_every, rest_seconds).validate()
    options = checker.CheckOptions(
        batch_size=batch_size,
        limit=limit,
        recheck_expired=recheck_expired,
        dry_run=dry_run,
        concurrency=concurrency,
        pacing=pacing,
        retries=retries,
        backoff=retry_backoff,
        max_consecutive_errors=max_consecutive_errors,
    )
    log_stream = None
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            log_stream = open(log_file, "a", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            fail(_("--log-file: cannot open {path}: {reason}").format(path=log_file, reason=exc.strerror), ExitCode.USAGE)
    from quarkctl.report import make_reporter  # rich is only needed once a run starts

    reporter = make_reporter(json_mode=json_output, quiet=quiet, stdout=sys.stdout, stderr=sys.stderr, log_file=log_stream)
    stop = StopSignal()
    install_signal_handlers(stop)
    try:
        report = checker.execute(
            config,
            options,
            reporter,
            stop=stop,
            lock_dir=settings.state_dir(env) / "locks",
            anonymous=anonymous,
            timeout=timeout,
        )
        reporter.finish(report)
    finally:
        reporter.close()
        if log_stream is not None:
            log_stream.close()
    raise typer.Exit(int(report.exit_code))


@app.command("demo")
@errors_to_exit_codes
def demo(
    keep: Annotated[Optional[Path], typer.Option("--keep", file_okay=False, help="Keep the demo database in this folder.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object on stdout, as check-links --json.")] = False,
) -> None:
    """Try check-links without a Quark account: a built-in Quark simulator and a temporary database.

    Example: quarkctl demo
    """
    from quarkctl.demo import run_demo
    from quarkctl.report import make_reporter

    if not json_output:
        typer.echo(_("Demo: a simulated Quark on 127.0.0.1 with ~20 shares (live, dead, passcode, flaky), a temporary SQLite table, short pauses."))
    reporter = make_reporter(json_mode=json_output, quiet=False, stdout=sys.stdout, stderr=sys.stderr, log_file=None)
    stop = StopSignal()
    install_signal_handlers(stop)
    try:
        report = run_demo(reporter, stop=stop, keep=keep)
        reporter.finish(report)
    finally:
        reporter.close()
    if not json_output:
        typer.echo(_("Next: put QUARK_COOKIE and your database settings in a .env file and run `quarkctl check-links` (see README)."))
    raise typer.Exit(int(report.exit_code))


@db_app.command("init")
@errors_to_exit_codes
def db_init(env_file: EnvFile = None, database_url: DatabaseUrl = None) -> None:
    """Create the missing tables (cloud_resource and quarkctl's own); never drops or alters one.

    Example: DB_HOST=127.0.0.1 DB_USERNAME=pan DB_PASSWORD=... quarkctl db init
    """
    config = settings.load(environment(env_file, DATABASE_URL=database_url), need_cookie=False)
    db = Database(config.database_url, default_sqlite=True)
    try:
        created, present = db.init_schema()
    finally:
        db.close()
    typer.echo(redact(_("database: {url}").format(url=db.label)))
    for name in created:
        typer.echo(_("created  {table}").format(table=name))
    for name in present:
        typer.echo(_("present  {table} (left as it is)").format(table=name))


def main() -> None:
    app()
