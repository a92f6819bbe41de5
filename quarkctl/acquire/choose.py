"""Which of the checked search results is saved, and the list of every result weighed (a new user's review, issue 25: 三体 took «三体 E01 4K», one
episode, over «三体 全30集 1080p» on its note's 4K). Pure: no HTTP, no database.

The best few kept results are all checked (acquire/verify.py counts each one's video files); then, when the
row is a series (its name names a season) or any checked result's note names episodes, the one with the
most video files is taken; equal counts, and every other case (a film), keep the ranking's order: quality
score, then the newest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quarkctl.reports.acquire import Considered


def names_episodes(detail: Any) -> bool:
    """The note named episodes ("E01", "全30集"): rank.py's Detail, or its JSON."""
    doc = detail.as_json() if hasattr(detail, "as_json") else detail
    return isinstance(doc, dict) and bool(doc.get("episodes"))


def preference(checked: Sequence[tuple[Any, int]], *, series: bool) -> list[int]:
    """The indexes in `checked` (each a choice's detail and its video count, in the ranking's order), the one to
    take first; the next ones are tried when Quark refuses to save it."""
    if not (series or any(names_episodes(detail) for detail, _videos in checked)):
        return list(range(len(checked)))
    return sorted(range(len(checked)), key=lambda i: (-checked[i][1], i))


def considered(choice: Any, reason: str | None = None, *, videos: int | None = None) -> Considered:
    """A ranked result (acquire/rank.py's Choice) as the run weighed it; `videos` the check's count."""
    c = choice.candidate
    detail = choice.detail.as_json() if hasattr(choice.detail, "as_json") else {}
    if videos is not None:  # what chose among the results that passed the check
        detail = {**detail, "videos": videos}
    return Considered(str(c.url), str(c.note or ""), str(getattr(c, "source", "") or ""), int(choice.score),
                      reason or choice.reason, detail)


def listed(choices: Sequence[Any], reasons: dict[int, str], videos: dict[int, int]) -> tuple[Considered, ...]:
    """Every result in the ranking's order, with why it was taken or passed over (a kept one never checked:
    not_tried) and, when it passed the check, its video files."""
    return tuple(considered(choice, reasons.get(n) or ("not_tried" if choice.kept else None),
                            videos=videos.get(n)) for n, choice in enumerate(choices))
