"""A dead task's replacement in words (issue 25, `autosave --replace-dead`): the clause of the task's line,
and in a dry run a line per search result weighed, with why it was passed over."""

from __future__ import annotations

from quarkctl.i18n import _, ngettext
from quarkctl.render.acquire import PASSED_OVER
from quarkctl.render.candidates import CHOICE_REASONS
from quarkctl.render.messages import N_
from quarkctl.reports.autosave import TaskResult
from quarkctl.safe_text import printable

# Why a result did not continue the task's series (acquire/replace.py FIT_REASONS, autosave/replace.py)
SERIES_REASONS = {
    "no_video": N_("no video files in the share"),
    "pattern_mismatch": N_("no file passes the task's pattern"),
    "other_extension": N_("no file of the saved files' extension"),
    "other_season": N_("its files are of another season"),
    "no_new_episodes": N_("no episode beyond the last saved"),
    "size_mismatch": N_("its files' sizes are far from the saved ones'"),
    "same_share": N_("the task's own dead share"),
    "own_share": N_("one of your own shares (Quark does not save those)"),
    "not_checked": N_("not checked: a better result came first"),
    "ok": N_("continues the series"),
}


def candidate_reason(reason: str) -> str:
    for table in (SERIES_REASONS, PASSED_OVER, CHOICE_REASONS):
        if reason in table:
            return _(table[reason])
    return reason


def _what(info: dict[str, object]) -> str:
    note = printable(str(info.get("note") or ""))
    url = printable(str(info.get("url") or ""))
    return f"{url} ({note})" if note else url


def replacement_text(result: TaskResult) -> str | None:
    """The clause about a replacement: taken, would be taken (a dry run), suggested, or none found."""
    if result.replaced is not None:
        dead = printable(str(result.replaced.get("dead_message") or result.replaced.get("dead_reason") or ""))
        old = printable(str(result.replaced.get("old_url") or ""))
        if not result.replaced.get("applied"):
            return _("share {old} dead ({dead}); dry run: would replace it with {what}").format(
                old=old, dead=dead, what=_what(result.replaced))
        return _("share {old} dead ({dead}); replaced with {what}").format(old=old, dead=dead, what=_what(result.replaced))
    if result.suggested_replacement is not None:
        return _("suggested replacement: {what} (--replace-dead takes it)").format(what=_what(result.suggested_replacement))
    if result.replacement_search is not None and not result.replacement_candidates:  # once silent (a new user's review)
        return _("no replacement found: the search for {keyword} found nothing").format(keyword=printable(result.replacement_search))
    if result.replacement_search is not None and result.replacement_candidates:
        n = len(result.replacement_candidates)
        return ngettext("no search result continues the series ({n} weighed)", "no search result continues the series ({n} weighed)",
                        n).format(n=n)
    return None


def with_replacement(result: TaskResult, parts: list[str]) -> list[str]:
    """The task line's clauses with the replacement's: first when the task moved (the dead share, then what the
    new one gave), else after what happened."""
    text = replacement_text(result)
    if text is None:
        return parts
    return [text, *parts] if result.replaced is not None else [parts[0], text, *parts[1:]]


def candidate_lines(result: TaskResult) -> list[str]:
    """`  passed over URL (note): why`, one per search result weighed (a dry run explains its choice)."""
    lines = []
    for c in result.replacement_candidates:
        what = _what(c)
        if c.get("reason") == "ok":
            lines.append("  " + _("taken {what}").format(what=what))
        else:
            lines.append("  " + _("passed over {what}: {why}").format(what=what, why=candidate_reason(str(c.get("reason")))))
    return lines
