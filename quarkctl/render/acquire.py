"""Render a re-acquisition run (issue 25): rich lines on a terminal, plain timestamped lines for cron, JSON.
Every search result the run weighed gets a line under its row, with its score and why it was passed over,
so a dry run explains each choice."""

from __future__ import annotations

from typing import IO, Any

from quarkctl.i18n import N_, _, listing, ngettext
from quarkctl.render.candidates import CHOICE_REASONS, choice_text, score_text
from quarkctl.render.clock import duration
from quarkctl.render.messages import abort_text, retry_text
from quarkctl.render.plain import PlainLines, fan_out
from quarkctl.reports.acquire import AcquireOutcome, AcquireReport, Considered
from quarkctl.safe_text import printable

# Why a search result that the ranking kept was passed over after all (acquire/verify.py, acquire/job.py);
# the ranking's own reasons are worded by render/candidates.py
PASSED_OVER = {
    "not_quark_link": N_("not a Quark share link"),
    "dead": N_("the share is dead"),
    "empty": N_("the share is empty"),
    "needs_passcode": N_("the share needs a passcode the result does not give"),
    "check_failed": N_("the share could not be checked"),
    "no_video": N_("no video files in the share"),
    "ad_videos": N_("its video files are named as ads"),
    "small_videos": N_("its video files are too small to be an episode or the film"),
    "too_deep": N_("no video files in its first folders: they lie too deep to count"),
    "fewer_videos": N_("fewer video files than the row's last link had"),
    "not_tried": N_("not checked: a better result came first, or --candidates reached"),
    "not_chosen": N_("passed the check, but another result was taken (more video files, or ranked higher)"),
    "own_share": N_("one of your own shares"),
    "save_refused": N_("Quark saved nothing of it"),
    "recover": N_("saved by an interrupted run"),
    "made_link_dead": N_("taken for another row before, but the link made from it is dead now"),
    "share_refused_before": N_("saved before, but Quark refused to share it (never saved again)"),
}
# What happened to a row
OUTCOMES = {
    "no_result": N_("left dead: searched «{keyword}»: nothing found"),
    "none_passed": N_("left dead: searched «{keyword}»: no result passed"),
    "limit": N_("not saved this run: {option} reached (only saves count)"),
    "interrupted": N_("not tried: interrupted"),
    "deadline": N_("not tried: the run's deadline (--until, --max-runtime) passed"),
    "not_dead": N_("left alone: the link is not dead"),
    "unreadable_link": N_("left alone: quarkctl cannot read the link (fix or clear it)"),
    "save_pending": N_("waiting: an interrupted run's save into {path} may still be running at Quark (tried again after a day)"),
    "own_share": N_("left alone: the link is one of your own shares (resources reshare re-creates it from your drive; a takedown is never worked around)"),
    "no_such_row": N_("no such Quark resource"),
    "not_quark_row": N_("not a Quark row (acquire re-acquires Quark links)"),
    "no_free_folder": N_("failed: no free folder name for the save"),
    "save_failed": N_("failed: the save did not finish (what is saved stays in {path}; a later run shares it once it holds every video)"),
    "share_refused": N_("failed: Quark refused to share the saved files (they stay in {path})"),
    "share_failed": N_("failed: the share of {path} was not made (the next run shares it)"),
    "quark_failed": N_("failed: Quark did not answer a request (the row keeps its link; the next run tries again)"),
    "query_refused": N_("failed: the search service refused this title's search"),
    "no_name": N_("left alone: the row has no name to search for"),
    "folder_changed": N_("failed: something else was put into {path} during the save; it is not shared (what was saved stays)"),
    "row_changed": N_("failed: the row changed during the run; it keeps its link ({new} is shared from {path})"),
}
# A --name title not in the table yet: found nothing, or nothing that passed (not "left dead": it had no link)
NEW_NAME = {
    "no_result": N_("searched «{keyword}»: nothing found"),
    "none_passed": N_("searched «{keyword}»: no result passed"),
}
ABORTS = {
    "cookie_rejected": N_("Quark rejected the cookie; nothing more was done. Copy a fresh cookie."),
    "search_unavailable": N_("{detail}; nothing more was done."),
    "drive_full": N_("the drive is full; nothing more was saved. Free some space or buy more."),
    "locked": N_("another acquire run holds the lock; nothing was done this run."),
}
COUNTS = {
    "total": N_("total"), "replaced": N_("replaced"), "added": N_("added"), "planned": N_("planned"),
    "left_dead": N_("left dead"), "failed": N_("failed"), "skipped": N_("skipped"), "unmarked": N_("unmarked"),
}
_LEVEL = {"replaced": "INFO", "added": "INFO", "planned": "INFO", "skipped": "INFO", "left_dead": "WARN", "failed": "ERROR",
          "unmarked": "INFO"}
