"""The simulator's own shares (issue 17): share/mypage/detail, POST share (+ task), share/password,
share/delete, and how an own share's public link dies; over real HTTP on loopback."""

from __future__ import annotations

import pytest

from helpers.loopback_http import loopback_session  # noqa: F401 (the `http` fixture)
from helpers.ticks import Ticks
from quarkctl.simulator import Fault, Simulator
from quarkctl.simulator.clock import end_of_china_day
from quarkctl.simulator.model import CODES, NEVER_EXPIRES_MS

API = "/1/clouddrive"
COOKIE = "__uid=own1; __puus=ownPuusSecret"
OTHER = "__uid=own2; __puus=otherPuus"
DAY = 86_400_000


@pytest.fixture
def sim():
    drive = ["/追更/剧集A/01.mp4", "/追更/剧集A/02.mp4", "/追更/剧集A/花絮/sp.mp4", "/追更/说明.txt", "/追更/海报.jpg"]
    with Simulator(cookies=[COOKIE, OTHER], drive=drive, tq_gap=10) as sim:
        yield sim


def call(http, sim, method, path, cookie=COOKIE, **kw):
    return http.request(method, sim.base_url + API + path, headers={"Cookie": cookie} if cookie else {}, **kw)


def fid(sim, path, cookie=COOKIE):
    return sim.drive(cookie).node(path)["fid"]


def create(http, sim, paths=("/追更/剧集A",), cookie=COOKIE, **body):
    payload = {"fid_list": [fid(sim, p, cookie) for p in paths], "title": "剧集A", "url_type": 1, "expired_type": 1, **body}
    return call(http, sim, "POST", "/share", cookie, json=payload)


def poll(http, sim, task_id, retry=0, cookie=COOKIE):
    return call(http, sim, "GET", "/task", cookie, params={"task_id": task_id, "retry_index": retry})


def mine(http, sim, cookie=COOKIE, **params):
    params = {"_page": 1, "_size": 50, "_order_field": "created_at", "_order_type": "desc", "_fetch_total": 1,
              "_fetch_notify_follow": 1, **params}  # fmt: skip
    return call(http, sim, "GET", "/share/mypage/detail", cookie, params=params).json()


def password(http, sim, share_id, cookie=COOKIE):
    return call(http, sim, "POST", "/share/password", cookie, json={"share_id": share_id})


def token(http, sim, pwd_id, passcode=""):
    return http.post(sim.base_url + API + "/share/sharepage/token", json={"pwd_id": pwd_id, "passcode": passcode}).json()


def assert_error(r, code):
    body = r.json()
    assert (r.status_code, body["code"]) == (CODES[code][0], code), r.text
    assert "data" not in body
    return body


def test_create_is_synchronous_and_the_link_works(http, sim):
    """share_create[0]: task_sync + the done task inside; share/password gives the link; the list shows it."""
    r = create(http, sim)
    body = r.json()
    assert r.status_code == 200 and body["data"]["task_sync"] is True and body["metadata"]["tq_gap"] == 10
    task = body["data"]["task_resp"]
    assert (task["code"], task["data"]["status"], task["data"]["task_type"]) == (0, 2, 8)
    assert "expired_timestamp" not in task["data"]["share"]  # permanent (task[2] note)
    share_id = task["data"]["share_id"]
    assert len(share_id) == 32
    link = password(http, sim, share_id).json()["data"]
    assert link["share_url"] == f"https://pan.quark.cn/s/{link['pwd_id']}" and "passcode" not in link
    assert (link["expired_type"], link["expired_at"], link["file_num"], link["path_info"]) == (1, NEVER_EXPIRES_MS, 1, "/追更")
    page = mine(http, sim)
    assert page["metadata"] == {"_size": 50, "_page": 1, "_count": 1, "_total": 1} and page["data"]["notify_follow"] == {"allow": 0}
    item = page["data"]["list"][0]
    assert (item["share_id"], item["pwd_id"], item["title"], item["status"], item["is_owner"]) == (share_id, link["pwd_id"], "剧集A", 1, 1)
    assert item["first_fid"] == fid(sim, "/追更/剧集A") == item["first_file"]["fid"]  # the owner's fid: re-create from it
    assert "passcode" not in item
    # The public link: the token works, the listing shows the folder's content as it was shared.
    st = token(http, sim, link["pwd_id"])["data"]["stoken"]
    detail = http.get(sim.base_url + API + "/share/sharepage/detail",
                      params={"pwd_id": link["pwd_id"], "stoken": st, "pdir_fid": "0"}).json()  # fmt: skip
    assert [x["file_name"] for x in detail["data"]["list"]] == ["剧集A"]
    assert sim.own_shares.of(COOKIE)[0].link == link["share_url"]


