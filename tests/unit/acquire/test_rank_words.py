"""The words of a candidate's choice (render/candidates.py): one for every machine reason of rank.py, in
English and Chinese; the machine words themselves never change with the language."""

from __future__ import annotations

import re

import pytest

from quarkctl import i18n
from quarkctl.acquire.rank import KEPT, REASONS, Wanted, judge
from quarkctl.render.candidates import CHOICE_REASONS, choice_text, score_text
from tests.unit.acquire.helpers import Found

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese():
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


def explain(name: str, note: str) -> tuple[str, str, str]:
    wanted = Wanted.of_row(name)
    choice = judge(wanted, Found(note))
    doc = choice.as_json()
    return choice.reason, choice_text(choice.reason, doc["detail"], season=wanted.season, year=wanted.year), score_text(choice.score, doc["detail"])


def test_every_reason_has_its_words():
    assert set(CHOICE_REASONS) == {KEPT, *REASONS}


@pytest.mark.parametrize(("name", "note", "reason", "text"), [
    ("庆余年 第二季", "庆余年 第一季 4K", "other_season", "another season: the note names season 1, the row wants season 2"),
    ("庆余年 第二季", "庆余年 4K", "other_season", "another season: the note names no season (read as the first), the row wants season 2"),
    ("庆余年", "庆余年 第1-2季 4K", KEPT, "kept: the note names the title"),
    ("庆余年 第二季", "庆余年 第1-2季 4K", "other_season",
     "another season: the note names seasons 1, 2, a pack holding other seasons too; the row wants season 2 alone"),
    ("沙丘 (2021)", "沙丘 (1984) 4K", "other_year", "another year: the note names 1984, the row wants 2021"),
    ("庆余年", "庆余年2 先导预告 4K", "trailer", "a trailer or extras, not the work itself (预告)"),
    ("庆余年", "庆余年 Sample\x1b[2J 4K", "sample", "a sample, not the work itself (sample)"),
    ("庆余年", "新庆余年 4K", "title_mismatch", "the note does not name the title, or names another title that starts with it"),
])
def test_a_choice_in_english(name, note, reason, text):
    assert explain(name, note) == (reason, text, "score 100 (4k +100)")


def test_a_choice_in_chinese(chinese):
    reason, text, score = explain("庆余年 第二季", "庆余年 第一季 4K 杜比")
    assert reason == "other_season"  # the machine word stays
    assert text == "其他季：备注为第 1 季，该行要的是第 2 季"
    assert score == "评分 180 (4k +100，杜比 +80)"
    assert explain("庆余年 第二季", "庆余年 第1-2季 4K")[1].startswith("其他季：备注为第 1")
    assert "合集" in explain("庆余年 第二季", "庆余年 第1-2季 4K")[1]
    for word in CHOICE_REASONS.values():
        assert CJK.search(i18n._(word)), word


def test_an_unknown_word_is_shown_as_it_is():
    assert choice_text("from_the_future", {}) == "from_the_future"
    assert score_text(0, {}) == "score 0"
