"""The rules of choosing a candidate that must never break (issue 25, "防串剧"), as hypothesis properties.

Titles are drawn from pools that hold no marker (no digit, no 第/全/季/集, no trailer or sample word), so
what a property says of "the title" is the row's title and nothing else; notes are the title (or not)
among real notes' pieces and arbitrary text. Budgets from the hypothesis profile (tests/conftest.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from hypothesis import example, given, strategies as st

from quarkctl.acquire.rank import KEPT, REASONS, Wanted, judge, rank
from quarkctl.acquire.titles import Compact, normalise
from quarkctl.render.candidates import choice_text, score_text
from tests.unit.acquire.helpers import LINK, Found

CJK_POOL = "庆余年沙丘流浪地球繁花狂飙漫长的季节山海情人世间三体隐秘角落"  # no marker character (第 全 季 集 之 预 样 ...)
LATIN_POOL = ["dune", "foundation", "the", "last", "of", "us", "joy", "life", "office", "dark", "house", "wind", "river"]
cjk_title = st.text(st.sampled_from(CJK_POOL), min_size=2, max_size=5)
latin_title = st.lists(st.sampled_from(LATIN_POOL), min_size=1, max_size=3).map(" ".join)
title = st.one_of(cjk_title, latin_title)
CN = "一二三四五六七八九十"


def season_mark(season: int) -> st.SearchStrategy[str]:
    return st.sampled_from([f"第{season}季", f"第{CN[season - 1]}季", f" S{season:02}", f" Season {season}", f".S{season:02}E03", f" {season} "])


# Real notes' pieces (search-api.md 1.13, TG post titles) that name no season, no trailer, no sample
PIECES = ["4K", "2160p", "1080P", "720p", "杜比视界", "HDR", "蓝光", "REMUX", "全36集", "更新至12集", "E05", "国语中字", "WEB-DL",
          "H.265", "DDP5.1", "Atmos", "(2024)", "名称：", "【", "】", "|", " ", "·", "完结", "合集", "\u3000", "ＨＤＲ"]
TRAILER_WORDS = ["预告", "花絮", "片花", "trailer", "Teaser", "PV", "样片", "Sample", "samples", "TRAILERS"]
# Arbitrary text too: controls, full-width forms, emoji, lone surrogates
ANY_CHAR = st.characters(codec=None, exclude_categories=())
noise = st.one_of(st.sampled_from(PIECES), st.text(ANY_CHAR, max_size=4), st.sampled_from(["😀", "\x00", "\x1b[31m", "\u202e", "Ｓ０２"]))


def note_of(parts: list[str]) -> str:
    return " ".join(parts)


def contains(note: str, wanted_title: str) -> bool:
    return Compact.of(normalise(wanted_title)).chars in Compact.of(normalise(note)).chars


@st.composite
def notes_around(draw: st.DrawFn, wanted_title: str, extra: st.SearchStrategy[str] = noise) -> str:
    parts = draw(st.lists(extra, max_size=5))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), wanted_title)
    return note_of(parts)


# (1) a candidate whose note lacks the title is never kept
@given(title, st.one_of(st.none(), title), st.data())
def test_a_note_without_the_title_is_never_kept(name: str, alias: str | None, data: st.DataObject) -> None:
    wanted = Wanted.of_row(name, alias)
    for note in [data.draw(notes_around(data.draw(st.sampled_from([name, alias or name])))) for _ in range(3)]:
        named = contains(note, name) or (alias is not None and contains(note, alias))
        choice = judge(wanted, Found(note))
        if choice.kept:
            assert named, (name, alias, note)
        if not named:
            assert not choice.kept and choice.reason == "title_mismatch"


# (2) a trailer or sample word in the note is never kept
@given(title, st.lists(st.sampled_from(PIECES), max_size=4), st.sampled_from(TRAILER_WORDS), st.integers(0, 5))
def test_a_trailer_or_sample_is_never_kept(name: str, pieces: list[str], word: str, where: int) -> None:
    parts = [name, *pieces]
    parts.insert(min(where, len(parts)), word)
    choice = judge(Wanted.of_row(name), Found(note_of(parts)))
    assert not choice.kept
    if choice.reason == "title_mismatch":  # "dune · h.265" reads as a subtitle: passed over with or without the word
        assert not judge(Wanted.of_row(name), Found(note_of([name, *pieces]))).kept
    else:
        assert choice.reason == ("sample" if word.lower().startswith(("样", "sample")) else "trailer")


# (3) a note naming another season is never kept
@given(title, st.integers(1, 10), st.integers(1, 10), st.lists(st.sampled_from(PIECES), max_size=4), st.data())
def test_another_season_is_never_kept(name: str, wanted: int, other: int, pieces: list[str], data: st.DataObject) -> None:
    if wanted == other:
        other = wanted % 10 + 1
    note = name + data.draw(season_mark(other)) + " " + note_of(pieces)
    for row in (f"{name} 第{wanted}季", f"{name} S{wanted:02}") + ((name,) if wanted == 1 else ()):
        choice = judge(Wanted.of_row(row), Found(note))
        assert not choice.kept and choice.reason == "other_season", (row, note)
    # and the wanted season's own note is kept: the rule passes over other seasons, not every season
    same = name + data.draw(season_mark(wanted)) + " " + note_of(pieces)
    assert judge(Wanted.of_row(f"{name} 第{wanted}季"), Found(same)).kept, same


times = st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 2), timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8))])),
                  st.datetimes(min_value=datetime(1, 1, 2)))  # naive too: read as UTC, never a TypeError


def aware(when: datetime | None) -> datetime | None:
    if when is None or when.year < 1970:
        return None
    return when if when.utcoffset() is not None else when.replace(tzinfo=timezone.utc)


@st.composite
def candidates(draw: st.DrawFn, name: str) -> list[Found]:
    n = draw(st.integers(0, 12))
    return [Found(draw(notes_around(name, st.sampled_from(PIECES + TRAILER_WORDS + ["第二季", "新"]))), url=f"{LINK}id{i}",
                  datetime=draw(times), drive=draw(st.sampled_from(["quark", "quark", "quark", "baidu"]))) for i in range(n)]


# (4) the kept are sorted by (score desc, time desc, no time last), stable; (5) a permutation of the input
@given(title, st.data())
def test_the_order_and_nothing_lost_or_doubled(name: str, data: st.DataObject) -> None:
    found = data.draw(candidates(name))
    order = rank(Wanted.of_row(name), found)
    assert sorted(id(c.candidate) for c in order) == sorted(id(f) for f in found)  # (5)
    assert len(order) == len(found)
    kept = [c for c in order if c.kept]
    assert order[:len(kept)] == kept  # kept first
    passed = order[len(kept):]
    assert [found.index(c.candidate) for c in passed] == sorted(found.index(c.candidate) for c in passed)  # search order
    for a, b in zip(kept, kept[1:]):
        assert a.score >= b.score
        if a.score == b.score:
            ta, tb = aware(a.candidate.datetime), aware(b.candidate.datetime)
            assert tb is None or (ta is not None and ta >= tb)
            if ta == tb:
                assert found.index(a.candidate) < found.index(b.candidate)  # stable
    assert all(c.reason == KEPT for c in kept) and all(c.reason in REASONS for c in passed)


# (6) never raises on arbitrary text
hostile = st.lists(st.one_of(noise, st.sampled_from(["庆余年", "第二季", "S02", "全24集", "01-", "第", "季", "：", "2021", "(", "预告"])),
                   max_size=8).map("".join)


@given(hostile, st.one_of(st.none(), hostile), hostile, st.one_of(hostile, st.just(LINK + "abc")), times, hostile)
@example("庆余年", None, "庆余年\x00第\ud800季", LINK + "abc", datetime(1, 1, 2), "quark")
@example("ﷺ" * 20, "１９１７", "٣ ² 第十十季 全九十九季 s99-s01", LINK + "abc", None, "QUARK")
def test_never_raises(name: str, alias: str | None, note: str, url: str, when: datetime | None, drive: str) -> None:
    wanted = Wanted.of_row(name, alias)
    choices = rank(wanted, [Found(note, url=url, datetime=when, drive=drive), Found(note, datetime=when)])
    assert len(choices) == 2
    for choice in choices:
        doc = choice.as_json()
        assert doc["reason"] in (KEPT, *REASONS) and doc["kept"] == (doc["reason"] == KEPT)
        assert isinstance(choice_text(choice.reason, doc["detail"], season=wanted.season, year=wanted.year), str)
        assert re.match(r"score \d+", score_text(choice.score, doc["detail"]))