def test_the_asynchronous_path_is_pending_first_then_polled(http, sim):
    """task_polls 2: the answer holds only the task id; task[0] twice (no share_id), then task[2]."""
    sim.own_shares.task_polls = 2
    data = create(http, sim).json()["data"]
    assert set(data) == {"task_id", "task_sync"} and data["task_sync"] is False
    for retry in (0, 1):
        pending = poll(http, sim, data["task_id"], retry).json()["data"]
        assert pending["status"] == 0 and "share_id" not in pending and pending["share"] == {"meaning_link": True}
        assert mine(http, sim)["data"]["list"] == []  # not made yet
    done = poll(http, sim, data["task_id"], 2).json()["data"]
    assert done["status"] == 2 and done["creation_snapshot"] == {"success_count": 1, "failed_count": 0}
    assert [s["share_id"] for s in mine(http, sim)["data"]["list"]] == [done["share_id"]]


def test_a_seven_day_share_expires_when_the_clock_passes_it(http, sim):
    share = sim.own_shares.share("/追更/剧集A", expiry="7d")
    assert share.expire_timestamp == share.created_at + 7 * DAY
    assert share.expired_at == end_of_china_day(share.expire_timestamp) >= share.expire_timestamp
    sim.advance(days=6)
    assert token(http, sim, share.pwd_id)["code"] == 0
    assert mine(http, sim)["data"]["list"][0]["status"] == 1
    sim.advance(days=2)
    assert token(http, sim, share.pwd_id)["code"] == 41019  # 分享地址已过期 (quark-api.md 4.1)
    item = mine(http, sim)["data"]["list"][0]
    assert (item["status"], item["expired_left"], item["expired_type"]) == (2, 0, 3)
    assert_error(password(http, sim, share.share_id), 41019)


def test_end_of_day_is_china_time_as_in_the_sample():
    assert end_of_china_day(1748504320207 + DAY) == 1748620799000  # share_password[1]


def test_a_one_day_share_created_by_post_carries_its_expiry(http, sim):
    done = create(http, sim, expired_type=2).json()["data"]["task_resp"]["data"]
    assert done["share"]["expired_timestamp"] == done["created_at"] + DAY  # task[2]
    link = password(http, sim, done["share_id"]).json()["data"]
    assert link["expire_timestamp"] == done["created_at"] + DAY and link["expired_at"] == end_of_china_day(link["expire_timestamp"])


def test_share_delete_cancels_and_the_link_answers_41012(http, sim):
    share = sim.own_shares.share("/追更/剧集A")
    r = call(http, sim, "POST", "/share/delete", json={"share_ids": [share.share_id, "f" * 32]})
    assert r.status_code == 200 and r.json()["code"] == 0 and "data" not in r.json()
    assert token(http, sim, share.pwd_id)["code"] == 41012  # 好友已取消了分享
    assert mine(http, sim)["data"]["list"][0]["status"] == 3
    sim.own_shares.keep_cancelled = False
    assert mine(http, sim)["data"]["list"] == []
    assert_error(call(http, sim, "POST", "/share/delete", json={"share_id": share.share_id}), 10001)  # singular: refused


def test_a_flagged_item_fails_the_share_task_with_41026(http, sim):
    sim.own_shares.flag("/追更/剧集A/花絮/sp.mp4")  # inside the folder: the whole share is refused
    data = create(http, sim).json()["data"]
    assert "task_resp" not in data  # share-api.md 3: raised while polling the share task
    assert_error(poll(http, sim, data["task_id"]), 41026)
    assert mine(http, sim)["data"]["list"] == []
    sim.own_shares.violation_in_task_resp = True
    task = create(http, sim).json()["data"]["task_resp"]
    assert (task["status"], task["code"], task["message"]) == (400, 41026, "选中的文件违规，不支持分享")
    assert create(http, sim, paths=["/追更/说明.txt"]).json()["data"]["task_resp"]["code"] == 0  # the rest may be shared


def test_a_takedown_answers_41010_and_cannot_be_reshared(http, sim):
    share = sim.own_shares.share("/追更/剧集A")
    sim.own_shares.take_down(share)
    assert token(http, sim, share.pwd_id)["code"] == 41010
    assert mine(http, sim)["data"]["list"][0]["audit_status"] == 3
    data = create(http, sim).json()["data"]
    assert_error(poll(http, sim, data["task_id"]), 41026)


def test_files_deleted_from_the_drive_kill_the_link_with_41004(http, sim):
    share = sim.own_shares.share("/追更/剧集A")
    call(http, sim, "POST", "/file/delete", json={"action_type": 2, "filelist": [fid(sim, "/追更/剧集A")], "exclude_fids": []})
    assert token(http, sim, share.pwd_id)["code"] == 41004
    sim.own_shares.invalidate(sim.own_shares.share("/追更/说明.txt"))
    assert token(http, sim, sim.own_shares.of()[-1].pwd_id)["code"] == 41011


