"""The Quark API simulator, exercised over real HTTP on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from quarkctl.simulator import Fault, RequestRecord, Share, Simulator, load_scenario
from quarkctl.simulator.model import CODES

TOKEN = "/1/clouddrive/share/sharepage/token"
DETAIL = "/1/clouddrive/share/sharepage/detail"
COOKIE = "__uid=u1; __puus=abc"
REPO = Path(__file__).resolve().parents[3]

SERIES = Share(
    pwd_id="1ed94d530d63",
    title="电影A",
    files=[
        {"name": "b.mp4", "size": 123},
        {"name": "S01", "children": [{"name": "e2.mkv"}, {"name": "e1.mkv"}, {"name": "Extras", "children": []}]},
        "a.txt",
    ],
)


@pytest.fixture
def http():
    with requests.Session() as s:
        s.trust_env = False  # never send loopback traffic through an environment proxy
        yield s


@pytest.fixture
def sim():
    with Simulator(cookies=[COOKIE], shares=[SERIES]) as sim:
        yield sim


def token(http, sim, pwd_id, passcode=None, **kw):
    return http.post(sim.base_url + TOKEN, json={"pwd_id": pwd_id, "passcode": passcode or ""}, **kw)


def stoken(http, sim, pwd_id, passcode=None):
    r = token(http, sim, pwd_id, passcode)
    assert r.status_code == 200, r.text
    return r.json()["data"]["stoken"]


def detail(http, sim, pwd_id, st, **params):
    return http.get(sim.base_url + DETAIL, params={"pwd_id": pwd_id, "stoken": st, **params})


def assert_error(r, code, status=None, message=None):
    body = r.json()
    status = status or CODES[code][0]
    assert (r.status_code, body["status"], body["code"]) == (status, status, code)
    assert "data" not in body
    assert body["req_id"] and isinstance(body["timestamp"], int)
    assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
    if message is not None:
        assert body["message"] == message
    return body


# --- envelope, token, passcode ---------------------------------------------------------------------


def test_token_success_envelope(http, sim):
    r = token(http, sim, SERIES.pwd_id)
    body = r.json()
    assert r.status_code == 200 and r.raw.version == 11
    assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert (body["status"], body["code"], body["message"]) == (200, 0, "ok")
    assert isinstance(body["timestamp"], int) and set(body["metadata"]) == {"_t_group", "_g_group"}
    data = body["data"]
    assert data["title"] == "电影A" and data["expired_type"] == 1 and data["expired_at"] == 4102416000000
    assert data["author"]["nick_name"]
    assert data["stoken"] != stoken(http, sim, SERIES.pwd_id)  # unique per call


@pytest.mark.parametrize("code", [41004, 41006, 41011, 41012, 41019, 41010, 41031, 41021, 14021, 31001])
def test_dead_codes_use_the_code_table(http, code):
    with Simulator(shares=[Share("deadbeef0001", dead_code=code)]) as sim:
        assert_error(token(http, sim, "deadbeef0001"), code, message=CODES[code][1])


def test_inner_error_and_unknown_code(http):
    with Simulator(shares=[Share("aa", dead_code=15000), Share("bb", dead_code=49999)]) as sim:
        body = assert_error(token(http, sim, "aa"), 15000, 500)
        assert body["message"].startswith("inner error, requestId ")
        assert_error(token(http, sim, "bb"), 49999, 400, "unknown error")


def test_unknown_share_is_41006(http, sim):
    assert_error(token(http, sim, "000000000000"), 41006, message="分享不存在")
    assert_error(http.post(sim.base_url + TOKEN, data=b"not json"), 41006)


def test_passcode_missing_wrong_right(http, sim):
    sim.add_share(Share("c0de", title="locked", passcode="Xtqm", files=["x.mp4"]))
    assert_error(token(http, sim, "c0de"), 41008, 404, "需要提取码")
    assert_error(http.post(sim.base_url + TOKEN, json={"pwd_id": "c0de"}), 41008)
    assert_error(token(http, sim, "c0de", "xtqm"), 41007, 404, "提取码错误，请检查后再试。")
    st = stoken(http, sim, "c0de", "Xtqm")
    assert detail(http, sim, "c0de", st).json()["data"]["list"][0]["file_name"] == "x.mp4"


def test_strict_cookie_rejects_unknown_cookie_only(http):
    with Simulator(cookies=[COOKIE], strict_cookie=True, shares=[SERIES]) as sim:
        assert token(http, sim, SERIES.pwd_id).status_code == 200  # anonymous is fine
        assert token(http, sim, SERIES.pwd_id, headers={"Cookie": COOKIE}).status_code == 200
        assert_error(token(http, sim, SERIES.pwd_id, headers={"Cookie": "__uid=old"}), 31001, 401)


# --- detail ----------------------------------------------------------------------------------------


def test_detail_needs_a_stoken_of_that_share(http, sim):
    sim.add_share(Share("other", files=["o.mp4"]))
    assert_error(detail(http, sim, SERIES.pwd_id, "bogus"), 41016, 400, "分享的stoken过期")
    assert_error(detail(http, sim, SERIES.pwd_id, stoken(http, sim, "other")), 41016)
    assert_error(detail(http, sim, "nope", "x"), 41006)
    assert detail(http, sim, SERIES.pwd_id, stoken(http, sim, SERIES.pwd_id)).status_code == 200


def test_root_listing_items_and_order(http, sim):
    st = stoken(http, sim, SERIES.pwd_id)
    body = detail(http, sim, SERIES.pwd_id, st, _fetch_share=1).json()
    assert body["code"] == 0 and body["data"]["is_owner"] == 0
    share = body["data"]["share"]
    assert (share["title"], share["pwd_id"], share["url_type"], share["file_num"]) == ("电影A", SERIES.pwd_id, 1, 3)
    assert abs(share["expired_left"] - (share["expired_at"] - time.time() * 1000)) < 60_000  # the time left
    assert "full_path" not in body["data"]
    items = body["data"]["list"]
    assert [i["file_name"] for i in items] == ["S01", "a.txt", "b.mp4"]  # folders first, then by name
    folder, txt, mp4 = items
    assert (folder["file_type"], folder["dir"], folder["file"], folder["include_items"]) == (0, True, False, 3)
    assert (mp4["file_type"], mp4["dir"], mp4["file"], mp4["size"]) == (1, False, True, 123)
    assert (mp4["obj_category"], mp4["category"], mp4["format_type"]) == ("video", 1, "video/mp4")
    assert txt["obj_category"] == "doc"
    for item in items:
        assert item["pdir_fid"] == "0" and item["status"] == 1
        assert len(item["fid"]) == len(item["share_fid_token"]) == 32
        assert int(item["fid"], 16) >= 0 and item["created_at"] > 10**12
    assert folder["fid"] == sim.fid_of(SERIES.pwd_id, "S01") == hashlib.md5(b"1ed94d530d63/S01").hexdigest()
    assert body["metadata"] == {"_total": 3, "_count": 3, "_size": 50, "_page": 1, "check_fid_token": 1,
                                **{k: body["metadata"][k] for k in ("_t_group", "_g_group")}}


def test_subfolder_listing_and_full_path(http, sim):
    st = stoken(http, sim, SERIES.pwd_id)
    s01 = sim.fid_of(SERIES.pwd_id, "S01")
    body = detail(http, sim, SERIES.pwd_id, st, pdir_fid=s01, ver=2, fetch_share_full_path=1).json()
    assert [i["file_name"] for i in body["data"]["list"]] == ["Extras", "e1.mkv", "e2.mkv"]
    assert {i["pdir_fid"] for i in body["data"]["list"]} == {s01}
    assert body["data"]["full_path"] == [{"fid": s01, "file_name": "S01"}]
    extras = sim.fid_of(SERIES.pwd_id, "S01/Extras")
    body = detail(http, sim, SERIES.pwd_id, st, pdir_fid=extras, ver=2, fetch_share_full_path=1).json()
    assert body["data"]["list"] == [] and body["metadata"]["_total"] == 0
    assert [p["file_name"] for p in body["data"]["full_path"]] == ["S01", "Extras"]
    root = detail(http, sim, SERIES.pwd_id, st, ver=2, fetch_share_full_path=1).json()
    assert root["data"]["full_path"] == []
    assert_error(detail(http, sim, SERIES.pwd_id, st, pdir_fid="f" * 32), 41013, 404, "文件夹不存在")
    file_fid = sim.fid_of(SERIES.pwd_id, "b.mp4")
    assert_error(detail(http, sim, SERIES.pwd_id, st, pdir_fid=file_fid), 41013)


def test_pagination(http):
    files = [{"name": f"ep{i:03d}.mp4"} for i in range(120)]
    with Simulator(shares=[Share("big", files=files)]) as sim:
        st = stoken(http, sim, "big")
        pages = [detail(http, sim, "big", st, _page=p, _size=50).json() for p in (1, 2, 3, 4)]
    assert [p["metadata"]["_count"] for p in pages] == [50, 50, 20, 0]
    assert {p["metadata"]["_total"] for p in pages} == {120}
    assert [p["metadata"]["_page"] for p in pages] == [1, 2, 3, 4]
    names = [i["file_name"] for p in pages for i in p["data"]["list"]]
    assert names == [f["name"] for f in reversed(files)]  # no _sort: the reference's, newest first


MS = 1760700000000
NEWEST_FIRST = "file_type:asc,updated_at:desc"  # what the reference and quarkctl send


def test_detail_honours_sort(http):
    files = [
        {"name": "b.mp4", "updated_at": MS + 30}, {"name": "a.mp4", "updated_at": MS + 10},
        {"name": "c.mp4", "updated_at": MS + 20}, {"name": "S1", "children": [], "updated_at": MS + 1},
        {"name": "S2", "children": [], "updated_at": MS + 2},
    ]  # fmt: skip
    with Simulator(shares=[Share("srt", files=files)]) as sim:
        st = stoken(http, sim, "srt")

        def order(**params):
            return [i["file_name"] for i in detail(http, sim, "srt", st, **params).json()["data"]["list"]]

        assert order(_sort=NEWEST_FIRST) == ["S2", "S1", "b.mp4", "c.mp4", "a.mp4"]
        assert order() == order(_sort=NEWEST_FIRST)  # no _sort: the same order as file/sort's default
        assert order(_sort="file_type:asc,file_name:asc") == ["S1", "S2", "a.mp4", "b.mp4", "c.mp4"]
        assert order(_sort="updated_at:asc") == ["S1", "S2", "a.mp4", "c.mp4", "b.mp4"]
        pages = [order(_sort=NEWEST_FIRST, _page=p, _size=2) for p in (1, 2, 3)]
        assert pages == [["S2", "S1"], ["b.mp4", "c.mp4"], ["a.mp4"]]  # pages cut the sorted list


def test_default_times_are_distinct_later_nodes_newer_explicit_ones_win():
    share = Share("t", files=["e1.mp4", {"name": "S01", "children": ["x.mp4"]}, "e2.mp4",
                              {"name": "old.mp4", "updated_at": MS - 5, "created_at": MS - 9}, "e3.mp4"])
    listing = Simulator(shares=[share])._shares["t"].listing
    item = {i["file_name"]: i for i in listing.items.values()}
    times = [item[n]["updated_at"] for n in ("e1.mp4", "S01", "x.mp4", "e2.mp4", "e3.mp4")]
    assert times == sorted(set(times)) and times[0] == MS  # distinct, in scenario order (depth first)
    assert all(item[n]["created_at"] == item[n]["updated_at"] for n in ("e1.mp4", "e3.mp4"))
    assert (item["old.mp4"]["updated_at"], item["old.mp4"]["created_at"]) == (MS - 5, MS - 9)
    assert Simulator(shares=[share])._shares["t"].listing.items == listing.items  # deterministic


def test_empty_share_and_share_dying_after_token(http):
    with Simulator(shares=[Share("empty"), Share("dies", files=["x.mp4"], detail_code=41004)]) as sim:
        body = detail(http, sim, "empty", stoken(http, sim, "empty")).json()
        assert (body["code"], body["data"]["list"], body["metadata"]["_total"]) == (0, [], 0)
        st = stoken(http, sim, "dies")
        assert_error(detail(http, sim, "dies", st), 41004, 404, "文件不存在")


def test_live_changes_to_a_share(http, sim):
    st = stoken(http, sim, SERIES.pwd_id)
    sim.shares[SERIES.pwd_id].detail_code = 41012
    try:
        assert_error(detail(http, sim, SERIES.pwd_id, st), 41012)
    finally:
        sim.shares[SERIES.pwd_id].detail_code = None  # SERIES is shared by the tests
    assert detail(http, sim, SERIES.pwd_id, st).status_code == 200
    sim.invalidate_stokens(SERIES.pwd_id)
    assert_error(detail(http, sim, SERIES.pwd_id, st), 41016)


# --- faults ----------------------------------------------------------------------------------------


def test_code_fault_counts_times_then_recovers(http, sim):
    sim.add_fault(SERIES.pwd_id, Fault("code", code=15000, times=2))
    assert_error(token(http, sim, SERIES.pwd_id), 15000, 500)
    assert_error(token(http, sim, SERIES.pwd_id), 15000, 500)
    assert token(http, sim, SERIES.pwd_id).status_code == 200
    assert [r.status for r in sim.requests(endpoint="token")] == [500, 500, 200]


def test_fault_overrides_and_list_order(http):
    faults = [
        Fault("code", code=14021, times=1, status=403, message="风控"),
        Fault("code", code=41011, times=1),
        Fault("code", code=31001, endpoint="detail"),  # never matches a token call
    ]
    with Simulator(shares=[Share("f", files=["x.mp4"], faults=faults)]) as sim:
        assert_error(token(http, sim, "f"), 14021, 403, "风控")
        assert_error(token(http, sim, "f"), 41011, 404)
        st = stoken(http, sim, "f")
        assert_error(detail(http, sim, "f", st), 31001, 401)  # times=None: always
        assert_error(detail(http, sim, "f", st), 31001, 401)


def test_fault_counters_are_per_simulator(http):
    share = Share("f", files=["x.mp4"], faults=[Fault("code", code=15000, times=1)])
    for _ in range(2):
        with Simulator(shares=[share]) as sim:
            assert token(http, sim, "f").status_code == 500
            assert token(http, sim, "f").status_code == 200


def test_http_error_html_and_garbage_faults(http, sim):
    sim.add_fault(SERIES.pwd_id, Fault("http_error", times=1))
    sim.add_fault(SERIES.pwd_id, Fault("http_error", status=503, times=1))
    sim.add_fault(SERIES.pwd_id, Fault("html", times=1))
    sim.add_fault(SERIES.pwd_id, Fault("garbage", times=1))
    r = token(http, sim, SERIES.pwd_id)
    assert r.status_code == 502 and "502 Bad Gateway" in r.text
    assert r.headers["Content-Type"].startswith("text/html")
    r = token(http, sim, SERIES.pwd_id)
    assert r.status_code == 503 and "Service Unavailable" in r.text
    r = token(http, sim, SERIES.pwd_id)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html") and "<html" in r.text
    r = token(http, sim, SERIES.pwd_id)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json;charset=UTF-8"
    with pytest.raises(ValueError):
        r.json()
    assert token(http, sim, SERIES.pwd_id).json()["code"] == 0


def test_rate_limit_fault(http, sim):
    sim.add_fault(SERIES.pwd_id, Fault("rate_limit", times=1))
    sim.add_fault(SERIES.pwd_id, Fault("rate_limit", times=1, retry_after=7))
    r = token(http, sim, SERIES.pwd_id)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "1") and "<html" in r.text
    assert token(http, sim, SERIES.pwd_id).headers["Retry-After"] == "7"
    assert token(http, sim, SERIES.pwd_id).status_code == 200


def test_slow_fault_delays_then_answers(http, sim):
    sim.add_fault(SERIES.pwd_id, Fault("slow", delay=0.3, times=1))
    started = time.monotonic()
    assert token(http, sim, SERIES.pwd_id).json()["code"] == 0
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    token(http, sim, SERIES.pwd_id)
    assert time.monotonic() - started < 0.3


def test_stop_cuts_a_slow_fault_short(http):
    sim = Simulator(shares=[Share("slow", faults=[Fault("slow", delay=60)])])
    sim.start()
    done = threading.Event()

    def call():
        try:
            token(http, sim, "slow", timeout=10)
        except requests.RequestException:
            pass
        done.set()

    threading.Thread(target=call, daemon=True).start()
    deadline = time.monotonic() + 5
    while sim.active == 0 and time.monotonic() < deadline:  # wait for the request to reach the handler
        time.sleep(0.005)
    assert sim.active == 1
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 2
    assert done.wait(5)


def test_stoken_expired_fault_forces_a_new_token(http):
    faults = [Fault("stoken_expired", endpoint="detail", times=1)]
    with Simulator(shares=[Share("exp", files=["x.mp4"], faults=faults)]) as sim:
        old = stoken(http, sim, "exp")
        assert_error(detail(http, sim, "exp", old), 41016, 400, "分享的stoken过期")
        assert_error(detail(http, sim, "exp", old), 41016)  # the fault is spent, the stoken stays dead
        new = stoken(http, sim, "exp")
        assert detail(http, sim, "exp", new).json()["data"]["list"][0]["file_name"] == "x.mp4"


def test_reset_fault_drops_the_connection(http, sim):
    sim.add_fault(SERIES.pwd_id, Fault("reset", times=1))
    with pytest.raises(requests.ConnectionError):
        token(http, sim, SERIES.pwd_id)
    assert token(http, sim, SERIES.pwd_id).status_code == 200
    assert [r.status for r in sim.requests(endpoint="token")] == [0, 200]


def test_any_endpoint_fault_hits_token_and_detail(http):
    share = Share("a", files=["x.mp4"], faults=[Fault("code", endpoint="any", times=2)])
    with Simulator(shares=[share]) as sim:
        assert_error(token(http, sim, "a"), 15000)  # code defaults to 15000
        assert_error(detail(http, sim, "a", "whatever"), 15000)
        assert detail(http, sim, "a", stoken(http, sim, "a")).status_code == 200


# --- account -----------------------------------------------------------------------------------------


def test_account_info(http, sim):
    """The account service's envelope (quark-replies.json account_info, captured), and a new __puus."""
    params, headers = {"fr": "pc", "platform": "pc"}, {"Cookie": f"{COOKIE}  "}
    r = http.get(sim.base_url + "/account/info", params=params, headers=headers)
    body = r.json()
    assert r.status_code == 200 and body["success"] is True and body["code"] == "OK" and "status" not in body
    assert set(body["data"]) == {"nickname", "avatarUri", "mobilekps", "config"}
    assert r.headers["Set-Cookie"].startswith("__puus=")
    new = r.headers["Set-Cookie"].split(";")[0]  # the rotated cookie is accepted, whatever its spacing
    assert http.get(sim.base_url + "/account/info", headers={"Cookie": f"__uid=u1;{new}"}).json()["data"]["nickname"] == "sim-user"
    for headers in ({}, {"Cookie": "__uid=u1; __puus=expired"}, {"Cookie": "__uid=u1; __puus=abcx"}):
        r = http.get(sim.base_url + "/account/info", headers=headers)
        assert r.status_code == 200 and r.json() == {"success": True, "code": "OK", "data": {}}
        assert "Set-Cookie" not in r.headers


