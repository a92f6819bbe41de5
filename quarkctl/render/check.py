"""Render a check run: rich progress on a terminal, plain timestamped lines elsewhere, JSON on request.

The run produces data (LinkOutcome, RunReport); this module only turns it into text, and every
line passes through the redactor so no secret is ever printed.
"""

from __future__ import annotations

import os
from logging.handlers import WatchedFileHandler
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from quarkctl.errors import ConfigError
from quarkctl.reports.check import JOB, Listener, LinkOutcome, RunReport
from quarkctl.i18n import _, listing
from quarkctl.render.check_words import (  # noqa: F401 - summary_rows, deadline_text, unwritten_lines: imported from here too
    _account_why, _cut, abort_lines, cool_down_text, deadline_text, drive_rows, exit_why, history_note, malformed_text, mismatch_text,
    not_selected_lines, outcome_detail, reshare_stopped, retry_subject, started_text, summary_rows, unwritten_lines,
)
from quarkctl.render.check_reacquire import PlainReacquireLines, RichReacquireLines, reacquire_stopped
from quarkctl.render.messages import account_text, retry_text
from quarkctl.render.plain import Fanout, PlainLines, use_rich
from quarkctl.render.resource import VERDICT_STYLE
from quarkctl.render.rich_text import SafeConsole, assemble, styled
from quarkctl.redact import redact
from quarkctl.safe_text import json_text

if TYPE_CHECKING:  # types only: rendering needs neither the database nor the HTTP client
    from quarkctl.db.records import ResourceRow
    from quarkctl.quark.account import AccountCheck

_LEVEL = {"valid": "INFO", "skipped": "INFO", "expired": "WARN", "needs_passcode": "WARN", "empty": "WARN", "error": "ERROR"}


class PlainReporter(PlainReacquireLines, PlainLines, Listener):
    """Timestamped lines for cron mail, journald and log files: no colour, no cursor control."""

    def account_checked(self, check: AccountCheck, during_run: bool) -> None:
        self.line("WARN", account_text(check.state.value, _account_why(check, during_run), during_run=during_run), always=True)

    def started(self, total: int, *, database: str = "", job: str = JOB) -> None:
        self.line("INFO", started_text(total, database, job))

    def waiting(self, seconds: float, kind: str, cause: Any = None, *, row: ResourceRow | None = None, account: bool = False) -> None:
        # Per-link delays would double the log; rests and backoffs say why the run pauses.
        if kind == "rest":
            self.line("INFO", _("resting {seconds:g} s").format(seconds=seconds))
        elif kind == "backoff":
            self.line("INFO", retry_text(seconds, cause, retry_subject(row, account)))
        elif kind == "cool_down":  # a drive's back-off answer (issue 24)
            self.line("WARN", cool_down_text(seconds, cause, retry_subject(row)))

    def link_done(self, outcome: LinkOutcome) -> None:
        verdict = outcome.result.verdict.value
        self.line(_LEVEL[verdict], f"[{outcome.index}/{outcome.total}] {_cut(outcome.row.name)} {_cut(outcome.row.link or '')} {outcome_detail(outcome)}")

    def reshared(self, outcome: Any) -> None:  # check-links --reshare (render/reshare.py)
        from quarkctl.render.reshare import PlainReshareReporter

        PlainReshareReporter.reshared(self, outcome)  # type: ignore[arg-type]

    def finish(self, report: RunReport) -> None:
        level = "WARN" if report.abort_reason == "interrupted" else "ERROR"
        for line in abort_lines(report):
            self.line(level, line, always=True)
        for line in unwritten_lines(report):
            self.line("ERROR", line, always=True)
        for why in (reshare_stopped(report), reacquire_stopped(report)):
            if why is not None:
                self.line("ERROR", why, always=True)
        if (stopped := deadline_text(report)) is not None:
            self.line("INFO", stopped, always=True)
        text = listing(f"{label} {value}" for label, value in summary_rows(report))
        self.line("INFO", _("summary: {text}").format(text=text), always=True)
        for line in drive_rows(report) + not_selected_lines(report):
            self.line("INFO", line, always=True)
        for warning in (malformed_text(report), mismatch_text(report)):
            if warning is not None:
                self.line("WARN", warning, always=True)
        if (why := exit_why(report)) is not None:
            self.line("WARN", why, always=True)
        if report.history_missing:
            self.line("INFO", history_note(), always=True)


