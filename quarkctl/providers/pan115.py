"""115网盘 (115.com, 115cdn.com, anxia.com): one anonymous call, no cookie (drives-api.md section 10).

`state true` is not life: share_state 7 ("链接已过期") is an expired share with state true (CPL), and only
share_state 1 lives. errno 4100010 分享已取消 is dead (HD round 1, 2/2); 4100012 and 4100008 are a live
share's receive code missing or wrong. Words about captchas or frequency are anti-bot (HD): back off.
Both spellings are read: 115's own envelope (state, errno, error, data.shareinfo) and CPL's flattened one
(api_state, api_errno, share_state) the samples quote.
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
    4100010: partial(Verdict.EXPIRED, "share_cancelled"),
    4100012: partial(Verdict.NEEDS_PASSCODE, "passcode_required"),
    4100008: partial(Verdict.NEEDS_PASSCODE, "passcode_wrong"),
    990002: partial(Verdict.ERROR, "bad_share_code"),  # unknown unless the input is known good
}
STATE_RULES: dict[int, Rule] = {1: partial(Verdict.VALID, "ok"), 7: partial(Verdict.EXPIRED, "share_expired")}
ANTI_BOT = ("验证码", "人机验证", "频繁", "稍后再试")
VIOLATION = code_only(Verdict.EXPIRED, "content_violation")  # "分享的文件涉嫌违规，链接已失效" (disklink.py)


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
        body = reply.obj or {}
        state, errno = _first(body, "state", "api_state"), _first(body, "errno", "api_errno")
        words = _first(body, "error", "page_entry_error_message", "forbid_reason")
        if isinstance(words, str) and any(needle in words for needle in ANTI_BOT):
            return result(Verdict.ERROR, RISK_CONTROL, reply, errno, words)
        if not isinstance(state, bool) or (reply.http_status or 0) != 200:
            return result(Verdict.ERROR, UNEXPECTED, reply, errno, words)
        if state is False:
            if isinstance(words, str) and "涉嫌违规" in words and "失效" in words:
                return by_rule(VIOLATION, self.trusted, reply, errno, words)
            code = _whole(errno)
            return by_rule(ERRNO_RULES.get(code) if code is not None else None, self.trusted, reply, errno, words)
        info = body.get("data", {}).get("shareinfo") if isinstance(body.get("data"), dict) else None
        share_state = _whole(_first(info if isinstance(info, dict) else body, "share_state"))
        if _whole(errno) not in (0, None) or share_state is None:
            return result(Verdict.ERROR, UNEXPECTED, reply, errno, words)
        return by_rule(STATE_RULES.get(share_state), self.trusted, reply, share_state, words)


def _whole(value: Any) -> int | None:
    """A whole number as the reference spells them; a number spelled as text or a boolean is no answer
    trusted to mean anything (HD: strict types, `0.0`/`False` ≠ 0; Quark's rule since issue 15)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first(body: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in body:
            return body[key]
    return None