# --- request log, routing, lifecycle ---------------------------------------------------------------


def test_request_log_fields(http, sim):
    before = time.monotonic()
    token(http, sim, SERIES.pwd_id, headers={"Host": "drive-pc.quark.cn", "Cookie": COOKIE})
    detail(http, sim, SERIES.pwd_id, "bad", __dt=123, pr="ucpro")
    http.get(sim.base_url + "/nope")
    tok, det, other = sim.log
    assert isinstance(tok, RequestRecord)
    assert before <= tok.t <= det.t <= other.t and abs(tok.wall - time.time()) < 60
    assert (tok.method, tok.path, tok.endpoint, tok.pwd_id) == ("POST", TOKEN, "token", SERIES.pwd_id)
    assert tok.body == {"pwd_id": SERIES.pwd_id, "passcode": ""} and tok.query == {}
    assert (tok.host, tok.has_cookie, tok.status) == ("drive-pc.quark.cn", True, 200)
    assert (det.method, det.endpoint, det.pwd_id, det.body) == ("GET", "detail", SERIES.pwd_id, None)
    assert det.status == 400
    assert det.query == {"pwd_id": SERIES.pwd_id, "stoken": "bad", "__dt": "123", "pr": "ucpro"}
    assert det.host == f"127.0.0.1:{sim.port}" and not det.has_cookie
    assert (other.endpoint, other.pwd_id, other.status) == ("other", None, 404)
    assert sim.requests(endpoint="detail") == [det] and sim.requests(pwd_id=SERIES.pwd_id) == [tok, det]
    with pytest.raises(AttributeError):
        tok.status = 1  # frozen
    sim.clear_log()
    assert sim.log == []


