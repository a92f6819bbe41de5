"""Is a search result worth saving (issue 25)? The same link check as check-links, then the share's
listing: alive, not empty, with video files (not an ad clip, not below MIN_VIDEO_BYTES), and for a row whose last replacement is known at least as
many of them. A candidate that fails is passed over with a machine reason (render/acquire.py words it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from quarkctl.quark.drive import ApiFailure, DriveSession
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.links import ROOT_FID, LinkError, ShareLink, parse_share_url
from quarkctl.quark.verdict import Verdict

# Video files by extension (a share's items may lack obj_category); the categories Quark gives videos
VIDEO_EXTENSIONS = frozenset({"mp4", "mkv", "avi", "ts", "m2ts", "rmvb", "rm", "flv", "mov", "wmv", "webm", "mpg", "mpeg", "iso", "m4v", "vob"})
VIDEO_CATEGORIES = frozenset({"video"})
# A video file smaller than this is no episode or film: an ad clip, a sample (a new user's review, issue 25: a
# share whose only file was a 1000-byte 广告.mp4 was taken on its note's 4K). A file of unknown size counts.
MIN_VIDEO_BYTES = 50 * 1024 * 1024
# Names of the ad clips shares carry beside (or instead of) the work: never counted as videos
_AD_NAME = re.compile(r"广告|推广|关注|公众号|扫码|加群|群号|更多资源")
LIST_PAGES = 20  # listing pages read per candidate (50 items each): enough to count a season, bounded
LIST_DEPTH = 2  # folders walked below the share's root ("剧名/Season 1/E01.mkv")
# A check's verdict that passes a candidate over, and the reason said
_VERDICT_REASONS = {Verdict.EXPIRED: "dead", Verdict.EMPTY: "empty", Verdict.NEEDS_PASSCODE: "needs_passcode"}


@dataclass(frozen=True)
class Verified:
    """A candidate that passed: its link (passcode included), the token the save needs, the share root's
    items (fid and share_fid_token) and the video files counted under them."""

    link: ShareLink
    stoken: str
    items: list[dict[str, Any]]
    videos: int
    video_names: tuple[str, ...]
    video_sizes: tuple[int | None, ...] = ()  # beside video_names: autosave's series filter weighs them (acquire/replace.py)


def is_video(item: dict[str, Any]) -> bool:
    name = str(item.get("file_name") or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return not item.get("dir") and (extension in VIDEO_EXTENSIONS or str(item.get("obj_category") or "") in VIDEO_CATEGORIES)


def counts_as_video(item: dict[str, Any], min_bytes: int = MIN_VIDEO_BYTES) -> bool:
    """A video file that can be an episode or the film: not named as an ad, and not below `min_bytes` when
    its size is known."""
    size = item.get("size")
    small = isinstance(size, int) and not isinstance(size, bool) and size < min_bytes
    return is_video(item) and not small and not _AD_NAME.search(str(item.get("file_name") or ""))


def candidate_link(url: str, password: str) -> ShareLink | None:
    """The candidate's share link; the passcode from the link itself, else its `password` (search-api.md 1.4)."""
    try:
        link = parse_share_url(url)
    except LinkError:
        return None
    if link.passcode or not password:
        return link
    return ShareLink(link.pwd_id, password.strip(), link.pdir_fid)


class Verifier:
    def __init__(self, checker: LinkChecker, session: DriveSession, *, min_video_bytes: int = MIN_VIDEO_BYTES) -> None:
        self.checker, self.session, self.min_video_bytes = checker, session, min_video_bytes

    def verify(self, url: str, password: str, *, need_videos: int | None = None) -> Verified | str:
        """The candidate ready to save, or the reason it is passed over."""
        link = candidate_link(url, password)
        if link is None:
            return "not_quark_link"
        result = self.checker.check_link(link)
        if result.verdict is not Verdict.VALID:
            return _VERDICT_REASONS.get(result.verdict, "check_failed")
        try:
            stoken = self.session.token(link.pwd_id, link.passcode)
            items = self._pages(link, stoken, link.pdir_fid)
            videos = self._videos(link, stoken, items, LIST_DEPTH)
        except ApiFailure:
            return "check_failed"
        if not items:
            return "empty"
        if not videos:
            return "no_video"
        if need_videos is not None and len(videos) < need_videos:
            return "fewer_videos"
        names = tuple(str(item.get("file_name") or "") for item in videos)
        sizes = tuple(size if isinstance(size := item.get("size"), int) and not isinstance(size, bool) else None for item in videos)
        return Verified(link, stoken, items, len(videos), names, sizes)

    def _pages(self, link: ShareLink, stoken: str, folder: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, LIST_PAGES + 1):
            batch, total = self.session.share_page(link.pwd_id, stoken, folder or ROOT_FID, page)
            items += batch
            if not batch or (total is not None and len(items) >= total):
                break
        return items

    def _videos(self, link: ShareLink, stoken: str, items: list[dict[str, Any]], depth: int) -> list[dict[str, Any]]:
        videos = [item for item in items if counts_as_video(item, self.min_video_bytes)]
        if depth > 0:
            for item in items:
                if item.get("dir"):
                    videos += self._videos(link, stoken, self._pages(link, stoken, str(item["fid"])), depth - 1)
        return videos
