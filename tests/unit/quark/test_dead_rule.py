"""The one rule for `expired` (issues 21, 23), as properties: a link is dead, and an autosave task banned,
only on a documented dead code (quark-api.md 4.1) in a JSON Quark error envelope whose HTTP status is the
one Quark's captured dead answers come with (404; 403 for 41031: quark-replies.json share_token[3]-[16]),
the body's status absent or the same. Any other answer, whatever its message, status or shape, is not.

Each @example is a reproduction from the outside reviews of main at afe4dd9.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import COOKIE
from helpers.loopback import Receiver
from quarkctl.autosave.options import AutosaveOptions
from quarkctl.autosave.run import run_autosave
from quarkctl.config.autosave.model import AutosaveConfig
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.quark.client import ApiReply, QuarkClient
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.verdict import DEAD_CODES, Outcome, Verdict, classify

TOKEN = "/1/clouddrive/share/sharepage/token"
DETAIL = "/1/clouddrive/share/sharepage/detail"
ACCOUNT = "/account/info"
LINK = "https://pan.quark.cn/s/abcd1234"
ACCOUNT_OK = {"success": True, "code": "OK", "data": {"nickname": "夸父"}}
# The words a gateway or a hostile server may put in a body: every dead-sounding fragment the old
# message fallback read, and Quark's own dead messages (quark-api.md 4.1).
DEAD_WORDS = ["服务繁忙，请求已取消", "已取消", "已失效", "文件不存在", "分享不存在", "违规", "过期", "好友已取消了分享",
              "分享地址已失效", "文件涉及违规内容", "分享地址已过期", "提取码", "stoken过期", "require login"]

statuses = st.one_of(st.none(), st.integers(100, 599), st.sampled_from([200, 400, 401, 403, 404, 407, 429, 500, 502, 503]))
JSON_TYPE = "application/json;charset=UTF-8"  # what the simulator sends, as Quark does
content_types = st.sampled_from([None, "application/json", JSON_TYPE, "Application/JSON; charset=utf-8",
                                 "application/problem+json", "text/html; x=json", "text/html", "text/plain",
                                 "json", "text/json", "application/json, text/html", "", "application/jsonp"])
texts = st.one_of(st.text(max_size=12), st.sampled_from(DEAD_WORDS))
codes = st.one_of(st.none(), st.integers(-5, 60_000), st.sampled_from(sorted(DEAD_CODES)), st.text(max_size=6),
                  st.sampled_from([str(c) for c in DEAD_CODES]), st.booleans(), st.floats(allow_nan=False))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), texts)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                           max_leaves=8)
bodies = st.fixed_dictionaries({}, optional={
    "status": st.one_of(statuses, json_values), "code": codes, "message": texts, "msg": texts, "data": json_values,
    "req_id": st.text(max_size=8),
})


def _earned(http_status: int | None, body: dict, content_type: str | None = "application/json") -> bool:
    """Written apart from the code under test: what may be called dead. Until issue 23 any 2xx/4xx but
    429 was (a 401 login wall, a proxy's 407 marked links expired), and a Content-Type with "json"
    anywhere in it, or none."""
    code, status = body.get("code"), body.get("status")
    if type(code) is not int or code not in DEAD_CODES:
        return False
    if status is not None and type(status) is not int:
        return False
    captured = 403 if code == 41031 else 404  # quark-replies.json share_token[9]; share_token[3] and the rest
    media = (content_type or "").split(";")[0].strip().lower()
    json_type = media == "application/json" or re.fullmatch(r"[a-z0-9.-]+/[a-z0-9.+-]+\+json", media) is not None
    return http_status == captured and status in (None, captured) and json_type


REPRODUCTIONS = [  # (HTTP status, body): what the reviews saw marked dead or banned
    (503, {"message": "服务繁忙，请求已取消"}),
    (500, {"message": "分享地址已失效"}),
    (502, {"message": "文件不存在"}),
    (403, {"message": "文件涉及违规内容"}),
    (404, {"message": "分享不存在"}),
    (200, {"message": "链接已过期"}),
    (503, {"status": 503, "code": 41004, "message": "文件不存在"}),
    (429, {"status": 429, "code": 41011, "message": "分享地址已失效"}),
    (403, {"status": 403, "code": 41027, "message": "分享不存在"}),  # UC's "not found" (quark-api.md 7), not Quark's
    (400, {"status": 400, "code": 14001, "message": "Bad Parameter: [非法token]"}),
    (404, {"status": 404, "code": 41004000000000000000000000000}),  # an attacker's: crashed the database write
    (200, {"success": False, "message": "服务繁忙"}),  # the account service's spelling on a share call
    (200, {"code": "SHARE_CANCELLED", "message": "已取消"}),
    (407, {"status": 407, "code": 41004, "message": "文件不存在"}),  # issue 23: a proxy's status
    (401, {"status": 401, "code": 41004, "message": "文件不存在"}),  # issue 23: a login wall
    (401, {"code": 41006, "message": "分享不存在"}),
    (200, {"status": 200, "code": 41006, "message": "分享不存在"}),  # the belief quark-api.md 7 says was wrong
    (404, {"status": 200, "code": 41004, "message": "文件不存在"}),  # the body says otherwise
]


def _with_examples(test):
    for http_status, body in REPRODUCTIONS:
        test = example(http_status, body)(test)
    return test


def _with_typed_examples(test):
    for http_status, body in REPRODUCTIONS:
        test = example(http_status, body, JSON_TYPE)(test)
    test = example(404, {"status": 404, "code": 41004}, "text/html; x=json")(test)  # issue 23
    return example(404, {"status": 404, "code": 41004}, None)(test)  # issue 23


@given(statuses, bodies, content_types)
@_with_typed_examples
def test_nothing_outside_the_dead_codes_is_ever_dead(http_status: int | None, body: dict, content_type: str | None) -> None:
    classified = classify(ApiReply("token", http_status, body, content_type=content_type))
    assert (classified.outcome is Outcome.DEAD) == _earned(http_status, body, content_type), (http_status, body, classified)


@given(statuses, bodies)
@_with_examples
def test_nothing_outside_the_dead_codes_is_ever_dead_even_as_json(http_status: int | None, body: dict) -> None:
    """The same, with the JSON type a real answer has: the status and body alone decide."""
    classified = classify(ApiReply("token", http_status, body, content_type=JSON_TYPE))
    assert (classified.outcome is Outcome.DEAD) == _earned(http_status, body, JSON_TYPE), (http_status, body, classified)


@given(st.sampled_from(sorted(DEAD_CODES)), st.booleans(), texts,
       st.dictionaries(st.sampled_from(["req_id", "timestamp", "metadata", "extra"]), scalars),
       st.sampled_from(["application/json", JSON_TYPE, "application/json; charset=UTF-8", "application/problem+json"]))
@example(41012, True, "好友已取消了分享", {"req_id": "9784v1-28c36ac079725b"}, JSON_TYPE)  # quark-replies.json share_token[14]
@example(41031, True, "分享者用户封禁链接查看受限", {}, JSON_TYPE)  # share_token[9]
def test_every_dead_code_with_its_captured_status_is_dead(code: int, mirror: bool, message: str, extra: dict, content_type: str) -> None:
    """Was: any 2xx/4xx but 429 (issue 23 narrowed it to the captured statuses)."""
    status = 403 if code == 41031 else 404
    body = {**extra, "code": code, "message": message, **({"status": status} if mirror else {})}
    assert classify(ApiReply("token", status, body, content_type=content_type)).outcome is Outcome.DEAD


@given(st.sampled_from(sorted(DEAD_CODES)), st.integers(100, 599), st.booleans(), content_types)
@example(41004, 407, True, JSON_TYPE)
@example(41004, 401, True, JSON_TYPE)
@example(41004, 403, True, JSON_TYPE)  # 403 comes with 41031 only (share_token[9])
def test_a_dead_code_with_any_other_status_is_never_dead(code: int, status: int, mirror: bool, content_type: str | None) -> None:
    """An attacker's review (issue 23): 407 (a proxy's) and 401 (a login wall) + 41004 were marked expired."""
    if status == (403 if code == 41031 else 404):
        status = 200
    body = {"code": code, "message": "文件不存在", **({"status": status} if mirror else {})}
    assert classify(ApiReply("token", status, body, content_type=content_type)).outcome is not Outcome.DEAD


@pytest.mark.parametrize(("reply", "why"), [
    (ApiReply("token", 404, {"status": 404, "code": 41012}, duplicate_keys=True, content_type=JSON_TYPE), "a key spelled twice"),
    (ApiReply("token", 200, {"status": 404, "code": 41012}, content_type="text/html; charset=utf-8"), "an HTML page"),
    (ApiReply("token", 404, {"status": 404, "code": 41012}, content_type="text/html; charset=utf-8"), "an HTML page, 404"),
    (ApiReply("token", 404, {"status": 404, "code": 41004}, content_type="text/html; x=json"), "json only in a parameter"),
    (ApiReply("token", 404, {"status": 404, "code": 41004}, content_type=None), "no Content-Type"),
    (ApiReply("token", 404, {"status": 404, "code": 41004}, content_type="application/json, text/html"), "two types"),
    (ApiReply("token", 407, {"status": 407, "code": 41004}, content_type=JSON_TYPE), "a proxy's 407"),
    (ApiReply("token", 401, {"status": 401, "code": 41004}, content_type=JSON_TYPE), "a login wall"),
])
def test_an_ambiguous_dead_answer_is_not_dead(reply: ApiReply, why: str) -> None:
    """An attacker's review (issue 23): each of these was marked expired."""
    assert classify(reply).outcome is Outcome.UNKNOWN, why


