"""`quarkctl resources reshare` and `resources add --reshare-from` (issue 17): options and printing only.

The job (quarkctl.reshare) is imported where a command runs, so that `--help` does not load it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from quarkctl.commands.options import (
    DEFAULT_TIMEOUT, ApiBase, DatabaseUrl, EnvFile, JsonReport, LogFilePath, NoPacing, NotifyUrls, PingUrl, Quiet, Timeout,
    MAX_SECONDS, environment,
)
from quarkctl.commands.run import NotifyingJob, fail, json_errors, run_job
from quarkctl.config import settings
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.reshare.options import RESHARE_EXPIRIES, ReshareOptions, parse_expiring_within
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal

_DEFAULT = ReshareOptions()
Expiry = Annotated[str, typer.Option("--expiry", metavar="|".join(RESHARE_EXPIRIES), help=_("How long the new share lasts: permanent, 1d, 7d or 30d."))]


class ReshareJob(NotifyingJob):
    """A `resources reshare` run, for the run frame (commands/run.py)."""

    name = "reshare"

    def __init__(self, options: ReshareOptions, env: dict[str, str], *, timeout: float, notify_urls: list[str]) -> None:
        self.options, self.env, self.timeout, self.notify_urls = options, env, timeout, notify_urls
        self.dry_run = options.dry_run
        self.settings: settings.Settings | None = None

    def prepare(self) -> None:
        self.settings = settings.load(self.env, need_cookie=True)  # the account's own shares need its cookie

    def reporter(self, *, json_mode: bool, quiet: bool, log_file: Any) -> Any:
        from quarkctl.render.reshare import make_reshare_reporter

        return make_reshare_reporter(json_mode=json_mode, quiet=quiet, stdout=sys.stdout, stderr=sys.stderr, log_file=log_file)

    def run(self, reporter: Any, *, stop: StopSignal, lock_dir: Path) -> Any:
        from quarkctl.reshare import job

        assert self.settings is not None
        return job.execute(self.settings, self.options, reporter, stop=stop, lock_dir=lock_dir, timeout=self.timeout)

    def failure_title(self) -> str:
        return _("quarkctl resources reshare failed")

    def title(self, report: Any) -> str:
        return _("quarkctl: {n} links re-shared").format(n=len(report.renewed))

    def body(self, report: Any) -> Optional[str]:
        from quarkctl.hooks.monitoring import notify

        return notify.reshare_body(report)



RESHARE_HELP = _("Re-create dead or expiring shares of your own account from the files still in your drive, and give the rows the new links.\n\n"
                 "Takedowns, bans and content that failed review are never re-shared.\n\n"
                 "Example: quarkctl resources reshare --all-expired --expiring-within 2d --dry-run")


def reshare(
    ids: Annotated[Optional[list[int]], typer.Argument(metavar="ID", help=_("Resource ids to re-share (see `resources list`)."))] = None,
    all_expired: Annotated[bool, typer.Option("--all-expired", help=_("Every row marked expired whose share is the account's own."))] = False,
    expiring_within: Annotated[Optional[str], typer.Option("--expiring-within", metavar="DURATION", help=_("Also renew the account's timed shares that rows point to and that end within this time (2d, 12h)."))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Print the plan per row (what would be re-shared, from which folder, why not), write nothing."))] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help=_("Create at most N shares this run."))] = None,
    expiry: Expiry = _DEFAULT.expiry,
    cancel_old: Annotated[bool, typer.Option("--cancel-old", help=_("Cancel the old share when it is still listed (an expiring one)."))] = False,
    min_delay: Annotated[float, typer.Option("--min-delay", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("Shortest pause between share creations, seconds."))] = _DEFAULT.pacing.min_delay,
    max_delay: Annotated[float, typer.Option("--max-delay", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("Longest pause between share creations, seconds."))] = _DEFAULT.pacing.max_delay,
    no_pacing: NoPacing = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    api_base: ApiBase = None,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    json_output: JsonReport = False,
    quiet: Quiet = False,
    log_file: LogFilePath = None,
    notify: NotifyUrls = None,
    ping_url: PingUrl = None,
) -> None:
    json_errors(ReshareJob.name, json_output)
    if not ids and not all_expired and expiring_within is None:
        fail(_("give resource ids, --all-expired or --expiring-within"), ExitCode.USAGE)
    if expiry not in RESHARE_EXPIRIES:
        fail(_("--expiry: expected one of {choices}").format(choices=", ".join(RESHARE_EXPIRIES)), ExitCode.USAGE)
    pacing = PacingPolicy.from_flags(min_delay, max_delay, off=no_pacing)
    options = ReshareOptions(ids=tuple(ids or ()), all_expired=all_expired,
                             expiring_within=parse_expiring_within(expiring_within) if expiring_within is not None else None,
                             dry_run=dry_run, limit=limit, expiry=expiry, cancel_old=cancel_old, pacing=pacing)
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    job = ReshareJob(options, env, timeout=timeout, notify_urls=notify or [])
    run_job(job, env, json_output=json_output, quiet=quiet, log_file=log_file, ping_url=ping_url)


def add_from_drive(name: str, path: str, *, env: dict[str, str], timeout: float, update: bool, columns: dict[str, Any]) -> str:
    """`resources add NAME --reshare-from PATH`: share the folder's items, add the row with that link,
    record the fid list. The printed line."""
    from quarkctl.reshare.source import share_and_add

    config = settings.load(env, need_cookie=True)
    added, link = share_and_add(config, name, path, timeout=timeout, update=update, columns=columns)
    message = _("added #{id} {name} ({drive})") if added.action == "insert" else _("updated #{id} {name} ({drive})")
    return message.format(id=added.id, name=name.strip(), drive="quark") + " " + _("[shared from {path}: {link}]").format(path=path, link=link)


def register(group: typer.Typer) -> None:
    group.command("reshare", help=RESHARE_HELP)(reshare)

