"""115网盘 (115.com, 115cdn.com, anxia.com): one anonymous call, no cookie (drives-api.md section 10).

`state true` is not life: share_state 7 ("链接已过期") is an expired share with state true (CPL), and only
share_state 1 lives. errno 4100010 分享已取消 is dead (HD round 1, 2/2); 4100012 and 4100008 are a live
share's receive code missing or wrong. Words about captchas or frequency are anti-bot (HD): back off.
Both spellings are read, each only whole: 115's own envelope (state, errno, error, data.shareinfo) and CPL's
flattened one (api_state, api_errno, share_state) the samples quote; a mix of them is no answer.
"""

from __future__ import annotations

import re
from typing import Any

from quarkctl.providers.evidence import RISK_CONTROL, UNEXPECTED, Rule, by_rule, code_only, no_answer, partial, result
from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

SNAP_URL = "https://webapi.115.com/share/snap"
_LINK = re.compile(
    scheme(r"(?:www\.)?(?:115|115cdn|anxia)\.com/s/([0-9a-zA-Z]{8,24})(?![0-9a-zA-Z])"
           r"(?:[^\s]*?[?&#]password=([0-9a-zA-Z]{4})(?![0-9a-zA-Z]))?"),
    re.IGNORECASE,
)
ERRNO_RULES: dict[int, Rule] = {
    4100010: partial(Verdict.EXPIRED, "share_cancelled", 200),  # pan115[0][6], HTTP 200
    4100012: partial(Verdict.NEEDS_PASSCODE, "passcode_required"),
    4100008: partial(Verdict.NEEDS_PASSCODE, "passcode_wrong"),
    990002: partial(Verdict.ERROR, "bad_share_code"),  # unknown unless the input is known good
}
# pan115[0][1]: share_state 7 with HTTP 200 (every 115 sample has 200)
STATE_RULES: dict[int, Rule] = {1: partial(Verdict.VALID, "ok"), 7: partial(Verdict.EXPIRED, "share_expired", 200)}
ANTI_BOT = ("验证码", "人机验证", "频繁", "稍后再试")
VIOLATION_WORDS = "分享的文件涉嫌违规，链接已失效"
VIOLATION = code_only(Verdict.EXPIRED, "content_violation", 200)  # "分享的文件涉嫌违规，链接已失效" (disklink.py)


class Pan115Drive(WebDrive):
    name = "115"
    env_key = "115"
    pace = (10.0, 15.0)
    host_pattern = r"(?:https?://)?(?:www\.)?(?:115|115cdn|anxia)\.com"
    headers = {"Referer": "https://115.com/", "X-Requested-With": "XMLHttpRequest"}  # as PC, PS, SS and LC ask

    link_pattern = _LINK

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        reply = client.request("GET", SNAP_URL, params={"share_code": link.share_id, "receive_code": link.passcode,
                                                        "offset": "0", "limit": "1", "cid": ""}, passcode=link.passcode)
        failed = no_answer(reply)
        if failed is not None:
            return failed
        read = _spelling(reply.obj or {})
        if read is None:
            body = reply.obj or {}
            return result(Verdict.ERROR, UNEXPECTED, reply, body.get("errno", body.get("api_errno")), None)
        state, errno, words, info = read
        if isinstance(words, str) and any(needle in words for needle in ANTI_BOT):
            return result(Verdict.ERROR, RISK_CONTROL, reply, errno, words)
        if not isinstance(state, bool) or (reply.http_status or 0) != 200:
            return result(Verdict.ERROR, UNEXPECTED, reply, errno, words)
        if state is False:
            if isinstance(words, str) and words.strip() == VIOLATION_WORDS:  # exactly, as 123's 5103 words
                return by_rule(VIOLATION, self.trusted, reply, errno, words)
            code = _whole(errno)
            return by_rule(ERRNO_RULES.get(code) if code is not None else None, self.trusted, reply, errno, words)
        share_state = _whole(info.get("share_state")) if info is not None else None
        if _whole(errno) not in (0, None) or share_state is None:
            return result(Verdict.ERROR, UNEXPECTED, reply, errno, words)
        return by_rule(STATE_RULES.get(share_state), self.trusted, reply, share_state, words)


def _spelling(body: dict[str, Any]) -> tuple[Any, Any, Any, dict[str, Any] | None] | None:
    """State, errno, words and the share's info in one of the two documented shapes, or None: 115's own
    (state, errno, error; the share's info in data.shareinfo) or CPL's flattened one (api_state, api_errno,
    page_entry_error_message or forbid_reason; share_state at the top). A mix of the two (a `state` beside
    a top-level share_state, `data` a string) is neither: an attacker's review read it as the flat one."""
    own, flat = "state" in body, "api_state" in body
    if own and not flat and not any(key in body for key in ("api_errno", "share_state")):
        data = body.get("data")
        info = data.get("shareinfo") if isinstance(data, dict) else None
        return body["state"], body.get("errno"), body.get("error"), info if isinstance(info, dict) else None
    if flat and not own and not any(key in body for key in ("errno", "error", "data")):
        words = _first(body, "page_entry_error_message", "forbid_reason")
        return body["api_state"], body.get("api_errno"), words, body
    return None


def _whole(value: Any) -> int | None:
    """A whole number as the reference spells them; a number spelled as text or a boolean is no answer
    trusted to mean anything (HD: strict types, `0.0`/`False` ≠ 0; Quark's rule since issue 15)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first(body: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in body:
            return body[key]
    return None
