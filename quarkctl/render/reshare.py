"""Render a reshare run (issue 17): rich lines on a terminal, plain timestamped lines for cron, JSON.

Also the one sentence per outcome that `check-links --reshare`, `history show` and the
notifications use, so a row's fate reads the same everywhere.
"""

from __future__ import annotations

from typing import IO, Any

from quarkctl.i18n import _, listing, ngettext
from quarkctl.render.clock import duration
from quarkctl.render.messages import N_, abort_text, retry_text
from quarkctl.render.plain import PlainLines, fan_out
from quarkctl.reports.reshare import ReshareOutcome, ReshareReport
from quarkctl.safe_text import printable

WHY = {
    "share_expired": N_("the share's time limit passed"),
    "share_cancelled": N_("the share was cancelled"),
    "share_invalid": N_("the share was invalidated"),
    "files_deleted": N_("the share lost its files"),
    "expiring": N_("the share expires soon"),
    "recover": N_("a share made by an interrupted run"),
    "added": N_("shared by resources add --reshare-from"),
}
# Sentences for the rows left alone; {path} is the drive folder of the shared item(s).
NOT_RESHARED = {
    "taken_down": N_("not re-shared: taken down for violating content"),
    "failed_review": N_("not re-shared: the content failed Quark's review"),
    "several_items": N_("several items; re-share by hand from {path}"),
    "item_missing": N_("not re-shared: the shared item is no longer in {path}"),
    "not_own_share": N_("not re-shared: not one of this account's shares"),
    "not_dead": N_("not re-shared: the link is not dead"),
    "not_expiring": N_("not re-shared: the share does not expire within --expiring-within"),
    "cannot_heal": N_("not re-shared: a share that died this way cannot be re-created"),
    "not_quark_link": N_("not re-shared: not a Quark share link"),
    "no_such_row": N_("not re-shared: no such resource"),
    "limit": N_("not re-shared this run: --limit reached"),
    "interrupted": N_("not re-shared: interrupted"),
    "create_failed": N_("re-share failed: Quark did not create the share"),
    "task_timeout": N_("re-share failed: Quark's share task did not finish in time (the next run looks for it)"),
    "link_failed": N_("re-share unfinished: the share was made but its link could not be read (the next run finishes it)"),
}
# Why a reshare run stopped early (its own words: it re-shares, it does not check).
ABORTS = {
    "cookie_rejected": N_("Quark rejected the cookie; nothing more was re-shared. Copy a fresh cookie."),
    "locked": N_("another reshare run holds the lock; nothing was re-shared this run."),
}
COUNTS = {
    "total": N_("total"),
    "reshared": N_("re-shared"),
    "recovered": N_("recovered"),
    "planned": N_("planned"),
    "refused": N_("refused"),
    "skipped": N_("skipped"),
    "failed": N_("failed"),
}
_LEVEL = {"reshared": "INFO", "recovered": "INFO", "planned": "INFO", "skipped": "INFO", "refused": "WARN", "failed": "ERROR"}
_STYLE = {"reshared": "green", "recovered": "green", "planned": "cyan", "skipped": "dim", "refused": "yellow", "failed": "red"}


def outcome_text(outcome: ReshareOutcome) -> str:
    """`re-shared (the share's time limit passed): OLD -> NEW` or why the row was left alone."""
    why = why_text(outcome.reason)
    if outcome.action in ("reshared", "recovered"):
        template = _("re-shared ({why}): {old} -> {new}") if outcome.action == "reshared" else _("recovered ({why}): {old} -> {new}")
        return template.format(why=why, old=outcome.old_link, new=outcome.new_link)
    if outcome.action == "planned":
        return _("would re-share ({why}) from {path}").format(why=why, path=outcome.path or "/")
    text = _(NOT_RESHARED[outcome.reason]).format(path=outcome.path or "/") if outcome.reason in NOT_RESHARED else outcome.reason
    evidence = " ".join(str(x) for x in (outcome.api_code, outcome.message) if x)
    return f"{text} ({evidence})" if evidence else text


# A quarkctl_reshare entry's status (db.py reshare_history), as `history show` and `resources show` word it.
RECORD_STATUSES = {
    "done": N_("done"),
    "pending": N_("unfinished (the next run finishes it)"),
    "abandoned": N_("abandoned (Quark made no share)"),
}


def why_text(reason: str) -> str:
    return _(WHY[reason]) if reason in WHY else reason


