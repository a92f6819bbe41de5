"""Notes naming another work that the title match let through (an attacker's review of issue 25, probes of
/tmp/rv-attack/rank_probe.py): a word before a Latin title or any word after it that is no marker makes a longer
title (`Young Sherlock`, `Alien vs Predator`, `sherlock jr`), a CJK word after a CJK title another work (`三体 黑暗森林`),
a season written without 第 (`二季`, `季2`, `（二）`) or a sequel (`续集`) another season, and clips, events, pilots and
other media side material."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from quarkctl.acquire.rank import KEPT, Wanted, judge
from tests.unit.acquire.helpers import Found
from tests.unit.acquire.test_rank_properties import CN, PIECES, cjk_title, latin_title, note_of

OTHER_WORDS = ["vs", "Holmes", "jr", "Romulus", "Young", "Covenant", "returns", "reloaded", "origins"]
OTHER_CJK = ["黑暗森林", "死神永生", "外篇", "归来", "重启", "前夜"]


def reason(name: str, note: str) -> str:
    return judge(Wanted.of_row(name), Found(note)).reason


@pytest.mark.parametrize(("name", "note", "expected"), [
    ("Alien", "Alien vs Predator 4K", "title_mismatch"), ("Alien", "AVP Alien vs Predator", "title_mismatch"),
    ("Sherlock", "Young Sherlock 4K", "title_mismatch"), ("Sherlock", "sherlock jr", "title_mismatch"),
    ("Sherlock", "Sherlock.Jr.1924.1080p", "title_mismatch"),
    ("三体", "三体 黑暗森林 4K", "title_mismatch"), ("三体", "三体 死神永生", "title_mismatch"),
    ("庆余年", "庆余年 二季 4K", "other_season"), ("庆余年", "庆余年（二）", "other_season"), ("庆余年", "庆余年 (2) 1080p", "other_season"),
    ("庆余年", "庆余年 续集", "other_season"), ("庆余年", "庆余年 季2", "other_season"), ("庆余年", "庆余年 二", "other_season"),
    *[("庆余年", f"庆余年 {word}", "trailer") for word in ("精彩片段混剪", "片段", "动画版", "短剧", "发布会", "MV", "广播剧", "有声书", "主题曲")],
    ("庆余年 第二季", "庆余年 第二季 先导片", "trailer"),
    # what stays kept
    ("Sherlock", "BBC Sherlock S01 1080p", KEPT), ("Sherlock", "Sherlock S01 1080p", KEPT), ("Alien", "Alien Director's Cut", KEPT),
    ("三体", "三体 全30集 4K", KEPT), ("三体", "三体 电视剧 1080p", KEPT), ("三体", "三体 国语中字", KEPT), ("沙丘 (2021)", "沙丘 上部", KEPT),
    ("庆余年", "庆余年 (2019) 4K", KEPT), ("庆余年 第二季", "庆余年 二季 4K", KEPT), ("庆余年 第二季", "庆余年 季2", KEPT),
    ("庆余年 第二季", "庆余年（二）", KEPT), ("庆余年", "庆余年 第1季12集", KEPT),
    # a second review: another work's word in brackets after the title counts as it does unbracketed
    ("Alien", "Alien (Romulus) 2024", "title_mismatch"), ("Sherlock", "Sherlock (Holmes) 2009", "title_mismatch"),
    ("Dune", "Dune (Prophecy) S01", "title_mismatch"), ("The Office", "The Office (UK) 2001", "title_mismatch"),
    ("三体", "三体（黑暗森林）", "title_mismatch"), ("三体", "【三体】黑暗森林", "title_mismatch"), ("三体", "《三体》死神永生", "title_mismatch"),
    ("三体", "三体（动画）", "trailer"), ("三体", "三体 [动画] 全集", "trailer"), ("三体", "三体 动画", "trailer"),
    # ... while a bracketed year, season, marker or label leaves it whole
    ("Sherlock", "Sherlock (2010) [1080p]", KEPT), ("Sherlock", "Sherlock (S01) (BBC)", KEPT), ("Sherlock", "Sherlock [BBC]", KEPT),
    ("Alien", "Alien (Director's Cut)", KEPT), ("Alien", "Alien [Extended] 1979", KEPT), ("三体", "三体【国语中字】", KEPT),
    ("三体", "三体（电视剧）", KEPT), ("三体", "【三体】 全集", KEPT), ("三体", "三体【更新至10集】", KEPT), ("三体", "【动画】三体 全集", KEPT),
    ("三体 动画", "三体 动画 全集", KEPT),
])
def test_examples(name: str, note: str, expected: str) -> None:
    assert reason(name, note) == expected, (name, note)


# Properties: never kept, whatever markers come around them
@given(latin_title, st.sampled_from(OTHER_WORDS), st.booleans(), st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_word_around_a_latin_title_makes_another_work(name: str, word: str, before: bool, pieces: list[str]) -> None:
    note = note_of([word, name, *pieces] if before else [name, word, *pieces])
    assert not judge(Wanted.of_row(name), Found(note)).kept, note


@given(cjk_title, st.sampled_from(OTHER_CJK), st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_cjk_word_after_a_cjk_title_makes_another_work(name: str, word: str, pieces: list[str]) -> None:
    note = note_of([name, word, *pieces])
    assert not judge(Wanted.of_row(name), Found(note)).kept, note


@given(cjk_title, st.integers(2, 9), st.sampled_from(["{n}季", "{cn}季", "季{n}", "（{cn}）", "({n})", "续集"]),
       st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_season_written_without_di_is_another_season(name: str, season: int, form: str, pieces: list[str]) -> None:
    note = note_of([name + " " + form.format(n=season, cn=CN[season - 1]), *pieces])
    choice = judge(Wanted.of_row(name), Found(note))
    assert not choice.kept and choice.reason == "other_season", note


OPENING, CLOSING = "([（【〔{《<「『", ")]）】〕}》>」』"
_brackets = st.integers(0, len(OPENING) - 1)


@given(latin_title, st.sampled_from(OTHER_WORDS + ["UK", "US", "Prophecy"]), _brackets, st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_bracketed_word_after_a_latin_title_is_another_work_as_unbracketed(name: str, word: str, b: int, pieces: list[str]) -> None:
    bracketed = note_of([name, OPENING[b] + word + CLOSING[b], *pieces])
    unbracketed = note_of([name, word, *pieces])
    assert not judge(Wanted.of_row(name), Found(unbracketed)).kept, unbracketed
    assert not judge(Wanted.of_row(name), Found(bracketed)).kept, bracketed


@given(cjk_title, st.sampled_from(OTHER_CJK + ["动画", "动漫"]), _brackets, st.booleans(), st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_bracketed_cjk_word_after_a_cjk_title_is_another_work_as_unbracketed(name: str, word: str, b: int, around: bool,
                                                                               pieces: list[str]) -> None:
    # the word bracketed, or the title bracketed and the word after it ("【三体】黑暗森林")
    note = note_of([name + OPENING[b] + word + CLOSING[b] if not around else OPENING[b] + name + CLOSING[b] + word, *pieces])
    assert not judge(Wanted.of_row(name), Found(note)).kept, note
    assert not judge(Wanted.of_row(name), Found(note_of([name, word, *pieces]))).kept


@given(st.one_of(latin_title, cjk_title), st.sampled_from(["2019", "S01", "第一季", "1080p", "4K", "BBC", "Netflix", "国语中字", "全30集",
                                                           "电视剧", "Extended", "Complete", "HDR", "更新至10集"]),
       _brackets, st.lists(st.sampled_from(PIECES), max_size=3))
def test_a_bracketed_marker_or_label_after_a_title_keeps_it(name: str, marker: str, b: int, pieces: list[str]) -> None:
    note = note_of([name, OPENING[b] + marker + CLOSING[b], *pieces])
    assert judge(Wanted.of_row(name), Found(note)).kept, note
