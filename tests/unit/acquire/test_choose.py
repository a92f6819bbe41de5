"""What counts as a video of a candidate's share (acquire/verify.py) and which checked result is taken
(acquire/choose.py): a new user's review of issue 25 (a 1000-byte 广告.mp4 and a one-episode 4K copy won)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from quarkctl.acquire.choose import preference
from quarkctl.acquire.verify import MIN_VIDEO_BYTES, counts_as_video

BIG = 2 * MIN_VIDEO_BYTES


@pytest.mark.parametrize(("item", "counts"), [
    ({"file_name": "三体.E01.mkv", "size": BIG}, True),
    ({"file_name": "三体.E01.mkv"}, True),  # size unknown: counted
    ({"file_name": "三体.E01.mkv", "size": MIN_VIDEO_BYTES - 1}, False),
    ({"file_name": "广告.mp4", "size": BIG}, False), ({"file_name": "关注公众号看更多.mp4", "size": BIG}, False),
    ({"file_name": "扫码进群.mkv", "size": BIG}, False),
    ({"file_name": "海报.jpg", "size": BIG}, False), ({"file_name": "S01", "dir": True}, False),
])
def test_what_counts_as_a_video(item: dict, counts: bool) -> None:
    assert counts_as_video(item) is counts


def test_a_small_floor_for_small_files() -> None:
    assert counts_as_video({"file_name": "e01.mp4", "size": 1024}, min_bytes=1000)
    assert not counts_as_video({"file_name": "广告.mp4", "size": 1024}, min_bytes=1000)


def test_the_most_videos_for_a_series_or_named_episodes_else_the_ranking() -> None:
    one, full = {"episodes": [1]}, {"episodes": [1, 30]}
    assert preference([(one, 1), (full, 30)], series=False) == [1, 0]
    assert preference([({}, 1), ({}, 30)], series=False) == [0, 1]  # a film: the ranking's order
    assert preference([({}, 1), ({}, 30)], series=True) == [1, 0]
    assert preference([], series=True) == []


@given(st.lists(st.tuples(st.sampled_from([{}, {"episodes": [1]}]), st.integers(1, 99)), max_size=8), st.booleans())
def test_the_preference_is_every_checked_result_once_and_the_first_has_no_fewer_videos_when_counts_decide(
        checked: list, series: bool) -> None:
    order = preference(checked, series=series)
    assert sorted(order) == list(range(len(checked)))
    if checked and (series or any(d for d, _ in checked)):
        assert checked[order[0]][1] == max(v for _, v in checked)
        assert order[0] == min(i for i, (_, v) in enumerate(checked) if v == checked[order[0]][1])  # ties: the ranking's
