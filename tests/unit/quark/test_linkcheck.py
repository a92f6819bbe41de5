"""One link, real HTTP to the simulator: every verdict, and retries only for what can heal."""

from __future__ import annotations

import socket

import pytest

from conftest import COOKIE, add_valid, share_url
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.client import QuarkClient
from quarkctl.simulator import Fault, Share, Simulator
from quarkctl.quark.verdict import Verdict


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.calls.append(seconds)
        return True


@pytest.fixture
def sleeps() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def checker(sim: Simulator, sleeps: FakeSleep):
    client = QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=2.0)
    yield LinkChecker(client, retries=2, backoff=1.5, sleep=sleeps)
    client.close()


def test_valid_link(sim: Simulator, checker: LinkChecker) -> None:
    add_valid(sim, "aaaa00000001")
    result = checker.check(share_url("aaaa00000001"))
    assert (result.verdict, result.reason, result.requests) == (Verdict.VALID, "ok", 2)
    token, detail = sim.requests(pwd_id="aaaa00000001")
    assert (token.endpoint, detail.endpoint) == ("token", "detail")
    assert token.has_cookie and token.body == {"pwd_id": "aaaa00000001", "passcode": "", "support_visit_limit_private_share": True}
    assert detail.query["stoken"]


@pytest.mark.parametrize("code", [41004, 41006, 41011, 41012, 41019, 41010, 41031])
def test_each_dead_code_is_expired(sim: Simulator, checker: LinkChecker, sleeps: FakeSleep, code: int) -> None:
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=code, files=[]))
    result = checker.check(share_url("dead00000001"))
    assert (result.verdict, result.api_code, result.requests) == (Verdict.EXPIRED, code, 1)
    assert sleeps.calls == []  # a dead answer is final: no retry


def test_unknown_share_is_expired_as_not_found(sim: Simulator, checker: LinkChecker) -> None:
    result = checker.check(share_url("ffff00000000"))
    assert (result.verdict, result.reason, result.api_code) == (Verdict.EXPIRED, "share_not_found", 41006)


def test_passcode_missing_wrong_and_right(sim: Simulator, checker: LinkChecker) -> None:
    add_valid(sim, "pass00000001", passcode="ab12")
    missing = checker.check(share_url("pass00000001"))
    wrong = checker.check(share_url("pass00000001", "zz99"))
    right = checker.check(share_url("pass00000001", "ab12"))
    assert (missing.verdict, missing.api_code) == (Verdict.NEEDS_PASSCODE, 41008)
    assert (wrong.verdict, wrong.api_code) == (Verdict.NEEDS_PASSCODE, 41007)
    assert right.verdict is Verdict.VALID
    assert sim.requests(endpoint="token", pwd_id="pass00000001")[-1].body["passcode"] == "ab12"


def test_passcode_attempts_limited_is_not_dead(sim: Simulator, checker: LinkChecker) -> None:
    add_valid(sim, "pass00000002", faults=[Fault(kind="code", code=41021, endpoint="token")])
    assert checker.check(share_url("pass00000002")).verdict is Verdict.NEEDS_PASSCODE


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="code", code=15000, endpoint="token", times=1),
        Fault(kind="code", code=14021, endpoint="token", times=2),
        Fault(kind="http_error", status=502, endpoint="token", times=1),
        Fault(kind="html", endpoint="detail", times=1),
        Fault(kind="garbage", endpoint="token", times=1),
        Fault(kind="reset", endpoint="token", times=1),
        Fault(kind="code", code=15000, endpoint="detail", times=2),
    ],
    ids=["15000", "14021x2", "502", "html", "garbage", "reset", "detail-15000x2"],
)
def test_transient_failures_heal_with_retries(sim: Simulator, checker: LinkChecker, sleeps: FakeSleep, fault: Fault) -> None:
    add_valid(sim, "flak00000001", faults=[fault])
    result = checker.check(share_url("flak00000001"))
    assert result.verdict is Verdict.VALID
    assert sleeps.calls == [1.5, 3.0][: fault.times]  # exponential backoff


