"""A drive app's share text pasted whole into an import file (a new user's review, issue 24): the name line,
the link line, the passcode line and the app's closing words read as one resource."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quarkctl.resources.formats import parse_import

BAIDU_NEW = "通过网盘分享的文件：电影A\n链接: https://pan.baidu.com/s/1AbCdEfGhij?pwd=ab12 提取码: ab12 \n--来自百度网盘超级会员v5的分享\n"
BAIDU_OLD = "链接：https://pan.baidu.com/s/1XyZaBcDeFg \n提取码：cd34 \n--来自百度网盘超级会员V5的分享\n"
QUARK = ("我用夸克网盘分享了「电影Q」，点击链接即可保存。打开「夸克APP」，无需下载在线播放视频，畅享原画5倍速，支持电视投屏。\n"
         "链接：https://pan.quark.cn/s/acc30a3cf8d4\n提取码：q1w2\n")
ALIYUN = "「电影L」https://www.alipan.com/s/4F9AbCdEfGh\n点击链接保存，或者复制本段内容，打开「阿里云盘」APP ，无需下载极速在线查看，视频原画倍速播放。\n"


def _rows(text: str) -> list[tuple[str, str, str]]:
    _fmt, records, problems = parse_import(text, source="pasted.txt", fmt="text")
    assert problems == []
    return [(r.values["drama_name"], r.values["drive_type"], r.values["link"]) for r in records]


def test_each_apps_share_text_is_one_resource() -> None:
    assert _rows(BAIDU_NEW + "\n" + BAIDU_OLD + "\n" + QUARK + "\n" + ALIYUN) == [
        ("电影A", "baidu", "https://pan.baidu.com/s/1AbCdEfGhij?pwd=ab12"),
        ("https://pan.baidu.com/s/1XyZaBcDeFg", "baidu", "https://pan.baidu.com/s/1XyZaBcDeFg?pwd=cd34"),
        ("电影Q", "quark", "https://pan.quark.cn/s/acc30a3cf8d4?pwd=q1w2"),
        ("电影L", "aliyun", "https://www.alipan.com/s/4F9AbCdEfGh"),
    ]


def test_a_line_that_is_neither_a_link_nor_an_apps_words_is_still_reported() -> None:
    _fmt, records, problems = parse_import(BAIDU_OLD + "请看第二集\n", source="pasted.txt", fmt="text")
    assert [p.line for p in problems] == [4] and len(records) == 1


@given(st.lists(st.sampled_from([BAIDU_NEW, BAIDU_OLD, QUARK, ALIYUN, "\n"]), max_size=8))
def test_share_texts_in_any_order_give_one_row_each(parts: list[str]) -> None:
    text = "\n".join(parts)
    _fmt, records, problems = parse_import(text, source="pasted.txt", fmt="text")
    assert problems == [] and len(records) == sum(p != "\n" for p in parts)
