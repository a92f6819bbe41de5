"""A new user's review of issue 25: a work whose title holds an ad word (广告狂人) was never re-acquired, its files
dropped as ads (acquire/verify.py). The title's own words are no ad; an ad word beside them still is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quarkctl.acquire.verify import counts_as_video, named_as_ad, no_video_reason, title_ad_words

BIG = 900_000_000
AD_WORDS = ("广告", "推广", "关注", "公众号", "扫码", "加群", "群号", "更多资源")
plain = st.text(alphabet="剧集第季ABCdefS0123456789 ", max_size=12)


def test_the_titles_own_ad_word_is_not_an_ad() -> None:
    words = title_ad_words("广告狂人 (2007)")
    assert words == ("广告狂人",)
    assert counts_as_video({"file_name": "广告狂人.S01E01.mkv", "size": BIG}, title_words=words)
    assert not counts_as_video({"file_name": "广告狂人.S01E01.mkv", "size": BIG})  # without the title: dropped, as before
    assert not counts_as_video({"file_name": "广告狂人 关注公众号.mp4", "size": BIG}, title_words=words)
    assert not counts_as_video({"file_name": "广告.mp4", "size": BIG}, title_words=words)


@given(before=plain, after=plain, ad=st.sampled_from(AD_WORDS), extra=st.sampled_from(AD_WORDS))
def test_a_title_with_an_ad_word_never_drops_its_own_files_and_an_ad_beside_it_always_is(before: str, after: str, ad: str,
                                                                                         extra: str) -> None:
    title = f"{before.strip()}{ad}狂人".strip()
    words = title_ad_words(title)
    assert not named_as_ad(f"{title}.{after}.mkv", words)
    assert named_as_ad(f"{title}.{after}{extra}.mkv", words)


def test_why_nothing_counts_is_said() -> None:
    ad = {"file_name": "广告.mp4", "size": 1000}
    small = {"file_name": "01.mp4", "size": 1000}
    assert no_video_reason([ad, small], (), deeper=False) == "ad_videos"
    assert no_video_reason([small], (), deeper=False) == "small_videos"
    assert no_video_reason([], (), deeper=True) == "too_deep"
    assert no_video_reason([], (), deeper=False) == "no_video"
