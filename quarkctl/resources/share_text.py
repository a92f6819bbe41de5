"""A drive app's share text, pasted whole into an import file (a new user's review, issue 24), read as the one
line `resources import` takes per link:

    通过网盘分享的文件：电影A                     <- the name, for the link below
    链接: https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12 提取码: ab12
    --来自百度网盘超级会员v5的分享                 <- the app's own words: dropped

    链接：https://pan.baidu.com/s/1AbCdEfGh
    提取码：ab12                                  <- the passcode, for the link above

A line without a link is joined to the link line above when it only labels a passcode, names the link below
when it only names a shared file, and is dropped when it is an app's boilerplate; any other line is left as it
is (import reports it: nothing written without a person looking)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

# Only a passcode label and its value ("提取码：ab12", "密码: ab12", "pwd=ab12")
_PASSCODE_ONLY = re.compile(r"^\s*(?:提取码|访问码|密码|pwd|passcode|password|code)\s*[:：=]?\s*[A-Za-z0-9]{4,8}\s*$", re.IGNORECASE)
# A file named by the app: "通过网盘分享的文件：电影A", "我用夸克网盘分享了「电影A」，点击链接即可保存…", "「电影A」"
_NAMED = re.compile(r"^\s*(?:通过.{0,6}分享的文件\s*[:：]\s*(?P<file>.+?)\s*$|.*?分享了?「(?P<quoted>[^」]+)」.*$|「(?P<alone>[^」]+)」\s*$)")
# The apps' closing words: "--来自百度网盘超级会员V5的分享", "复制这段内容后打开百度网盘手机App，操作更方便哦",
# "点击链接保存，或者复制本段内容，打开「阿里云盘」APP…"
_BOILERPLATE = re.compile(r"^\s*(?:-+\s*来自.{0,20}的分享|.*(?:复制这段内容|复制本段内容|点击链接(?:即可)?保存|打开「[^」]{1,10}」\s*APP).*)\s*$",
                          re.IGNORECASE)


def fold(lines: Iterable[tuple[int, str]], has_link: Callable[[str], bool]) -> Iterator[tuple[int, str]]:
    """The lines, with share texts folded: (the link line's number, its text with the name before it and the
    passcode after it)."""
    pending_name = ""
    held: tuple[int, str] | None = None  # the last link line, until a passcode line may join it
    for number, line in lines:
        if has_link(line):
            if held is not None:
                yield held
            held = (number, f"{pending_name} {line.strip()}" if pending_name and not line.strip().startswith(pending_name) else line)
            pending_name = ""
            continue
        if held is not None and _PASSCODE_ONLY.match(line):
            held = (held[0], f"{held[1]} {line.strip()}")
            continue
        named = _NAMED.match(line)
        if named is not None:
            pending_name = next(v for v in named.groupdict().values() if v).strip()
            continue
        if _BOILERPLATE.match(line):
            continue
        if held is not None:
            yield held
            held = None
        yield number, line
    if held is not None:
        yield held