def record_text(item: dict[str, Any]) -> str:
    """One quarkctl_reshare entry: `the share was cancelled, done: OLD -> NEW` (never its machine words)."""
    status = _(RECORD_STATUSES[item["status"]]) if item.get("status") in RECORD_STATUSES else str(item.get("status"))
    return _("{why}, {status}: {old} -> {new}").format(why=why_text(str(item.get("reason") or "")), status=status,
                                                       old=item.get("old_link") or "-", new=item.get("new_link") or "-")


def reshare_abort_text(reason: str) -> str:
    return _(ABORTS[reason]) if reason in ABORTS else abort_text(reason, n=0)


def started_text(total: int, database: str) -> str:
    """`reshare: 40 rows to consider in mysql+pymysql://pan:***@db/pan_library` (password masked)."""
    if not database:
        return ngettext("reshare: {n} row to consider", "reshare: {n} rows to consider", total).format(n=total)
    return ngettext("reshare: {n} row to consider in {database}", "reshare: {n} rows to consider in {database}", total).format(
        n=total, database=printable(database))


def outcome_line(outcome: ReshareOutcome) -> str:
    return f"#{outcome.resource_id} {printable(outcome.name)} {outcome_text(outcome)}"


def summary_text(report: ReshareReport) -> str:
    parts = [f"{_(COUNTS[key])} {value}" for key, value in report.summary.items() if value or key == "total"]
    if report.unlisted:
        parts.append(ngettext("{n} live share left alone (not listed)", "{n} live shares left alone (not listed)",
                              report.unlisted).format(n=report.unlisted))
    if report.dry_run:
        parts.append(_("dry run: nothing written"))
    parts.append(_("duration {time}").format(time=duration(report.duration)))
    return listing(parts)


class PlainReshareReporter(PlainLines):
    def reshare_started(self, total: int, *, database: str = "") -> None:
        self.line("INFO", started_text(total, database))

    current = ""  # the row being considered: its retries' lines name it (issue 23)

    def considering(self, resource_id: int, name: str) -> None:
        self.current = f"#{resource_id} {printable(name)}"

    def waiting(self, seconds: float, kind: str, cause: Any = None, **_where: Any) -> None:
        if kind == "backoff":
            self.line("INFO", retry_text(seconds, cause, self.current))

    def reshared(self, outcome: ReshareOutcome) -> None:
        if outcome.listed:  # a live share only looked at is counted in the summary, not listed
            self.line(_LEVEL[outcome.action], outcome_line(outcome), always=outcome.action in ("failed", "refused"))

    def finish(self, report: ReshareReport) -> None:
        if report.abort_reason:
            self.line("ERROR", reshare_abort_text(report.abort_reason), always=True)
        self.line("INFO", _("summary: {text}").format(text=summary_text(report)), always=True)


class RichReshareReporter:
    def __init__(self, stream: IO[str], *, quiet: bool = False) -> None:
        from quarkctl.render.rich_text import SafeConsole  # rich: only on a terminal

        self.console = SafeConsole(stream)
        self.quiet = quiet

    def _print(self, style: str, text: str) -> None:
        from quarkctl.render.rich_text import styled

        self.console.print(styled(text, style))

    def reshare_started(self, total: int, *, database: str = "") -> None:
        if not self.quiet:
            self._print("", started_text(total, database))

    def waiting(self, seconds: float, kind: str, cause: Any = None, **_where: Any) -> None:
        if kind != "backoff" and not self.quiet:
            self._print("dim", _("waiting {seconds:.1f} s").format(seconds=seconds))

    def reshared(self, outcome: ReshareOutcome) -> None:
        if outcome.listed and (not self.quiet or outcome.action in ("failed", "refused")):
            self._print(_STYLE[outcome.action], outcome_line(outcome))

    def finish(self, report: ReshareReport) -> None:
        if report.abort_reason:
            self._print("bold red", reshare_abort_text(report.abort_reason))
        self._print("bold", summary_text(report))

    def close(self) -> None: ...


def make_reshare_reporter(*, json_mode: bool, quiet: bool, stdout: IO[str], stderr: IO[str], log_file: IO[str] | None) -> Any:
    return fan_out(PlainReshareReporter, RichReshareReporter, json_mode=json_mode, quiet=quiet, stdout=stdout, stderr=stderr, log_file=log_file)
