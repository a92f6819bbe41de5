"""The daily sign-in (quarkctl.quark.signin) against the simulator, and the simulator's growth endpoints
as quark-replies.json growth_info / growth_sign and quark-api.md 7 describe them (issue 21, item 7).

A sign-in is reported only when Quark said so: a reward in the sign answer, 44210, or growth info read
again after a sign answer without a reward. Nothing is copied from the growth info read before the sign.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
import urllib3

from helpers.ticks import Ticks
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import DriveSession
from quarkctl.quark.signin import sign_in
from quarkctl.simulator import Fault, Simulator

COOKIE = "__uid=u1; __puus=abc; kps=kpsOne; sign=signOne; vcode=vcodeOne"
MiB = 1024**2
API = "/1/clouddrive/capacity/growth/"
REPLIES = Path(os.environ.get("QUARKCTL_REPLIES") or Path(__file__).parents[2] / "samples" / "quark-replies.json")


def sample(endpoint: str, case_start: str) -> dict:
    """A growth sample by the start of its case (indexes may move when samples are added)."""
    found = [s for s in json.loads(REPLIES.read_text("utf-8"))[endpoint] if s["case"].startswith(case_start)]
    assert len(found) == 1, (endpoint, case_start)
    return found[0]


@pytest.fixture
def sim():
    with Simulator(cookies=[COOKIE]) as simulator:
        yield simulator


def run_sign(sim: Simulator, cookie: str = COOKIE):
    session = DriveSession(QuarkClient(api_base=sim.base_url, timeout=5), sleep=lambda s: True, retries=1, backoff=0.0,
                           monotonic=Ticks())
    try:
        return sign_in(session, cookie, 1)
    finally:
        session.client.close()


def serve(sim: Simulator, endpoint: str, body: dict, status: int, times: int | None = None) -> None:
    sim.add_drive_fault(Fault("body", endpoint=endpoint, body=body, status=status, times=times))


def yesterday(sim: Simulator, reward: int) -> None:
    """The first growth info: not signed today, and a daily reward a copy would betray."""
    data = sim.account().growth_info()
    data["cap_sign"]["sign_daily_reward"] = reward
    serve(sim, "growth_info", {"status": 200, "code": 0, "message": "", "data": data}, 200, times=1)


# --- sign_in ----------------------------------------------------------------------------------------


def test_a_reward_in_the_sign_answer_is_a_sign_in(sim):
    result = run_sign(sim)
    assert (result.status, result.reward_today, result.progress, result.reason) == ("signed", 20 * MiB, 1, None)
    assert sim.sign_state()["signed_today"] is True
    assert len(sim.requests(endpoint="growth_info")) == 1  # no second read when the answer says it


@pytest.mark.parametrize("data", [{}, None, [], "ok", {"sign_daily_reward": None}, {"sign_daily_reward": "20971520"},
                                  {"sign_daily_reward": True}, {"reward": 1}], ids=repr)
def test_a_shapeless_success_with_the_day_not_signed_is_unconfirmed(sim, data):
    """growth_sign[3] and its kin: code 0, but no reward quarkctl can read; growth info says not signed."""
    body = {"status": 200, "code": 0, "message": ""} if data is None else {"status": 200, "code": 0, "message": "", "data": data}
    serve(sim, "growth_sign", body, 200)
    yesterday(sim, 7 * MiB)
    result = run_sign(sim)
    assert (result.status, result.reason) == ("sign_unconfirmed", "empty_sign_answer")
    assert result.reward_today is None and result.progress == 0 and not result.ok
    assert len(sim.requests(endpoint="growth_info")) == 2  # read again


def test_growth_sign_sample_3_served_verbatim_is_unconfirmed(sim):
    s = sample("growth_sign", "fake success")
    serve(sim, "growth_sign", s["body"], s["http_status"])
    result = run_sign(sim)
    assert result.status == "sign_unconfirmed" and result.reward_today is None
    assert sim.sign_state()["signed_today"] is False


def test_a_shapeless_success_that_growth_info_confirms_is_signed_with_growth_infos_reward(sim):
    account = sim.account()
    account.sign_answer, account.sign_daily_reward = "empty_signed", 30 * MiB
    yesterday(sim, 7 * MiB)
    result = run_sign(sim)
    assert (result.status, result.reason) == ("signed", "confirmed_by_growth_info")
    assert (result.reward_today, result.progress, result.sign_reward_total) == (30 * MiB, 1, 30 * MiB)


def test_growth_info_unreadable_after_a_shapeless_success_is_unconfirmed(sim):
    sim.account().sign_answer = "empty"
    serve(sim, "growth_info", {"status": 200, "code": 0, "message": "", "data": sim.account().growth_info()}, 200, times=1)
    sim.add_drive_fault(Fault("code", endpoint="growth_info", code=15000))  # the second read, and its retry
    result = run_sign(sim)
    assert (result.status, result.reason, result.api_code) == ("sign_unconfirmed", "growth_info_unreadable", 15000)
    assert result.reward_today is None


def test_growth_sign_sample_4_cyclic_sign_config_error_is_a_failure_not_auth(sim):
    s = sample("growth_sign", "missing pr")
    serve(sim, "growth_sign", s["body"], s["http_status"])
    result = run_sign(sim)
    assert (result.status, result.reason, result.http_status, result.api_code) == ("failed", "server_error", 500, None)
    assert result.message == "cyclic sign config error" and result.reward_today is None


def test_rejected_sign_parameters_say_so(sim):
    result = run_sign(sim, "__uid=u9; kps=kpsExpired; sign=s; vcode=v")  # a kps the simulator does not know: 401/31001
    assert (result.status, result.reason, result.api_code) == ("failed", "sign_params_rejected", 31001)
    sim.add_drive_fault(Fault("code", endpoint="growth_sign", code=31001, status=401))
    result = run_sign(sim)
    assert (result.status, result.reason, result.api_code) == ("failed", "sign_params_rejected", 31001)


def test_44210_stays_already_signed(sim):
    sim.add_drive_fault(Fault("code", endpoint="growth_sign", code=44210, status=400))
    result = run_sign(sim)
    assert (result.status, result.reward_today, result.progress) == ("already_signed", 20 * MiB, 0)


def test_signed_per_growth_info_is_already_signed_without_a_sign_request(sim):
    sim.account().signed_today = True
    assert run_sign(sim).status == "already_signed" and sim.requests(endpoint="growth_sign") == []


# --- the simulator's growth endpoints: what each request shape gets ----------------------------------------


def growth(sim: Simulator, method: str, what: str, *, drop: tuple[str, ...] = (), json_type: bool = True):
    """One growth request with the client's parameters less `drop`; json_type=False: no Content-Type."""
    params = {k: v for k, v in {"pr": "ucpro", "fr": "android", "kps": "kpsOne", "sign": "s", "vcode": "v"}.items() if k not in drop}
    headers = {"Content-Type": "application/json"} if method == "POST" and json_type else {}
    r = urllib3.request(method, sim.base_url + API + what + "?" + urlencode(params), headers=headers,
                        body=b'{"sign_cyclic":true}' if method == "POST" else None, retries=False)
    return r.status, json.loads(r.data)


