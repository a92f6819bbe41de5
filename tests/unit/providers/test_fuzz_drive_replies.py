"""The rule of issue 24 as a property, for every drive: whatever a drive answers (any status, any envelope
key with any value, HTML, nothing), its check is `expired` only on an answer drives-api.md tags as seen on
dead shares, and never raises. The replies are made here and handed to the drive's real reading code on a
client whose HTTP is replaced (the network is the simulator's business: test_drive_checks.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quarkctl.providers import aliyun, baidu, caiyun, pan115, tianyi, uc
from quarkctl.providers.base import DriveSetup
from quarkctl.providers.linkforms import DriveLink
from quarkctl.providers.registry import PROVIDERS
from quarkctl.providers.web import WebClient, WebReply
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.verdict import Verdict, json_media_type


def _state(body: dict[str, Any]) -> object:
    data = body.get("data")
    info = data.get("shareinfo") if isinstance(data, dict) else None
    return info.get("share_state") if isinstance(info, dict) else body.get("share_state")


# drive -> is this answer (the list of replies its check read, in order) one of its seen dead answers?
SEEN_DEAD = {
    "uc": lambda r: r[0].get("code") in (41006, 41027, 41012, 41010),
    "baidu": lambda r: (len(r) == 1 and r[0].get("errno") == -21) or (r[0].get("errno") == -9 and r[-1].get("errno") == 105),
    "aliyun": lambda r: r[0].get("code") in ("NotFound.ShareLink", "ShareLink.Cancelled"),
    "123": lambda r: r[0].get("code") == 5103 and r[0].get("message", "").strip() == "此分享不存在",
    "tianyi": lambda r: r[0].get("res_code") in ("FileNotFound", "ShareNotFound", "ShareAuditNotPass"),
    "mobile": lambda r: r[0].get("code") == "200000727",
    "115": lambda r: (r[0].get("state") is False and r[0].get("errno") == 4100010) or (r[0].get("state") is True and _state(r[0]) == 7),
}


# every code a drive's rules name, and neighbours of them spelled otherwise
KNOWN = [*uc.RULES, *baidu.INFO_RULES, *baidu.VERIFY_RULES, *aliyun.RULES, *tianyi.RULES, *caiyun.RULES, *pan115.ERRNO_RULES]
CODES = [*KNOWN, 0, "0", 1, -7, -8, -9, -21, -62, 105, 140, 5103, 5112, 41004, 41006, 41008, 41010, 41012, 41027, 4100008, 4100010,
         4100012, 990002, "200000727", "200000401", "9188", "NotFound.ShareLink", "ShareLink.Cancelled", "ShareLink.Expired",
         "ShareNotFound", "FileNotFound", "ShareAuditNotPass", "ShareExpiredError", "ParamFlowException", True, False, None,
         1.0, "41006", [], {}]
WORDS = ["此分享不存在", "提取码错误", " 此分享不存在 ", "分享已取消", "操作过于频繁", "分享的文件涉嫌违规，链接已失效", "ok", ""]
# each drive's envelope keys: a body is made of them (and one other), so the search stays near real answers
ENVELOPES = {
    "uc": ["code", "status", "message", "data"], "baidu": ["errno", "err_msg", "show_msg", "shareid"],
    "aliyun": ["code", "message", "share_name", "has_pwd"], "123": ["code", "message", "data"],
    "tianyi": ["res_code", "res_message", "shareId", "needAccessCode"], "mobile": ["code", "desc", "success", "data"],
    "115": ["state", "errno", "error", "data", "api_state", "api_errno", "share_state"],
}
values = st.one_of(st.sampled_from(CODES), st.sampled_from(WORDS), st.integers(), st.text(max_size=5))
data = st.one_of(values, st.fixed_dictionaries({}, optional={
    "stoken": st.sampled_from(["s", "", None]), "Expired": st.booleans(),
    "shareinfo": st.fixed_dictionaries({}, optional={"share_state": st.sampled_from([1, 7, 2, "7", True])})}))


# each drive's code key, and the codes its rules name: half the bodies carry one of them
CODE_KEY = {"uc": "code", "baidu": "errno", "aliyun": "code", "123": "code", "tianyi": "res_code", "mobile": "code", "115": "errno"}
DRIVE_CODES: dict[str, list[Any]] = {
    "uc": list(uc.RULES), "baidu": [*baidu.INFO_RULES, *baidu.VERIFY_RULES], "aliyun": list(aliyun.RULES), "123": [0, 5103, 5112],
    "tianyi": list(tianyi.RULES), "mobile": list(caiyun.RULES), "115": list(pan115.ERRNO_RULES),
}


def replies(drive: str) -> st.SearchStrategy[WebReply]:
    keys = st.sampled_from([*ENVELOPES[drive], "other"])
    some = st.dictionaries(keys, st.one_of(values, data), max_size=6)
    coded = st.builds(lambda body, code: {**body, CODE_KEY[drive]: code}, some, st.sampled_from(DRIVE_CODES[drive]))
    bodies = st.one_of(st.none(), st.just("<html><title>安全验证</title></html>"), some, coded, coded)
    return st.builds(lambda status, body, kind: WebReply(status, body if not isinstance(body, str) else None,
                                                         body if isinstance(body, str) else "", kind),
                     st.one_of(st.sampled_from([None, 200, 302, 400, 403, 404, 429, 500, 502]), st.integers(100, 599)), bodies,
                     st.sampled_from([None, "application/json", "application/json;charset=UTF-8", "text/plain",
                                      "text/html", "application/problem+json", "text/plain; x=json"]))


class Replayed(WebClient):
    """A client whose answers are given: each request takes the next one."""

    def __init__(self, answers: list[WebReply]) -> None:
        super().__init__(base="http://127.0.0.1:9")
        self.answers = answers
        self.asked = 0
        self.cookies["BAIDUID"] = "x"  # Baidu's home page is not asked: the replies are the share's

    def request(self, method: str, url: str, **kwargs: Any) -> WebReply:
        reply = self.answers[min(self.asked, len(self.answers) - 1)]
        self.asked += 1
        return reply


@pytest.mark.parametrize("drive", sorted(SEEN_DEAD))
@given(draw=st.data(), with_code=st.booleans())
def test_nothing_outside_a_drives_seen_dead_answers_is_ever_expired(drive: str, draw: st.DataObject, with_code: bool) -> None:
    answers = draw.draw(st.lists(replies(drive), min_size=2, max_size=2))
    provider = PROVIDERS[drive](DriveSetup(lambda: None))
    assert isinstance(provider, WebDrive)
    client = Replayed(answers)
    result = provider.probe(client, DriveLink("AbCdEfGh123", "ab12" if with_code else "", host="www.123pan.com"))
    assert result.verdict in set(Verdict)
    if result.verdict is Verdict.EXPIRED:
        read = [a.body if isinstance(a.body, dict) else {} for a in answers[:client.asked]]
        assert SEEN_DEAD[drive](read), (answers, result)
        assert all(isinstance(a.body, dict) for a in answers[:client.asked])
        assert (answers[client.asked - 1].http_status or 200) < 500 and answers[client.asked - 1].http_status != 429


def _uc_status(code: object) -> int:
    return 403 if code in (41027, 41031) else 404


# drive -> the HTTP status its dead answers were seen with (drives-replies.json), by the last reply read: a dead
# code with any other status is no dead answer, trusted or not (an attacker's review of issue 24)
DEAD_STATUS = {
    "uc": lambda r: _uc_status(r.get("code")), "baidu": lambda r: 200, "123": lambda r: 200, "mobile": lambda r: 200,
    "aliyun": lambda r: 404 if r.get("code") == "NotFound.ShareLink" else 400, "tianyi": lambda r: 400, "115": lambda r: 200,
}


@pytest.mark.parametrize("drive", sorted(SEEN_DEAD))
@given(draw=st.data(), with_code=st.booleans(), trusted=st.booleans())
def test_a_dead_code_marks_only_with_its_seen_status_and_a_json_type(drive: str, draw: st.DataObject, with_code: bool,
                                                                     trusted: bool) -> None:
    answers = draw.draw(st.lists(replies(drive), min_size=2, max_size=2))
    setup = DriveSetup(lambda: None, trust_unverified=frozenset({drive}) if trusted else frozenset())
    provider = PROVIDERS[drive](setup)
    assert isinstance(provider, WebDrive)
    client = Replayed(answers)
    result = provider.probe(client, DriveLink("AbCdEfGh123", "ab12" if with_code else "", host="www.123pan.com"))
    if result.verdict is Verdict.EXPIRED:
        last = answers[client.asked - 1]
        assert isinstance(last.body, dict)
        assert last.http_status == DEAD_STATUS[drive](last.body), (answers, result)
        assert json_media_type(last.content_type), (answers, result)
