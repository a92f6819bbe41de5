"""Shapes that moved (issue 21, item 6): what the simulator answers since the 2026 samples of
quark-replies.json, and how the client and the probe read it. The samples are read from the probe's
shipped expected.json (built from quark-replies.json), so nothing here depends on a file outside the repository.
"""

from __future__ import annotations

import pytest
import requests

from helpers.loopback_http import loopback_session  # noqa: F401 (the `http` fixture)
from helpers.ticks import Ticks
from quarkctl.probe import samples
from quarkctl.probe.compare import compare
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.verdict import Outcome, Verdict
from quarkctl.simulator import Share, Simulator, load_scenario
from quarkctl.simulator.model import node_fid_token

API = "/1/clouddrive"
SHARE = API + "/share/sharepage"
COOKIE = "__uid=u1; __puus=abc"
COOKIE2 = "__uid=u2; __puus=def"
PUBLIC = Share(pwd_id="5bdd18e537b6", title="剧集B", files=[{"name": "E01.mkv", "size": 100}])
LOCKED = Share(pwd_id="10cced123456", title="带提取码", passcode="ab12", files=["a.txt"])
EXPECTED = samples.load()


def _sample(endpoint: str, words: str) -> dict:
    return next(s for s in EXPECTED[endpoint] if words in s["case"])


LIVE_2026 = _sample("share_token", "url_type present")  # share_token[12], captured 2026-02
LIVE_2026_07 = _sample("share_token", "metadata groups grow")  # share_token[13], captured 2026-07
LIVE_2025 = _sample("share_token", "alive (no passcode")  # share_token[0], captured 2025-06, no url_type


@pytest.fixture
def sim():
    with Simulator(cookies=[COOKIE, COOKIE2], shares=[PUBLIC, LOCKED], drive=["/追更/", {"path": "/追更/说明.txt", "size": 9}],
                   task_polls=0, tq_gap=10) as sim:  # fmt: skip
        yield sim


def _token(http: requests.Session, sim: Simulator, pwd_id: str = PUBLIC.pwd_id, passcode: str = "") -> requests.Response:
    return http.post(sim.base_url + SHARE + "/token", json={"pwd_id": pwd_id, "passcode": passcode})


def _save(http: requests.Session, sim: Simulator, pwd_id: str, name: str, cookie: str = COOKIE,
          changed: dict | None = None) -> requests.Response:  # fmt: skip
    """A save as the client sends it; `changed` replaces fields of the body."""
    stoken = _token(http, sim, pwd_id).json()["data"]["stoken"]
    payload = {"fid_list": [sim.fid_of(pwd_id, name)], "fid_token_list": [node_fid_token(pwd_id, name)],
               "to_pdir_fid": sim.drive(cookie).node("/追更")["fid"], "pwd_id": pwd_id, "stoken": stoken, "pdir_fid": "0",
               "scene": "link", **(changed or {})}  # fmt: skip
    return http.post(sim.base_url + SHARE + "/save", json=payload, headers={"Cookie": cookie})


# --- the token reply of 2026 ----------------------------------------------------------------------


# share_token[12]'s data keys in the order the capture shows them (expected.json keeps them sorted)
LIVE_2026_ORDER = ["subscribed", "stoken", "share_type", "author", "url_type", "expired_type", "expired_at", "title"]


def test_the_token_reply_has_the_2026_keys_in_their_order(http, sim):
    """share_token[12]/[13] (captured): url_type between author and expired_type; [13]'s metadata groups."""
    body = _token(http, sim).json()
    assert sorted(LIVE_2026_ORDER) == sorted(LIVE_2026["body"]["data"]) == sorted(LIVE_2026_07["body"]["data"])
    assert list(body["data"]) == LIVE_2026_ORDER
    assert sorted(body["data"]["author"]) == sorted(LIVE_2026["body"]["data"]["author"])
    assert body["data"]["url_type"] == 1  # a public share, as both captures show
    assert body["metadata"] == LIVE_2026_07["body"]["metadata"]
    locked = _token(http, sim, LOCKED.pwd_id, "ab12").json()["data"]
    assert locked["url_type"] == 2  # a passcode share (inferred from share/password and the detail's share object)


