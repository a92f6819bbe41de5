"""Hostile Quark replies, fuzzed (issue 15, item 5): whatever a server answers, the classification
never crashes and never calls a link dead on a malformed answer; through a real HTTP server on
loopback, truncated JSON, a 20 MB body, deep nesting, null where an object belongs and numbers as
strings all end as verdict `error`, and a body over 8 MB is cut off.

Each @example is a bug the fuzzing found, kept as a regression.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers.loopback import Receiver
from quarkctl.quark.client import MAX_BODY, ApiReply, QuarkClient
from quarkctl.quark.linkcheck import CheckResult, LinkChecker
from quarkctl.quark.verdict import DEAD_CODES, Outcome, Verdict, classify

TOKEN = "/1/clouddrive/share/sharepage/token"
DETAIL = "/1/clouddrive/share/sharepage/detail"
LINK = "https://pan.quark.cn/s/abcd1234"
STOKEN_OK = {"status": 200, "code": 0, "message": "ok", "data": {"stoken": "st0ken", "title": "t"}}

ANY_CHAR = st.characters(codec=None, exclude_categories=())
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(ANY_CHAR, max_size=12),
                    st.sampled_from(list(DEAD_CODES)), st.sampled_from([str(c) for c in DEAD_CODES]),
                    st.sampled_from(["0", "200", "²", "--5", "-", " 41004 ", "9" * 30, "9" * 5000, "OK", "ok"]),
                    st.sampled_from(["分享不存在", "文件不存在", "已失效", "已取消", "违规", "过期", "stoken过期", "提取码"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                      max_leaves=10)
envelopes = st.fixed_dictionaries({}, optional={
    "status": values, "code": values, "message": values, "msg": values, "success": values, "data": values,
})


def _dead_is_earned(reply: ApiReply) -> bool:
    """DEAD only on an explicit numeric dead code, never on words alone (issue 21; the whole rule is
    tests/unit/quark/test_dead_rule.py)."""
    code = (reply.body or {}).get("code")
    return isinstance(code, int) and not isinstance(code, bool) and code in DEAD_CODES


@given(envelopes, st.sampled_from([None, 200, 400, 401, 404, 429, 500, 503]))
@example({"code": "²"}, 200)  # str.isdigit() took "²", int() refused it: ValueError out of ApiReply.code
@example({"code": "--5"}, 200)  # lstrip("-") took any number of minus signs
@example({"status": "9" * 5000}, 200)  # int() refuses over 4300 digits
@example({"status": "404", "code": "41004", "message": "文件不存在"}, 404)  # numbers as strings were dead
@example({"status": 200, "code": "0", "data": None}, 200)
@example({"code": [], "message": "分享不存在"}, None)  # a code of another kind read as none: dead by message (dev profile)
def test_any_envelope_is_classified_and_never_dead_unearned(body: dict, http_status: int | None) -> None:
    # with the JSON type a real answer has: without one nothing is dead (issue 23), which would prove nothing
    reply = ApiReply("token", http_status, body, content_type="application/json")
    classified = classify(reply)
    assert isinstance(classified.outcome, Outcome) and isinstance(classified.reason, str)
    (reply.code, reply.status, reply.message, reply.data, reply.account_ok, reply.account_envelope)
    if classified.outcome is Outcome.DEAD:
        assert _dead_is_earned(reply), body
    if reply.malformed_numbers and not reply.account_envelope:
        assert classified.outcome not in (Outcome.DEAD, Outcome.OK)


# -- through HTTP: the client reads what a real server sends -------------------------------------------

class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.calls.append(seconds)
        return True


@pytest.fixture(scope="module")
def _server() -> Iterator[Receiver]:
    with Receiver() as r:  # one for the module: each close waits out the server's 0.5 s poll
        yield r


@pytest.fixture
def receiver(_server: Receiver) -> Receiver:
    _server.answers.clear()
    _server.requests.clear()
    return _server


def _check(receiver: Receiver) -> CheckResult:
    with QuarkClient(api_base=receiver.url, timeout=5.0) as client:
        result = LinkChecker(client, retries=1, backoff=0.0, sleep=Sleeps()).check(LINK)
    return result


DEEP = "[" * 200_000 + "]" * 200_000


@pytest.mark.parametrize(("token", "detail", "reason"), [
    pytest.param((200, '{"status":200,"code":0,"data":{"stoken":'), None, "bad_response", id="truncated-json"),
    pytest.param((200, '{"status":404,"code":41004,"message":"文件'), None, "bad_response", id="truncated-dead-answer"),
    pytest.param((200, '{"data":' * 100_000 + "1" + "}" * 100_000), None, "bad_response", id="deep-object-nesting"),
    pytest.param((200, DEEP), None, "bad_response", id="deep-list-nesting"),
    pytest.param((200, {"status": 200, "code": 0, "data": None}), None, "unexpected_response", id="null-data"),
    pytest.param((200, {"status": 200, "code": 0, "data": {"stoken": None}}), None, "unexpected_response", id="null-stoken"),
    pytest.param((200, STOKEN_OK), (200, {"status": 200, "code": 0, "data": None}), "unexpected_response", id="null-listing"),
    pytest.param((200, STOKEN_OK), (200, {"status": 200, "code": 0, "data": {"list": None}}), "unexpected_response", id="null-list"),
    pytest.param((404, {"status": "404", "code": "41004", "message": "文件已被分享者删除"}), None, "unexpected_response", id="numbers-as-strings-dead"),
    pytest.param((200, {"status": "200", "code": "0", "data": {"stoken": "s"}}), None, "unexpected_response", id="numbers-as-strings-ok"),
    pytest.param((200, STOKEN_OK), (404, {"status": 404, "code": "41006", "message": "分享不存在"}), "unexpected_response", id="detail-string-code"),
    pytest.param((200, "null"), None, "bad_response", id="json-null"),
    pytest.param((200, '"文件不存在"'), None, "bad_response", id="json-string"),
    pytest.param((200, "\ufeff\x00\xff"), None, "bad_response", id="binary"),
])
def test_hostile_answers_end_as_error(receiver: Receiver, token: tuple, detail: tuple | None, reason: str) -> None:
    receiver.answers[("POST", TOKEN)] = token
    if detail is not None:
        receiver.answers[("GET", DETAIL)] = detail
    result = _check(receiver)
    assert (result.verdict, result.reason) == (Verdict.ERROR, reason), result


def test_a_body_over_8_mb_is_cut_off_and_is_a_bad_response(receiver: Receiver) -> None:
    # A valid answer padded to 20 MB: read whole, it would say "ok"; cut off, it says nothing.
    padded = json.dumps({**STOKEN_OK, "pad": "x" * (20 * 2**20)})
    receiver.answers[("POST", TOKEN)] = (200, padded)
    with QuarkClient(api_base=receiver.url, timeout=10.0) as client:
        reply = client.share_token("abcd1234")
        assert (reply.http_status, reply.body) == (200, None)
        assert "8 MB" in reply.snippet
        assert classify(reply).reason == "bad_response"
        # The cut connection is not reused: the next request gets a whole answer on a fresh one.
        receiver.answers[("POST", TOKEN)] = (200, STOKEN_OK)
        assert client.share_token("abcd1234").data == STOKEN_OK["data"]
    assert len(receiver.requests) == 2


def test_a_body_just_under_the_cap_is_read_whole(receiver: Receiver) -> None:
    base = json.dumps({**STOKEN_OK, "pad": ""})
    receiver.answers[("POST", TOKEN)] = (200, base[:-2] + "x" * (MAX_BODY - len(base)) + '"}')
    with QuarkClient(api_base=receiver.url, timeout=10.0) as client:
        reply = client.share_token("abcd1234")
    assert reply.body is not None and len(reply.body["pad"]) == MAX_BODY - len(base)
    assert classify(reply).outcome is Outcome.OK


def test_a_20_mb_body_makes_the_check_an_error_not_a_crash(receiver: Receiver) -> None:
    receiver.answers[("POST", TOKEN)] = (200, "x" * (20 * 2**20))
    result = _check(receiver)
    assert (result.verdict, result.reason, result.transient) == (Verdict.ERROR, "bad_response", True)


# -- autosave's drive calls (quark/drive.py): an OK envelope around any data -------------------------

ok_envelopes = st.fixed_dictionaries({"status": st.just(200), "code": st.just(0)}, optional={
    "data": st.one_of(values, st.fixed_dictionaries({}, optional={
        "list": values, "fid": values, "task_id": values, "stoken": values, "status": values,
        "save_as": st.one_of(values, st.fixed_dictionaries({}, optional={"save_as_top_fids": values})),
        "task_sync": values, "task_resp": st.one_of(values, envelopes)})),
    "metadata": st.one_of(values, st.fixed_dictionaries({}, optional={"_total": values, "tq_gap": values})),
})


@given(ok_envelopes)
@example({"status": 200, "code": 0, "data": {"list": 5}})  # iterating an int: TypeError
@example({"status": 200, "code": 0, "data": {"list": [{}]}, "metadata": "x"})  # "x".get: AttributeError
@example({"status": 200, "code": 0, "data": {"task_id": "t", "save_as": 5, "status": 2}})
@example({"status": 200, "code": 0, "data": {"task_id": "t", "status": 2, "save_as": {"save_as_top_fids": 7}}})
@example({"status": 200, "code": 0, "data": {"task_id": "t", "status": 1}, "metadata": {"tq_gap": "x"}})
def test_drive_calls_answer_or_raise_their_own_failures(_server: Receiver, body: dict) -> None:
    from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout

    _server.answers.clear()
    _server.default = (200, body)
    calls = [
        lambda s: s.token("abcd1234", ""),
        lambda s: s.share_page("abcd1234", "st", "0", 1),
        lambda s: s.list_dir("0"),
        lambda s: s.path_fids(["/a", "/b"]),
        lambda s: s.mkdir("/a"),
        lambda s: s.save(["f"], ["t"], "0", "abcd1234", "st"),
        lambda s: s.wait_task("t"),
        lambda s: s.delete_and_purge(["f"]),
    ]
    try:
        with QuarkClient(api_base=_server.url, timeout=5.0) as client:
            # sleep() says "stop" at once: a task that never ends costs one poll, not task_timeout
            session = DriveSession(client, sleep=lambda s: False, retries=0, backoff=0.0, task_timeout=0.0)
            for call in calls:
                try:
                    call(session)
                except (ApiFailure, TaskTimeout):
                    pass
    finally:
        _server.default = (200, {"ok": True})