# -- through HTTP: check-links' link check and autosave's bans -------------------------------------------

@pytest.fixture(scope="module")
def server() -> Iterator[Receiver]:
    with Receiver() as r:  # one for the module: each close waits out the server's 0.5 s poll
        yield r


def _answer(server: Receiver, http_status: int | None, body: dict) -> None:
    server.answers.clear()
    server.requests.clear()
    server.answers[("GET", ACCOUNT)] = (200, ACCOUNT_OK)
    # A status http.server can send: None and the 1xx codes become 200 (the body is what matters there)
    server.answers[("POST", TOKEN)] = (http_status if http_status and http_status >= 200 else 200, body)
    server.answers[("GET", DETAIL)] = (200, {"status": 200, "code": 0, "data": {"list": [{"fid": "f" * 32, "file_name": "a.mp4"}]}})


def _sent(http_status: int | None) -> int:
    return http_status if http_status and http_status >= 200 else 200


@given(statuses, bodies)
@_with_examples
def test_a_link_is_expired_only_on_an_earned_answer(server: Receiver, http_status: int | None, body: dict) -> None:
    _answer(server, http_status, body)
    with QuarkClient(api_base=server.url, timeout=5.0) as client:
        result = LinkChecker(client, retries=1, backoff=0.0, sleep=lambda seconds: True).check(LINK)
    assert (result.verdict is Verdict.EXPIRED) == _earned(_sent(http_status), body), (http_status, body, result)