def test_the_probe_takes_url_type_as_optional(http, sim):
    """The probe compares the simulator's 2026 reply with share_token[12]; without url_type the same reply
    is an older capture's shape (share_token[0]), not a difference. Its type still counts, and any other
    new key is still reported."""
    body = _token(http, sim).json()
    now = compare("token", 200, body, known_code=True, expected=EXPECTED)
    assert (now.expected, now.differences, now.sample) == (True, [], LIVE_2026["case"])
    for sample in (LIVE_2026, LIVE_2026_07, LIVE_2025):  # each live capture verbatim
        assert compare("token", 200, sample["body"], known_code=True, expected=EXPECTED).differences == []
    older = {**body, "data": {k: v for k, v in body["data"].items() if k != "url_type"}}
    before = compare("token", 200, older, known_code=True, expected=EXPECTED)
    assert (before.expected, before.differences, before.sample) == (True, [], LIVE_2025["case"])
    as_text = compare("token", 200, {**body, "data": {**body["data"], "url_type": "1"}}, known_code=True, expected=EXPECTED)
    assert not as_text.expected and as_text.differences == ["$.data.url_type: type changed (number expected, string received)"]
    newer = compare("token", 200, {**body, "data": {**body["data"], "visit_limit": 0}}, known_code=True, expected=EXPECTED)
    assert not newer.expected and newer.differences == ["$.data.visit_limit: new key"]


def test_the_client_reads_a_token_reply_with_keys_it_does_not_know_as_alive():
    """Lenient about how success is spelled (a key renamed, url_type gone), strict about dead: the link is
    valid, and the probe is the one that names the change."""
    scenario = {"shares": [{"pwd_id": PUBLIC.pwd_id, "title": "剧集B", "files": ["E01.mkv"]}],
                "reshape": [{"endpoint": "token", "rename": "data.subscribed", "to": "subscribed_v2"},
                            {"endpoint": "token", "drop": "data.url_type"}]}  # fmt: skip
    with Simulator.from_scenario(scenario) as sim:
        checker = LinkChecker(QuarkClient(api_base=sim.base_url, timeout=5), retries=1, backoff=0.0, sleep=lambda s: True)
        result = checker.check(f"https://pan.quark.cn/s/{PUBLIC.pwd_id}")
        assert result.verdict is Verdict.VALID, result
        with QuarkClient(api_base=sim.base_url, timeout=5) as client:
            body = client.share_token(PUBLIC.pwd_id, "").body
    differences = compare("token", 200, body, known_code=True, expected=EXPECTED).differences
    assert differences == ["$.data.subscribed: key missing", "$.data.subscribed_v2: new key"]


# --- save: 41017 (own share) and an empty pwd_id -----------------------------------------------------


def test_saving_your_own_share_is_41017(http, sim):
    """save[3] (captured): 404 41017 用户禁止转存自己的分享 when the saving account made the share; another
    account saves the same link as usual."""
    own = sim.own_shares.share("/追更/说明.txt", cookie=COOKIE)
    refused = _save(http, sim, own.pwd_id, "说明.txt").json()
    assert (refused["status"], refused["code"], refused["message"]) == (404, 41017, "用户禁止转存自己的分享")
    assert "data" not in refused and sim.requests("task") == []
    other = _save(http, sim, own.pwd_id, "说明.txt", cookie=COOKIE2)
    assert other.status_code == 200 and other.json()["code"] == 0 and other.json()["data"]["task_id"]
    session = DriveSession(QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5), sleep=lambda s: True, retries=1,
                           backoff=0.0, task_timeout=3, monotonic=Ticks())  # fmt: skip
    stoken = _token(http, sim, own.pwd_id).json()["data"]["stoken"]
    with pytest.raises(ApiFailure) as caught:
        session.save([sim.fid_of(own.pwd_id, "说明.txt")], [node_fid_token(own.pwd_id, "说明.txt")],
                     sim.drive(COOKIE).node("/追更")["fid"], own.pwd_id, stoken)  # fmt: skip
    assert caught.value.classified.api_code == 41017 and caught.value.outcome is not Outcome.DEAD


