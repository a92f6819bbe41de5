"""Where a note names a title (acquire/titles.py): normalising, the title's boundaries both ways, numbers,
seasons and years as notes and file names write them."""

from __future__ import annotations

import pytest

from quarkctl.acquire.titles import Compact, cn_number, find_title, normalise, note_seasons, seasons_in, years_in


def found(note: str, title: str) -> bool:
    return find_title(Compact.of(normalise(note)), normalise(title)) is not None


@pytest.mark.parametrize(("note", "title"), [
    ("ＦＯＵＮＤＡＴＩＯＮ　Ｓ０２", "Foundation"),  # width and case
    ("the.last.of.us.s01", "The Last of Us"),  # punctuation and spaces between the words
    ("《庆余年》第二季", "庆余年"),
    ("庆·余·年", "庆余年"),
    ("[庆余年]", "庆余年"),
    ("庆余年", "庆余年"),
    ("庆余年2", "庆余年"),  # a season number
    ("庆余年2160p", "庆余年"),  # a resolution
    ("庆余年2024", "庆余年"),  # a year
    ("庆余年01-46集", "庆余年"),  # an episode run
    ("庆余年第二季", "庆余年"), ("庆余年全集", "庆余年"), ("庆余年更新至12集", "庆余年"), ("庆余年国语中字", "庆余年"),
    ("庆余年4K", "庆余年"), ("庆余年S02", "庆余年"), ("庆余年Joy of Life", "庆余年"),  # another script after
    ("foundationS02E01", "Foundation"), ("foundation.2160p", "Foundation"),
    ("电视剧庆余年", "庆余年"), ("名称：庆余年", "庆余年"), ("4K庆余年", "庆余年"), ("Joy of Life庆余年", "庆余年"),
    ("新庆余年 | 庆余年 第一季", "庆余年"),  # the second place is whole
])
def test_a_whole_title(note, title):
    assert found(note, title)


@pytest.mark.parametrize(("note", "title"), [
    ("新庆余年", "庆余年"), ("我的庆余年", "庆余年"),  # more of the same script before
    ("庆余年华", "庆余年"), ("庆余年之范闲外传", "庆余年"), ("庆余年12345", "庆余年"),  # after (a number no marker reads)
    ("庆余年 外传", "庆余年"), ("庆余年 番外", "庆余年"), ("庆余年 剧场版", "庆余年"), ("庆余年 之 XX", "庆余年"),  # a spin-off
    ("庆余年：范闲传 S01", "庆余年"), ("Dune: Part Two", "Dune"), ("Dune -- Prophecy", "Dune"),  # a subtitle
    ("Dunes", "Dune"), ("xDune", "Dune"), ("Foundations", "Foundation"),
    ("242", "24"), ("2424", "24"),  # a number title: the number goes on
    ("庆余", "庆余年"), ("", "庆余年"), ("庆余年", ""), ("庆余年", "!!!"),  # nothing to find
])
def test_not_a_whole_title(note, title):
    assert not found(note, title)


def test_the_match_keeps_the_text_around_the_title():
    match = find_title(Compact.of(normalise("【庆余年2】4K 全36集")), "庆余年")
    assert match is not None
    assert (match.head, match.tail) == ("【", "2】4k 全36集")
    assert note_seasons(match) == {2}


@pytest.mark.parametrize(("text", "number"), [
    ("12", 12), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("九十九", 99),
    ("零", 0), ("", None), ("百", None), ("十十", None), ("二二", None), ("一十二十", None), ("²", None), ("٣", None),
])
def test_cn_number(text, number):
    assert cn_number(text) == number


@pytest.mark.parametrize(("text", "seasons"), [
    ("第二季", {2}), ("第2季", {2}), ("第 2 季", {2}), ("第十二季", {12}), ("第1-3季", {1, 2, 3}), ("第一至三季", {1, 2, 3}), ("1-2季合集", {1, 2}), ("一至三季", {1, 2, 3}),
    ("全三季", {1, 2, 3}), ("第二部", {2}), ("s02", {2}), ("s2", {2}), ("s02e05", {2}), ("s01-s03", {1, 2, 3}),
    ("season 2", {2}), ("season2", {2}), ("seasons 1-2", {1, 2}), ("s00", {0}),
    ("1080p", set()), ("dts-hd", set()), ("hdr10", set()), ("ps5", set()), ("全24集", set()), ("第1集", set()),
    ("第1-500季", {1}),  # a range too long to be seasons: its first number only
])
def test_seasons_in(text, seasons):
    assert seasons_in(text) == seasons


@pytest.mark.parametrize(("note", "seasons"), [
    ("庆余年2", {2}), ("庆余年 2 全36集", {2}), ("庆余年 01", set()), ("庆余年 01-46", set()), ("庆余年 1-46集", set()),
    ("庆余年 12集", set()), ("庆余年 2024", set()), ("庆余年 2.0", set()), ("庆余年 2160p", set()), ("庆余年 4k", set()),
])
def test_a_bare_number_after_the_title_is_its_season(note, seasons):
    match = find_title(Compact.of(normalise(note)), "庆余年")
    assert match is not None
    assert note_seasons(match) == seasons


@pytest.mark.parametrize(("text", "years"), [
    ("(2021)", {2021}), ("2021年", {2021}), ("沙丘2021", {2021}), ("1984/2021", {1984, 2021}), ("2160p", set()),
    ("1920x1080", set()), ("3840x2160", set()), ("2049", set()), ("12021", set()), ("h2021", set()),
])
def test_years_in(text, years):
    assert years_in(text) == years
