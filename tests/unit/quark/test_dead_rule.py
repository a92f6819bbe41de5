"""The one rule for `expired` (issue 21), as properties: a link is dead, and an autosave task banned,
only on a documented dead code (quark-api.md 4.1) in a Quark error envelope whose HTTP and body status
are 2xx or 4xx (not 429). Any other answer, whatever its message, status or shape, is not.

Each @example is a reproduction from the outside reviews of main at afe4dd9.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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

statuses = st.one_of(st.none(), st.integers(100, 599), st.sampled_from([200, 400, 401, 403, 404, 429, 500, 502, 503]))
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


def _earned(http_status: int | None, body: dict) -> bool:
    """Written apart from the code under test: what may be called dead."""
    code, status = body.get("code"), body.get("status")
    if type(code) is not int or code not in DEAD_CODES:
        return False
    if status is not None and type(status) is not int:
        return False

    def fine(value: int | None) -> bool:
        return value is None or 200 <= value < 300 or (400 <= value < 500 and value != 429)

    return fine(http_status) and fine(status)


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
]


def _with_examples(test):
    for http_status, body in REPRODUCTIONS:
        test = example(http_status, body)(test)
    return test


@given(statuses, bodies)
@_with_examples
def test_nothing_outside_the_dead_codes_is_ever_dead(http_status: int | None, body: dict) -> None:
    classified = classify(ApiReply("token", http_status, body))
    assert (classified.outcome is Outcome.DEAD) == _earned(http_status, body), (http_status, body, classified)


@given(st.sampled_from(sorted(DEAD_CODES)),
       st.one_of(st.integers(200, 299), st.integers(400, 499).filter(lambda s: s != 429)),
       st.booleans(), texts, st.dictionaries(st.sampled_from(["req_id", "timestamp", "metadata", "extra"]), scalars))
@example(41012, 404, True, "好友已取消了分享", {"req_id": "9784v1-28c36ac079725b"})  # quark-replies.json share_token[14]
@example(41031, 403, True, "分享者用户封禁链接查看受限", {})
def test_every_dead_code_in_a_4xx_or_200_envelope_is_dead(code: int, status: int, mirror: bool, message: str, extra: dict) -> None:
    body = {**extra, "code": code, "message": message, **({"status": status} if mirror else {})}
    assert classify(ApiReply("token", status, body)).outcome is Outcome.DEAD
    assert classify(ApiReply("token", status, body, content_type="application/json;charset=UTF-8")).outcome is Outcome.DEAD


@pytest.mark.parametrize(("reply", "why"), [
    (ApiReply("token", 404, {"status": 404, "code": 41012}, duplicate_keys=True), "a key spelled twice"),
    (ApiReply("token", 200, {"status": 404, "code": 41012}, content_type="text/html; charset=utf-8"), "an HTML page"),
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
def test_a_task_is_banned_on_a_listing_only_when_it_is_earned(server: Receiver, http_status: int | None, body: dict) -> None:
    """The share's listing, whatever it says: a ban only on a dead code (checked again at the root)."""
    _answer(server, 200, STOKEN_OK)
    server.answers[("GET", DETAIL)] = (_sent(http_status), body)
    task = _one_task(server)
    assert any(r.path == DETAIL for r in server.requests), task
    # The reference's one other ban, kept: a root that lists nothing, confirmed with a fresh stoken
    data, metadata = body.get("data"), body.get("metadata")
    total = metadata.get("_total") if isinstance(metadata, dict) else None
    counts_files = isinstance(total, int) and not isinstance(total, bool) and total != 0  # "empty", yet N files
    empty = (isinstance(data, dict) and data.get("list") == [] and not counts_files
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