def test_unknown_routes_are_json_404(http, sim):
    for r in (http.get(sim.base_url + "/1/clouddrive/nothing"), http.get(sim.base_url + TOKEN)):
        assert_error(r, 404, 404, "not found")
    assert [r.endpoint for r in sim.log] == ["other", "other"]


def test_sim_log_endpoint(http, sim):
    token(http, sim, SERIES.pwd_id)
    r = http.get(sim.base_url + "/__sim__/log")
    records = r.json()
    assert r.status_code == 200 and len(records) == 1
    assert (records[0]["endpoint"], records[0]["pwd_id"], records[0]["status"]) == ("token", SERIES.pwd_id, 200)
    assert len(sim.log) == 1  # the log request itself is not logged
    assert http.get(sim.base_url + "/__sim__/log", params={"endpoint": "detail"}).json() == []


def test_concurrent_requests_keep_alive(sim):
    def worker(results):
        with requests.Session() as s:
            s.trust_env = False
            for _ in range(10):
                results.put(s.post(sim.base_url + TOKEN, json={"pwd_id": SERIES.pwd_id}).status_code)

    results: queue.Queue = queue.Queue()
    threads = [threading.Thread(target=worker, args=(results,)) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.queue) == [200] * 160 and len(sim.log) == 160


def test_stop_closes_idle_keep_alive_connections(http):
    sim = Simulator(shares=[SERIES])
    sim.start()
    assert token(http, sim, SERIES.pwd_id).status_code == 200
    sim.stop()
    with pytest.raises(requests.ConnectionError):
        token(http, sim, SERIES.pwd_id, timeout=5)
    sim.stop()  # idempotent


