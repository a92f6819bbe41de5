"""The command line: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl import __version__
from quarkctl.config import settings
from quarkctl.db import Database
from quarkctl.commands.common import DatabaseUrl, EnvFile, environment, errors_to_exit_codes, install_signal_handlers
from quarkctl.commands.common import (  # the check-links run options, shared with `resources revive`
    Anonymous, ApiBase, BatchSize, CheckDryRun, CheckLimit, Concurrency, EmptyGrace, JsonReport, LogFilePath, MaxAge, MaxConsecutiveErrors,
    MaxDelay, MinDelay, NoPacing, Quiet, RestEvery, RestSeconds, Retries, RetryBackoff, Shard, Timeout, check_options, run_check_job,
)
from quarkctl.commands.common import NotifyOn, NotifyUrls, PingUrl
from quarkctl.commands.resources import resources_app
from quarkctl.i18n import _
from quarkctl.pacing import StopSignal
from quarkctl.redact import redact

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help=_("Check Quark (夸克网盘) share links and keep your resource table honest. Run it from cron or a systemd timer."),
)
db_app = typer.Typer(no_args_is_help=True, help=_("Manage quarkctl's database tables."))
app.add_typer(db_app, name="db")
app.add_typer(resources_app, name="resources")
from quarkctl.commands.ops import DOCTOR_HELP, doctor, history_app, schedule_app  # noqa: E402 - registered next to db

app.add_typer(history_app, name="history")
app.add_typer(schedule_app, name="schedule")
from quarkctl.commands.autosave import register as register_autosave  # noqa: E402

register_autosave(app)
from quarkctl.commands.notify import notify_app  # noqa: E402

app.add_typer(notify_app, name="notify")
app.command("doctor", help=DOCTOR_HELP)(doctor)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"quarkctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=_("Print the version and exit."))] = False,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", metavar="LANG",
        help=_("Language of the output: zh_CN or en (default: QUARKCTL_LANG, then LC_ALL, LC_MESSAGES, LANG). "
               "Machine output (--json, exit codes) is the same in every language."))] = None,
) -> None:
    """The root options; the help shown is the `app` Typer's (a callback help would replace it).

    --lang is read by quarkctl.launch before this module is imported (help texts are translated at
    import); here it is only declared, so that click accepts it and lists it.
    """


@app.command(
    "check-links",
    help=_("Check every not-yet-expired Quark share link in cloud_resource; mark the dead ones expired.\n\n"
           "Example: quarkctl check-links --env-file /etc/quarkctl/.env --log-file /var/log/quarkctl.log"),
)
@errors_to_exit_codes
def check_links(
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    api_base: ApiBase = None,
    anonymous: Anonymous = False,
    batch_size: BatchSize = 100,
    limit: CheckLimit = None,
    timeout: Timeout = 15.0,
    min_delay: MinDelay = 1.0,
    max_delay: MaxDelay = 3.0,
    rest_every: RestEvery = 10,
    rest_seconds: RestSeconds = 10.0,
    no_pacing: NoPacing = False,
    concurrency: Concurrency = 1,
    retries: Retries = 2,
    retry_backoff: RetryBackoff = 2.0,
    max_consecutive_errors: MaxConsecutiveErrors = 5,
    max_age: MaxAge = None,
    shard: Shard = None,
    empty_grace: EmptyGrace = "12h",
    recheck_expired: Annotated[bool, typer.Option("--recheck-expired", help=_("Also check rows marked expired; valid ones are marked valid again."))] = False,
    dry_run: CheckDryRun = False,
    json_output: JsonReport = False,
    quiet: Quiet = False,
    log_file: LogFilePath = None,
    notify: NotifyUrls = None,
    notify_on: NotifyOn = "changes",
    ping_url: PingUrl = None,
) -> None:
    options = check_options(
        batch_size=batch_size, limit=limit, dry_run=dry_run, concurrency=concurrency, no_pacing=no_pacing,
        min_delay=min_delay, max_delay=max_delay, rest_every=rest_every, rest_seconds=rest_seconds, retries=retries,
        retry_backoff=retry_backoff, max_consecutive_errors=max_consecutive_errors, recheck_expired=recheck_expired,
        max_age=max_age, shard=shard, empty_grace=empty_grace,
    )
    run_check_job(options, env_file=env_file, database_url=database_url, api_base=api_base, anonymous=anonymous,
                  timeout=timeout, json_output=json_output, quiet=quiet, log_file=log_file,
                  notify_urls=notify, notify_on=notify_on, ping_url=ping_url)


@app.command(
    "demo",
    help=_("Try both jobs without a Quark account: a built-in Quark simulator, a temporary database and autosave config.\n\n"
           "Example: quarkctl demo"),
)
@errors_to_exit_codes
def demo(
    keep: Annotated[Optional[Path], typer.Option("--keep", file_okay=False, help=_("Keep the demo database and config in this folder."))] = None,
    json_output: Annotated[bool, typer.Option("--json", help=_("One JSON object per step on stdout (check-links, autosave dry run, autosave)."))] = False,
) -> None:
    from quarkctl import demo as demo_lib
    from quarkctl.render.autosave import make_autosave_reporter
    from quarkctl.render.check import make_reporter

    def say(text: str) -> None:
        if not json_output:
            typer.echo(text)

    stop = StopSignal()
    install_signal_handlers(stop)
    with demo_lib.demo(stop=stop, keep=keep) as env:
        say(_("Demo: a simulated Quark on 127.0.0.1 with ~20 shares (live, dead, passcode, flaky), a temporary SQLite table, short pauses."))
        say(_("Files: {folder}").format(folder=env.folder))
        say("\n" + _("== check-links =="))
        reporter = make_reporter(json_mode=json_output, quiet=False, stdout=sys.stdout, stderr=sys.stderr, log_file=None)
        try:
            checked = env.check_links(reporter)
            reporter.finish(checked)
        finally:
            reporter.close()
        codes = [int(checked.exit_code)]
        for dry_run, title in ((True, _("== autosave --dry-run: the plan, nothing written ==")), (False, _("== autosave =="))):
            if stop.is_set():
                break
            say("\n" + title)
            reporter = make_autosave_reporter(json_mode=json_output, quiet=False, stdout=sys.stdout, stderr=sys.stderr,
                                              log_file=None, total=len(demo_lib.DEMO_TASKS))
            try:
                saved = env.autosave(reporter, dry_run=dry_run)
                reporter.finish(saved)
            finally:
                reporter.close()
            codes.append(int(saved.exit_code))
    say("\n" + (_("Kept in {folder}.").format(folder=keep) if keep else _("The temporary files were removed (--keep DIR keeps them).")))
    say(_("Next: put QUARK_COOKIE and your database settings in a .env file and run `quarkctl check-links`; "
          "point `quarkctl autosave --config` at your quark_config.json (see README)."))
    raise typer.Exit(max(codes))


@db_app.command(
    "init",
    help=_("Create the missing tables (cloud_resource and quarkctl's own); never drops or alters one.\n\n"
           "Example: DB_HOST=127.0.0.1 DB_USERNAME=pan DB_PASSWORD=... quarkctl db init"),
)
@errors_to_exit_codes
def db_init(env_file: EnvFile = None, database_url: DatabaseUrl = None) -> None:
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