class RichReporter(RichReacquireLines, Listener):
    """A progress bar with one line per finished link above it, then a summary table."""

    def __init__(self, stream: IO[str], *, quiet: bool = False) -> None:
        self.console = SafeConsole(stream)
        self.quiet = quiet
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", style="bold", markup=False),  # a name is never markup
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.task: Any = None

    def account_checked(self, check: AccountCheck, during_run: bool) -> None:
        text = account_text(check.state.value, _account_why(check, during_run), during_run=during_run)
        self.console.print(styled(text, "yellow"))

    def started(self, total: int, *, database: str = "", job: str = JOB) -> None:
        if not self.quiet:
            self.console.print(styled(started_text(total, database, job)), soft_wrap=True)  # a URL is not cut in two
            self.progress.start()
        self.task = self.progress.add_task(_("starting"), total=total)

    def link_started(self, row: ResourceRow) -> None:
        self.progress.update(self.task, description=redact(_cut(row.name)))

    def waiting(self, seconds: float, kind: str, cause: Any = None, *, row: ResourceRow | None = None, account: bool = False) -> None:
        if self.task is None:  # the account check's retries, before the progress bar exists
            if kind == "backoff" and not self.quiet:
                self.console.print(retry_text(seconds, cause, retry_subject(row, account)))
            return
        if kind == "cool_down" and not self.quiet:
            self.console.print(styled(cool_down_text(seconds, cause, retry_subject(row)), "yellow"))
        label = {"rest": _("resting {seconds:.1f} s"), "backoff": _("retrying in {seconds:.1f} s")}.get(kind, _("waiting {seconds:.1f} s"))
        self.progress.update(self.task, description=label.format(seconds=seconds))

    def link_done(self, outcome: LinkOutcome) -> None:
        self.progress.update(self.task, completed=outcome.index, total=outcome.total)
        if self.quiet:
            return
        verdict = outcome.result.verdict.value
        self.console.print(assemble((f"[{outcome.index}/{outcome.total}]", "dim"), " ", _cut(outcome.row.name), " ",
                                    (_cut(outcome.row.link or ""), "dim"), " ", (outcome_detail(outcome), VERDICT_STYLE.get(verdict, ""))))

    def reshared(self, outcome: Any) -> None:  # check-links --reshare (render/reshare.py)
        from quarkctl.render.reshare import _STYLE as RESHARE_STYLE, outcome_line

        if not self.quiet or outcome.action in ("failed", "refused"):
            self.console.print(styled(outcome_line(outcome), RESHARE_STYLE.get(outcome.action, "")))

    def close(self) -> None:
        self.progress.stop()  # idempotent; leaves the terminal clean even when the run failed

    def finish(self, report: RunReport) -> None:
        self.progress.stop()
        style = "yellow" if report.abort_reason == "interrupted" else "bold red"
        for line in abort_lines(report):
            self.console.print(styled(line, style))
        for line in unwritten_lines(report):
            self.console.print(styled(line, "red"))
        for why in (reshare_stopped(report), reacquire_stopped(report)):
            if why is not None:
                self.console.print(styled(why, "bold red"))
        if (stopped := deadline_text(report)) is not None:
            self.console.print(styled(stopped, "yellow"))
        table = Table(title=_("check-links summary"), show_header=False)
        table.add_column()
        table.add_column(justify="right")
        for label, value in summary_rows(report):
            table.add_row(label, value)
        self.console.print(table)
        for line in drive_rows(report) + not_selected_lines(report):
            self.console.print(line)
        for text in (malformed_text(report), mismatch_text(report), exit_why(report)):
            if text is not None:
                self.console.print(styled(text, "yellow"))
        if report.history_missing:
            self.console.print(history_note())