def test_a_passcode_share(http, sim):
    done = create(http, sim, url_type=2, passcode="ab12", expired_type=3).json()["data"]["task_resp"]["data"]
    link = password(http, sim, done["share_id"]).json()["data"]
    assert (link["url_type"], link["passcode"], link["thumbnail"]) == (2, "ab12", "")
    assert token(http, sim, link["pwd_id"])["code"] == 41008 and token(http, sim, link["pwd_id"], "ab12")["code"] == 0
    assert "passcode" not in mine(http, sim)["data"]["list"][0]  # a live check: the list never shows it
    generated = create(http, sim, url_type=2).json()["data"]["task_resp"]["data"]
    assert len(password(http, sim, generated["share_id"]).json()["data"]["passcode"]) == 4
    bad = assert_error(create(http, sim, url_type=2, passcode="abc"), 10001)
    assert bad["message"] == "passcode must be 4 letters or digits"


def test_a_multi_item_share_lists_its_first_item(http, sim):
    share = sim.own_shares.share(["/追更/说明.txt", "/追更/剧集A", "/追更/海报.jpg"], title="合集")
    item = mine(http, sim)["data"]["list"][0]
    assert (item["file_num"], item["first_fid"], item["path_info"], item["file_only_num"]) == (3, fid(sim, "/追更/说明.txt"), "/追更", 2)
    assert share.fids == [fid(sim, p) for p in ["/追更/说明.txt", "/追更/剧集A", "/追更/海报.jpg"]]


def test_the_list_pages_and_orders(http, sim):
    made = [sim.own_shares.share(p, created_at=1_760_000_000_000 + i) for i, p in
            enumerate(["/追更/说明.txt", "/追更/剧集A", "/追更/海报.jpg"])]  # fmt: skip
    sim.own_shares.share("/追更/说明.txt", cookie=OTHER)  # another account's: never listed here
    first = mine(http, sim, _size=2)
    assert first["metadata"]["_total"] == 3 and first["metadata"]["_count"] == 2
    second = mine(http, sim, _size=2, _page=2)
    assert [s["pwd_id"] for s in first["data"]["list"] + second["data"]["list"]] == [s.pwd_id for s in reversed(made)]
    asc = mine(http, sim, _order_type="asc")
    assert [s["pwd_id"] for s in asc["data"]["list"]] == [s.pwd_id for s in made]
    assert "notify_follow" not in mine(http, sim, _fetch_notify_follow=0)["data"]


@pytest.mark.parametrize(("body", "code"), [
    ({"fid_list": []}, 10001), ({"fid_list": "x"}, 10001), ({"expired_type": 9}, 10001), ({"url_type": 3}, 10001),
    ({"fid_list": ["f" * 32]}, 21001), ({"fid_list": ["0"]}, 21001),  # an absent fid: common_errors[2]
])  # fmt: skip
def test_bad_create_bodies(http, sim, body, code):
    assert_error(create(http, sim, **body), code)


def test_the_endpoints_need_the_cookie_and_take_faults(http, sim):
    assert_error(call(http, sim, "GET", "/share/mypage/detail", cookie=None), 31001)
    assert_error(call(http, sim, "POST", "/share/password", cookie="__uid=x", json={"share_id": "a"}), 31001)
    assert_error(password(http, sim, "e" * 32), 41006)
    assert_error(password(http, sim, sim.own_shares.share("/追更/说明.txt", cookie=OTHER).share_id), 41006)  # not yours
    sim.add_drive_fault(Fault("code", endpoint="share_list", code=15000, times=1))
    assert mine(http, sim)["code"] == 15000 and mine(http, sim)["code"] == 0
    sim.add_drive_fault(Fault("task_error", endpoint="share_create", code=41005, times=1))
    assert_error(poll(http, sim, create(http, sim).json()["data"]["task_id"]), 41005)  # failures surface on the poll
    assert create(http, sim).json()["data"]["task_resp"]["code"] == 0


def test_advancing_past_midnight_is_a_new_sign_in_day(sim):
    account = sim.account(COOKIE)
    account.signed_today = True
    sim.advance(days=1)
    assert account.signed_today is False
    with pytest.raises(ValueError):
        sim.advance(-1)


