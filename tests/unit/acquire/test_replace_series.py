"""acquire/replace.py: which search result continues an autosave task's series (issue 25, --replace-dead)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quarkctl.acquire.replace import CONTINUES, Series, continues, file_episodes, note_continues, saved_before, search_keyword

GB = 1_000_000_000
SAVED = Series.of([("剧集A.S01E01.mkv", GB), ("剧集A.S01E02.mkv", GB), ("E03.mkv", None), ("poster.jpg", 10)])


def test_the_series_is_read_from_the_saved_videos() -> None:
    assert SAVED == Series(frozenset({"mkv"}), 3, float(GB), frozenset({1}))
    assert Series.of([]) == Series()


def test_a_year_in_brackets_is_left_out_of_the_search() -> None:
    assert search_keyword("剧集A (2024)") == "剧集A"
    assert search_keyword("剧集A（2024） 第二季") == "剧集A 第二季"
    assert search_keyword("1917") == "1917"  # a year that is the title stays


def test_episodes_of_a_file_name() -> None:
    assert file_episodes("Show.S01E05.1080p.mkv") == {5}
    assert file_episodes("第06集.mp4") == {6}
    assert file_episodes("07.mp4") == {7}
    assert file_episodes("poster.jpg") == set()


def test_each_reason_in_its_order() -> None:
    assert continues(SAVED, [("a.txt", 1)]).reason == "no_video"
    assert continues(SAVED, [("E04.mkv", GB)], pattern=r"^剧集A").reason == "pattern_mismatch"
    assert continues(SAVED, [("E04.mp4", GB)]).reason == "other_extension"
    assert continues(SAVED, [("剧集A.S02E04.mkv", GB)]).reason == "other_season"
    assert continues(SAVED, [("E03.mkv", GB), ("E02.mkv", GB)]).reason == "no_new_episodes"
    assert continues(SAVED, [("E04.mkv", GB // 3), ("E05.mkv", 3 * GB)]).reason == "size_mismatch"


def test_the_files_that_continue_and_their_episodes() -> None:
    fit = continues(SAVED, [("E03.mkv", GB), ("E04.mkv", GB), ("E05.mkv", None), ("E06.mp4", GB)])
    assert (fit.reason, fit.files, fit.episodes) == (CONTINUES, ("E04.mkv", "E05.mkv"), (4, 5))


def test_what_is_not_known_does_not_filter() -> None:
    fit = continues(Series(), [("Movie.2024.mp4", 7 * GB)])
    assert fit.kept and fit.episodes == ()


def test_a_note_that_names_only_old_episodes_is_passed_over_before_a_check() -> None:
    assert not note_continues(SAVED, "剧集A 全3集")
    assert note_continues(SAVED, "剧集A 更新至05集")
    assert note_continues(SAVED, "剧集A 1080p")  # names no episode: the files decide


names = st.builds(lambda n, ext: f"剧集A.S01E{n:02d}.{ext}", st.integers(1, 400), st.sampled_from(["mkv", "mp4", "ts"]))
sizes = st.one_of(st.none(), st.integers(1, 10 * GB))


@given(saved=st.lists(st.tuples(names, sizes), min_size=1, max_size=8), offered=st.lists(st.tuples(names, sizes), max_size=12),
       last=st.integers(1, 400))
def test_a_result_whose_episodes_are_all_saved_already_is_never_kept(saved, offered, last) -> None:
    series = Series.of(saved)
    assert series.last_episode is not None
    old = [(name, size) for name, size in offered if max(file_episodes(name)) <= series.last_episode]
    assert not continues(series, old).kept
    assert not note_continues(series, f"剧集A 全{min(last, series.last_episode)}集")


@given(saved=st.lists(st.tuples(names, sizes), min_size=1, max_size=8), offered=st.lists(st.tuples(names, sizes), max_size=12))
def test_every_file_kept_is_beyond_the_last_saved_and_of_a_saved_extension(saved, offered) -> None:
    series = Series.of(saved)
    fit = continues(series, offered)
    assert series.last_episode is not None
    for name in fit.files:
        assert max(file_episodes(name)) > series.last_episode
        assert name.rsplit(".", 1)[1] in series.extensions


@given(saved=st.lists(st.integers(1, 60), min_size=1, max_size=8), episode=st.integers(1, 99),
       style=st.sampled_from(["剧集A.S01E{:02d}.mkv", "第{:02d}集.mkv", "E{:02d}.mp4", "{:02d}.mkv"]))
def test_a_moved_task_has_an_episode_no_later_than_its_last_whatever_its_name(saved: list[int], episode: int, style: str) -> None:
    """autosave --replace-dead walking a new share (autosave/task.py): a video of the saved season whose episode is no
    later than the last saved is had already, under any name; a later one, another season's, or a non-video is not."""
    series = Series.of([(f"剧集A.S01E{n:02d}.mkv", None) for n in saved])
    assert saved_before(series, style.format(episode)) == (episode <= max(saved))
    assert not saved_before(series, f"剧集A.S02E{episode:02d}.mkv")  # another season counts anew
    assert not saved_before(series, f"第{episode:02d}集.srt") and not saved_before(Series(), style.format(episode))
