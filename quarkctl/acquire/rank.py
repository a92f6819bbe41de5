"""Choosing a re-acquisition candidate among a search's results (issue 25, "Choosing a candidate"): pure,
no HTTP, no database.

Each candidate is kept or passed over with one machine word (REASONS, stable: JSON carries them). A
kept candidate's note names the wanted title as a whole (titles.py), no trailer or sample, the wanted
season and a year close to the wanted one, on the wanted drive. Kept ones come first, by the seed's
quality score (search-api.md section 2.2, to the point) then the newest time; ties keep the search's
order. The passed-over follow in the search's order.

The reasons are checked in the order of REASONS: the first that applies is the candidate's.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from quarkctl.acquire.episodes import episodes_in
from quarkctl.acquire.titles import Compact, TitleMatch, find_title, longer_title, normalise, note_seasons, parse_title, script, years_in
from quarkctl.providers.names import DRIVE_TYPES
from quarkctl.quark.links import LinkError, parse_share_url

KEPT = "match"
REASONS = ("other_drive", "no_link", "title_mismatch", "trailer", "sample", "other_season", "other_year")

# The seed's quality score (search-api.md section 2.2): its regexes on note.lower(), each adding once.
QUALITY = (
    (re.compile(r"4k|2160p"), 100),
    (re.compile(r"杜比|dolby|atmos|vision"), 80),
    (re.compile(r"hdr|hdr10"), 70),
    (re.compile(r"1080p|bluray|蓝光"), 50),
    (re.compile(r"remux"), 40),
    (re.compile(r"720p"), 20),
)
# Trailers and side material (a new user's review, issue 25: 解说, 速看, 幕后, 演唱会 ... were saved as the show)
# and an attacker's review's: clips (片段, 混剪), a launch event (发布会), a pilot (先导片), another medium (动画版, 短剧, 广播剧,
# 有声书), a song (主题曲, MV)
_TRAILER = re.compile(r"预告|花絮|片花|解说|速看|幕后|演唱会|彩蛋|番外|电影版|片段|混剪|发布会|先导片|动画版|短剧|广播剧|有声书|主题曲|"
                      r"reaction|(?<![a-z])(?:trailers?|teasers?|pv|mv|recap|"
                      r"making[\s._]?of|behind[\s._]the[\s._]scenes|featurettes?|extras)(?![a-z])", re.ASCII)
_AFTER_ONLY = re.compile(r"纪录片")  # a genre label before the title ("纪录片 地球脉动"), side material after it
# Right after the title, bracketed or not, the animated version: another work ("三体 动画", "三体（动画）" for the 2023
# series; a second review of issue 25). Before the title ("【动画】三体") or further on it is a label.
_ANIMATED_AFTER = re.compile(r"[\s._\-|/·・()\[\]【】〔〕{}《》<>「」『』]*(动画|动漫)")
_SAMPLE = re.compile(r"样片|(?<![a-z])samples?(?![a-z])", re.ASCII)
# "庆余年 / Joy of Life", "庆余年|Joy of Life": two names of one title; a slash without spaces is part of
# one ("Fate/Zero", "24/7"). A run of spaces is entered at its start only: linear on any name.
_ALTERNATIVES = re.compile(r"(?<!\s)\s+/\s+|(?<!\s)\s*[|｜]\s*")
MAX_NAME = 200  # a row's name or alias is read up to here: no title is longer, and a longer one costs no more
# A note is read up to here: a post's title and its markers come first (search-api.md 1.13), far inside it. What
# follows is not read, so a hostile note costs no more than this (an attacker's review, issue 25: a note of
# 100,000 spaces held the run for minutes).
MAX_NOTE = 2000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_NO_TIME = dt.timedelta.max  # sorts after every time, newest first


class Candidate(Protocol):
    """What rank() reads of a search result (acquire/pansou.py's Candidate has it)."""

    @property
    def url(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def datetime(self) -> dt.datetime | None: ...
    @property
    def drive(self) -> str: ...


@dataclass(frozen=True)
class Wanted:
    """The title a row wants: its names (drama_name, alias), and its season and year when they say one."""

    drama_name: str
    alias: str | None = None
    season: int | None = None
    year: int | None = None
    drive: str = "quark"
    titles: tuple[str, ...] = ()  # width- and case-folded (titles.normalise), the name's first

    @classmethod
    def of_row(cls, drama_name: str, alias: str | None = None, *, drive: str = "quark") -> Wanted:
        """"庆余年 第二季" gives 庆余年, season 2; "沙丘 (2021)" 沙丘, 2021; the alias a second title (and the season
        or year the name does not give), as does a name's part after a slash or bar ("庆余年 / Joy of Life")."""
        names = [part for name in (drama_name[:MAX_NAME], (alias or "")[:MAX_NAME]) for part in _ALTERNATIVES.split(name)
                 if part.strip()]
        parsed = [parse_title(name) for name in names]
        titles = tuple(dict.fromkeys(p.title for p in parsed if p.title))
        season = next((p.season for p in parsed if p.season is not None), None)
        year = next((p.year for p in parsed if p.year is not None), None)
        return cls(drama_name, alias, season, year, drive, titles)


@dataclass(frozen=True)
class Detail:
    """What the note said, for `--dry-run`'s explanation."""

    terms: tuple[tuple[str, int], ...] = ()  # the quality terms found, with their points
    title: str | None = None  # the wanted title the note matched
    seasons: tuple[int, ...] = ()  # the seasons the note names (none: the first)
    years: tuple[int, ...] = ()
    word: str = ""  # the trailer or sample word found
    episodes: tuple[int, ...] = ()  # the episodes the note names: first and last of a run, or each

    def as_json(self) -> dict[str, Any]:
        return {"quality": [{"term": t, "points": p} for t, p in self.terms], "title": self.title, "seasons": list(self.seasons),
                "years": list(self.years), "word": self.word or None, "episodes": list(self.episodes)}


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    score: int
    kept: bool
    reason: str  # KEPT, or one of REASONS
    detail: Detail = field(default_factory=Detail)

    def as_json(self) -> dict[str, Any]:
        c = self.candidate
        return {"url": c.url, "note": c.note, "datetime": c.datetime.isoformat() if c.datetime else None, "drive": c.drive,
                "score": self.score, "kept": self.kept, "reason": self.reason, "detail": self.detail.as_json()}


def quality(note: str) -> tuple[int, tuple[tuple[str, int], ...]]:
    """The seed's score and the terms that made it: "4K HDR 杜比视界" is 250 (4k 100, 杜比 80, hdr 70)."""
    low = (note or "").lower()
    terms = tuple((m.group(0), points) for pattern, points in QUALITY if (m := pattern.search(low)))
    return sum(points for _, points in terms), terms


def _episodes(text: str) -> tuple[int, ...]:
    found = episodes_in(text)
    if isinstance(found, range):
        return (found.start, found.stop - 1)
    return tuple(sorted(found))


def _has_link(candidate: Candidate, drive: str) -> bool:
    url = (candidate.url or "").strip()
    if drive == "quark":
        try:
            parse_share_url(url)
        except LinkError:
            return False
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _same_drive(candidate: Candidate, drive: str) -> bool:
    return (candidate.drive or "").strip().lower() in DRIVE_TYPES.get(drive, frozenset({drive}))


def judge(wanted: Wanted, candidate: Candidate) -> Choice:
    """One candidate kept or passed over, with its score and what its note said (its first MAX_NOTE characters)."""
    said = (candidate.note or "")[:MAX_NOTE]
    score, terms = quality(said)
    if not _same_drive(candidate, wanted.drive):
        return Choice(candidate, score, False, "other_drive", Detail(terms))
    if not _has_link(candidate, wanted.drive):
        return Choice(candidate, score, False, "no_link", Detail(terms))
    note = Compact.of(normalise(said))
    match: TitleMatch | None = next((m for t in wanted.titles if (m := find_title(note, t))), None)
    if match is None:
        return Choice(candidate, score, False, "title_mismatch", Detail(terms, episodes=_episodes(note.text)))
    seasons, years = note_seasons(match), years_in(match.rest)
    detail = Detail(terms, match.title, tuple(sorted(seasons)), tuple(sorted(years)), episodes=_episodes(match.rest))
    for reason, pattern, text in (("trailer", _TRAILER, match.rest), ("trailer", _AFTER_ONLY, match.tail), ("sample", _SAMPLE, match.rest)):
        if word := pattern.search(text):
            return Choice(candidate, score, False, reason, replace(detail, word=word.group(0)))
    if (animated := _ANIMATED_AFTER.match(match.tail)) and script(match.title[-1]) == "cjk":
        return Choice(candidate, score, False, "trailer", replace(detail, word=animated.group(1)))
    # "Sherlock Holmes 2009" for Sherlock: another, longer title (after the trailer words: their reason is the truer)
    if longer := longer_title(match, unicodedata.normalize("NFKC", said)):
        return Choice(candidate, score, False, "title_mismatch", replace(detail, word=longer))
    # A note naming no season names the first (a show's first season goes by its bare title)
    if (1 if wanted.season is None else wanted.season) not in (seasons or {1}):
        return Choice(candidate, score, False, "other_season", detail)
    # A row of one season passes over a pack of several («庆余年 第1-2季» for 庆余年 第二季): it would save the other
    # seasons too, be preferred on their video count over the exact season, and record their count as the row's (a
    # second review of issue 25). A row naming no season (the whole show) may take a pack.
    if wanted.season is not None and len(seasons) > 1:
        return Choice(candidate, score, False, "other_season", detail)
    if wanted.year is not None and years and all(abs(y - wanted.year) > 1 for y in years):
        return Choice(candidate, score, False, "other_year", detail)
    return Choice(candidate, score, True, KEPT, detail)


def _age(when: dt.datetime | None) -> dt.timedelta:
    """Sort key, newest first; no time (or PanSou's zero time, 0001-01-01) last. A naive time is read as UTC."""
    if when is None or when.year < 1970:
        return _NO_TIME
    if when.utcoffset() is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return _EPOCH - when


def rank(wanted: Wanted, candidates: Iterable[Candidate]) -> list[Choice]:
    """Every candidate once: the kept by (score, newest), then the passed-over; ties keep the search's order."""
    choices = [judge(wanted, c) for c in candidates]
    kept = sorted((c for c in choices if c.kept), key=lambda c: (-c.score, _age(c.candidate.datetime)))
    return kept + [c for c in choices if not c.kept]
