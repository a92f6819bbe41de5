"""What every command module shares: option declarations, error handling, settings, signals."""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from quarkctl import checker
from quarkctl.config import settings
from quarkctl.errors import ExitCode, QuarkctlError
from quarkctl.i18n import _
from quarkctl.pacing import PacingPolicy, StopSignal
from quarkctl.redact import redact

# Options shared by several commands, declared once.
EnvFile = Annotated[Optional[Path], typer.Option("--env-file", help=_("Read settings from this .env file (default: ./.env if present). Real environment variables win."), dir_okay=False)]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", help=_("SQLAlchemy URL; overrides DATABASE_URL and DB_*. Prefer the environment for passwords."))]

# The check-links run options, shared by `check-links` and `resources revive` (the same run).
ApiBase = Annotated[Optional[str], typer.Option("--api-base", help=_("Replace scheme+host of every Quark endpoint (QUARK_API_BASE), e.g. a proxy or the simulator."))]
Anonymous = Annotated[bool, typer.Option("--anonymous", help=_("Check without a cookie (share pages work logged out)."))]
BatchSize = Annotated[int, typer.Option("--batch-size", min=1, help=_("Rows read per database query."))]
CheckLimit = Annotated[Optional[int], typer.Option("--limit", min=0, help=_("Check at most N links this run."))]
Timeout = Annotated[float, typer.Option("--timeout", min=0.1, help=_("Connect and read timeout per request, seconds."))]
MinDelay = Annotated[float, typer.Option("--min-delay", min=0, help=_("Shortest pause between links, seconds."))]
MaxDelay = Annotated[float, typer.Option("--max-delay", min=0, help=_("Longest pause between links, seconds."))]
RestEvery = Annotated[int, typer.Option("--rest-every", min=0, help=_("Rest after every N links (0: never)."))]
RestSeconds = Annotated[float, typer.Option("--rest-seconds", min=0, help=_("Length of that rest, seconds."))]
NoPacing = Annotated[bool, typer.Option("--no-pacing", help=_("No pauses at all (for your own proxy or tests, not for Quark)."))]
MaxAge = Annotated[Optional[str], typer.Option("--max-age", metavar="DURATION", help=_("Only links last checked longer ago than this (7d, 12h, 30m), least recently checked first."))]
Shard = Annotated[Optional[str], typer.Option("--shard", metavar="K/N", help=_("Only rows with id % N == K: N hosts split one table."))]
EmptyGrace = Annotated[str, typer.Option("--empty-grace", metavar="DURATION", help=_("Mark a share that lists no files only once it has stayed empty this long (12h, 30m; 0: at once)."))]
Concurrency = Annotated[int, typer.Option("--concurrency", min=1, max=32, help=_("Workers checking in parallel, each paced."))]
Retries = Annotated[int, typer.Option("--retries", min=0, max=10, help=_("Retries of a transient failure per link."))]
RetryBackoff = Annotated[float, typer.Option("--retry-backoff", min=0, help=_("First retry wait, doubled each retry, seconds."))]
MaxConsecutiveErrors = Annotated[int, typer.Option("--max-consecutive-errors", min=0, help=_("Abort after N links in a row fail transiently (0: never)."))]
CheckDryRun = Annotated[bool, typer.Option("--dry-run", help=_("Check, but write nothing to the database."))]
JsonReport = Annotated[bool, typer.Option("--json", help=_("One JSON object on stdout; progress on stderr."))]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help=_("Print only the summary."))]
LogFilePath = Annotated[Optional[Path], typer.Option("--log-file", dir_okay=False, help=_("Also append the plain lines to this file."))]
# Notifications and monitoring pings, shared by check-links and autosave.
NotifyUrls = Annotated[Optional[list[str]], typer.Option("--notify", help=_("Also send the run's notification to this apprise URL (added to QUARKCTL_NOTIFY); repeatable."))]
NotifyOn = Annotated[str, typer.Option("--notify-on", help=_("When check-links notifies: changes (newly expired links or errors), always, errors."))]
PingUrl = Annotated[Optional[str], typer.Option("--ping-url", help=_("Healthchecks-style URL: GET URL/start, URL on success, URL/fail on failure (QUARKCTL_PING_URL)."))]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> None:
    # "Error: " is a prefix for log filters and scripts, like the level of a plain line: never translated.
    typer.echo(redact(f"Error: {message}"), err=True)
    raise typer.Exit(code)


