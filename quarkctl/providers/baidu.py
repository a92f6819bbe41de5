"""百度网盘 (pan.baidu.com): the strongest anti-bot of the drives (drives-api.md section 5).

The check (KUN, measured 2026-06-13): the home page once per worker for its BAIDUID cookie, then
`api/shorturlinfo` for the share. errno 0 lives, -21 is dead (KUN 15/48, each title checked). A share with
a passcode answers -9, and so do dead shares that had one (KUN 2026-06-26): with a stored passcode,
`share/verify` is asked once with it, as stored (never retried, never guessed: Baidu freezes a link on
repeated tries, section 5 "Pacing / bans"); 105 there is a missing share (XB "线上实证"). -7 and -8 are the
community's dead codes, never measured: code-only. -62, -64, -65, -19 are risk control: back off.
Every sample of both endpoints came with HTTP 200 (drives-replies.json baidu): a dead code marks only so.
"""

from __future__ import annotations

import re
import time

from quarkctl.providers.evidence import (
    CAPTCHA, PASSCODE_UNKNOWN, RISK_CONTROL, UNEXPECTED, Rule, by_rule, code_only, no_answer, partial, result, seen,
)
from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient, WebReply
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

HOME_URL = "https://pan.baidu.com/"
INFO_URL = "https://pan.baidu.com/api/shorturlinfo"
VERIFY_URL = "https://pan.baidu.com/share/verify"
_COMMON = {"app_id": "250528", "web": "1", "channel": "chunlei", "clienttype": "0"}
# drives-api.md section 5's regex, ids closed on the right. The API's `surl` is the /s/ id without its
# leading 1 (PC, PS, XB): both forms of one share read as one share id.
_LINK = re.compile(
    scheme(r"(?:pan|yun)\.baidu\.com/(?:s/1([A-Za-z0-9_-]{5,24})|(?:share|wap)/init\?(?:[^\s#]*?&)?surl=([A-Za-z0-9_-]{5,24}))"
           r"(?![A-Za-z0-9_-])(?:[^\s]*?(?:[?&]pwd=|提取码[:：]?\s*)([0-9a-zA-Z]{4})(?![0-9a-zA-Z]))?"),
    re.IGNORECASE,
)

INFO_RULES: dict[int, Rule] = {
    0: partial(Verdict.VALID, "ok"),
    -21: partial(Verdict.EXPIRED, "share_not_found", 200),  # page title 百度网盘-链接不存在
    -9: partial(Verdict.ERROR, PASSCODE_UNKNOWN),  # a passcode share, or a dead one that had a passcode
    140: partial(Verdict.ERROR, "link_error"),  # 啊哦，链接出错了: KUN unknown
    -62: seen(Verdict.ERROR, CAPTCHA),
    -64: partial(Verdict.ERROR, RISK_CONTROL),
    -65: partial(Verdict.ERROR, RISK_CONTROL),
    -19: code_only(Verdict.ERROR, RISK_CONTROL),
}
VERIFY_RULES: dict[int, Rule] = {
    0: seen(Verdict.VALID, "ok"),
    -9: seen(Verdict.ERROR, PASSCODE_UNKNOWN),  # XB: "-9 三形态(提取码错误/链接不存在/sekey 过期)同码"
    -62: seen(Verdict.ERROR, CAPTCHA),
    105: seen(Verdict.EXPIRED, "share_not_found", 200),
    -64: partial(Verdict.ERROR, RISK_CONTROL),
    -65: partial(Verdict.ERROR, RISK_CONTROL),
    -12: code_only(Verdict.NEEDS_PASSCODE, "passcode_required"),
    -19: code_only(Verdict.ERROR, RISK_CONTROL),
    -7: code_only(Verdict.EXPIRED, "share_cancelled", 200),  # KUN: "未实测，用前需复验"
    -8: code_only(Verdict.EXPIRED, "share_expired", 200),
}


class BaiduDrive(WebDrive):
    name = "baidu"
    env_key = "BAIDU"
    pace = (3.0, 6.0)
    host_pattern = r"(?:https?://)?(?:pan|yun)\.baidu\.com"

    link_pattern = _LINK
    passcode_groups = (3,)

    @classmethod
    def from_match(cls, match: re.Match[str], code: str) -> DriveLink:
        return DriveLink(match.group(1) or match.group(2), code)

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        if "BAIDUID" not in client.cookies:
            home = client.request("GET", HOME_URL)
            baiduid = _cookie(home, "BAIDUID")
            if baiduid:
                client.cookies["BAIDUID"] = baiduid  # without it shorturlinfo answers a 302 (KUN)
        share_url = f"https://pan.baidu.com/s/1{link.share_id}"
        reply = client.request("GET", INFO_URL, params={**_COMMON, "shorturl": f"1{link.share_id}"}, headers={"Referer": share_url})
        first = _read(reply, INFO_RULES, self.trusted)
        if first.reason != PASSCODE_UNKNOWN or not link.passcode:
            return first
        verify = client.request("POST", VERIFY_URL, params={"surl": link.share_id, "t": str(int(time.time() * 1000)), **_COMMON},
                                form={"pwd": link.passcode, "vcode": "", "vcode_str": ""}, headers={"Referer": share_url}, passcode=link.passcode)
        return _read(verify, VERIFY_RULES, self.trusted)


def _read(reply: WebReply, rules: dict[int, Rule], trusted: bool) -> CheckResult:
    if 300 <= (reply.http_status or 0) < 400:
        return result(Verdict.ERROR, RISK_CONTROL, reply)  # the anti-bot redirect (KUN: 302, body 135 bytes)
    failed = no_answer(reply)
    if failed is not None:
        return failed
    body = reply.obj or {}
    errno = body.get("errno")
    message = body.get("err_msg") or body.get("show_msg")
    if not isinstance(errno, int) or isinstance(errno, bool):
        return result(Verdict.ERROR, UNEXPECTED, reply, errno, message)  # no errno: anti-bot, never a verdict (KUN)
    if (reply.http_status or 200) >= 400 and errno == 0:
        return result(Verdict.ERROR, UNEXPECTED, reply, errno, message)
    return by_rule(rules.get(errno), trusted, reply, errno, message)


def _cookie(reply: WebReply, name: str) -> str | None:
    for header in reply.set_cookies:
        key, _eq, rest = header.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0].strip() or None
    return None