def test_simulator_sign_without_content_type_answers_an_empty_success_and_signs_nothing(sim):
    """growth_sign[3]: 200 + code 0 + data {} (the request is not carried out)."""
    assert growth(sim, "POST", "sign", json_type=False)[1]["data"] == {}
    assert sim.sign_state()["signed_today"] is False
    assert growth(sim, "POST", "sign")[1]["data"] == {"sign_daily_reward": 20 * MiB}
    assert sim.sign_state()["signed_today"] is True


def test_simulator_sign_without_pr_is_a_500_without_code(sim):
    """growth_sign[4]: 500 cyclic sign config error, no code; nothing signed."""
    assert growth(sim, "POST", "sign", drop=("pr",)) == (500, {"status": 500, "message": "cyclic sign config error"})
    assert sim.sign_state()["signed_today"] is False


def test_simulator_growth_without_fr_answers_empty_data(sim):
    """growth_info[1] (and quark-api.md 7 for sign requests): 200 with empty data; nothing signed."""
    assert growth(sim, "GET", "info", drop=("fr",))[1]["data"] == {}
    assert growth(sim, "POST", "sign", drop=("fr",))[1]["data"] == {}
    assert sim.sign_state()["signed_today"] is False


def test_simulator_sign_answer_modes(sim):
    account = sim.account()
    account.sign_answer = "empty"
    assert growth(sim, "POST", "sign")[1]["data"] == {} and sim.sign_state()["signed_today"] is False
    account.sign_answer = "empty_signed"
    assert growth(sim, "POST", "sign")[1]["data"] == {} and sim.sign_state()["signs"] == 1
    assert growth(sim, "POST", "sign")[1]["code"] == 44210
    account.sign_answer = "bogus"
    sim.new_day()
    assert growth(sim, "POST", "sign")[1]["code"] == 15000  # a test's typo shows as the simulator's 500
