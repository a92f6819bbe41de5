"""Sequels, other parts, longer titles and side material kept by the title match (a new user's review of
issue 25): `Frozen II`, `流浪地球Ⅱ`, `Dune Part Two`, `庆余年 下部`, `Sherlock Holmes 2009`, `狂飙 解说`."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from quarkctl.acquire.rank import KEPT, Wanted, judge
from quarkctl.acquire.titles import ROMAN
from quarkctl.render.candidates import choice_text
from tests.unit.acquire.test_rank_properties import PIECES, cjk_title, latin_title, note_of
from tests.unit.acquire.helpers import Found


def reason(name: str, note: str) -> str:
    return judge(Wanted.of_row(name), Found(note)).reason


@pytest.mark.parametrize(("name", "note", "expected"), [
    # a Roman numeral after the title is a sequel or a season, unless the row wants it
    ("Frozen", "Frozen II 2019 1080p", "other_season"), ("Frozen", "Frozen.III.2160p", "other_season"),
    ("流浪地球", "流浪地球 II 4K", "other_season"), ("流浪地球", "流浪地球Ⅱ 4K", "other_season"), ("流浪地球", "流浪地球Ⅹ", "other_season"),
    ("Frozen II", "Frozen II 2019 1080p", KEPT), ("流浪地球2", "流浪地球Ⅱ 4K", KEPT), ("流浪地球Ⅱ", "流浪地球2 4K", KEPT),
    ("Frozen", "Frozen 2013 1080p", KEPT), ("Frozen", "Frozen x265 1080p", KEPT),
    # another part
    ("Dune", "Dune Part Two 2024 2160p", "other_season"), ("Dune", "Dune.Part.2.2024", "other_season"),
    ("庆余年", "庆余年 下部 4K", "other_season"), ("庆余年", "庆余年 (下) 4K", "other_season"), ("庆余年", "庆余年 第二部", "other_season"),
    ("Dune Part Two", "Dune Part Two 2160p", KEPT), ("庆余年 下部", "庆余年 下部 4K", KEPT), ("庆余年", "庆余年 上部 4K", KEPT),
    # a longer Latin title: more capitalised words that are no marker
    ("Alien", "Alien Romulus 2024", "title_mismatch"), ("Friends", "Friends The Reunion 2021", "title_mismatch"),
    ("Sherlock", "Sherlock Holmes 2009 1080p", "title_mismatch"),
    ("Sherlock", "Sherlock S01 1080p", KEPT), ("Sherlock", "Sherlock Complete Series BluRay", KEPT),
    ("Sherlock", "Sherlock 神探夏洛克 全4季", KEPT), ("Sherlock", "Sherlock.2010.WEB-DL.HEVC", KEPT),
    ("Dune", "Dune IMAX 2160p", KEPT), ("Dune", "Dune BDRemux", KEPT), ("Dune", "Dune Director's Cut", KEPT),
    ("庆余年", "庆余年 Joy of Life 4K", KEPT),  # a Latin name after a Chinese title is its other name
    # side material
    *[("狂飙", f"狂飙 {word} 4K", "trailer") for word in ("解说", "速看版", "幕后", "演唱会", "纪录片", "花絮合集", "彩蛋")],
    ("狂飙", "狂飙 电影版", "title_mismatch"), ("狂飙", "狂飙 番外篇", "title_mismatch"),  # right after the title: another work
    ("狂飙", "狂飙 全39集 电影版", "trailer"), ("狂飙", "狂飙 4K 番外", "trailer"),
    ("Dune", "Dune Making of", "trailer"), ("Dune", "Dune Behind the Scenes", "trailer"),
    ("地球脉动", "纪录片 地球脉动 4K", KEPT),  # 纪录片 before the title is its genre
])
def test_examples(name: str, note: str, expected: str) -> None:
    assert reason(name, note) == expected, (name, note)


def test_the_longer_title_is_named_in_the_explanation() -> None:
    doc = judge(Wanted.of_row("Sherlock"), Found("Sherlock Holmes 2009")).as_json()
    assert doc["detail"]["word"] == "holmes"
    assert choice_text("title_mismatch", doc["detail"]).endswith("(holmes)")


@given(st.one_of(cjk_title, latin_title), st.sampled_from(sorted(ROMAN)), st.booleans(), st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_roman_numeral_after_the_title_is_never_the_first_season(name: str, roman: str, upper: bool, pieces: list[str]) -> None:
    note = f"{name} {roman.upper() if upper else roman} {note_of(pieces)}"
    choice = judge(Wanted.of_row(name), Found(note))
    assert not choice.kept and choice.reason == "other_season", note
    assert judge(Wanted.of_row(f"{name} 第{ROMAN[roman]}季"), Found(note)).kept, note


@given(st.one_of(cjk_title, latin_title), st.sampled_from(["Part Two", "Part 2", "part.3", "下部", "第二部"]),
       st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_later_part_is_never_kept_for_the_work(name: str, part: str, pieces: list[str]) -> None:
    note = f"{name} {part} {note_of(pieces)}"
    assert judge(Wanted.of_row(name), Found(note)).reason == "other_season", note
