"""Which of the checked search results is saved (a new user's review, issue 25: 三体 took «三体 E01 4K», one
episode, over «三体 全30集 1080p» on its note's 4K). Pure: no HTTP, no database.

The best few kept results are all checked (acquire/verify.py counts each one's video files); then, when the
row is a series (its name names a season) or any checked result's note names episodes, the one with the
most video files is taken; equal counts, and every other case (a film), keep the ranking's order: quality
score, then the newest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def names_episodes(detail: Any) -> bool:
    """The note named episodes ("E01", "全30集"): rank.py's Detail, or its JSON."""
    doc = detail.as_json() if hasattr(detail, "as_json") else detail
    return isinstance(doc, dict) and bool(doc.get("episodes"))


def choose(checked: Sequence[tuple[Any, int]], *, series: bool) -> int | None:
    """The index in `checked` (each a choice's detail and its video count, in the ranking's order) of the one
    to take, or None when there is none."""
    if not checked:
        return None
    if not (series or any(names_episodes(detail) for detail, _videos in checked)):
        return 0
    return min(range(len(checked)), key=lambda i: (-checked[i][1], i))