def test_fids_are_deterministic():
    a, b = Simulator(shares=[SERIES]), Simulator(shares=[SERIES])
    assert a.fid_of(SERIES.pwd_id, "S01/e1.mkv") == b.fid_of(SERIES.pwd_id, "/S01/e1.mkv/")
    assert a.fid_of(SERIES.pwd_id, "") == "0"
    with pytest.raises(KeyError):
        a.fid_of(SERIES.pwd_id, "S01/missing.mkv")


def test_scenarios():
    sc = {"cookies": [COOKIE], "strict_cookie": True, "shares": [
        {"pwd_id": "p1", "title": "t", "passcode": "abcd", "files": ["a.mp4"],
         "faults": [{"kind": "slow", "endpoint": "detail", "times": 1, "delay": 0.1}]},
    ]}  # fmt: skip
    sim = Simulator.from_scenario(sc)
    assert sim.cookies == [COOKIE] and sim.strict_cookie
    assert sim.shares["p1"].faults == [Fault("slow", endpoint="detail", times=1, delay=0.1)]
    with pytest.raises(ValueError, match="shares\\[0\\].*typo"):
        load_scenario({"shares": [{"pwd_id": "x", "typo": 1}]})
    with pytest.raises(ValueError, match="fault kind"):
        load_scenario({"shares": [{"pwd_id": "x", "faults": [{"kind": "boom"}]}]})
    example = load_scenario()
    assert len(example.shares) >= 20
    states = {s.expected_state() for s in example.shares}
    assert {"alive", "empty", "dead:41004", "dies-after-token:41004"} <= states
    assert any(s.passcode for s in example.shares)
    assert any(f.kind == "code" and f.code == 15000 and f.times == 1 for s in example.shares for f in s.faults)


