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


# What separates the words of a title: an ad word inside one of them is part of the work's name (广告狂人)
_TITLE_SPLIT = re.compile(r"[\s()（）\[\]【】《》「」.,，_\-]+")


def title_ad_words(title: str) -> tuple[str, ...]:
    """The words of the wanted title that hold an ad word (`广告狂人`): a file name carrying them is the work's, not
    an ad (a new user's review, issue 25: 广告狂人.S01E01.mkv was dropped as an ad and the title never re-acquired)."""
    return tuple(sorted({word for word in _TITLE_SPLIT.split(title) if word and _AD_NAME.search(word)}, key=len, reverse=True))


def named_as_ad(name: str, title_words: tuple[str, ...] = ()) -> bool:
    """`name` carries an ad word outside the wanted title's own words."""
    for word in title_words:
        name = name.replace(word, " ")
    return _AD_NAME.search(name) is not None


def _small(item: dict[str, Any], min_bytes: int) -> bool:
    size = item.get("size")
    return isinstance(size, int) and not isinstance(size, bool) and size < min_bytes


def counts_as_video(item: dict[str, Any], min_bytes: int = MIN_VIDEO_BYTES, title_words: tuple[str, ...] = ()) -> bool:
    """A video file that can be an episode or the film: not named as an ad (the wanted title's own words
    aside: title_ad_words), and not below `min_bytes` when its size is known."""
    return is_video(item) and not _small(item, min_bytes) and not named_as_ad(str(item.get("file_name") or ""), title_words)


def no_video_reason(found: list[dict[str, Any]], title_words: tuple[str, ...], deeper: bool) -> str:
    """Why a share holds nothing that counts as a video, for its line: video files named as ads (`ad_videos`), only
    small ones (`small_videos`), folders below LIST_DEPTH not walked (`too_deep`), else `no_video`."""
    if any(named_as_ad(str(item.get("file_name") or ""), title_words) for item in found):
        return "ad_videos"
    if found:
        return "small_videos"
    return "too_deep" if deeper else "no_video"


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

    def verify(self, url: str, password: str, *, need_videos: int | None = None, title: str = "") -> Verified | str:
        """The candidate ready to save, or the reason it is passed over. `title`: the work wanted, whose own words
        are no ad words in its file names."""
        link = candidate_link(url, password)
        if link is None:
            return "not_quark_link"
        result = self.checker.check_link(link)
        if result.verdict is not Verdict.VALID:
            return _VERDICT_REASONS.get(result.verdict, "check_failed")
        words = title_ad_words(title)
        found: list[dict[str, Any]] = []  # every video file walked, counted or not
        deeper: list[bool] = []  # a folder below LIST_DEPTH was left unread
        try:
            stoken = self.session.token(link.pwd_id, link.passcode)
            items = self._pages(link, stoken, link.pdir_fid)
            self._walk(link, stoken, items, LIST_DEPTH, found, deeper)
        except ApiFailure:
            return "check_failed"
        if not items:
            return "empty"
        videos = [item for item in found if counts_as_video(item, self.min_video_bytes, words)]
        if not videos:
            return no_video_reason(found, words, bool(deeper))
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

    def _walk(self, link: ShareLink, stoken: str, items: list[dict[str, Any]], depth: int, found: list[dict[str, Any]],
              deeper: list[bool]) -> None:
        found += [item for item in items if is_video(item)]
        for item in items:
            if item.get("dir"):
                if depth > 0:
                    self._walk(link, stoken, self._pages(link, stoken, str(item["fid"])), depth - 1, found, deeper)
                else:
                    deeper.append(True)
