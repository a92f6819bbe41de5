"""The one classification function: dead only on explicit codes, never on an unknown one."""

import pytest

from quarkctl.quark.client import ApiReply
from quarkctl.quark.verdict import DEAD_CODES, Outcome, classify, json_media_type


def reply(code=None, status=None, message=None, http=None, body=True, **kwargs) -> ApiReply:
    """An answer as Quark sends it: with its JSON Content-Type (none is no dead answer since issue 23)."""
    envelope = {k: v for k, v in {"code": code, "status": status, "message": message}.items() if v is not None}
    kwargs.setdefault("content_type", "application/json;charset=UTF-8")
    return ApiReply("token", http if http is not None else (status or 200), envelope if body else None, **kwargs)


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        (41004, 404, "files_deleted"),
        (41006, 404, "share_not_found"),
        (41011, 404, "share_invalid"),
        (41012, 404, "share_cancelled"),
        (41019, 404, "share_expired"),
        (41010, 404, "content_violation"),
        (41031, 403, "sharer_banned"),
    ],
)
def test_dead_codes_are_dead(code: int, status: int, reason: str) -> None:
    result = classify(reply(code, status, "whatever"))
    assert (result.outcome, result.reason, result.api_code, result.http_status) == (Outcome.DEAD, reason, code, status)


@pytest.mark.parametrize(("code", "reason"), [(41007, "passcode_wrong"), (41008, "passcode_required"), (41021, "passcode_attempts_limited")])
def test_passcode_codes_mean_the_share_lives(code: int, reason: str) -> None:
    assert classify(reply(code, 404, "x")).outcome is Outcome.NEEDS_PASSCODE
    assert classify(reply(code, 404, "x")).reason == reason


def test_passcode_message_without_known_code_needs_passcode() -> None:
    assert classify(reply(49999, 400, "当前分享链接需要提取码，请填写提取码。")).outcome is Outcome.NEEDS_PASSCODE


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"code": 14021, "status": 400, "message": "file not found"}, "risk_control"),
        ({"code": 15000, "status": 500, "message": "inner error, requestId x"}, "server_error"),
        ({"http": 502, "body": False}, "server_error"),
        ({"http": 200, "body": False}, "bad_response"),
        ({"http": 429, "body": False}, "rate_limited"),
        ({"code": 12345, "status": 503, "message": "busy"}, "server_error"),
    ],
)
def test_transient_answers_are_transient(kwargs: dict, reason: str) -> None:
    result = classify(reply(**kwargs))
    assert (result.outcome, result.reason) == (Outcome.TRANSIENT, reason)


def test_transport_failures_are_transient() -> None:
    assert classify(ApiReply("token", None, None, "timeout")).reason == "timeout"
    assert classify(ApiReply("token", None, None, "connection_error")).outcome is Outcome.TRANSIENT


def test_stoken_expiry_asks_for_a_new_token() -> None:
    assert classify(reply(41016, 400, "分享的stoken过期")).outcome is Outcome.TOKEN_EXPIRED
    # the message alone is enough, and it is not mistaken for the dead message 过期
    assert classify(reply(None, 400, "分享的stoken过期")).outcome is Outcome.TOKEN_EXPIRED


def test_auth_codes() -> None:
    assert classify(reply(31001, 401, "require login [guest]")).outcome is Outcome.AUTH
    assert classify(reply(None, 401, "require login")).outcome is Outcome.AUTH


def test_retry_after_is_carried() -> None:
    assert classify(ApiReply("token", 429, None, retry_after=7.0)).retry_after == 7.0


def test_no_unknown_code_is_ever_dead() -> None:
    """KUN's TestNeverDeadOnAnyUnknownCode: a broken probe must not mark the whole table expired."""
    for code in range(1, 60_000):
        if code not in DEAD_CODES:
            assert classify(reply(code, 404, "分享不存在")).outcome is not Outcome.DEAD, code
    for code in range(41_000, 42_000):
        if code not in DEAD_CODES:
            assert classify(reply(code, 403, "文件不存在")).outcome is not Outcome.DEAD, code


@pytest.mark.parametrize(
    ("message", "reason"),
    [("分享不存在", "share_not_found"), ("文件不存在", "files_deleted"), ("分享地址已失效", "share_invalid"),
     ("好友已取消了分享", "share_cancelled"), ("分享地址已过期", "share_expired"), ("文件涉及违规内容", "content_violation")],
)
def test_dead_words_without_a_code_are_never_dead(message: str, reason: str) -> None:
    """No code-less Quark error has ever been seen (quark-api.md 7); a gateway's 503 "请求已取消" has (issue 21)."""
    for status in (200, 403, 404, 500, 502, 503):
        assert classify(reply(None, status, message)).outcome is not Outcome.DEAD, (status, message)


def test_ok_envelopes() -> None:
    assert classify(reply(0, 200, "ok")).outcome is Outcome.OK
    assert classify(reply(None, 200, "ok")).outcome is Outcome.OK  # code omitted beside an OK status
    assert classify(reply(0, None, "ok")).outcome is Outcome.OK
    # neither field: not proof of anything
    assert classify(reply(None, None, None)).outcome is Outcome.UNKNOWN


@pytest.mark.parametrize(("header", "json"), [
    ("application/json", True), ("application/json;charset=UTF-8", True), ("APPLICATION/JSON ; charset=utf-8", True),
    ("application/problem+json", True), ("application/json; x=\"a;b\"", True),
    (None, False), ("", False), ("json", False), ("text/html; x=json", False), ("text/html;charset=json", False),
    ("application/json, text/html", False), ("text/html, application/json", False), ("application/jsonp", False),
    ("text/json", False), ("application/json x", False), ("application/x-json", False),
])
def test_the_media_type_is_parsed_not_searched(header: str | None, json: bool) -> None:
    """Issue 23: "json" anywhere in the header, or no header, let a dead code through."""
    assert json_media_type(header) is json
    assert (classify(reply(41004, 404, content_type=header)).outcome is Outcome.DEAD) is json