def test_an_own_share_from_a_scenario_refuses_its_owner():
    """How a standalone simulator answers 41017: an own share whose `cookie` is the saving account's."""
    scenario = {"cookies": [COOKIE, COOKIE2], "drive": ["/追更/", "/追更/说明.txt"], "task_polls": 0,
                "own_shares": [{"paths": "/追更/说明.txt", "pwd_id": "abcabc000001", "cookie": COOKIE}]}  # fmt: skip
    with Simulator.from_scenario(scenario) as sim, requests.Session() as http:
        assert _save(http, sim, "abcabc000001", "说明.txt").json()["code"] == 41017
        assert _save(http, sim, "abcabc000001", "说明.txt", cookie=COOKIE2).json()["code"] == 0


@pytest.mark.parametrize("pwd_id", ["", None])
def test_a_save_with_an_empty_pwd_id_is_a_bad_parameter(http, sim, pwd_id):
    """save[5] (parsed): HTTP 400 `Bad Parameter: [pwd_id为空]`; the sample states no code, the simulator
    says 14001, the code of every other Bad Parameter reply (common_errors[1])."""
    r = _save(http, sim, PUBLIC.pwd_id, "E01.mkv", changed={"pwd_id": pwd_id})
    body = r.json()
    assert (r.status_code, body["status"], body["code"], body["message"]) == (400, 400, 14001, "Bad Parameter: [pwd_id为空]")


# --- a failed task answered with data.status 3 ---------------------------------------------------


def _full_drive_save(sim: Simulator, http: requests.Session) -> requests.Response:
    sim.task_polls = 1
    sim.account(COOKIE).base_capacity = 1
    task_id = _save(http, sim, PUBLIC.pwd_id, "E01.mkv").json()["data"]["task_id"]
    poll = lambda retry: http.get(sim.base_url + API + "/task", params={"task_id": task_id, "retry_index": retry},  # noqa: E731
                                  headers={"Cookie": COOKIE})  # fmt: skip
    assert poll(0).json()["data"]["status"] == 0
    return poll(1)


def test_a_failed_task_answers_status_3_when_asked(http, sim):
    """task[9] (parsed): HTTP 200, code 32003 at the top, data {"status": 3}. The default stays task[3]'s
    error envelope (400, no data)."""
    default = _full_drive_save(sim, http)
    assert (default.status_code, default.json()["code"]) == (400, 32003) and "data" not in default.json()
    sim.task_failure_shape = "status3"
    r = _full_drive_save(sim, http)
    body = r.json()
    assert (r.status_code, body["status"], body["code"], body["message"], body["data"]) == (
        200, 200, 32003, "capacity limit[{0}]", {"status": 3})  # fmt: skip


def test_the_client_reads_a_status_3_task_as_the_failure_it_is(sim):
    sim.task_failure_shape = "status3"
    sim.task_polls = 1
    sim.account(COOKIE).base_capacity = 1
    session = DriveSession(QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5), sleep=lambda s: True, retries=1,
                           backoff=0.0, task_timeout=3, monotonic=Ticks())  # fmt: skip
    stoken = session.client.share_token(PUBLIC.pwd_id, "").data["stoken"]
    with pytest.raises(ApiFailure) as caught:
        session.save([sim.fid_of(PUBLIC.pwd_id, "E01.mkv")], [node_fid_token(PUBLIC.pwd_id, "E01.mkv")],
                     sim.drive(COOKIE).node("/追更")["fid"], PUBLIC.pwd_id, stoken)  # fmt: skip
    assert caught.value.classified.api_code == 32003 and caught.value.outcome is not Outcome.DEAD
    assert sim.drive(COOKIE).listdir("/追更") == ["说明.txt"]  # nothing saved


def test_the_task_failure_shape_is_a_scenario_option():
    assert load_scenario({"task_failure_shape": "status3"}).task_failure_shape == "status3"
    assert load_scenario({}).task_failure_shape == "error"
    with pytest.raises(ValueError, match="task_failure_shape"):
        load_scenario({"task_failure_shape": "3"})
    with pytest.raises(ValueError, match="task_failure_shape"):
        Simulator(task_failure_shape="nope")