def _one_task(server: Receiver):
    """One autosave task on LINK against `server`, a dry run in process: its result."""
    config = AutosaveConfig(Path("quark_config.json"), {"cookie": COOKIE, "tasklist": [
        {"taskname": "剧", "shareurl": LINK, "savepath": "/剧", "pattern": "", "replace": ""}]})
    options = AutosaveOptions(pacing=PacingPolicy.off(), backoff=0.0, retries=1, sign=False, task_timeout=0.0, dry_run=True)
    report = run_autosave(config, config.tasks, options, sleep=lambda seconds: True,
                          make_client=lambda cookie: QuarkClient(cookie=cookie, api_base=server.url, timeout=5.0))
    [task] = report.tasks
    return task


@given(statuses, bodies)
@_with_examples
def test_a_task_is_banned_only_on_an_earned_answer(server: Receiver, http_status: int | None, body: dict) -> None:
    _answer(server, http_status, body)
    task = _one_task(server)
    assert any(r.path == TOKEN for r in server.requests), task  # the answer under test was asked for
    assert (task.status == "banned") == _earned(_sent(http_status), body), (http_status, body, task)


STOKEN_OK = {"status": 200, "code": 0, "message": "ok", "data": {"stoken": "st0ken"}}


@given(statuses, bodies)
@_with_examples
@example(200, {"status": 200, "code": 0, "data": None})  # an attacker's: banned as an empty share
@example(200, {"status": 200, "code": 0, "data": {"list": [None, 1, "x"]}})
@example(200, {"status": 200, "code": 0, "data": {"list": []}})  # an empty root: the one ban without a code
@example(200, {"status": 200, "code": 0, "data": {"list": [{}]}})  # a re-test: failed on a KeyError
@example(200, {"status": 200, "code": 0, "data": {"list": []}, "metadata": {"_total": 5}})  # empty, yet five files
@example(200, {"status": 200, "code": 0, "data": {"list": []}, "metadata": {"_total": "7"}})  # issue 23: "7" read as none
@example(200, {"status": 200, "code": 0, "data": {"list": []}, "metadata": {"_total": True}})
@example(200, {"status": 200, "code": 0, "data": {"list": []}, "metadata": []})
@example(200, {"status": 200, "code": 0, "data": {"list": [None]}})  # issue 23: was valid in check-links
def test_a_task_is_banned_on_a_listing_only_when_it_is_earned(server: Receiver, http_status: int | None, body: dict) -> None:
    """The share's listing, whatever it says: a ban only on a dead code (checked again at the root)."""
    _answer(server, 200, STOKEN_OK)
    server.answers[("GET", DETAIL)] = (_sent(http_status), body)
    task = _one_task(server)
    assert any(r.path == DETAIL for r in server.requests), task
    # The reference's one other ban, kept: a root that lists nothing, confirmed with a fresh stoken
    data, metadata = body.get("data"), body.get("metadata")
    total = metadata.get("_total") if isinstance(metadata, dict) else None
    # A total of the wrong type ("7", true) or metadata that is no object: another shape, never empty (issue 23;
    # until then "7" was read as no total, and so empty)
    well_typed = metadata is None or (isinstance(metadata, dict) and (total is None or (type(total) is int and total >= 0)))
    empty = (isinstance(data, dict) and data.get("list") == [] and well_typed and not total
             and classify(ApiReply("detail", _sent(http_status), body)).outcome is Outcome.OK)
    assert (task.status == "banned") == (_earned(_sent(http_status), body) or empty), (http_status, body, task)