class JsonCollector(Listener):
    """Machine output: one JSON object on stdout at the end; it never changes with the language."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.results: list[dict[str, Any]] = []

    def link_done(self, outcome: LinkOutcome) -> None:
        r = outcome.result
        self.results.append(
            {
                "id": outcome.row.id,
                "name": outcome.row.name,
                "link": outcome.row.link,
                "verdict": r.verdict.value,
                "reason": r.reason,
                "api_code": r.api_code,
                "message": r.message,
                "marked": outcome.changed,
                "same_share_as": outcome.same_share_as,  # marked with that row's share, without a request
                "drive": outcome.drive,  # the link's drive (issue 24); null: no drive claims it
            }
        )

    def finish(self, report: RunReport) -> None:
        document = {
            "job": report.job,  # "revive" for `resources revive` (issue 23)
            "started_at": report.started_at.isoformat(),
            "finished_at": report.finished_at.isoformat() if report.finished_at else None,
            "summary": report.summary,
            # issue 24: each drive's counts ("unchecked": rows left after its breaker tripped), the drives whose
            # breaker tripped with their streak, the rows whose drive_type names another drive than their link
            "drives": report.drives,
            "tripped": report.tripped,
            "drive_type_mismatch": report.mismatched,
            "not_selected": report.not_selected,  # rows of the drives --drives left out: neither checked nor recorded
            "results": self.results,
            "exit_code": int(report.exit_code),
            "aborted": report.abort_reason,
            "dry_run": report.dry_run,
            "database": report.database,  # its URL, password masked
            "malformed": report.malformed,  # ids of Quark rows whose link no request can check
            "history_missing": report.history_missing,  # a dry run on a database without quarkctl's tables
            # null for an anonymous run; state: verified | inconclusive | rejected
            "account": None if report.account is None else {
                "state": report.account.state.value, "reason": report.account.reason,
                "during_run": report.cookie_dropped_mid_run,
            },
            "deadline": report.deadline,  # null without --max-runtime / --until
            "reshare": report.reshare.as_dict() if report.reshare is not None else None,  # --reshare (issue 17)
            "reacquire": report.reacquire.as_dict() if report.reacquire is not None else None,  # --reacquire (issue 25)
            # database_lost: the line naming the database, and the verdicts it did not get (mark: the
            # is_expired change not written, "expired" | "valid" | null)
            "database_error": report.database_error,
            "unwritten": report.unwritten,
        }
        self.stream.write(redact(json_text(document)) + "\n")
        self.stream.flush()


def make_reporter(*, json_mode: bool, quiet: bool, stdout: IO[str], stderr: IO[str], log_file: IO[str] | None) -> Fanout:
    """Human output on stdout (on stderr when stdout carries JSON), plus the log file if any."""
    human_stream = stderr if json_mode else stdout
    quiet_human = quiet or False
    listeners: list[Listener] = []
    if not (json_mode and quiet):
        human = RichReporter if use_rich(human_stream) else PlainReporter
        listeners.append(human(human_stream, quiet=quiet_human))
    if json_mode:
        listeners.append(JsonCollector(stdout))
    if log_file is not None:
        listeners.append(PlainReporter(log_file))
    return Fanout(*listeners)


class _NoFollowHandler(WatchedFileHandler):
    """Opened as root in a folder others may write to (issue 23, an attacker's review): never through a
    planted link (O_NOFOLLOW), and a new log is 0600, since its lines carry links and passcodes."""

    def _open(self) -> Any:
        from quarkctl.safefs import open_append

        return os.fdopen(open_append(Path(self.baseFilename)), "a", encoding=self.encoding)


class LogFile:
    """The --log-file stream: appends, and follows logrotate. When the file was moved or removed,
    the next line goes to a new file at the same path (the stdlib's WatchedFileHandler check)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handler = _NoFollowHandler(path, mode="a", encoding="utf-8")  # opens now: errors show at start

    def write(self, text: str) -> int:
        try:
            self._handler.reopenIfNeeded()
        except (OSError, ConfigError):  # the path or its folder became a link (or vanished): the log ends, the run goes on
            self._handler.stream = None
        if self._handler.stream is None:
            return 0
        try:
            return self._handler.stream.write(text)
        except OSError:  # a full disk: the log ends, the run goes on (its report still reaches stdout)
            self._drop()
            return 0

    def flush(self) -> None:
        if self._handler.stream is not None:
            try:
                self._handler.stream.flush()
            except OSError:
                self._drop()

    def _drop(self) -> None:
        stream, self._handler.stream = self._handler.stream, None
        try:
            stream.close()
        except OSError:
            pass

    def isatty(self) -> bool:
        return False

    def close(self) -> None:
        try:
            self._handler.close()
        except OSError:  # the last lines did not fit on a full disk: the run's outcome stands
            self._handler.stream = None
