"""`quarkctl check-links`, and the run it shares with `resources revive`: options and printing only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from quarkctl.config import settings
from quarkctl.commands.options import CHECK_OUTPUT, CHECK_RUN, MONITORING, OWN, check_options, db_timeout_flag, declared, environment
from quarkctl.commands.run import NotifyingJob, fail, failing, json_errors, run_job
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.checker.options import CheckOptions
from quarkctl.runtime.stop import StopSignal

class CheckJob(NotifyingJob):
    """A check-links run, for the run frame (commands/run.py)."""

    name = "check-links"

    def __init__(self, options: CheckOptions, env: dict[str, str], *, anonymous: bool, timeout: float,
                 notify_urls: list[str], notify_on: str) -> None:
        self.options, self.env, self.anonymous, self.timeout = options, env, anonymous, timeout
        self.notify_urls, self.notify_on = notify_urls, notify_on
        self.dry_run = options.dry_run
        self.settings: settings.Settings | None = None
        self.search: Any = None

    def prepare(self) -> None:
        self.settings = settings.load(self.env, need_cookie=not self.anonymous)
        if self.options.reacquire:  # issue 25: no search service is a usage error (exit 2) before any check
            from quarkctl.acquire.source import search_source

            self.search = search_source(self.env, timeout=self.timeout)

    def reporter(self, *, json_mode: bool, quiet: bool, log_file: Any) -> Any:
        from quarkctl.render.check import make_reporter

        return make_reporter(json_mode=json_mode, quiet=quiet, stdout=sys.stdout, stderr=sys.stderr, log_file=log_file)

    def run(self, reporter: Any, *, stop: StopSignal, lock_dir: Path) -> Any:
        from quarkctl.checker import job as checker  # the job, its database and HTTP only when it runs

        assert self.settings is not None  # prepare() came first
        reacquire = None
        if self.options.reacquire:
            from quarkctl.checker.reacquire import Reacquire

            reacquire = Reacquire(self.search, self.options.acquire_options())
        return checker.execute(self.settings, self.options, reporter, stop=stop, lock_dir=lock_dir, anonymous=self.anonymous,
                               timeout=self.timeout, reacquire=reacquire)

    def failure_title(self) -> str:
        from quarkctl.hooks.monitoring import notify

        return notify.check_links_failure_title(self.env)

    def title(self, report: Any) -> str:
        from quarkctl.hooks.monitoring import notify

        return notify.check_links_title(report, self.env)

    def body(self, report: Any) -> Optional[str]:
        from quarkctl.hooks.monitoring import notify

        return notify.check_links_body(report, self.notify_on)

    def warnings(self, report: Any) -> list[str]:
        return []


def run_check(values: dict[str, Any], *, scope: str, recheck_expired: bool = False, notify: Optional[list[str]] = None,
              notify_on: str = "changes", ping_url: Optional[str] = None, reshare: bool = False, reacquire: bool = False,
              reacquire_limit: int = CheckOptions.reacquire_limit, metrics: bool = False, metrics_file: Optional[Path] = None) -> None:
    """A check-links run from the CHECK_RUN and CHECK_OUTPUT options; exits with its exit code. `metrics`: the run
    writes its figures to `metrics_file` or QUARKCTL_METRICS_FILE (check-links; not `resources revive`)."""
    json_errors(CheckJob.name, values["json_output"])
    with failing():
        options = check_options(values, scope=scope, recheck_expired=recheck_expired)
    if reshare and values["anonymous"]:
        fail(_("--reshare needs the cookie (it shares from your own drive): drop --anonymous"), ExitCode.USAGE)
    if reacquire and values["anonymous"]:
        fail(_("--reacquire needs the cookie (it saves into your own drive): drop --anonymous"), ExitCode.USAGE)
    if reshare or reacquire:  # issue 17, issue 25
        import dataclasses

        options = dataclasses.replace(options, reshare=reshare, reacquire=reacquire, reacquire_limit=reacquire_limit)
    with failing():
        env = environment(values["env_file"], DATABASE_URL=values["database_url"], QUARK_API_BASE=values["api_base"],
                          DB_TIMEOUT=db_timeout_flag(values["db_timeout"]))
    from quarkctl.hooks.monitoring.notify import NOTIFY_ON

    if notify_on not in NOTIFY_ON:
        fail(_("--notify-on: expected one of {choices}").format(choices=", ".join(NOTIFY_ON)), ExitCode.USAGE)
    job = CheckJob(options, env, anonymous=values["anonymous"], timeout=values["timeout"], notify_urls=notify or [],
                   notify_on=notify_on)
    target = None
    if metrics:
        from quarkctl.hooks.monitoring.metrics import check_figures
        from quarkctl.hooks.monitoring.metrics_file import MetricsFile

        shard = f"{options.shard[0]}/{options.shard[1]}" if options.shard is not None else ""
        target = MetricsFile.from_settings(metrics_file, env, dry_run=options.dry_run, command=CheckJob.name, shard=shard,
                                           figures=check_figures)
    run_job(job, env, json_output=values["json_output"], quiet=values["quiet"], log_file=values["log_file"], ping_url=ping_url,
            metrics=target)


CHECK_LINKS_HELP = _("Check every not-yet-expired share link in cloud_resource, Quark's and the other drives' (--drives); "
                     "mark the dead ones expired.\n\n"
                     "Example: quarkctl check-links --env-file /etc/quarkctl/.env --log-file /var/log/quarkctl.log")


@declared(CHECK_RUN, OWN, CHECK_OUTPUT, MONITORING)
def check_links(
    recheck_expired: Annotated[bool, typer.Option("--recheck-expired", help=_("Also check rows marked expired; valid ones are marked valid again."))] = False,
    reshare: Annotated[bool, typer.Option("--reshare", help=_("Re-share each link of the account's own found dead, right after marking it (see `resources reshare`)."))] = False,
    reacquire: Annotated[bool, typer.Option("--reacquire", help=_(
        "After the checks, find new links in your search service (PANSOU_URL) for the rows found dead that a re-share cannot heal "
        "(see `resources acquire`)."))] = False,
    reacquire_limit: Annotated[int, typer.Option("--reacquire-limit", min=0, metavar="N", help=_(
        "With --reacquire: save at most N search results this run."))] = CheckOptions.reacquire_limit,
    **values: Any,
) -> None:
    notify, notify_on, ping_url = values.pop("notify"), values.pop("notify_on"), values.pop("ping_url")
    run_check(values, scope="active", recheck_expired=recheck_expired, notify=notify, notify_on=notify_on, ping_url=ping_url,
              reshare=reshare, reacquire=reacquire, reacquire_limit=reacquire_limit, metrics=True,
              metrics_file=values.pop("metrics_file"))


def register(app: typer.Typer) -> None:
    app.command("check-links", help=CHECK_LINKS_HELP)(check_links)