def test_an_empty_listing_that_counts_files_is_no_proof_of_anything(server: Receiver) -> None:
    """A re-test (issue 21): `list: []` beside `_total: 5` contradicts itself; it is never `empty`."""
    _answer(server, 200, STOKEN_OK)
    server.answers[("GET", DETAIL)] = (200, {"status": 200, "code": 0, "data": {"list": []}, "metadata": {"_total": 5}})
    with QuarkClient(api_base=server.url, timeout=5.0) as client:
        result = LinkChecker(client, retries=0, backoff=0.0, sleep=lambda seconds: True).check(LINK)
    assert (result.verdict, result.reason) == (Verdict.ERROR, "unexpected_response")


@pytest.mark.parametrize("payload", ['{"status": 404, "code": 0, "code": 41012, "message": "x"}',
                                     '<html>{"status": 404, "code": 41012}</html>', '{"status": 404, "code": 41012}'])
def test_a_dead_code_in_text_or_spelled_twice_over_http_is_not_expired(server: Receiver, payload: str) -> None:
    """An attacker's review (issue 23): text (here text/plain, as an HTML error page is text/html) and a `code`
    spelled twice were marked expired."""
    _answer(server, 404, {})
    server.answers[("POST", TOKEN)] = (404, payload)
    with QuarkClient(api_base=server.url, timeout=5.0) as client:
        reply = client.share_token("abcd1234")
        result = LinkChecker(client, retries=1, backoff=0.0, sleep=lambda seconds: True).check(LINK)
    assert result.verdict is not Verdict.EXPIRED, (payload, result)
    assert reply.content_type == "text/plain"


