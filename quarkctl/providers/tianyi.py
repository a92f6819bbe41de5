"""天翼云盘 (cloud.189.cn): one anonymous call, judged by `res_code` only (drives-api.md section 8).

HTTP 400 is 189's status for every business error, so it says nothing alone; the three codes a browser
confirmed (HD) are dead: FileNotFound, ShareNotFound (also TianyiClient, live 2026-07-17), ShareAuditNotPass.
ShareInfoNotFound is what a wrong request shape gets (PanBox), so it stays unknown; ShareExpiredError is
only what clients expect. The access code is not sent: the share's existence is known without it (a locked
share answers res_code 0 with needAccessCode, seen), and `res_message` embeds ids, so words never decide.
A dead code marks only with HTTP 400, the status every dead sample has (drives-replies.json tianyi[0][2],
[0][3], and [0][4] for the code-only ones).
"""

from __future__ import annotations

import random
import re

from quarkctl.providers.evidence import UNEXPECTED, Rule, by_rule, code_only, no_answer, partial, result, seen
from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

INFO_URL = "https://cloud.189.cn/api/open/share/getShareInfoByCodeV2.action"
# drives-api.md section 8's regex (and PanBox's content.21cn.com form), the code closed on the right; the
# access code full-width after the link, percent-encoded or not, or ?accessCode= / ?pwd=
_LINK = re.compile(
    scheme(r"(?:(?:h5\.)?cloud\.189\.cn/(?:t/|web/share\?(?:[^#\s]*?&)?code=|share\.html#/t/|share/)"
           r"|content\.21cn\.com/h5/subscrip/[^\s]*?[?&]shareCode=)([A-Za-z0-9]{8,14})(?![A-Za-z0-9])"
           r"(?:\s*[（(]访问码[:：]\s*([A-Za-z0-9]+)[）)]|%EF%BC%88%E8%AE%BF%E9%97%AE%E7%A0%81%EF%BC%9A([A-Za-z0-9]+)%EF%BC%89"
           r"|[^\s]*?[?&](?:accessCode|pwd)=([A-Za-z0-9]{4,8})(?![A-Za-z0-9]))?"),
    re.IGNORECASE,
)

RULES: dict[str, Rule] = {
    "FileNotFound": partial(Verdict.EXPIRED, "share_not_found", 400),
    "ShareNotFound": seen(Verdict.EXPIRED, "share_cancelled", 400),
    "ShareAuditNotPass": partial(Verdict.EXPIRED, "content_violation", 400),
    "ShareExpiredError": code_only(Verdict.EXPIRED, "share_expired", 400),
    "ShareAuditWaiting": code_only(Verdict.ERROR, "under_review"),
    "ShareInfoNotFound": code_only(Verdict.ERROR, "wrong_request_shape"),
}


class TianyiDrive(WebDrive):
    name = "tianyi"
    env_key = "TIANYI"
    pace = (3.0, 5.0)
    host_pattern = r"(?:https?://)?(?:(?:h5\.)?cloud\.189\.cn|content\.21cn\.com)"

    link_pattern = _LINK
    passcode_groups = (2, 3, 4)

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        # A JSON Accept, or 189 answers XML (HD round 1: every probe became parse_error)
        reply = client.request("GET", INFO_URL, params={"noCache": f"{random.random():.16f}", "shareCode": link.share_id},
                               headers={"Accept": "application/json;charset=UTF-8",
                                        "Referer": f"https://cloud.189.cn/t/{link.share_id}"})
        failed = no_answer(reply)
        if failed is not None:
            return failed
        body = reply.obj or {}
        code, message = body.get("res_code"), body.get("res_message")
        if code == 0 or code == "0":
            if (reply.http_status or 0) != 200:
                return result(Verdict.ERROR, UNEXPECTED, reply, code, message)
            # A locked share has no shareId (seen): it lives, and only its access code is missing
            if not body.get("shareId") and body.get("needAccessCode") == 1 and not link.passcode:
                return result(Verdict.NEEDS_PASSCODE, "passcode_required", reply, code, message)
            return result(Verdict.VALID, "ok", reply, code, message)
        if not isinstance(code, str) or not code:
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)
        return by_rule(RULES.get(code), self.trusted, reply, code, message)
