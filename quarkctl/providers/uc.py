"""UC网盘 (drive.uc.cn): Quark's family, the same envelope and codes on its own host (drives-api.md section 4).

One anonymous call: POST pc-api.uc.cn …/share/sharepage/token with UC's Origin (KUN: "UC 必须带 Origin"),
the stored passcode sent once. Dead only on the codes measured on UC's dead shares (41006 with HTTP 404,
FF 2026-08; 41027 with HTTP 403, 2026-09-24; 41012 and 41010, KUN 2026-06-13); Quark's other dead codes
(41004, 41011, 41031) were never seen on UC: code-only. A dead code marks only with the HTTP status its
sample has, else Quark's for that code (quark/verdict.py DEAD_STATUSES: UC's samples of 41012 and 41010
give none), the body's `status` the same when it has one, as Quark's rule reads its family's envelope.
"""

from __future__ import annotations

import re

from quarkctl.providers.evidence import UNEXPECTED, Rule, by_rule, code_only, no_answer, partial, result, seen
from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import DEAD_STATUSES, Verdict

TOKEN_URL = "https://pc-api.uc.cn/1/clouddrive/share/sharepage/token"
# drives-api.md section 4's regex, the id closed on both sides (an id cut short is a made-up id, and a
# made-up id answers 41006 "分享不存在": a live link marked dead).
_LINK = re.compile(
    scheme(r"(?:drive|fast)\.uc\.cn/s/([0-9a-zA-Z]{8,24})(?![0-9a-zA-Z])(?:[^\s#]*?[?&](?:pwd|password|passcode)=([0-9a-zA-Z]{4,6}))?"),
    re.IGNORECASE,
)

RULES: dict[int, Rule] = {
    41006: seen(Verdict.EXPIRED, "share_not_found", 404),  # HTTP 404, FF 2026-08 (drives-replies.json uc[0])
    41027: partial(Verdict.EXPIRED, "share_not_found", 403),  # HTTP 403, the 2026-09-24 table (uc[1])
    41012: partial(Verdict.EXPIRED, "share_cancelled", *DEAD_STATUSES[41012]),  # KUN 1/25, no status: Quark's
    41010: partial(Verdict.EXPIRED, "content_violation", *DEAD_STATUSES[41010]),  # KUN 2/25 (section 12.3): Quark's
    41008: partial(Verdict.NEEDS_PASSCODE, "passcode_required"),  # KUN 5/25: the share lives
    41007: code_only(Verdict.NEEDS_PASSCODE, "passcode_wrong"),  # Quark's table, reused for UC by KUN
    41021: code_only(Verdict.NEEDS_PASSCODE, "passcode_attempts_limited"),
    41004: code_only(Verdict.EXPIRED, "files_deleted", *DEAD_STATUSES[41004]),  # seen on Quark only, with these
    41011: code_only(Verdict.EXPIRED, "share_invalid", *DEAD_STATUSES[41011]),
    41031: code_only(Verdict.EXPIRED, "sharer_banned", *DEAD_STATUSES[41031]),
    14021: code_only(Verdict.ERROR, "risk_control"),  # Quark's risk control code
}


class UcDrive(WebDrive):
    name = "uc"
    env_key = "UC"
    host_pattern = r"(?:https?://)?(?:drive|fast)\.uc\.cn"
    headers = {"Origin": "https://drive.uc.cn", "Referer": "https://drive.uc.cn/"}

    link_pattern = _LINK

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        reply = client.request("POST", TOKEN_URL, params={"pr": "UCBrowser", "fr": "pc"},
                               json={"pwd_id": link.share_id, "passcode": link.passcode}, passcode=link.passcode)
        failed = no_answer(reply)
        if failed is not None:
            return failed
        body = reply.obj or {}
        code, status, message = body.get("code"), body.get("status"), body.get("message")
        if not isinstance(code, int) or isinstance(code, bool) or (status is not None and not _whole(status)):
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)  # the envelope's numbers, spelled otherwise
        if isinstance(status, int) and (status >= 500 or status == 429):
            return result(Verdict.ERROR, "server_error" if status >= 500 else "rate_limited", reply, code, message)
        if code == 0:
            data = body.get("data")
            stoken = data.get("stoken") if isinstance(data, dict) else None
            if (reply.http_status or 200) < 400 and isinstance(stoken, str) and stoken:
                return result(Verdict.VALID, "ok", reply, code, message)
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)  # code 0 without a stoken (KUN)
        if (reply.http_status or 0) >= 300 and (reply.http_status or 0) < 400:
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)
        rule = RULES.get(code)
        if rule is not None and rule.verdict is Verdict.EXPIRED and status not in (None, reply.http_status):
            return result(Verdict.ERROR, UNEXPECTED, reply, code, message)  # the body and the HTTP status disagree
        return by_rule(rule, self.trusted, reply, code, message)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