_STYLE = {"replaced": "green", "added": "green", "planned": "cyan", "skipped": "dim", "left_dead": "yellow", "failed": "red",
          "unmarked": "green"}


def passed_text(item: Considered) -> str:
    if item.reason in CHOICE_REASONS:
        return choice_text(item.reason, item.detail, season=item.detail.get("wanted_season"), year=item.detail.get("wanted_year"))
    return _(PASSED_OVER[item.reason]) if item.reason in PASSED_OVER else item.reason


def considered_line(item: Considered) -> str:
    """`  passed over: URL «note» (score 0): a trailer or extras (预告)` / `  taken: URL «note» (score 150 (4k +100, hdr +70))`."""
    head = f"{item.url} «{printable(item.note[:80])}» ({score_text(item.score, item.detail)})"
    if isinstance(videos := item.detail.get("videos"), int):  # what chose among the results that passed the check
        head += " " + ngettext("[{count} video file]", "[{count} video files]", videos).format(count=videos)
    if item.reason == "ok":
        return "  " + _("taken: {result}").format(result=head)
    return "  " + _("passed over: {result}: {why}").format(result=head, why=passed_text(item))


def outcome_text(outcome: AcquireOutcome, *, limit_option: str = "--limit") -> str:
    """`limit_option`: the option that sets the run's saves (check-links names its --reacquire-limit)."""
    text = _outcome_text(outcome, limit_option)
    if outcome.old_verdict == "empty":  # searched for although Quark does not say dead (acquire/job.py verdict)
        text += " " + _("(the row's share is empty: visitors see no files in it)")
    return text


def _outcome_text(outcome: AcquireOutcome, limit_option: str) -> str:
    if outcome.action in ("replaced", "added"):
        template = _("replaced: {old} -> {new}") if outcome.action == "replaced" else _("added: {new}")
        text = template.format(old=outcome.old_link or "-", new=outcome.new_link)
        if outcome.reason == "same_share":
            return text + " " + _("(the same dead share as a row before it)")
        if outcome.reason == "same_result":
            return text + " " + _("(the same search result as another row: its link, nothing saved again)")
        return text + " " + _("(saved in {path})").format(path=outcome.path or "/") + videos_text(outcome)
    if outcome.action == "unmarked":
        return _("link alive again, unmarked")
    if outcome.action == "planned":
        if outcome.reason in ("same_share", "same_result"):
            return _("would get the link made for another row from {url}").format(url=outcome.taken.url if outcome.taken else "-")
        return _("would take {url} into {path}").format(url=outcome.taken.url if outcome.taken else "-",
                                                         path=outcome.path or "/") + videos_text(outcome)
    if outcome.resource_id is None and outcome.reason in NEW_NAME:  # a --name title: nothing of it was dead
        return _(NEW_NAME[outcome.reason]).format(keyword=printable(outcome.keyword or outcome.name))
    text = _(OUTCOMES[outcome.reason]) if outcome.reason in OUTCOMES else outcome.reason
    text = text.format(path=outcome.path or "/", new=outcome.new_link or "-", keyword=printable(outcome.keyword or outcome.name),
                       option=limit_option)
    evidence = " ".join(str(x) for x in (outcome.api_code, outcome.message) if x)
    return f"{text} ({evidence})" if evidence else text


def videos_text(outcome: AcquireOutcome) -> str:
    """` [12 video files]`: what the result taken holds (the notification says it too), when the check counted them."""
    videos = outcome.taken.detail.get("videos") if outcome.taken is not None else None
    if not isinstance(videos, int):
        return ""
    return " " + ngettext("[{count} video file]", "[{count} video files]", videos).format(count=videos)


# A quarkctl_acquire entry's status (db/schema.py acquire_history), as `resources show` and `history show` word it
RECORD_STATUSES = {
    "done": N_("done"),
    "pending": N_("unfinished (the next run shares what was saved)"),
    "prepared": N_("unfinished before its save was sent (the next run saves again into its folder)"),
    "abandoned": N_("abandoned (nothing of it is in the row)"),
    "refused": N_("Quark refused to share it (the result is not taken again)"),
    "unmarked": N_("unmarked"),
}


