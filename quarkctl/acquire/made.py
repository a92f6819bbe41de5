"""The links re-acquisitions already made, this run or an earlier one (quarkctl_acquire), found again for another
row: a row of a dead share another row got a new link for, and a search result already taken for another row. Such a
row gets the link made, never a second save of the same files (a review of issue 25: check-links --reacquire left
the other rows of a dead share dead for a later run to save again; two rows of one work, dead with different
shares, found the same result and saved it twice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quarkctl.acquire.verify import candidate_link
from quarkctl.reports.acquire import Considered


@dataclass(frozen=True)
class Made:
    """A link a re-acquisition made: what it was made from, where the files were saved, their video files."""

    new_link: str | None  # None: a dry run's plan
    taken: Considered
    path: str
    videos: int | None
    earlier: bool = False  # an earlier run's: its link is checked before another row is given it


ShareKey = tuple[str, str]  # (share id, sub-folder fid): one share's folders are different results (season 1, season 2)


def key_of(url: str) -> ShareKey | None:
    """What a link names: its share and its sub-folder (quark/links.py parse_share_url: `#/list/share/<fid>` and the
    legacy fragments), so two folders of one share are never taken for one result (a second review of issue 25: a
    season-2 row was given the link made from season 1's folder)."""
    link = candidate_link(url, "")
    return None if link is None else (link.pwd_id, link.pdir_fid)


class MadeLinks:
    """This run's links by the search result they were made from, and an earlier run's found in quarkctl_acquire."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.results: dict[ShareKey, Made] = {}  # a result's share and sub-folder -> the link made from it this run

    def remember(self, made: Made) -> None:
        if (key := key_of(made.taken.url)) is not None:
            self.results[key] = made

    def for_result(self, url: str) -> Made | None:
        key = key_of(url)
        if key is None:
            return None
        return self.results.get(key) or self._earlier(key, result=True)

    def refused(self, url: str) -> bool:
        """Quark refused to share what was saved of this result before (this run or an earlier one): it is never saved
        again (an attacker's review, issue 25: every run saved it once more, into "name (2)", "name (3)" ...)."""
        key = key_of(url)
        return key is not None and any(key_of(link) == key for link in self.db.refused_result(key[0]))

    def for_share(self, key: ShareKey) -> Made | None:
        """An earlier run's link for a row of the dead share and sub-folder `key` (this run's rows of it get theirs
        at once)."""
        return self._earlier(key, result=False)

    def _earlier(self, key: ShareKey, *, result: bool) -> Made | None:
        for entry in self.db.made_from(key[0], result=result):
            if key_of(str(entry["candidate_link" if result else "old_link"] or "")) != key:
                continue  # the LIKE found another share's link that merely contains it, or another folder of it
            taken = Considered(str(entry["candidate_link"]), str(entry.get("candidate_note") or ""), str(entry.get("source") or ""), 0, "ok")
            return Made(str(entry["new_link"]), taken, str(entry.get("saved_path") or ""), entry.get("videos"), earlier=True)
        return None
