"""移动云盘 / 和彩云 (caiyun.139.com, yun.139.com): the plaintext call KUN measured (drives-api.md section 9,
2026-06-13: "与社区传'必须 AES + Basic 鉴权'不同"). Codes are strings: "0" lives, "9188" 提取码非法 is a live
locked share, "200000727" 外链不存在/外链被分享者取消 is dead (KUN 2/29). The expired and exhausted codes are
an authenticated client's (code-only); account and auth codes are never a link's verdict.
"""

from __future__ import annotations

import re
from typing import Any

from quarkctl.providers.evidence import LOGIN_REQUIRED, UNEXPECTED, Rule, by_rule, code_only, no_answer, partial, result
from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

INFO_URL = "https://share-kd-njs.yun.139.com/yun-share/richlifeApp/devapp/IOutLink/getOutLinkInfoV6"
# drives-api.md section 9's regex: the id sits in the query or the fragment, so the raw text is read. The id is
# closed against "=" and "/" too: "m/i?shareLinkID=<id>" is a query key, not the id (an attacker's review)
_LINK = re.compile(
    scheme(r"(?:caiyun\.139\.com/(?:m/i\?|w/i/|front/#/detail\?linkID=)|yun\.139\.com/(?:shareweb/#/|link/)w/i/"
           r"|caiyun\.feixin\.10086\.cn/)([A-Za-z0-9_-]{8,20})(?![A-Za-z0-9_=/-])"),
    re.IGNORECASE,
)

RULES: dict[str, Rule] = {
    "0": partial(Verdict.VALID, "ok"),
    "9188": partial(Verdict.NEEDS_PASSCODE, "passcode_required"),
    "200000727": partial(Verdict.EXPIRED, "share_not_found"),
    "200000401": code_only(Verdict.EXPIRED, "share_expired"),
    "200000402": code_only(Verdict.EXPIRED, "visits_exhausted"),
    "05010003": code_only(Verdict.ERROR, "sharer_account_problem"),
    "04000005": code_only(Verdict.ERROR, LOGIN_REQUIRED),
    "05050006": code_only(Verdict.ERROR, LOGIN_REQUIRED),
}


class CaiyunDrive(WebDrive):
    name = "mobile"
    env_key = "MOBILE"
    host_pattern = r"(?:https?://)?(?:caiyun\.139\.com|yun\.139\.com|caiyun\.feixin\.10086\.cn)"
    headers = {"Referer": "https://yun.139.com/"}

    link_pattern = _LINK
    passcode_groups = ()

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        request: dict[str, Any] = {"linkID": link.share_id, "pCaID": "root"}
        if link.passcode:
            request["passwd"] = link.passcode  # the field of the same request in its encrypted form (PC, PS, PL)
        reply = client.request("POST", INFO_URL, json={"getOutLinkInfoReq": request}, passcode=link.passcode)
        failed = no_answer(reply)
        if failed is not None:
            return failed
        body = reply.obj or {}
        code, message = body.get("code"), body.get("desc")
        if not isinstance(code, str) or (reply.http_status or 0) != 200:
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)  # the encrypted `resultCode` shape too
        if code == "0" and body.get("success") is False:
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)
        return by_rule(RULES.get(code), self.trusted, reply, code, message)