def test_transient_failure_that_does_not_heal_is_an_error_not_expired(sim: Simulator, checker: LinkChecker, sleeps: FakeSleep) -> None:
    add_valid(sim, "flak00000002", faults=[Fault(kind="code", code=15000, endpoint="token")])
    result = checker.check(share_url("flak00000002"))
    assert (result.verdict, result.reason, result.api_code, result.transient) == (Verdict.ERROR, "server_error", 15000, True)
    assert len(sim.requests(endpoint="token", pwd_id="flak00000002")) == 3  # first try + 2 retries
    assert sleeps.calls == [1.5, 3.0]


def test_stoken_expiry_fetches_a_new_token(sim: Simulator, checker: LinkChecker) -> None:
    add_valid(sim, "stok00000001", faults=[Fault(kind="stoken_expired", endpoint="detail", times=1)])
    result = checker.check(share_url("stok00000001"))
    assert result.verdict is Verdict.VALID
    endpoints = [r.endpoint for r in sim.requests(pwd_id="stok00000001")]
    assert endpoints == ["token", "detail", "token", "detail"]


def test_rate_limit_honours_retry_after(sim: Simulator, checker: LinkChecker, sleeps: FakeSleep) -> None:
    add_valid(sim, "rate00000001", faults=[Fault(kind="rate_limit", endpoint="token", times=1, retry_after=7)])
    assert checker.check(share_url("rate00000001")).verdict is Verdict.VALID
    assert sleeps.calls == [7.0]


def test_slow_answer_times_out_as_a_transient_error(sim: Simulator, sleeps: FakeSleep) -> None:
    add_valid(sim, "slow00000001", faults=[Fault(kind="slow", delay=2.0, endpoint="token")])
    with QuarkClient(api_base=sim.base_url, timeout=0.2) as client:
        result = LinkChecker(client, retries=1, backoff=0.0, sleep=sleeps).check(share_url("slow00000001"))
    assert (result.verdict, result.reason) == (Verdict.ERROR, "timeout")


def test_unknown_code_is_an_error_and_not_retried(sim: Simulator, checker: LinkChecker, sleeps: FakeSleep) -> None:
    add_valid(sim, "unkn00000001", faults=[Fault(kind="code", code=49999, status=400, message="新的错误")])
    result = checker.check(share_url("unkn00000001"))
    assert (result.verdict, result.reason, result.api_code, result.message) == (Verdict.ERROR, "unknown_code", 49999, "新的错误")
    assert (result.requests, sleeps.calls) == (1, [])


def test_share_that_dies_after_the_token_is_expired(sim: Simulator, checker: LinkChecker) -> None:
    add_valid(sim, "race00000001", detail_code=41004)
    result = checker.check(share_url("race00000001"))
    assert (result.verdict, result.api_code) == (Verdict.EXPIRED, 41004)


def test_empty_share_is_confirmed_then_empty_not_expired(sim: Simulator, checker: LinkChecker) -> None:
    """quark-api.md 4.2.6: an empty root is not proof of death; the run decides from the row's history."""
    sim.add_share(Share(pwd_id="empt00000001", title="e", files=[]))
    result = checker.check(share_url("empt00000001"))
    assert (result.verdict, result.reason) == (Verdict.EMPTY, "empty_share")
    assert [r.endpoint for r in sim.requests(pwd_id="empt00000001")] == ["token", "detail", "token", "detail"]


EMPTY_LIST = {"status": 200, "code": 0, "message": "ok", "data": {"list": []}}


def test_a_folder_link_whose_share_lists_nothing_is_empty_folder(sim: Simulator, checker: LinkChecker) -> None:
    """Content under review: every listing of the share comes back empty, the folder's and the root's."""
    add_valid(sim, "subf00000003", faults=[Fault(kind="body", endpoint="detail", body=EMPTY_LIST)])
    result = checker.check(share_url("subf00000003") + "#/list/share/" + "a" * 32)
    assert (result.verdict, result.reason) == (Verdict.EMPTY, "empty_folder")
    assert [r.query.get("pdir_fid") for r in sim.requests(endpoint="detail")] == ["a" * 32, "0", "0"]


