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


def pwd_of(url: str) -> str | None:
    link = candidate_link(url, "")
    return None if link is None else link.pwd_id


class MadeLinks:
    """This run's links by the search result they were made from, and an earlier run's found in quarkctl_acquire."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.results: dict[str, Made] = {}  # a result's pwd_id -> the link made from it this run

    def remember(self, made: Made) -> None:
        if (pwd := pwd_of(made.taken.url)) is not None:
            self.results[pwd] = made

    def for_result(self, url: str) -> Made | None:
        pwd = pwd_of(url)
        if pwd is None:
            return None
        return self.results.get(pwd) or self._earlier(pwd, result=True)

    def refused(self, url: str) -> bool:
        """Quark refused to share what was saved of this result before (this run or an earlier one): it is never saved
        again (an attacker's review, issue 25: every run saved it once more, into "name (2)", "name (3)" ...)."""
        pwd = pwd_of(url)
        return pwd is not None and any(pwd_of(link) == pwd for link in self.db.refused_result(pwd))

    def for_share(self, pwd_id: str) -> Made | None:
        """An earlier run's link for a row of the dead share `pwd_id` (this run's rows of it get theirs at once)."""
        return self._earlier(pwd_id, result=False)

    def _earlier(self, pwd_id: str, *, result: bool) -> Made | None:
        for entry in self.db.made_from(pwd_id, result=result):
            if pwd_of(str(entry["candidate_link" if result else "old_link"] or "")) != pwd_id:
                continue  # the LIKE found another share's link that merely contains it
            taken = Considered(str(entry["candidate_link"]), str(entry.get("candidate_note") or ""), str(entry.get("source") or ""), 0, "ok")
            return Made(str(entry["new_link"]), taken, str(entry.get("saved_path") or ""), entry.get("videos"), earlier=True)
        return None
