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

from quarkctl import checker, settings
from quarkctl.errors import ExitCode, QuarkctlError
from quarkctl.i18n import _
from quarkctl.pacing import PacingPolicy, StopSignal
from quarkctl.redact import redact

# Options shared by several commands, declared once.
EnvFile = Annotated[Optional[Path], typer.Option("--env-file", help="Read settings from this .env file (default: ./.env if present). Real environment variables win.", dir_okay=False)]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", help="SQLAlchemy URL; overrides DATABASE_URL and DB_*. Prefer the environment for passwords.")]

# The check-links run options, shared by `check-links` and `resources revive` (the same run).
ApiBase = Annotated[Optional[str], typer.Option("--api-base", help="Replace scheme+host of every Quark endpoint (QUARK_API_BASE), e.g. a proxy or the simulator.")]
Anonymous = Annotated[bool, typer.Option("--anonymous", help="Check without a cookie (share pages work logged out).")]
BatchSize = Annotated[int, typer.Option("--batch-size", min=1, help="Rows read per database query.")]
CheckLimit = Annotated[Optional[int], typer.Option("--limit", min=0, help="Check at most N links this run.")]
Timeout = Annotated[float, typer.Option("--timeout", min=0.1, help="Connect and read timeout per request, seconds.")]
MinDelay = Annotated[float, typer.Option("--min-delay", min=0, help="Shortest pause between links, seconds.")]
MaxDelay = Annotated[float, typer.Option("--max-delay", min=0, help="Longest pause between links, seconds.")]
RestEvery = Annotated[int, typer.Option("--rest-every", min=0, help="Rest after every N links (0: never).")]
RestSeconds = Annotated[float, typer.Option("--rest-seconds", min=0, help="Length of that rest, seconds.")]
NoPacing = Annotated[bool, typer.Option("--no-pacing", help="No pauses at all (for your own proxy or tests, not for Quark).")]
Concurrency = Annotated[int, typer.Option("--concurrency", min=1, max=32, help="Workers checking in parallel, each paced.")]
Retries = Annotated[int, typer.Option("--retries", min=0, max=10, help="Retries of a transient failure per link.")]
RetryBackoff = Annotated[float, typer.Option("--retry-backoff", min=0, help="First retry wait, doubled each retry, seconds.")]
MaxConsecutiveErrors = Annotated[int, typer.Option("--max-consecutive-errors", min=0, help="Abort after N links in a row fail transiently (0: never).")]
CheckDryRun = Annotated[bool, typer.Option("--dry-run", help="Check, but write nothing to the database.")]
JsonReport = Annotated[bool, typer.Option("--json", help="One JSON object on stdout; progress on stderr.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary.")]
LogFilePath = Annotated[Optional[Path], typer.Option("--log-file", dir_okay=False, help="Also append the plain lines to this file.")]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> None:
    typer.echo(redact(_("Error: {message}").format(message=message)), err=True)
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
) -> None:
    """A check-links run (lock, account check, pacing, reporters); exits with its exit code."""
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    config = settings.load(env, need_cookie=not anonymous)
    from quarkctl.report import LogFile, make_reporter  # rich is only needed once a run starts

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
    raise typer.Exit(int(report.exit_code))