def test_empty_subfolder_of_a_living_share_is_valid(sim: Simulator, checker: LinkChecker) -> None:
    sim.add_share(Share(pwd_id="subf00000001", title="s", files=[{"name": "a.mp4"}, {"name": "Empty", "children": []}, {"name": "S1", "children": [{"name": "e1.mkv"}]}]))
    full = checker.check(share_url("subf00000001") + "#/list/share/" + sim.fid_of("subf00000001", "S1"))
    empty = checker.check(share_url("subf00000001") + "#/list/share/" + sim.fid_of("subf00000001", "Empty"))
    assert (full.verdict, full.reason) == (Verdict.VALID, "ok")
    assert (empty.verdict, empty.reason) == (Verdict.VALID, "empty_subfolder")
    assert sim.requests(endpoint="detail", pwd_id="subf00000001")[0].query["pdir_fid"] == sim.fid_of("subf00000001", "S1")


def test_vanished_subfolder_is_an_error_not_expired(sim: Simulator, checker: LinkChecker) -> None:
    add_valid(sim, "subf00000002")
    result = checker.check(share_url("subf00000002") + "#/list/share/" + "f" * 32)
    assert result.verdict is Verdict.ERROR


def test_links_that_need_no_request(sim: Simulator, checker: LinkChecker) -> None:
    assert checker.check("https://pan.baidu.com/s/1abc").verdict is Verdict.SKIPPED
    malformed = checker.check("https://pan.quark.cn/list/all")
    assert (malformed.verdict, malformed.reason) == (Verdict.ERROR, "malformed_link")
    assert sim.log == []


def test_cookie_rejected_mid_run_is_reported_as_auth(sim: Simulator, sleeps: FakeSleep) -> None:
    add_valid(sim, "auth00000001", faults=[Fault(kind="code", code=31001, endpoint="token")])
    with QuarkClient(cookie="__uid=stale", api_base=sim.base_url) as client:
        result = LinkChecker(client, sleep=sleeps).check(share_url("auth00000001"))
    assert (result.verdict, result.auth_rejected) == (Verdict.ERROR, True)


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_the_environment_proxy_is_used_and_no_proxy_honoured(sim: Simulator, monkeypatch: pytest.MonkeyPatch,
                                                              variable: str) -> None:
    """Through HTTP_PROXY a host that cannot even be resolved is reached (the simulator plays the proxy:
    it serves the absolute URL a proxy is sent); NO_PROXY for that host goes direct, and fails."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    add_valid(sim, "prox00000001")
    monkeypatch.setenv(variable, sim.base_url)
    with QuarkClient(cookie=COOKIE, api_base="http://quark.invalid", timeout=2.0) as client:
        reply = client.share_token("prox00000001")
    assert reply.http_status == 200 and reply.code == 0
    assert [r.host for r in sim.requests(pwd_id="prox00000001")] == ["quark.invalid"]
    monkeypatch.setenv("NO_PROXY", "quark.invalid")
    with QuarkClient(cookie=COOKIE, api_base="http://quark.invalid", timeout=0.5) as client:
        reply = client.share_token("prox00000001")
    assert reply.transport_error in ("connection_error", "timeout")  # no DNS here: refused or never answered
    assert len(sim.requests(pwd_id="prox00000001")) == 1



def test_a_refused_connection_is_a_connection_error_not_a_timeout() -> None:
    """urllib3 files a refused connection under its timeouts; the report must say what happened."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: connections are refused
    with QuarkClient(api_base=f"http://127.0.0.1:{port}", timeout=2.0) as client:
        reply = client.share_token("aaaa00000001")
    assert (reply.http_status, reply.transport_error, reply.snippet) == (None, "connection_error", "NewConnectionError")