def chain_text(item: dict[str, Any]) -> str:
    """One quarkctl_acquire entry: `done: OLD -> NEW, from CANDIDATE «note» (source), saved in PATH`."""
    status = _(RECORD_STATUSES[item["status"]]) if item.get("status") in RECORD_STATUSES else str(item.get("status"))
    if item.get("status") == "unmarked":  # acquire found a row marked expired alive (acquire/job.py alive)
        return _("{status}: {link} was alive again").format(status=status, link=item.get("old_link") or "-")
    return _("{status}: {old} -> {new}, from {candidate} «{note}» ({source}), saved in {path}").format(
        status=status, old=item.get("old_link") or "-", new=item.get("new_link") or "-", candidate=item.get("candidate_link") or "-",
        note=printable(str(item.get("candidate_note") or "")[:80]), source=printable(str(item.get("source") or "-")),
        path=printable(str(item.get("saved_path") or "-")))


def outcome_lines(outcome: AcquireOutcome, *, limit_option: str = "--limit") -> list[str]:
    name = f"#{outcome.resource_id} {printable(outcome.name)}" if outcome.resource_id is not None else printable(outcome.name)
    if outcome.reason == "not_quark_row":  # `#22 name: not a Quark row (...)`
        name += ":"
    return [f"{name} {outcome_text(outcome, limit_option=limit_option)}", *(considered_line(item) for item in outcome.considered)]


def abort_line(report: AcquireReport) -> str:
    reason = report.abort_reason or ""
    return _(ABORTS[reason]).format(detail=printable(report.abort_detail or "")) if reason in ABORTS else abort_text(reason, n=0)


def started_text(total: int, database: str, source: str) -> str:
    return _("acquire: rows to find new links for: {n}, in {database}, searching {source}").format(
        n=total, database=printable(database or "-"), source=printable(source or "-"))


def summary_text(report: AcquireReport) -> str:
    parts = [f"{_(COUNTS[key])} {value}" for key, value in report.summary.items() if value or key == "total"]
    if report.dry_run:
        parts.append(_("dry run: nothing written, nothing saved"))
    parts.append(_("duration {time}").format(time=duration(report.duration)))
    return listing(parts)


class PlainAcquireReporter(PlainLines):
    current = ""  # the row being considered: its retries' lines name it

    def acquire_started(self, total: int, *, database: str = "", source: str = "") -> None:
        self.line("INFO", started_text(total, database, source))

    def considering(self, name: str) -> None:
        self.current = printable(name)

    def waiting(self, seconds: float, kind: str, cause: Any = None, **_where: Any) -> None:
        if kind == "backoff":
            self.line("INFO", retry_text(seconds, cause, self.current))

    def acquired(self, outcome: AcquireOutcome) -> None:
        level = _LEVEL[outcome.action]
        for text in outcome_lines(outcome):
            self.line(level, text, always=outcome.action in ("failed", "left_dead"))

    def finish(self, report: AcquireReport) -> None:
        if report.abort_reason:
            self.line("ERROR", abort_line(report), always=True)
        self.line("INFO", _("summary: {text}").format(text=summary_text(report)), always=True)


class RichAcquireReporter:
    def __init__(self, stream: IO[str], *, quiet: bool = False) -> None:
        from quarkctl.render.rich_text import SafeConsole  # rich: only on a terminal

        self.console = SafeConsole(stream)
        self.quiet = quiet

    def _print(self, style: str, text: str) -> None:
        from quarkctl.render.rich_text import styled

        self.console.print(styled(text, style))

    def acquire_started(self, total: int, *, database: str = "", source: str = "") -> None:
        if not self.quiet:
            self._print("", started_text(total, database, source))

    def considering(self, name: str) -> None: ...

    def waiting(self, seconds: float, kind: str, cause: Any = None, **_where: Any) -> None:
        if kind != "backoff" and not self.quiet:
            self._print("dim", _("waiting {seconds:.1f} s").format(seconds=seconds))

    def acquired(self, outcome: AcquireOutcome) -> None:
        if not self.quiet or outcome.problem:
            lines = outcome_lines(outcome)
            self._print(_STYLE[outcome.action], lines[0])
            for text in lines[1:]:
                self._print("dim", text)

    def finish(self, report: AcquireReport) -> None:
        if report.abort_reason:
            self._print("bold red", abort_line(report))
        self._print("bold", summary_text(report))

    def close(self) -> None: ...


def make_acquire_reporter(*, json_mode: bool, quiet: bool, stdout: IO[str], stderr: IO[str], log_file: IO[str] | None) -> Any:
    return fan_out(PlainAcquireReporter, RichAcquireReporter, json_mode=json_mode, quiet=quiet, stdout=stdout, stderr=stderr, log_file=log_file)