def test_example_scenario_over_http(http):
    with Simulator.from_scenario() as sim:
        for share in sim.shares.values():
            if share.faults or share.dead_code:
                continue
            st = stoken(http, sim, share.pwd_id, share.passcode)
            assert detail(http, sim, share.pwd_id, st).json()["code"] == (share.detail_code or 0)


# --- python -m quarkctl.simulator ------------------------------------------------------------------


def run_module(*args, **kw):
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.Popen(
        [sys.executable, "-m", "quarkctl.simulator", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO, **kw,
    )  # fmt: skip


def readline(pipe, timeout=10.0):
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: lines.put(pipe.readline()), daemon=True).start()
    return lines.get(timeout=timeout)


def test_module_serves_until_sigterm(http):
    proc = run_module()
    try:
        first = readline(proc.stdout)
        assert first.startswith("QUARK_API_BASE=http://127.0.0.1:")
        base = first.strip().split("=", 1)[1]
        example = load_scenario()
        r = http.post(base + TOKEN, json={"pwd_id": example.shares[0].pwd_id, "passcode": ""})
        assert r.json()["code"] == 0
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0 and out == "" and "Traceback" not in err


def test_module_list():
    proc = run_module("--list")
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    example = load_scenario()
    assert len(lines) == len(example.shares) + len(example.drive_shares)  # the other drives' after Quark's
    assert all(line.startswith("https://pan.quark.cn/s/") for line in lines[:len(example.shares)])
    locked = next(s for s in example.shares if s.passcode)
    assert f"https://pan.quark.cn/s/{locked.pwd_id}?pwd={locked.passcode}\talive" in out


def test_module_refuses_remote_host(tmp_path):
    proc = run_module("--host", "0.0.0.0")
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and out == "" and len(err.strip().splitlines()) == 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"shares": [{"nope": 1}]}))
    proc = run_module("--scenario", str(bad), "--list")
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and "Traceback" not in err
