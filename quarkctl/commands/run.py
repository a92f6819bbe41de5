"""The one frame around a job run, for check-links and autosave alike (borgmatic's monitoring hooks).

Around the job: the monitoring pings (start, then success or failure), the log file, the reporter,
the signal handlers, the lock folder, the error notification when the run ends in an error, the
run's notification when it ends with a report, and the exit code.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Optional, Protocol

import typer

from quarkctl.config import settings
from quarkctl.errors import ConfigError, ExitCode, QuarkctlError, error
from quarkctl.i18n import _
from quarkctl.runtime.stop import StopSignal
from quarkctl.redact import redact
from quarkctl.safe_text import json_text, printable_lines
from quarkctl.safefs import open_failure

if TYPE_CHECKING:  # a type only: the frame is loaded for every command, the metrics file by the two jobs that write one
    from quarkctl.hooks.monitoring.metrics_file import MetricsFile

_json_job: list[str | None] = [None]  # a job command under --json; launch.main clears it for each command line


def json_errors(job: str | None, enabled: bool = True) -> None:
    """Under --json, the errors a command finds itself (fail) are one JSON object on stdout too (issue 23)."""
    _json_job[0] = job if enabled else None


@contextmanager
def failing() -> Iterator[None]:
    """A setting or option value the command reads before the run (a bad --until, an unreadable .env) ends
    as fail() does: one line, its exit code, and the JSON object under --json."""
    try:
        yield
    except QuarkctlError as exc:
        fail(str(exc), int(exc.exit_code))


def fail(message: str, code: int) -> NoReturn:
    """A usage problem a command finds itself: the error line, and exit (no error notification)."""
    if (job := _json_job[0]) is not None:
        _json_error(job, int(code), message)
    raise typer.Exit(error(message, code))


_log_path: list[Optional[Path]] = [None]  # the running job's --log-file: its warnings go there too


def warn(line: str) -> None:
    """A warning on stderr (a notification, ping or hook that failed): never changes the exit code. During a
    run with --log-file it is appended there too (issue 23: cron users who read the log file see it)."""
    typer.echo(printable_lines(redact(line)), err=True)  # a hook's or a job's words may carry data (safe_text.py)
    if (path := _log_path[0]) is not None:
        _log_warning(path, line)


def _log_warning(path: Path, line: str) -> None:
    """One WARN line appended to the log file, opened as the run opens it (no link followed, 0600 when new)."""
    from quarkctl.render.check import LogFile
    from quarkctl.render.plain import PlainLines

    try:
        stream = LogFile(path)
    except (OSError, ConfigError):  # the log cannot take it: stderr has said it already
        return
    try:
        PlainLines(stream).line("WARN", line)  # redacted and made printable there
    finally:
        stream.close()


def install_signal_handlers(stop: StopSignal) -> None:
    from quarkctl.hooks.monitoring.bounded import STOPPING

    def handler(signum: int, frame: object) -> None:
        stop.set(signum)
        STOPPING.set()  # notifications, pings and hooks are waited for a moment more at most (bounded.STOP_WAIT)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


class Job(Protocol):
    """What the frame asks of a job (commands/check.py, commands/autosave.py)."""

    name: str  # the job as history and --json name it
    dry_run: bool

    def prepare(self) -> None:
        """Read the settings: a broken one is an error before the log file is opened."""

    def reporter(self, *, json_mode: bool, quiet: bool, log_file: Any) -> Any:
        """The reporter (a job may first load what it needs to know the run's size)."""

    def run(self, reporter: Any, *, stop: StopSignal, lock_dir: Path) -> Any:
        """The job itself; returns its report (with an exit_code)."""

    def targets(self) -> Any:
        """The notification targets (notify.Targets)."""

    def failure_title(self) -> str: ...

    def title(self, report: Any) -> str: ...

    def body(self, report: Any) -> Optional[str]: ...

    def warnings(self, report: Any) -> list[str]: ...


class NotifyingJob:
    """What most jobs answer alike: their notification targets (the --notify URLs and the environment's), and no
    warnings of their own after the report."""

    env: dict[str, str]
    notify_urls: list[str]

    def targets(self) -> Any:
        from quarkctl.hooks.monitoring import notify

        return notify.gather(self.env, self.notify_urls)

    def warnings(self, report: Any) -> list[str]:
        return []


def run_job(job: Job, env: dict[str, str], *, json_output: bool, quiet: bool, log_file: Optional[Path],
            ping_url: Optional[str] = None, pings: bool = True, metrics: Optional[MetricsFile] = None) -> NoReturn:
    """Run the job inside the frame and exit with its exit code. `metrics`: the run's metrics file
    (hooks/monitoring/metrics_file.py MetricsFile), written however the run ends; None: none."""
    _log_path[0] = log_file
    try:
        _run_job(job, env, json_output=json_output, quiet=quiet, log_file=log_file, ping_url=ping_url, pings=pings,
                 metrics=metrics)
    finally:
        _log_path[0] = None


def _run_job(job: Job, env: dict[str, str], *, json_output: bool, quiet: bool, log_file: Optional[Path],
             ping_url: Optional[str], pings: bool, metrics: Optional[MetricsFile]) -> NoReturn:
    from quarkctl.hooks.monitoring import notify
    from quarkctl.hooks.monitoring.pings import Pinger

    pinger = Pinger.from_settings(ping_url, env, dry_run=job.dry_run or not pings, warn=warn)
    pinger.start()

    def notify_error(message: str) -> list[str]:
        return notify.deliver(job.targets().urls, job.failure_title(), message)

    try:
        with pinged(pinger, None if job.dry_run else notify_error):
            report, stop = _reported(job, env, json_output=json_output, quiet=quiet, log_file=log_file, metrics=metrics)
    except QuarkctlError as exc:
        if json_output:  # stdout is one JSON object whatever the outcome (issue 23); the error line goes to stderr
            _json_error(job.name, int(exc.exit_code), str(exc))
        _write_metrics(metrics, None, int(exc.exit_code))
        raise
    except typer.Exit as exc:
        _write_metrics(metrics, None, int(exc.exit_code))
        raise
    except Exception:
        _write_metrics(metrics, None, ExitCode.INTERNAL)  # launch.py makes it exit 70
        raise
    for line in job.warnings(report):
        warn(line)
    if not job.dry_run:
        targets = job.targets()
        for line in targets.warnings + notify.deliver(targets.urls, job.title(report), job.body(report)):
            warn(line)
    # A signal while the notification went out: the run's work is recorded; the exit says it was stopped
    code = int(report.exit_code if stop.signum is None else ExitCode.for_signal(stop.signum))
    _write_metrics(metrics, report, code)  # a stopped run's too: its partial figures
    pinger.finish(code)
    raise typer.Exit(code)


def _write_metrics(metrics: Optional[MetricsFile], report: Any, code: int) -> None:
    """The run's figures into its metrics file; a file that cannot take them is a warning, never another exit code."""
    if metrics is not None and (line := metrics.write(report, code)) is not None:
        warn(line)


def _json_error(name: str, code: int, message: str) -> None:
    typer.echo(json_text({"job": name, "exit_code": code, "error": redact(message)}))


def _reported(job: Job, env: dict[str, str], *, json_output: bool, quiet: bool, log_file: Optional[Path],
              metrics: Optional[MetricsFile] = None) -> tuple[Any, StopSignal]:
    job.prepare()
    if metrics is not None and (line := metrics.check()) is not None:
        warn(line)  # monitoring never stops the job: it is said now, and again if the file still fails at the end
    from quarkctl.render.check import LogFile  # rich is only needed once a run starts

    log_stream = None
    if log_file is not None:
        try:
            log_stream = LogFile(log_file)  # reopens after logrotate moved the file; closed below
        except OSError as exc:
            raise ConfigError(_("--log-file: cannot open {path}: {reason}").format(path=log_file, reason=open_failure(exc))) from None
    stop = StopSignal()
    install_signal_handlers(stop)
    reporter = None
    try:
        reporter = job.reporter(json_mode=json_output, quiet=quiet, log_file=log_stream)
        report = job.run(reporter, stop=stop, lock_dir=settings.state_dir(env) / "locks")
        reporter.finish(report)
    finally:
        if reporter is not None:
            reporter.close()
        if log_stream is not None:
            log_stream.close()
    return report, stop


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
