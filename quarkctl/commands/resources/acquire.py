"""`quarkctl resources acquire` (issue 25): options and printing only; the job is quarkctl.acquire."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from quarkctl.commands.options import (
    DEFAULT_TIMEOUT, ApiBase, DatabaseUrl, EnvFile, JsonReport, LogFilePath, NoPacing, NotifyUrls, PingUrl, Quiet, Timeout,
    environment,
)
from quarkctl.commands.run import NotifyingJob, fail, json_errors, run_job
from quarkctl.config import settings
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.acquire.options import DEFAULT_SAVEPATH, AcquireOptions
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal

_DEFAULT = AcquireOptions()


class AcquireJob(NotifyingJob):
    """A `resources acquire` run, for the run frame (commands/run.py)."""

    name = "acquire"

    def __init__(self, options: AcquireOptions, env: dict[str, str], *, timeout: float, notify_urls: list[str]) -> None:
        self.options, self.env, self.timeout, self.notify_urls = options, env, timeout, notify_urls
        self.dry_run = options.dry_run
        self.settings: settings.Settings | None = None
        self.search: Any = None

    def prepare(self) -> None:
        from quarkctl.acquire.source import search_source

        self.settings = settings.load(self.env, need_cookie=True)  # saving and sharing need the account
        self.search = search_source(self.env, timeout=self.timeout)  # exit 2 without a search service

    def reporter(self, *, json_mode: bool, quiet: bool, log_file: Any) -> Any:
        from quarkctl.render.acquire import make_acquire_reporter

        return make_acquire_reporter(json_mode=json_mode, quiet=quiet, stdout=sys.stdout, stderr=sys.stderr, log_file=log_file)

    def run(self, reporter: Any, *, stop: StopSignal, lock_dir: Path) -> Any:
        from quarkctl.acquire import run

        assert self.settings is not None
        return run.execute(self.settings, self.search, self.options, reporter, stop=stop, lock_dir=lock_dir, timeout=self.timeout)

    def failure_title(self) -> str:
        return _("quarkctl resources acquire failed")

    def title(self, report: Any) -> str:
        if report.abort_reason:  # PanSou down, a full drive, the cookie: a failure, not "0 replaced"
            return self.failure_title()
        return _("quarkctl: {n} dead links replaced").format(n=len(report.renewed))

    def body(self, report: Any) -> Optional[str]:
        from quarkctl.hooks.monitoring import notify

        return notify.acquire_body(report)



ACQUIRE_HELP = _("Find new links for dead rows in your own search service (PanSou), save the best result into your drive, "
                 "share it as your own link and give the row that link.\n\n"
                 "Set PANSOU_URL (and PANSOU_USERNAME/PANSOU_PASSWORD when its login is on). Nothing in your drive is deleted.\n\n"
                 "Example: quarkctl resources acquire --all-expired --dry-run")


def acquire(
    ids: Annotated[Optional[list[int]], typer.Argument(metavar="ID", help=_("Resource ids to find new links for (see `resources list`)."))] = None,
    all_expired: Annotated[bool, typer.Option("--all-expired", help=_("Every Quark row marked expired."))] = False,
    name: Annotated[Optional[list[str]], typer.Option("--name", metavar="NAME", help=_("A title to find; it becomes a new row (repeatable)."))] = None,
    from_file: Annotated[Optional[Path], typer.Option("--from-file", metavar="FILE", dir_okay=False, help=_("Titles to find, one per line (- for standard input)."))] = None,
    savepath: Annotated[str, typer.Option("--savepath", metavar="TEMPLATE", help=_("Drive folder to save into; {name} is the row's name."))] = DEFAULT_SAVEPATH,
    limit: Annotated[int, typer.Option("--limit", min=0, metavar="N", help=_("Save at most N results this run."))] = _DEFAULT.limit,
    candidates: Annotated[int, typer.Option("--candidates", min=1, max=50, metavar="K", help=_("Check at most the best K results per row."))] = _DEFAULT.candidates,
    min_video_mb: Annotated[int, typer.Option("--min-video-mb", min=0, max=1_000_000, metavar="MB", help=_(
        "A video file smaller than this is no episode or film (an ad clip, a sample); 0 counts every video."))] = _DEFAULT.min_video_mb,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Search, rank and check, print each choice with its reasons; save, share and write nothing."))] = False,
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
    json_errors(AcquireJob.name, json_output)
    names = list(name or []) + (_read_names(from_file) if from_file is not None else [])
    names = [n.strip() for n in names if n.strip()]
    if not ids and not all_expired and not names:
        fail(_("give resource ids, --all-expired, --name or --from-file"), ExitCode.USAGE)
    if "\n" in savepath or not savepath.strip():
        fail(_("--savepath: give a drive folder such as /quarkctl/{name}"), ExitCode.USAGE)
    # without {name} every row's save goes to one folder name ("{nam}", "/": the root as " (2)", " (3)" ...; a second
    # review of issue 25): each row needs its own folder
    if "{name}" not in savepath:
        fail(_("--savepath: the template must hold {name}, each row's own folder (such as /quarkctl/{name})"), ExitCode.USAGE)
    off = PacingPolicy.off()
    options = AcquireOptions(ids=tuple(ids or ()), all_expired=all_expired, names=tuple(names), savepath=savepath,
                             limit=limit, candidates=candidates, dry_run=dry_run, min_video_mb=min_video_mb,
                             **({"search_pacing": off, "check_pacing": off, "save_pacing": off} if no_pacing else {}))
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    job = AcquireJob(options, env, timeout=timeout, notify_urls=notify or [])
    run_job(job, env, json_output=json_output, quiet=quiet, log_file=log_file, ping_url=ping_url)


MAX_NAMES_FILE = 1 << 20  # a list of titles is small: /dev/zero or a huge file is no list (an attacker's review)


def _read_names(path: Path) -> list[str]:
    from quarkctl.config.autosave.loading import read_text  # O_NONBLOCK, a regular file only: a FIFO never holds the run

    try:
        if str(path) == "-":
            text = sys.stdin.read(MAX_NAMES_FILE + 1)
        else:
            if path.stat().st_size > MAX_NAMES_FILE:
                raise OSError(27, _("larger than 1 MiB: not a list of titles"))
            text = read_text(path)
        if len(text) > MAX_NAMES_FILE:
            raise OSError(27, _("larger than 1 MiB: not a list of titles"))
    except (OSError, UnicodeDecodeError) as exc:
        fail(_("--from-file: cannot read {path}: {reason}").format(path=path, reason=getattr(exc, "strerror", None) or exc), ExitCode.USAGE)
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]  # a comment is no title


def register(group: typer.Typer) -> None:
    group.command("acquire", help=ACQUIRE_HELP)(acquire)