@pytest.mark.parametrize("listing", [
    {"status": 200, "code": 0, "data": {"list": [None]}},  # issue 23: was valid
    {"status": 200, "code": 0, "data": {"list": [{"fid": "f" * 32}, 1]}},
    {"status": 200, "code": 0, "data": {"list": []}, "metadata": {"_total": "7"}},  # issue 23: was empty
    {"status": 200, "code": 0, "data": {"list": []}, "metadata": {"_total": -1}},
    {"status": 200, "code": 0, "data": {"list": [{"fid": "f" * 32}]}, "metadata": {"_total": "1"}},
    {"status": 200, "code": 0, "data": {"list": []}, "metadata": "x"},
])
def test_a_listing_of_another_shape_is_an_error(server: Receiver, listing: dict) -> None:
    """Entries that are no objects, a `_total` of the wrong type: neither valid nor empty, so never on the
    way to a mark (--empty-grace turns `empty` into `expired`)."""
    _answer(server, 200, STOKEN_OK)
    server.answers[("GET", DETAIL)] = (200, listing)
    with QuarkClient(api_base=server.url, timeout=5.0) as client:
        result = LinkChecker(client, retries=0, backoff=0.0, sleep=lambda seconds: True).check(LINK)
    assert (result.verdict, result.reason) == (Verdict.ERROR, "unexpected_response"), listing


DEAD_41004 = {"status": 404, "code": 41004, "message": "文件不存在"}  # quark-replies.json share_token[3]


@pytest.mark.parametrize(("status", "content_type", "dead"), [
    (404, "application/json;charset=UTF-8", True),
    (404, "application/json", True),
    (404, None, False),  # issue 23: no Content-Type was marked expired
    (404, "text/html; x=json", False),  # issue 23: "json" in a parameter was enough
    (404, "text/html", False),
    (404, "application/jsonp", False),
    (407, "application/json", False),  # issue 23: a proxy's status
    (401, "application/json", False),  # issue 23: a login wall
    (403, "application/json", False),  # 403 is 41031's alone (share_token[9])
    (200, "application/json", False),
])
def test_a_hostile_servers_dead_code_over_http(server: Receiver, status: int, content_type: str | None, dead: bool) -> None:
    """The real client on loopback, check-links and autosave both: the status and the media type decide."""
    body = {**DEAD_41004, "status": status}
    _answer(server, status, body)
    server.answers[("POST", TOKEN)] = (status, body, content_type)
    with QuarkClient(api_base=server.url, timeout=5.0) as client:
        reply = client.share_token("abcd1234")
        result = LinkChecker(client, retries=1, backoff=0.0, sleep=lambda seconds: True).check(LINK)
    assert (reply.http_status, reply.content_type) == (status, content_type)  # served as meant
    assert (result.verdict is Verdict.EXPIRED) == dead, (status, content_type, result)
    if not dead:
        assert result.verdict is Verdict.ERROR, result
    assert (_one_task(server).status == "banned") == dead
