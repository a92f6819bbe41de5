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

from quarkctl.reports.check import JOB, Listener, LinkOutcome, RunReport
from quarkctl.i18n import _, listing, ngettext
from quarkctl.render.clock import duration, local_time
from quarkctl.render.messages import COUNT_LABELS, abort_text, account_text, account_why, verdict_reason
from quarkctl.render.plain import Fanout, PlainLines, use_rich
from quarkctl.render.resource import VERDICT_STYLE
from quarkctl.render.rich_text import SafeConsole, assemble, styled
from quarkctl.redact import redact
from quarkctl.safe_text import json_text, printable

if TYPE_CHECKING:  # types only: rendering needs neither the database nor the HTTP client
    from quarkctl.db.records import ResourceRow
    from quarkctl.quark.account import AccountCheck

_LEVEL = {"valid": "INFO", "skipped": "INFO", "expired": "WARN", "needs_passcode": "WARN", "empty": "WARN", "error": "ERROR"}


def outcome_detail(outcome: LinkOutcome) -> str:
    """`expired: the owner cancelled the share (41012 好友已取消了分享)`; Quark's words as sent."""
    result = outcome.result
    text = verdict_reason(result.verdict.value, result.reason)
    evidence = printable(" ".join(str(x) for x in (result.api_code if result.api_code else None, result.message) if x))
    if result.reason not in ("ok",) and evidence:
        text += f" ({evidence})"
    if outcome.changed:
        text += " " + (_("[marked expired]") if result.verdict.value == "expired" else _("[marked valid again]"))
    if outcome.same_share_as is not None:
        text += " " + _("[same share as #{id}]").format(id=outcome.same_share_as)
    elif outcome.cached:
        text += " " + _("[same link as an earlier row]")
    return text


def summary_rows(report: RunReport) -> list[tuple[str, str]]:
    # same_share only when it happened: most nights no row is marked with its share
    rows = [(_(COUNT_LABELS[key]), str(value)) for key, value in report.summary.items() if value or key != "same_share"]
    rows += [
        (_("newly marked expired"), _("{n} (dry run: nothing written)").format(n=len(report.newly_expired)) if report.dry_run
         else str(len(report.newly_expired))),
        (_("duration"), duration(report.duration)),
        (_("finished at"), local_time(report.finished_at)),
    ]
    if report.deadline_at is not None:
        rows.append((_("deadline"), local_time(report.deadline_at)))
    if report.reshare is not None:  # --reshare: the rows healed in this run have their new links already
        rows.append((_(COUNT_LABELS["reshared"]), str(len(report.reshare.renewed))))
    return rows


def deadline_text(report: RunReport) -> str | None:
    """The line of a run the deadline cut short (--max-runtime, --until); None otherwise."""
    if not report.deadline_reached:
        return None
    return _("stopped at the deadline: {checked} of {selected} checked").format(
        checked=report.summary["total"], selected=report.selected)


def unwritten_lines(report: RunReport) -> list[str]:
    """After a lost database: the line naming it, then every verdict it did not get, so none is lost unseen.
    Also when a signal ended the run while a write waited for the database (abort_reason "interrupted")."""
    if report.abort_reason != "database_lost" and not report.database_error:
        return []
    lines = [report.database_error] if report.database_error else []
    n = len(report.unwritten)
    if not n:
        return lines + [_("Every verdict of this run was written before the end.")]
    lines.append(ngettext("{n} verdict could not be written to the database; here it is, so that it is not lost:",
                          "{n} verdicts could not be written to the database; here they are, so that none is lost:", n).format(n=n))
    for item in report.unwritten:
        text = f"#{item['id']} {printable(item['link'] or '')} {verdict_reason(str(item['verdict']), str(item['reason']))}"
        if item.get("mark") == "expired":
            text += " " + _("[not marked expired]")
        elif item.get("mark") == "valid":
            text += " " + _("[not marked valid again]")
        lines.append(text)
    return lines


def _cut(text: str, limit: int = 300) -> str:
    """A cell as a line shows it: on one line, printable (safe_text.py), a 2 MB link by its start (the JSON keeps it whole)."""
    return printable(text if len(text) <= limit else text[:limit] + "…")


def _account_why(check: AccountCheck, during_run: bool) -> str:
    """During the run the line already says Quark rejected the cookie: Quark's own answer is the why."""
    return check.evidence if during_run and check.evidence else account_why(check.reason, check.evidence)