@pytest.mark.parametrize("task_polls", [0, 2])
def test_the_client_and_the_simulator_agree(http, sim, task_polls):
    """quarkctl's own client (quark/shares.py) against these endpoints: list, create (inline task or
    polled), link, cancel; a flagged item comes back as 41026."""
    from quarkctl.quark.client import QuarkClient
    from quarkctl.quark.drive import ApiFailure, DriveSession
    from quarkctl.quark.shares import Shares

    sim.own_shares.task_polls = task_polls
    old = sim.own_shares.share("/追更/剧集A", expiry="7d")
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
        shares = Shares(DriveSession(client, sleep=lambda s: True, retries=1, backoff=0.0, task_timeout=30, monotonic=Ticks()))
        listed = {s.pwd_id: s for s in shares.mine()}
        assert listed[old.pwd_id].first_fid == fid(sim, "/追更/剧集A") and listed[old.pwd_id].path_info == "/追更"
        share_id = shares.create([fid(sim, "/追更/剧集A")], "剧集A", passcode="ab12")
        link = shares.link(share_id)
        assert link.link == f"https://pan.quark.cn/s/{link.pwd_id}?pwd=ab12"
        assert token(http, sim, link.pwd_id, "ab12")["code"] == 0
        shares.cancel([old.share_id])
        assert old.cancelled and len(sim.requests("task")) == task_polls + (1 if task_polls else 0)
        sim.own_shares.flag("/追更/说明.txt")
        with pytest.raises(ApiFailure) as refused:
            shares.create([fid(sim, "/追更/说明.txt")], "说明")
        assert refused.value.classified.api_code == 41026


def test_the_clock_moves_over_http_for_a_standalone_simulator(http, sim):
    share = sim.own_shares.share("/追更/剧集A", expiry="1d")
    r = http.post(sim.base_url + "/__sim__/clock", json={"advance_seconds": 3 * 86400})
    assert r.status_code == 200 and r.json()["now_ms"] > share.expired_at
    assert token(http, sim, share.pwd_id)["code"] == 41019
    assert http.post(sim.base_url + "/__sim__/clock", json={"advance_seconds": -1}).json()["code"] == 10001
    assert sim.requests(pwd_id=share.pwd_id) and not [r for r in sim.log if r.path == "/__sim__/clock"]


def test_a_timed_share_reports_its_expiry_in_token_and_detail(http, sim):
    """share_token[0]/share_detail[0] show 1 and 4102416000000 for a permanent share; a timed one carries
    its expired_type and the end (+08:00) of its last day, as share_password[1] shows them."""
    share = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    data = token(http, sim, share.pwd_id)["data"]
    assert (data["expired_type"], data["expired_at"]) == (3, share.expired_at)
    assert share.expired_at == end_of_china_day(share.created_at + 7 * DAY)
    detail = http.get(sim.base_url + API + "/share/sharepage/detail", params={
        "pwd_id": share.pwd_id, "stoken": data["stoken"], "pdir_fid": "0", "_fetch_share": 1, "_page": 1, "_size": 50}).json()
    info = detail["data"]["share"]
    assert (info["expired_type"], info["expired_at"]) == (3, share.expired_at)
    assert 0 < info["expired_left"] <= 7 * DAY + DAY
    permanent = sim.own_shares.share("/追更/说明.txt", title="说明")
    assert (token(http, sim, permanent.pwd_id)["data"]["expired_type"], permanent.public.expired_at) == (1, NEVER_EXPIRES_MS)


def test_own_shares_are_seeded_from_a_scenario(http):
    scenario = {"cookies": [COOKIE], "drive": ["/追更/剧集A/01.mp4", "/追更/剧集B/01.mp4"], "own_shares": [
        {"paths": "/追更/剧集A", "expiry": "7d", "title": "剧集A", "pwd_id": "abcabc000001"},
        {"paths": ["/追更/剧集B"], "title": "剧集B", "pwd_id": "abcabc000002", "state": "cancelled"},
    ]}
    with Simulator.from_scenario(scenario) as seeded:
        (a, b) = seeded.own_shares.of()
        assert (a.pwd_id, a.expired_type, b.pwd_id, b.cancelled) == ("abcabc000001", 3, "abcabc000002", True)
        assert token(http, seeded, "abcabc000001")["data"]["expired_type"] == 3
        assert token(http, seeded, "abcabc000002")["code"] == 41012
        assert [i["pwd_id"] for i in mine(http, seeded)["data"]["list"]] == ["abcabc000002", "abcabc000001"]


def test_a_bad_own_share_entry_is_refused_when_the_scenario_loads():
    from quarkctl.simulator.model import load_scenario

    with pytest.raises(ValueError, match="own_shares\\[0\\]: unknown field"):
        load_scenario({"own_shares": [{"paths": "/a", "expires": "7d"}]})
    with pytest.raises(ValueError, match="state"):
        load_scenario({"own_shares": [{"paths": "/a", "state": "gone"}]})
