"""check-links --reacquire's section of a check run's output (issue 25): its first line, a line per row with
each search result it weighed (render/acquire.py words them as `resources acquire` does), why it stopped, and
its row of the summary. The check reporters (render/check.py) take these methods in."""

from __future__ import annotations

from typing import Any

from quarkctl.i18n import _
from quarkctl.render.acquire import _LEVEL, _STYLE, abort_line, outcome_lines
from quarkctl.render.messages import retry_text
from quarkctl.reports.acquire import AcquireOutcome
from quarkctl.safe_text import printable


LIMIT_OPTION = "--reacquire-limit"  # check-links' option for the saves of its re-acquisition (acquire's --limit)
# The check's own aborts, which its lines say once; no search starts after them (checker/reacquire.py not_now)
CHECK_ABORTS = ("database_lost", "circuit_breaker")


def reacquire_started_text(total: int, source: str, reshared: bool = False) -> str:
    """Its first line; a re-share is named only when --reshare ran (a new user's review, issue 25)."""
    if reshared:
        return _("reacquire: rows found dead that a re-share cannot heal: {n}, searching {source}").format(
            n=total, source=printable(source or "-"))
    return _("reacquire: rows found dead: {n}, searching {source}").format(n=total, source=printable(source or "-"))


def reacquire_stopped(report: Any) -> str | None:
    """Why the re-acquisition stopped or did not run (the search service, a full drive, the lock, the deadline),
    if it did; an interruption or the check's own abort is said once, by the check."""
    reacquired = getattr(report, "reacquire", None)
    if reacquired is None or reacquired.abort_reason in (None, "interrupted", *CHECK_ABORTS):
        return None
    if reacquired.abort_reason == "deadline":
        return _("the deadline passed during the checks, so no new link was searched for; "
                 "`quarkctl resources acquire --all-expired` takes the rows marked expired")
    return abort_line(reacquired)


def reacquire_row(report: Any) -> tuple[str, str] | None:
    """The summary's row: the rows that got a new link (a dry run: would), and those left dead."""
    reacquired = getattr(report, "reacquire", None)
    if reacquired is None:
        return None
    counts = reacquired.summary
    done = counts["planned"] if reacquired.dry_run else counts["replaced"] + counts["added"]
    value = _("{n}, left dead {left}").format(n=done, left=counts["left_dead"]) if counts["left_dead"] else str(done)
    # every row listed is in the row (a new user's review: the rows --reacquire-limit held back were left out)
    for key, label in (("failed", _("failed {n}")), ("skipped", _("not tried {n}")), ("unmarked", _("unmarked {n}"))):
        if counts[key]:
            value += ", " + label.format(n=counts[key])
    return (_("re-acquired (dry run: would be)") if reacquired.dry_run else _("re-acquired"), value)


class PlainReacquireLines:
    """Plain lines (PlainLines.line), as `resources acquire` prints them."""

    current = ""  # the row being searched for: its retries' lines name it
    line: Any

    def acquire_started(self, total: int, *, database: str = "", source: str = "", reshared: bool = False) -> None:
        self.line("INFO", reacquire_started_text(total, source, reshared))

    def considering(self, name: str) -> None:
        self.current = printable(name)

    def acquire_waiting(self, seconds: float, kind: str, cause: Any = None) -> None:
        if kind == "backoff":
            self.line("INFO", retry_text(seconds, cause, self.current))

    def acquired(self, outcome: AcquireOutcome) -> None:
        for text in outcome_lines(outcome, limit_option=LIMIT_OPTION):
            self.line(_LEVEL[outcome.action], text, always=outcome.action in ("failed", "left_dead"))


class RichReacquireLines:
    """On a terminal (SafeConsole): the row's line in its colour, the results it weighed dim under it; the check's
    progress bar goes on through the searches (the row searched for, its pauses, the rows done)."""

    console: Any
    quiet: bool
    progress: Any = None  # the check's progress bar (render/check.py RichReporter), when there is one
    task: Any = None
    acquire_total = 0
    acquire_done = 0

    def _show(self, description: str | None = None) -> None:
        if self.progress is None or self.task is None:
            return
        total = max(self.acquire_total, self.acquire_done)  # a row of a dead share given with another counts too
        self.progress.update(self.task, completed=self.acquire_done, total=total,
                             **({"description": description} if description is not None else {}))

    def acquire_started(self, total: int, *, database: str = "", source: str = "", reshared: bool = False) -> None:
        from quarkctl.render.rich_text import styled

        if not self.quiet:
            self.console.print(styled(reacquire_started_text(total, source, reshared)), soft_wrap=True)
        self.acquire_total, self.acquire_done = total, 0
        self._show(_("searching"))

    def searching(self, name: str) -> None:
        self._show(_("searching: {name}").format(name=printable(name)[:40]))

    def acquire_waiting(self, seconds: float, kind: str, cause: Any = None) -> None:
        label = _("retrying in {seconds:.1f} s") if kind == "backoff" else _("waiting {seconds:.1f} s")
        self._show(label.format(seconds=seconds))

    def acquired(self, outcome: AcquireOutcome) -> None:
        from quarkctl.render.rich_text import styled

        self.acquire_done += 1
        self._show()
        if self.quiet and not outcome.problem:
            return
        lines = outcome_lines(outcome, limit_option=LIMIT_OPTION)
        self.console.print(styled(lines[0], _STYLE[outcome.action]), soft_wrap=True)
        for text in lines[1:]:
            self.console.print(styled(text, "dim"), soft_wrap=True)