class PlainReporter(PlainLines, Listener):
    """Timestamped lines for cron mail, journald and log files: no colour, no cursor control."""

    def account_checked(self, check: AccountCheck, during_run: bool) -> None:
        self.line("WARN", account_text(check.state.value, _account_why(check, during_run), during_run=during_run), always=True)

    def started(self, total: int) -> None:
        self.line("INFO", ngettext("{job}: {total} link to check", "{job}: {total} links to check", total).format(job=JOB, total=total))

    def waiting(self, seconds: float, kind: str) -> None:
        # Per-link delays would double the log; rests and backoffs say why the run pauses.
        if kind == "rest":
            self.line("INFO", _("resting {seconds:g} s").format(seconds=seconds))
        elif kind == "backoff":
            self.line("INFO", _("transient failure, retrying in {seconds:g} s").format(seconds=seconds))

    def link_done(self, outcome: LinkOutcome) -> None:
        verdict = outcome.result.verdict.value
        self.line(_LEVEL[verdict], f"[{outcome.index}/{outcome.total}] {_cut(outcome.row.name)} {_cut(outcome.row.link or '')} {outcome_detail(outcome)}")

    def reshared(self, outcome: Any) -> None:  # check-links --reshare (render/reshare.py)
        from quarkctl.render.reshare import PlainReshareReporter

        PlainReshareReporter.reshared(self, outcome)  # type: ignore[arg-type]

    def finish(self, report: RunReport) -> None:
        if report.abort_reason:
            level = "WARN" if report.abort_reason == "interrupted" else "ERROR"
            self.line(level, abort_text(report.abort_reason, n=report.abort_streak), always=True)
        for line in unwritten_lines(report):
            self.line("ERROR", line, always=True)
        if (why := reshare_stopped(report)) is not None:
            self.line("ERROR", why, always=True)
        if (stopped := deadline_text(report)) is not None:
            self.line("INFO", stopped, always=True)
        text = listing(f"{label} {value}" for label, value in summary_rows(report))
        self.line("INFO", _("summary: {text}").format(text=text), always=True)
        if report.history_missing:
            self.line("INFO", history_note(), always=True)


def history_note() -> str:
    """Said once, at the end of a dry run on a table without quarkctl's own tables (issue 23)."""
    return _("this database has no quarkctl tables yet, so no history was read or kept; `quarkctl db init` "
             "creates them (a run without --dry-run does too)")


def reshare_stopped(report: RunReport) -> str | None:
    """check-links --reshare: why re-sharing stopped during the run (locked, cookie rejected), if it did."""
    if report.reshare is None or not report.reshare.abort_reason or report.reshare.abort_reason == "interrupted":
        return None  # an interruption is the run's own, said once above
    from quarkctl.render.reshare import reshare_abort_text

    return reshare_abort_text(report.reshare.abort_reason)


class RichReporter(Listener):
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

    def started(self, total: int) -> None:
        if not self.quiet:
            self.progress.start()
        self.task = self.progress.add_task(_("starting"), total=total)

    def link_started(self, row: ResourceRow) -> None:
        self.progress.update(self.task, description=redact(_cut(row.name)))

    def waiting(self, seconds: float, kind: str) -> None:
        if self.task is None:  # the account check's retries, before the progress bar exists
            if kind == "backoff" and not self.quiet:
                self.console.print(_("transient failure, retrying in {seconds:g} s").format(seconds=seconds))
            return
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
        if report.abort_reason:
            style = "yellow" if report.abort_reason == "interrupted" else "bold red"
            self.console.print(styled(abort_text(report.abort_reason, n=report.abort_streak), style))
        for line in unwritten_lines(report):
            self.console.print(styled(line, "red"))
        if (why := reshare_stopped(report)) is not None:
            self.console.print(styled(why, "bold red"))
        if (stopped := deadline_text(report)) is not None:
            self.console.print(styled(stopped, "yellow"))
        table = Table(title=_("check-links summary"), show_header=False)
        table.add_column()
        table.add_column(justify="right")
        for label, value in summary_rows(report):
            table.add_row(label, value)
        self.console.print(table)
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
            }
        )

    def finish(self, report: RunReport) -> None:
        document = {
            "job": report.job,  # "revive" for `resources revive` (issue 23)
            "started_at": report.started_at.isoformat(),
            "finished_at": report.finished_at.isoformat() if report.finished_at else None,
            "summary": report.summary,
            "results": self.results,
            "exit_code": int(report.exit_code),
            "aborted": report.abort_reason,
            "dry_run": report.dry_run,
            "history_missing": report.history_missing,  # a dry run on a database without quarkctl's tables
            # null for an anonymous run; state: verified | inconclusive | rejected
            "account": None if report.account is None else {
                "state": report.account.state.value, "reason": report.account.reason,
                "during_run": report.cookie_dropped_mid_run,
            },
            "deadline": report.deadline,  # null without --max-runtime / --until
            "reshare": report.reshare.as_dict() if report.reshare is not None else None,  # --reshare (issue 17)
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
        except OSError:  # the path became a link (or vanished with its folder): the log ends, the run goes on
            self._handler.stream = None
        if self._handler.stream is None:
            return 0
        return self._handler.stream.write(text)

    def flush(self) -> None:
        if self._handler.stream is not None:
            self._handler.stream.flush()

    def isatty(self) -> bool:
        return False

    def close(self) -> None:
        self._handler.close()
