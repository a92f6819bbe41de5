"""The words of a re-acquisition candidate's choice (issue 25, `resources acquire --dry-run`): why it was kept
or passed over, and its quality score. Reads the JSON of acquire/rank.py's Choice (render sits below acquire);
tests/unit/acquire/test_rank_words.py keeps this table in step with rank.py's reason words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quarkctl.i18n import N_, _, labelled, listing
from quarkctl.safe_text import printable

CHOICE_REASONS = {
    "match": N_("kept: the note names the title"),
    "other_drive": N_("a link of another drive"),
    "no_link": N_("no usable share link"),
    "title_mismatch": N_("the note does not name the title, or names another title that starts with it"),
    "trailer": N_("a trailer or extras, not the work itself"),
    "sample": N_("a sample, not the work itself"),
    "other_season": N_("another season"),
    "other_year": N_("another year"),
}


def _numbers(values: object) -> str:
    return listing(str(v) for v in values) if isinstance(values, list) else ""


def choice_text(reason: str, detail: Mapping[str, Any], *, season: int | None = None, year: int | None = None) -> str:
    """`another season: the note names season 1, the row wants season 2`; `season` and `year` are the row's."""
    text = _(CHOICE_REASONS[reason]) if reason in CHOICE_REASONS else reason
    if reason in ("trailer", "sample", "title_mismatch") and detail.get("word"):
        return f"{text} ({printable(str(detail['word']))})"
    if reason == "other_season":
        wanted = 1 if season is None else season
        if isinstance(detail.get("seasons"), list) and len(detail["seasons"]) > 1 and wanted in detail["seasons"]:
            why = _("the note names seasons {found}, a pack holding other seasons too; the row wants season {wanted} alone").format(
                found=_numbers(detail["seasons"]), wanted=wanted)
        elif detail.get("seasons"):
            why = _("the note names season {found}, the row wants season {wanted}").format(
                found=_numbers(detail["seasons"]), wanted=wanted)
        else:
            why = _("the note names no season (read as the first), the row wants season {wanted}").format(wanted=wanted)
        return labelled(text, why)
    if reason == "other_year" and detail.get("years") and year is not None:
        return labelled(text, _("the note names {found}, the row wants {wanted}").format(found=_numbers(detail["years"]), wanted=year))
    return text


def score_text(score: int, detail: Mapping[str, Any]) -> str:
    """`score 180 (4k +100, 杜比 +80)`: the seed's quality score and the terms that made it."""
    terms = [f"{printable(str(t.get('term')))} +{t.get('points')}" for t in detail.get("quality") or [] if isinstance(t, Mapping)]
    text = _("score {score}").format(score=score)
    return f"{text} ({listing(terms)})" if terms else text
