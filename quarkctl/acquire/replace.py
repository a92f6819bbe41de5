"""Does a search result continue an autosave task's series (issue 25, autosave `--replace-dead`)? Pure: no
HTTP, no database.

The reference's dead-task workflow (search-api.md section 3.4) picks a replacement by the extension of the
files already saved, then by episodes beyond the latest saved one; a recent tool adds the size (section 5).
Here a candidate's files are kept only when all of that holds: they pass the task's pattern, are videos
with a saved extension, name no other season than the saved ones, go beyond the last saved episode, and
are sized within SIZE_FACTOR of the saved files' median. What is not known (no saved file yet, sizes
unknown) does not filter. The first check that keeps no file is the candidate's reason (FIT_REASONS).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from quarkctl.acquire.episodes import episodes_in
from quarkctl.acquire.keyword import search_keyword as keyword_of
from quarkctl.acquire.titles import normalise
from quarkctl.acquire.verify import VIDEO_EXTENSIONS

CONTINUES = "continues"
FIT_REASONS = ("no_video", "pattern_mismatch", "other_extension", "other_season", "no_new_episodes", "size_mismatch")
SIZE_FACTOR = 2.0  # a new episode weighs between half and twice the saved ones' median
_SEASON_EPISODE = re.compile(r"(?<![a-z0-9])s(\d{1,2})\s?e\d{1,4}", re.ASCII)
_BARE_NUMBER = re.compile(r"\d{1,4}")

File = tuple[str, "int | None"]  # a file's name and its size in bytes (None: not known)


def search_keyword(taskname: str) -> str:
    """The task's name as the search asks it: a year and a note in brackets removed (acquire/keyword.py), as the
    reference's UI removes the year."""
    return keyword_of(taskname)


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def file_episodes(name: str) -> set[int]:
    """The episodes a file name names ("S01E05.mkv", "第06集.mp4"); a bare number ("07.mp4") is one too."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    found = episodes_in(stem)
    if found:
        return set(found)
    return {int(stem)} if _BARE_NUMBER.fullmatch(stem.strip()) else set()


def file_seasons(name: str) -> set[int]:
    return {int(m.group(1)) for m in _SEASON_EPISODE.finditer(normalise(name))}


def _videos(files: Iterable[File]) -> list[File]:
    return [(name, size) for name, size in files if extension(name) in VIDEO_EXTENSIONS]


@dataclass(frozen=True)
class Series:
    """What a task has saved so far, read from the names (the ledger, the save folder) and sizes (the folder)."""

    extensions: frozenset[str] = frozenset()
    last_episode: int | None = None
    median_size: float | None = None
    seasons: frozenset[int] = frozenset()

    @classmethod
    def of(cls, files: Iterable[File]) -> Series:
        videos = _videos(files)
        episodes = [e for name, _size in videos for e in file_episodes(name)]
        sizes = [size for _name, size in videos if size]
        return cls(frozenset(extension(name) for name, _size in videos), max(episodes) if episodes else None,
                   float(statistics.median(sizes)) if sizes else None,
                   frozenset(s for name, _size in videos for s in file_seasons(name)))

    def as_json(self) -> dict[str, object]:
        return {"extensions": sorted(self.extensions), "last_episode": self.last_episode, "median_size": self.median_size,
                "seasons": sorted(self.seasons)}


@dataclass(frozen=True)
class Fit:
    reason: str  # CONTINUES, or one of FIT_REASONS
    files: tuple[str, ...] = ()  # the files that continue the series
    episodes: tuple[int, ...] = ()  # their first and last episode, when they name any

    @property
    def kept(self) -> bool:
        return self.reason == CONTINUES


def note_continues(series: Series, note: str) -> bool:
    """False when the note names episodes and none is beyond the last saved ("全24集" after E24): such a
    result is passed over before its link is checked."""
    named = episodes_in(note or "")
    return series.last_episode is None or not named or max(named) > series.last_episode


def saved_before(series: Series, name: str) -> bool:
    """A video file of the saved seasons whose episodes all come no later than the last one saved: a task moved to
    another share has it already, perhaps under another name (`第03集.mkv` for `剧集A.S01E03.mkv`)."""
    episodes = file_episodes(name)
    if extension(name) not in VIDEO_EXTENSIONS or not episodes or series.last_episode is None:
        return False
    seasons = file_seasons(name)
    if seasons and series.seasons and not seasons & series.seasons:
        return False  # another season counts its episodes anew
    return max(episodes) <= series.last_episode


def _close(size: int | None, median: float) -> bool:
    return not size or median / SIZE_FACTOR <= size <= median * SIZE_FACTOR


def continues(series: Series, files: Iterable[File], pattern: str = "") -> Fit:
    """The candidate's files (name, size) that continue `series`, or the first reason none does."""
    kept = _videos(files)
    if not kept:
        return Fit("no_video")
    steps: tuple[tuple[str, Callable[[tuple[str, int | None]], bool]], ...] = (
        ("pattern_mismatch", lambda f: re.search(pattern or "", f[0]) is not None),
        ("other_extension", lambda f: not series.extensions or extension(f[0]) in series.extensions),
        ("other_season", lambda f: not series.seasons or not file_seasons(f[0]) or bool(file_seasons(f[0]) & series.seasons)),
        ("no_new_episodes", lambda f: series.last_episode is None or max(file_episodes(f[0]), default=0) > series.last_episode),
        ("size_mismatch", lambda f: series.median_size is None or _close(f[1], series.median_size)),
    )
    for reason, keep in steps:
        kept = [f for f in kept if keep(f)]
        if not kept:
            return Fit(reason)
    episodes = sorted(e for name, _size in kept for e in file_episodes(name)
                      if series.last_episode is None or e > series.last_episode)
    return Fit(CONTINUES, tuple(name for name, _size in kept), (episodes[0], episodes[-1]) if episodes else ())
