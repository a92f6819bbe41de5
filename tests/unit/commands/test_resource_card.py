"""render/resource.py: `quarkctl resources show ID` as plain lines, pinned (the terminal's tables
are checked against the command in tests/unit/commands/test_resources.py)."""

from __future__ import annotations

import io
from datetime import datetime

from rich.console import Console

from quarkctl.render.resource import ResourceCard, card_lines, print_card

CHECK = {"checked_at": datetime(2026, 5, 1, 2, 0, 5), "verdict": "expired", "reason": "share_cancelled",
         "api_code": 41012, "message": "好友已取消了分享"}
RESHARES = [  # newest first, as the table gives them
    {"created_at": datetime(2026, 5, 2, 8, 0), "reason": "expiring", "status": "pending",
     "old_link": "https://pan.quark.cn/s/new000000001", "new_link": None},
    {"created_at": datetime(2026, 5, 1, 8, 0), "reason": "share_expired", "status": "done",
     "old_link": "https://pan.quark.cn/s/dead00000001", "new_link": "https://pan.quark.cn/s/new000000001"},
]
# Issue 24: another drive's check, as db/runs.py drive_of gives it (its code in text, its words starting with it)
BAIDU_CHECK = {"checked_at": datetime(2026, 5, 1, 2, 0, 6), "verdict": "error", "reason": "captcha_required", "api_code": -62,
               "message": "需要验证码", "drive": "baidu", "code": "-62"}
CARD = ResourceCard(2, [("id", 2), ("drama_name", "死链接"), ("alias", None), ("category1", "电影\n 新"), ("is_expired", 1)],
                    [CHECK, BAIDU_CHECK], RESHARES)


def test_plain_lines() -> None:
    assert card_lines(CARD) == [
        "id: 2",
        "drama_name: 死链接",
        "alias: ",
        "category1: 电影 新",
        "is_expired: 1",
        "checks:",
        "2026-05-01 02:00:05\tQuark\texpired\tthe owner cancelled the share\t41012 好友已取消了分享",
        "2026-05-01 02:00:06\tBaidu\terror\tthe drive asked for a captcha (anti-bot); the link was left alone, try later\t-62 需要验证码",
        "re-shares:",
        "2026-05-01 08:00:00 the share's time limit passed, done: https://pan.quark.cn/s/dead00000001 -> https://pan.quark.cn/s/new000000001",
        "2026-05-02 08:00:00 the share expires soon, unfinished (the next run finishes it): https://pan.quark.cn/s/new000000001 -> -",
    ]


def test_never_checked_and_never_reshared() -> None:
    assert card_lines(ResourceCard(1, [("id", 1)], [], [])) == ["id: 1", "checks: never checked by quarkctl"]


def test_the_terminal_tables() -> None:
    out = io.StringIO()
    print_card(CARD, Console(file=out, width=200, highlight=False, color_system=None))
    text = out.getvalue()
    assert "resource #2" in text and "│ category1  │ 电影 新" in text
    assert "│ Quark │ expired │ the owner cancelled the share " in text and "│ 41012 好友已取消了分享 │" in text
    assert "│ Baidu │ error   │ the drive asked for a captcha" in text and "│ -62 需要验证码 " in text  # issue 24: each check's drive
    assert text.rstrip().endswith("https://pan.quark.cn/s/new000000001 -> -")
