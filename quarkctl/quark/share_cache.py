"""One autosave run's share side: one stoken per share, each share folder's pages fetched once.

Every request counts against the account's risk control (quark-api.md 5: 14021, 转存功能受限).
Tasks that follow the same share (the reference's template has several on one share, each on
another sub-folder) reuse its stoken and any folder already listed in the run. A listing may stop
paging early when the caller says it has seen enough; a later caller that needs more goes on from
the last page fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quarkctl.quark.drive import MAX_PAGES, DriveSession

Page = list[dict[str, Any]]


@dataclass
class _Folder:
    pages: list[Page] = field(default_factory=list)
    complete: bool = False  # the last page is in (an empty page, or `_total` items collected)
    count: int = 0


class ShareCache:
    def __init__(self, session: DriveSession) -> None:
        self.session = session
        self._tokens: dict[tuple[str, str], str] = {}
        self._folders: dict[tuple[str, str], _Folder] = {}

    def token(self, pwd_id: str, passcode: str) -> str:
        """The run's stoken for this share and passcode; asked for once. Failures are not kept: the
        next task on the share asks again (a transient answer may heal)."""
        key = (pwd_id, passcode)
        if key not in self._tokens:
            self._tokens[key] = self.session.token(pwd_id, passcode)
        return self._tokens[key]

    def refresh(self, pwd_id: str, passcode: str) -> str:
        """A new stoken after Quark said the one in use expired (41016 分享的stoken过期, quark-api.md 4.1).
        The share's pages go too: their share_fid_token may be bound to the old stoken (41020)."""
        self._tokens.pop((pwd_id, passcode), None)
        for key in [key for key in self._folders if key[0] == pwd_id]:
            del self._folders[key]
        return self.token(pwd_id, passcode)

    def listing(self, pwd_id: str, stoken: str, pdir_fid: str, enough: Callable[[Page], bool] | None = None) -> Page:
        """A share folder's items, page by page (quark-api.md 3.3: stop on an empty page or at `_total`),
        pages this run fetched before coming from memory. `enough(page)`, asked after each page, ends
        the listing early when it answers True."""
        folder = self._folders.setdefault((pwd_id, pdir_fid), _Folder())
        items: Page = []
        for index in range(MAX_PAGES):
            if index == len(folder.pages):
                if folder.complete:
                    break
                self._fetch(folder, pwd_id, stoken, pdir_fid)
            page = folder.pages[index]
            items.extend(page)
            if folder.complete and index + 1 == len(folder.pages):
                break
            if enough is not None and enough(page):
                break
        return items

    def _fetch(self, folder: _Folder, pwd_id: str, stoken: str, pdir_fid: str) -> None:
        batch, total = self.session.share_page(pwd_id, stoken, pdir_fid, len(folder.pages) + 1)
        folder.pages.append(batch)
        folder.count += len(batch)
        folder.complete = not batch or total is None or folder.count >= total or len(folder.pages) >= MAX_PAGES
