"""123云盘 (123pan.com and its mirrors): one anonymous call on the link's own host (drives-api.md
section 7, KUN measured 2026-06-13: "每个马甲是独立部署, API 必须打同一个 host").

5103 is overloaded: "此分享不存在" is dead, "提取码错误" is a live share missing its passcode (KUN: "不看
message 直接判 dead 会误杀所有带密分享"), any other message is unknown. So here the words decide, exactly.
Every sample of this endpoint came with HTTP 200 (drives-replies.json pan123[0]: the dead share's too), so a
dead answer marks only with 200.
"""

from __future__ import annotations

import re

from quarkctl.providers.evidence import UNEXPECTED, Rule, by_rule, code_only, no_answer, partial, result
from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

SHARE_PATH = "/b/api/share/get"
_HOSTS = r"(?:[A-Za-z0-9-]+\.)*123(?:pan|684|685|865|912|592|652)\.(?:com|cn)"
# drives-api.md section 7's regex; the key closed on the right; `提取码` glued or percent-encoded
_LINK = re.compile(
    scheme(rf"({_HOSTS})/(?:s|123pan)/([A-Za-z0-9_-]+)(?:\.html)?(?![A-Za-z0-9_.-])"
           r"(?:[^\s]*?(?:[?&]pwd=|提取码[:：]\s*)([A-Za-z0-9]{4})(?![A-Za-z0-9]))?"),
    re.IGNORECASE,
)

RULES: dict[tuple[int, str | None], Rule] = {
    (0, None): partial(Verdict.VALID, "ok"),
    (5103, "此分享不存在"): partial(Verdict.EXPIRED, "share_not_found", 200),  # pan123[0][1], HTTP 200
    (5103, "提取码错误"): partial(Verdict.NEEDS_PASSCODE, "passcode_wrong"),
    (5112, None): code_only(Verdict.ERROR, "traffic_exhausted"),  # the share exists (PL)
}
EXPIRED = code_only(Verdict.EXPIRED, "share_expired", 200)  # code 0 with data.Expired (FF; pan123[0][3], HTTP 200)


class Pan123Drive(WebDrive):
    name = "123"
    env_key = "123"
    host_pattern = rf"(?:https?://)?{_HOSTS}"

    link_pattern = _LINK
    passcode_groups = (3,)

    @classmethod
    def from_match(cls, match: re.Match[str], code: str) -> DriveLink:
        return DriveLink(match.group(2), code, host=match.group(1).lower())

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        origin = f"https://{link.host or 'www.123pan.com'}"
        reply = client.request("GET", origin + SHARE_PATH, params={
            "shareKey": link.share_id, "SharePwd": link.passcode, "limit": "1", "next": "0", "orderBy": "file_id",
            "orderDirection": "desc", "parentFileId": "0", "Page": "1",
        }, headers={"platform": "web", "app-version": "3", "Origin": origin, "Referer": origin + "/"}, passcode=link.passcode)
        failed = no_answer(reply)
        if failed is not None:
            return failed
        body = reply.obj or {}
        code, message = body.get("code"), body.get("message")
        if not isinstance(code, int) or isinstance(code, bool):
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)
        if code == 0:
            data = body.get("data")
            if isinstance(data, dict) and data.get("Expired") is True:
                return by_rule(EXPIRED, self.trusted, reply, code, message)
            if (reply.http_status or 0) != 200:
                return result(Verdict.ERROR, UNEXPECTED, reply, code, message)
            return result(Verdict.VALID, "ok", reply, code, message)
        words = message.strip() if isinstance(message, str) else None
        rule = RULES.get((code, words)) or RULES.get((code, None))
        return by_rule(rule, self.trusted, reply, code, message)
