"""render/wrap.py: lines never wider than asked, no word lost or changed, a Latin word kept whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from quarkctl.render.wrap import wrap

LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789_-./:=()[],;", min_size=1, max_size=30)
CJK = st.text(alphabet="检查链接失效数据库时长，。（）：；、", min_size=1, max_size=20)
TEXT = st.lists(st.tuples(st.one_of(LATIN, CJK), st.sampled_from(["", " ", "  "])), max_size=30).map(
    lambda parts: "".join(word + gap for word, gap in parts))


@given(TEXT, st.integers(min_value=2, max_value=130))
def test_no_line_is_wider_and_no_character_is_lost(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


@given(TEXT, st.integers(min_value=30, max_value=130))
def test_a_latin_word_that_fits_is_never_broken(text: str, width: int) -> None:
    lines = wrap(text, width)
    for word in text.split():
        if word.isascii() and cell_len(word) <= width:
            assert any(word in line for line in lines), (word, lines)


def test_chinese_breaks_between_characters_not_before_a_closing_mark() -> None:
    lines = wrap("从此 .env 文件读取设置（默认读取 ./.env，如果存在）。", 20)
    assert lines == ["从此 .env 文件读取设", "置（默认读取", "./.env，如果存在）。"]
    assert not any(line.startswith(("，", "。", "）")) for line in wrap("一二三四五，六七八九十。" * 4, 11))


def test_a_word_wider_than_the_line_is_folded_not_cut() -> None:
    url = "https://example.com/" + "a" * 50
    assert "".join(wrap(url, 20)) == url and all(cell_len(line) <= 20 for line in wrap(url, 20))
