"""阿里云盘 (alipan.com / aliyundrive.com): one anonymous call, judged by the answer's `code`, never by its
HTTP status (drives-api.md section 6: dead shares answer 404 NotFound.ShareLink, FF 2026-08, and 400
ShareLink.Cancelled, odomu/aliyunpan#107). Expired and forbidden shares are only what clients expect:
code-only. ParamFlowException is a rate limit (WS calls it dead: the false-dead section 12.7 names).
A dead code marks only with its sample's status (drives-replies.json aliyun[0][2] 404, [0][3] 400); the
code-only ones with 400, the status of their seen ShareLink.* sibling.
"""

from __future__ import annotations

import re

from quarkctl.providers.evidence import RATE_LIMITED, UNEXPECTED, Rule, by_rule, code_only, no_answer, partial, result
from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

SHARE_URL = "https://api.aliyundrive.com/adrive/v3/share_link/get_share_by_anonymous"
# drives-api.md section 6's regex (WS's `/t/` form too, HD's alywp.net/<id>), the id closed on the right
_LINK = re.compile(
    scheme(r"(?:(?:www\.)?(?:alipan|aliyundrive)\.com/[st]/|alywp\.net/)([0-9a-zA-Z]{8,14})(?![0-9a-zA-Z])(?:/folder/([0-9a-zA-Z]+))?"
           r"(?:[^\s]*?[?&](?:password|pwd)=([0-9a-zA-Z]{4})(?![0-9a-zA-Z]))?"),
    re.IGNORECASE,
)

RULES: dict[str, Rule] = {
    "NotFound.ShareLink": partial(Verdict.EXPIRED, "share_not_found", 404),
    "ShareLink.Cancelled": partial(Verdict.EXPIRED, "share_cancelled", 400),
    "ShareLink.Expired": code_only(Verdict.EXPIRED, "share_expired", 400),
    "ShareLink.Forbidden": code_only(Verdict.EXPIRED, "content_violation", 400),
    "ParamFlowException": partial(Verdict.ERROR, RATE_LIMITED),
    "TooManyRequests": code_only(Verdict.ERROR, RATE_LIMITED),
    "Throttling": code_only(Verdict.ERROR, RATE_LIMITED),
}


class AliyunDrive(WebDrive):
    name = "aliyun"
    env_key = "ALIYUN"
    host_pattern = r"(?:https?://)?(?:(?:www\.)?(?:alipan|aliyundrive)\.com|alywp\.net)"
    headers = {"Origin": "https://www.alipan.com", "Referer": "https://www.alipan.com/",
               "X-Canary": "client=web,app=share,version=v2.3.1"}  # "for lifting rate limit restrictions" (OL)

    link_pattern = _LINK
    passcode_groups = (3,)

    @classmethod
    def from_match(cls, match: re.Match[str], code: str) -> DriveLink:
        return DriveLink(match.group(1), code, match.group(2) or "")

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        # Whether the share exists needs no passcode: the passcode check (get_share_token) is left out
        reply = client.request("POST", SHARE_URL, params={"share_id": link.share_id}, json={"share_id": link.share_id})
        failed = no_answer(reply)
        if failed is not None:
            return failed
        body = reply.obj or {}
        code, message = body.get("code"), body.get("message")
        if code is not None:
            if not isinstance(code, str) or (reply.http_status or 0) < 400:
                return result(Verdict.ERROR, UNEXPECTED, reply, code, message)  # an error code comes with a 4xx
            return by_rule(RULES.get(code), self.trusted, reply, code, message)
        name = body.get("share_name")
        if (reply.http_status or 0) != 200 or not isinstance(name, str):
            return result(Verdict.ERROR, UNEXPECTED, reply, None, message)
        if body.get("has_pwd") is True and not link.passcode:
            return result(Verdict.NEEDS_PASSCODE, "passcode_required", reply)
        # An empty share (file_count 0) lives here (HD valid); WS and PS would call it dead (section 12.6)
        return result(Verdict.VALID, "ok", reply)