def errors_to_exit_codes(func: F) -> F:
    """Our errors become one line on stderr and their exit code; a bug becomes one line and exit 70."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QuarkctlError as exc:
            fail(str(exc), int(exc.exit_code))
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if os.environ.get("QUARKCTL_DEBUG"):
                raise
            fail(_("internal error: {error}; run with QUARKCTL_DEBUG=1 for the traceback").format(error=f"{type(exc).__name__}: {exc}"), ExitCode.INTERNAL)

    return wrapper  # type: ignore[return-value]


def environment(env_file: Optional[Path], **flags: Optional[str]) -> dict[str, str]:
    env = settings.read_environment(env_file)
    env.update({name: value for name, value in flags.items() if value})
    return env


def install_signal_handlers(stop: StopSignal) -> None:
    def handler(signum: int, frame: object) -> None:
        stop.set(signum)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def check_options(
    *,
    batch_size: int,
    limit: Optional[int],
    dry_run: bool,
    concurrency: int,
    no_pacing: bool,
    min_delay: float,
    max_delay: float,
    rest_every: int,
    rest_seconds: float,
    retries: int,
    retry_backoff: float,
    max_consecutive_errors: int,
    recheck_expired: bool = False,
    scope: str = "active",
    max_age: Optional[str] = None,
    shard: Optional[str] = None,
    empty_grace: str = "12h",
) -> checker.CheckOptions:
    pacing = PacingPolicy.off() if no_pacing else PacingPolicy(min_delay, max_delay, rest_every, rest_seconds).validate()
    return checker.CheckOptions(
        batch_size=batch_size,
        limit=limit,
        recheck_expired=recheck_expired,
        dry_run=dry_run,
        concurrency=concurrency,
        pacing=pacing,
        retries=retries,
        backoff=retry_backoff,
        max_consecutive_errors=max_consecutive_errors,
        scope=scope,
        max_age=checker.parse_max_age(max_age) if max_age is not None else None,
        shard=checker.parse_shard(shard) if shard is not None else None,
        empty_grace=checker.parse_empty_grace(empty_grace),
    )


def run_check_job(
    options: checker.CheckOptions,
    *,
    env_file: Optional[Path],
    database_url: Optional[str],
    api_base: Optional[str],
    anonymous: bool,
    timeout: float,
    json_output: bool,
    quiet: bool,
    log_file: Optional[Path],
    notify_urls: Optional[list[str]] = None,
    notify_on: str = "changes",
    ping_url: Optional[str] = None,
) -> None:
    """A check-links run (lock, account check, pacing, reporters); exits with its exit code."""
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    from quarkctl.hooks.monitoring import notify
    from quarkctl.hooks.monitoring.pings import Pinger

    if notify_on not in notify.NOTIFY_ON:
        fail(_("--notify-on: expected one of {choices}").format(choices=", ".join(notify.NOTIFY_ON)), ExitCode.USAGE)
    pinger = Pinger.from_settings(ping_url, env, dry_run=options.dry_run, warn=warn)
    pinger.start()
    with pinged(pinger, notify_error=None if options.dry_run else lambda message: notify.deliver(
            notify.gather(env, notify_urls or []).urls, notify.check_links_failure_title(env), message)):
        report = _check_run(options, env, anonymous=anonymous, timeout=timeout, json_output=json_output, quiet=quiet,
                            log_file=log_file)
    if not options.dry_run:
        targets = notify.gather(env, notify_urls or [])
        for line in targets.warnings + notify.deliver(targets.urls, notify.check_links_title(report, env),
                                                      notify.check_links_body(report, notify_on)):
            warn(line)
    pinger.finish(int(report.exit_code))
    raise typer.Exit(int(report.exit_code))


def warn(line: str) -> None:
    """A warning on stderr (a notification, ping or hook that failed): never changes the exit code."""
    typer.echo(redact(line), err=True)


class pinged:  # noqa: N801 - used as a `with` statement
    """When the block ends the run with an error (no report), ping the failure and notify the error.
    A block that returns leaves the ping to the caller, which knows the run's exit code."""

    def __init__(self, pinger: Any, notify_error: Optional[Callable[[str], list[str]]] = None) -> None:
        self.pinger, self.notify_error = pinger, notify_error

    def __enter__(self) -> "pinged":
        return self

    def __exit__(self, kind: Any, exc: Optional[BaseException], tb: Any) -> None:
        if exc is None:
            return
        if isinstance(exc, typer.Exit):
            code = exc.exit_code
        elif isinstance(exc, QuarkctlError):
            code = int(exc.exit_code)
            if self.notify_error is not None:
                for line in self.notify_error(redact(str(exc))):
                    warn(line)
        else:
            code = ExitCode.INTERNAL
        self.pinger.finish(int(code))


def _check_run(
    options: checker.CheckOptions,
    env: dict[str, str],
    *,
    anonymous: bool,
    timeout: float,
    json_output: bool,
    quiet: bool,
    log_file: Optional[Path],
) -> checker.RunReport:
    config = settings.load(env, need_cookie=not anonymous)
    from quarkctl.render.check import LogFile, make_reporter  # rich is only needed once a run starts

    log_stream = None
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            log_stream = LogFile(log_file)  # reopens after logrotate moved the file; closed below
        except OSError as exc:
            fail(_("--log-file: cannot open {path}: {reason}").format(path=log_file, reason=exc.strerror), ExitCode.USAGE)
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
    return report
