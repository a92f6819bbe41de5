"""迅雷云盘 (pan.xunlei.com): links read, never checked (drives-api.md section 11). An anonymous check needs a
device identity and a captcha token signed with a salt list copied from other clients; KUN found it "无法
匿名探测", and no verbatim share reply was ever published (section 13). So every link is `skipped`,
reason `unsupported_drive`, without a request, until someone captures the real answers.
"""

from __future__ import annotations

import re

from quarkctl.providers.linkforms import DriveLink, scheme
from quarkctl.providers.web import WebClient
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

UNSUPPORTED_DRIVE = "unsupported_drive"
_LINK = re.compile(
    scheme(r"pan\.xunlei\.com/s/([0-9a-zA-Z_-]{8,30})(?![0-9a-zA-Z_-])(?:[^\s]*?[?&]pwd=([0-9a-zA-Z]{4})(?![0-9a-zA-Z]))?"),
    re.IGNORECASE,
)


class XunleiDrive(WebDrive):
    name = "xunlei"
    env_key = "XUNLEI"
    host_pattern = r"(?:https?://)?pan\.xunlei\.com"
    # What check-links records for every link of this drive, without a worker or a pause (checker/run.py)
    unchecked = CheckResult(Verdict.SKIPPED, UNSUPPORTED_DRIVE)

    link_pattern = _LINK

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        return CheckResult(Verdict.SKIPPED, UNSUPPORTED_DRIVE)
