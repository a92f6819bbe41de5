"""The episodes a note or a file name names (acquire/episodes.py), for autosave's replacement later."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from quarkctl.acquire.episodes import episodes_in


@pytest.mark.parametrize(("text", "episodes"), [
    ("E01", {1}), ("EP01", {1}), ("ep 7", {7}), ("S01E05", {5}), ("庆余年.S02E05.2160p.mkv", {5}),
    ("第1集", {1}), ("第一集", {1}), ("第 12 话", {12}), ("第二十三集", {23}),
    ("01-24 集", range(1, 25)), ("第1-24集", range(1, 25)), ("13~24集", range(13, 25)), ("E01-E12", range(1, 13)),
    ("EP01-12", range(1, 13)), ("全24集", range(1, 25)), ("全二十四集", range(1, 25)), ("共36集", range(1, 37)),
    ("更新至12集", range(1, 13)), ("更新到第8集", range(1, 9)), ("更新至12", range(1, 13)),
    ("全24集 01-24集", range(1, 25)),  # the same run written twice
    ("E01 E03", {1, 3}), ("全3集 E05", {1, 2, 3, 5}),
    ("庆余年 4K HDR", set()), ("1080p x265 HEVC", set()), ("WEB-DL DDP5.1 H.265", set()), ("", set()),
    ("全集", set()), ("第二季", set()), ("2024", set()),
    ("ＥＰ０３", {3}),  # full-width
    ("全0集", set()), ("第5-3集", {5}),  # nothing, and a backwards run's first
])
def test_episodes_in(text, episodes):
    assert episodes_in(text) == episodes


def test_a_range_is_a_range():
    assert isinstance(episodes_in("全24集"), range)
    assert isinstance(episodes_in("E01"), set)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_a_written_run_reads_back(first: int, length: int) -> None:
    last = first + length
    assert set(episodes_in(f"第{first:02}-{last:02}集")) == set(range(first, last + 1))
    assert set(episodes_in(f"S01E{first:02}")) == {first}


@given(st.text(max_size=60))
def test_never_raises(text: str) -> None:
    found = episodes_in(text)
    assert isinstance(found, (set, range))
    assert all(isinstance(n, int) and n >= 0 for n in found)
