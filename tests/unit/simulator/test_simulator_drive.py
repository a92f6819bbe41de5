"""The simulator's logged-in side (drives, save + task, recycle bin, sign-in), over real HTTP on loopback."""

from __future__ import annotations

import threading

import pytest
import requests

from helpers.loopback_http import loopback_session  # noqa: F401 (the `http` fixture)
from quarkctl.simulator import Fault, Share, Simulator, load_scenario
from quarkctl.simulator.model import CODES, node_fid_token

API = "/1/clouddrive"
COOKIE = "__uid=u1; __puus=abc; kps=k1%25x; sign=s1; vcode=v1"
COOKIE2 = "__uid=u2; __puus=def; kps=k2"
KPS = "k1%x"  # what CP sends for kps=k1%25x
MS = 1760700000000

SHOW = Share(
    pwd_id="5bdd18e537b6",
    title="剧集B",
    files=[
        {"name": "S01", "children": [
            {"name": "E01.mkv", "size": 100, "updated_at": MS + 1},
            {"name": "E02.mkv", "size": 200, "updated_at": MS + 2},
            {"name": "字幕", "children": [{"name": "E01.ass", "size": 5}]},
        ]},
        {"name": "海报.jpg", "size": 300, "updated_at": MS + 3},
    ],
)  # fmt: skip


@pytest.fixture
def sim():
    with Simulator(cookies=[COOKIE, COOKIE2], shares=[SHOW], tq_gap=10) as sim:
        yield sim


def call(http, sim, method, path, cookie=COOKIE, **kw):
    headers = {"Cookie": cookie} if cookie else {}
    return http.request(method, sim.base_url + API + path, headers=headers, **kw)


def sort(http, sim, pdir_fid="0", cookie=COOKIE, **params):
    return call(http, sim, "GET", "/file/sort", cookie, params={"pdir_fid": pdir_fid, **params})


def names(reply) -> list[str]:
    return [item["file_name"] for item in reply.json()["data"]["list"]]


def assert_error(r, code, status=None, message=None):
    body = r.json()
    status = status or CODES[code][0]
    assert (r.status_code, body["status"], body["code"]) == (status, status, code), r.text
    assert "data" not in body and body["req_id"]
    if message is not None:
        assert body["message"] == message
    return body


def stoken(http, sim, pwd_id=SHOW.pwd_id):
    return http.post(sim.base_url + API + "/share/sharepage/token", json={"pwd_id": pwd_id, "passcode": ""}).json()["data"]["stoken"]


def save(http, sim, paths, to_pdir_fid, cookie=COOKIE, share=SHOW, st=None, **overrides):
    body = {
        "fid_list": [sim.fid_of(share.pwd_id, p) for p in paths],
        "fid_token_list": [node_fid_token(share.pwd_id, p) for p in paths],
        "to_pdir_fid": to_pdir_fid, "pwd_id": share.pwd_id, "stoken": st or stoken(http, sim, share.pwd_id),
        "pdir_fid": "0", "scene": "link", **overrides,
    }  # fmt: skip
    return call(http, sim, "POST", "/share/sharepage/save", cookie, json=body)


def poll(http, sim, task_id, retry_index=0, cookie=COOKIE):
    return call(http, sim, "GET", "/task", cookie, params={"task_id": task_id, "retry_index": retry_index})


def finish(http, sim, task_id, cookie=COOKIE):
    """Poll like a client until the task is no longer pending; return (pending polls, last reply)."""
    for i in range(20):
        r = poll(http, sim, task_id, i, cookie)
        if r.status_code != 200 or r.json()["data"]["status"] != 0:
            return i, r
    raise AssertionError("task never finished")


# --- login ----------------------------------------------------------------------------------------


LOGGED_IN = [
    ("POST", "/file/info/path_list", {"json": {"file_path": ["/"], "namespace": "0"}}),
    ("GET", "/file/sort", {"params": {"pdir_fid": "0"}}),
    ("POST", "/file", {"json": {"pdir_fid": "0", "file_name": "", "dir_path": "/a", "dir_init_lock": False}}),
    ("POST", "/file/rename", {"json": {"fid": "x", "file_name": "y"}}),
    ("POST", "/file/delete", {"json": {"action_type": 2, "filelist": ["x"], "exclude_fids": []}}),
    ("GET", "/file/recycle/list", {"params": {"_page": 1, "_size": 30}}),
    ("POST", "/file/recycle/remove", {"json": {"select_mode": 2, "record_list": []}}),
    ("POST", "/share/sharepage/save", {"json": {"pwd_id": SHOW.pwd_id}}),
    ("GET", "/task", {"params": {"task_id": "x", "retry_index": 0}}),
]


@pytest.mark.parametrize("method,path,kw", LOGGED_IN)
def test_logged_in_endpoints_need_an_accepted_cookie(http, sim, method, path, kw):
    for cookie in (None, "__uid=u1; __puus=expired"):
        assert_error(call(http, sim, method, path, cookie, **kw), 31001, 401, "require login [guest]")
    assert not sim.drive().exists("/a")


def test_each_cookie_is_an_account_with_its_own_drive(http, sim):
    sim.drive().mkdir("/mine")
    assert names(sort(http, sim)) == ["mine"]
    assert names(sort(http, sim, cookie=COOKIE2)) == []
    assert sim.drive(COOKIE2) is not sim.drive() and sim.drive(COOKIE) is sim.drive()
    with pytest.raises(LookupError):
        sim.drive("__uid=stranger")
    sim.cookies.remove(COOKIE)  # the cookie expires mid-run
    assert_error(sort(http, sim), 31001, 401)


# --- test helpers ---------------------------------------------------------------------------------


def test_drive_helpers():
    drive = Simulator(cookies=[COOKIE]).drive()
    leaf = drive.mkdir("/追更/剧集A")
    assert drive.mkdir("/追更/剧集A/") == leaf and len(leaf) == 32 and int(leaf, 16) >= 0
    fid = drive.put_file("/追更/剧集A/01.mp4", size=1024, updated_at=MS)
    drive.put_file("/新/sub/x.srt")  # creates the parents
    assert drive.listdir("/") == ["新", "追更"] and drive.listdir("/追更/剧集A") == ["01.mp4"]
    assert drive.exists("/追更/剧集A/01.mp4") and not drive.exists("/追更/剧集B")
    node = drive.node("/追更/剧集A/01.mp4")
    assert (node["fid"], node["file_name"], node["pdir_fid"], node["size"], node["updated_at"]) == (fid, "01.mp4", leaf, 1024, MS)
    assert (node["dir"], node["file_type"], node["obj_category"], node["risky"], node["path"]) == (False, 1, "video", False, "/追更/剧集A/01.mp4")
    assert drive.node("/追更")["include_items"] == 1 and drive.node("/新/sub/x.srt")["obj_category"] == "doc"
    assert drive.path(fid) == "/追更/剧集A/01.mp4" and drive.path("0") == "/"
    assert drive.tree() == {"新": {"sub": {"x.srt": None}}, "追更": {"剧集A": {"01.mp4": None}}}
    with pytest.raises(ValueError):
        drive.put_file("/追更/剧集A/01.mp4")
    with pytest.raises(ValueError):
        drive.mkdir("/追更/剧集A/01.mp4/deeper")
    with pytest.raises(FileNotFoundError):
        drive.listdir("/missing")
    with pytest.raises(FileNotFoundError):
        drive.node("/missing")
    assert drive.recycle() == []


# --- path_list ------------------------------------------------------------------------------------


def test_path_list_answers_existing_paths_in_input_order(http, sim):
    drive = sim.drive()
    a, b = drive.mkdir("/追更/A"), drive.mkdir("/追更/B")
    f = drive.put_file("/追更/A/01.mp4")
    paths = ["/追更/B", "/nope", "/追更/A/", "/追更/A/01.mp4", "/追更/A/01.mp4/x", "/"]
    r = call(http, sim, "POST", "/file/info/path_list", json={"file_path": paths, "namespace": "0"})
    body = r.json()
    assert r.status_code == 200 and body["code"] == 0
    assert body["data"] == [
        {"file_path": "/追更/B", "fid": b}, {"file_path": "/追更/A/", "fid": a},
        {"file_path": "/追更/A/01.mp4", "fid": f}, {"file_path": "/", "fid": "0"},
    ]  # fmt: skip
    fifty = [f"/p{i}" for i in range(50)]
    assert call(http, sim, "POST", "/file/info/path_list", json={"file_path": fifty}).json()["data"] == []
    assert_error(call(http, sim, "POST", "/file/info/path_list", json={"file_path": fifty + ["/x"]}), 10002, 400, "too many paths")
    assert_error(call(http, sim, "POST", "/file/info/path_list", json={"file_path": "/a"}), 10001, 400)


# --- file/sort ------------------------------------------------------------------------------------


def test_sort_folders_first_then_newest_first(http, sim):
    drive = sim.drive()
    drive.put_file("/old.mp4", updated_at=MS)
    drive.put_file("/new.mp4", updated_at=MS + 5)
    drive.mkdir("/first")
    drive.mkdir("/second")  # made later, so newer
    drive.put_file("/second/x.txt")
    r = sort(http, sim, _sort="file_type:asc,updated_at:desc", _fetch_total=1)
    body = r.json()
    assert names(r) == ["second", "first", "new.mp4", "old.mp4"]
    folder, _, new, _ = body["data"]["list"]
    assert (folder["dir"], folder["file"], folder["file_type"], folder["include_items"], folder["pdir_fid"]) == (True, False, 0, 1, "0")
    assert (new["file_type"], new["size"], new["obj_category"], new["category"], new["format_type"]) == (1, 1048576, "video", 1, "video/mp4")
    assert body["metadata"] == {"_total": 4, "_count": 4, "_size": 50, "_page": 1, "way": "", "req_id": body["metadata"]["req_id"]}
    assert names(sort(http, sim)) == names(r)  # the reference's order is the default
    assert names(sort(http, sim, _sort="file_name:asc")) == ["first", "new.mp4", "old.mp4", "second"]


def test_sort_reads_every_key_of_the_spec(http, sim):
    drive = sim.drive()
    drive.put_file("/s/b.mp4", size=3, updated_at=MS + 1, created_at=MS + 9)
    drive.put_file("/s/a.mp4", size=1, updated_at=MS + 3, created_at=MS + 7)
    drive.put_file("/s/c.mp4", size=2, updated_at=MS + 2, created_at=MS + 8)
    drive.mkdir("/s/dir")
    pdir = drive.node("/s")["fid"]
    assert names(sort(http, sim, pdir, _sort="file_type:asc,updated_at:desc")) == ["dir", "a.mp4", "c.mp4", "b.mp4"]
    assert names(sort(http, sim, pdir, _sort="file_type:desc,created_at:asc")) == ["a.mp4", "c.mp4", "b.mp4", "dir"]
    assert names(sort(http, sim, pdir, _sort="file_type:asc,size:desc")) == ["dir", "b.mp4", "c.mp4", "a.mp4"]
    assert names(sort(http, sim, pdir, _sort="file_name:desc")) == ["dir", "c.mp4", "b.mp4", "a.mp4"]


def test_sort_pagination_and_size_cap(http, sim):
    for i in range(130):
        sim.drive().put_file(f"/big/{i:03d}.mp4", updated_at=MS + i)
    big = sim.drive().node("/big")["fid"]
    pages = [sort(http, sim, big, _page=p, _size=50).json() for p in (1, 2, 3, 4)]
    assert [p["metadata"]["_count"] for p in pages] == [50, 50, 30, 0]
    assert {p["metadata"]["_total"] for p in pages} == {130}
    listed = [i["file_name"] for p in pages for i in p["data"]["list"]]
    assert listed == [f"{i:03d}.mp4" for i in reversed(range(130))]
    capped = sort(http, sim, big, _size=500).json()
    assert capped["metadata"]["_size"] == 100 and capped["metadata"]["_count"] == 100


def test_sort_unknown_folder_and_full_path(http, sim):
    leaf = sim.drive().mkdir("/a/b")
    f = sim.drive().put_file("/a/b/x.mp4")
    assert_error(sort(http, sim, "f" * 32), 41013, 404, "文件夹不存在")
    assert_error(sort(http, sim, f), 41013)
    body = sort(http, sim, leaf, _fetch_full_path=1).json()
    assert [c["file_name"] for c in body["data"]["full_path"]] == ["a", "b"]
    assert body["data"]["full_path"][-1]["fid"] == leaf
    assert "full_path" not in sort(http, sim, leaf).json()["data"]


def test_risky_names_are_masked_unless_asked(http, sim):
    sim.drive().put_file("/risk/bad.mp4", risky=True)
    sim.drive().put_file("/risk/good.mp4")
    pdir = sim.drive().node("/risk")["fid"]
    assert sorted(names(sort(http, sim, pdir))) == ["***", "good.mp4"]
    assert sorted(names(sort(http, sim, pdir, fetch_risk_file_name=1))) == ["bad.mp4", "good.mp4"]
    assert sim.drive().node("/risk/bad.mp4")["risky"] is True


# --- mkdir, rename --------------------------------------------------------------------------------


def mkdir_path(http, sim, dir_path):
    return call(http, sim, "POST", "/file", json={"pdir_fid": "0", "file_name": "", "dir_path": dir_path, "dir_init_lock": False})


def test_mkdir_by_path(http, sim):
    r = mkdir_path(http, sim, "/追更/剧集A/S01")
    assert r.status_code == 200 and r.json()["code"] == 0
    assert r.json()["data"] == {"fid": sim.drive().node("/追更/剧集A/S01")["fid"], "finish": True}
    assert sim.drive().tree() == {"追更": {"剧集A": {"S01": {}}}}
    assert mkdir_path(http, sim, "/追更/剧集B").json()["data"]["fid"] == sim.drive().node("/追更/剧集B")["fid"]
    assert_error(mkdir_path(http, sim, "/追更/剧集A"), 23008, 400, "同名冲突")
    sim.drive().put_file("/file.mp4")
    assert_error(mkdir_path(http, sim, "/file.mp4/sub"), 23008)
    assert sim.drive().listdir("/追更") == ["剧集A", "剧集B"]


def test_mkdir_one_level(http, sim):
    parent = sim.drive().mkdir("/p")
    r = call(http, sim, "POST", "/file", json={"pdir_fid": parent, "file_name": "kid", "dir_path": ""})
    assert r.json()["data"]["fid"] == sim.drive().node("/p/kid")["fid"]
    assert_error(call(http, sim, "POST", "/file", json={"pdir_fid": parent, "file_name": "kid", "dir_path": ""}), 23008)
    assert_error(call(http, sim, "POST", "/file", json={"pdir_fid": "e" * 32, "file_name": "kid", "dir_path": ""}), 41013)
    assert_error(call(http, sim, "POST", "/file", json={"pdir_fid": parent, "file_name": "", "dir_path": ""}), 10001)
    assert_error(call(http, sim, "POST", "/file", json={"pdir_fid": parent, "file_name": "a/b"}), 10001)


def test_rename(http, sim):
    fid = sim.drive().put_file("/d/old.txt")
    sim.drive().put_file("/d/taken.mp4")
    r = call(http, sim, "POST", "/file/rename", json={"fid": fid, "file_name": "new.mkv"})
    assert r.status_code == 200 and r.json()["code"] == 0
    node = sim.drive().node("/d/new.mkv")
    assert node["fid"] == fid and node["obj_category"] == "video" and not sim.drive().exists("/d/old.txt")
    assert call(http, sim, "POST", "/file/rename", json={"fid": fid, "file_name": "new.mkv"}).json()["code"] == 0
    assert_error(call(http, sim, "POST", "/file/rename", json={"fid": fid, "file_name": "taken.mp4"}), 23008, 400)
    # 21001 `file not found [<fid>]` 404, as Quark answers an absent fid (quark-replies.json common_errors[2])
    assert_error(call(http, sim, "POST", "/file/rename", json={"fid": "0" * 32, "file_name": "x"}), 21001, 404,
                 f"file not found [{'0' * 32}]")  # fmt: skip
    assert sim.drive().listdir("/d") == ["new.mkv", "taken.mp4"]


# --- delete, recycle bin --------------------------------------------------------------------------


def test_delete_moves_subtrees_to_the_recycle_bin(http, sim):
    drive = sim.drive()
    folder = drive.mkdir("/old/S01")
    drive.put_file("/old/S01/e1.mp4", size=10)
    single = drive.put_file("/old/x.mp4", size=5)
    keep = drive.put_file("/keep.mp4", size=7)
    r = call(http, sim, "POST", "/file/delete", json={"action_type": 2, "filelist": [folder, single], "exclude_fids": []})
    assert r.status_code == 200 and r.json()["metadata"] == {"tq_gap": 10}
    pending, done = finish(http, sim, r.json()["data"]["task_id"])
    assert pending == 0 and done.json()["data"]["status"] == 2 and done.json()["data"]["task_type"] == 3
    assert drive.tree() == {"keep.mp4": None, "old": {}}
    records = drive.recycle()
    assert [(rec["fid"], rec["file_name"], rec["dir"], rec["size"]) for rec in records] == [
        (single, "x.mp4", False, 5), (folder, "S01", True, 10),
    ]  # newest first  # fmt: skip
    listed = call(http, sim, "GET", "/file/recycle/list", params={"_page": 1, "_size": 1}).json()
    assert listed["data"]["list"] == records[:1] and listed["metadata"]["_total"] == 2
    assert sim.account().growth_info()["use_capacity"] == 7
    assert_error(call(http, sim, "POST", "/file/delete", json={"filelist": [keep, "f" * 32]}), 21001, 404, f"file not found [{'f' * 32}]")
    assert drive.exists("/keep.mp4")  # all or nothing
    r = call(http, sim, "POST", "/file/recycle/remove", json={"select_mode": 2, "record_list": [records[1]["record_id"], "nope"]})
    assert r.status_code == 200 and r.json()["code"] == 0
    assert [rec["fid"] for rec in drive.recycle()] == [single]
    assert call(http, sim, "GET", "/file/recycle/list").json()["data"]["list"] == drive.recycle()


# --- save + task ----------------------------------------------------------------------------------


def test_save_copies_items_with_new_fids_after_a_few_polls(http, sim):
    target = sim.drive().mkdir("/追更/剧集B")
    st = stoken(http, sim)
    # an item of a sub-folder and one of the root, with pdir_fid "0" as the reference sends it
    r = save(http, sim, ["S01/E02.mkv", "S01/字幕", "海报.jpg"], target, st=st)
    body = r.json()
    assert r.status_code == 200 and body["code"] == 0 and body["metadata"] == {"tq_gap": 10}
    task_id = body["data"]["task_id"]
    assert sim.drive().listdir("/追更/剧集B") == []  # nothing until the task completes
    first = poll(http, sim, task_id, 0).json()
    assert first["data"]["status"] == 0 and first["data"]["task_type"] == 17 and first["metadata"] == {"tq_gap": 10}
    pending, done = finish(http, sim, task_id)
    assert pending == 1  # task_polls=2: the poll above and the first one here were pending
    data = done.json()["data"]
    assert (data["status"], data["task_type"], data["task_title"], data["task_id"]) == (2, 17, "分享-转存", task_id)
    save_as = data["save_as"]
    drive = sim.drive()
    tops = [drive.node(p)["fid"] for p in ("/追更/剧集B/E02.mkv", "/追更/剧集B/字幕", "/追更/剧集B/海报.jpg")]
    assert save_as["save_as_top_fids"] == tops and save_as["to_pdir_fid"] == target
    assert not set(tops) & {sim.fid_of(SHOW.pwd_id, p) for p in ("S01/E02.mkv", "S01/字幕", "海报.jpg")}
    assert drive.tree() == {"追更": {"剧集B": {"E02.mkv": None, "字幕": {"E01.ass": None}, "海报.jpg": None}}}
    e02 = drive.node("/追更/剧集B/E02.mkv")
    assert (e02["size"], e02["updated_at"], e02["obj_category"], e02["pdir_fid"]) == (200, MS + 2, "video", target)
    assert drive.node("/追更/剧集B/字幕/E01.ass")["size"] == 5
    again = poll(http, sim, task_id, 9).json()["data"]
    assert again["save_as"] == save_as and len(drive.listdir("/追更/剧集B")) == 3  # copied once


def test_saving_twice_keeps_both(http, sim):
    target = sim.drive().mkdir("/t")
    for _ in range(2):
        finish(http, sim, save(http, sim, ["海报.jpg"], target).json()["data"]["task_id"])
    assert sim.drive().listdir("/t") == ["海报.jpg", "海报.jpg"]
    assert sim.drive().tree() == {"t": {"海报.jpg": None, "海报.jpg#2": None}}


def test_task_polls_and_tq_gap_are_settable(http, sim):
    sim.task_polls, sim.tq_gap = 0, 500
    r = save(http, sim, ["海报.jpg"], "0")
    assert r.json()["metadata"] == {"tq_gap": 500}
    assert poll(http, sim, r.json()["data"]["task_id"]).json()["data"]["status"] == 2
    sim.task_polls = 5
    assert finish(http, sim, save(http, sim, ["海报.jpg"], "0").json()["data"]["task_id"])[0] == 5


def test_save_checks_stoken_share_and_fid_tokens(http, sim):
    sim.add_share(Share("other", files=["o.mp4"]))
    target = sim.drive().mkdir("/t")
    assert_error(save(http, sim, ["海报.jpg"], target, st="bogus"), 41016, 400, "分享的stoken过期")
    assert_error(save(http, sim, ["海报.jpg"], target, st=stoken(http, sim, "other")), 41016)
    bad_token = save(http, sim, ["海报.jpg"], target, fid_token_list=["0" * 32])
    assert_error(bad_token, 41020, 403, "转存文件token校验异常")
    foreign = sim.fid_of("other", "o.mp4")
    assert_error(save(http, sim, ["海报.jpg"], target, fid_list=[foreign]), 41020)
    assert_error(save(http, sim, ["海报.jpg", "S01"], target, fid_token_list=["x"]), 41020)
    assert_error(save(http, sim, ["海报.jpg"], target, pwd_id="nope"), 41006)
    sim.shares[SHOW.pwd_id].detail_code = 41004
    try:
        assert_error(save(http, sim, ["海报.jpg"], target), 41004)
    finally:
        sim.shares[SHOW.pwd_id].detail_code = None
    assert sim.drive().listdir("/t") == []
    assert [r.status for r in sim.requests(endpoint="save")] == [400, 400, 403, 403, 403, 404, 404]


def test_save_into_a_missing_folder_fails_at_completion(http, sim):
    target = sim.drive().mkdir("/gone")
    r = save(http, sim, ["海报.jpg"], target)
    assert r.json()["code"] == 0
    sim.drive().delete([target])
    pending, done = finish(http, sim, r.json()["data"]["task_id"])
    assert pending == 2
    assert_error(done, 41013, 404)
    r = save(http, sim, ["海报.jpg"], "f" * 32)  # never a folder of this drive
    assert r.json()["code"] == 0
    assert_error(finish(http, sim, r.json()["data"]["task_id"])[1], 41013)


def _collection(n_files: int, extras: int = 0) -> Share:
    """One folder of n_files episodes (two of them one level deeper), and `extras` loose files."""
    episodes = [{"name": f"E{i:03d}.mp4", "size": 1} for i in range(n_files - 2)]
    sub = {"name": "花絮", "children": [{"name": "a.mp4", "size": 1}, {"name": "b.mp4", "size": 1}]}
    loose = [{"name": f"x{i}.txt", "size": 1} for i in range(extras)]
    return Share("cap", files=[{"name": "合集", "children": [*episodes, sub]}, *loose])


def test_41035_counts_the_files_inside_saved_folders(http):
    """quark-api.md 4.1: the cap is on files per save, by account level, and one folder can exceed it."""
    share = _collection(8, extras=3)
    with Simulator(cookies=[COOKIE], shares=[share], task_polls=0, save_file_limit=5) as sim:
        assert sim.account().save_limit == 5
        r = save(http, sim, ["合集"], "0", share=share)  # one top-level item, 8 files inside
        assert r.json()["code"] == 0  # accepted; the task fails
        body = assert_error(finish(http, sim, r.json()["data"]["task_id"])[1], 41035, 400)
        assert body["message"] == "单次转存文件个数超出用户等级限制"
        assert sim.drive().listdir("/") == []  # a failed task saved nothing
        r = save(http, sim, ["x0.txt", "x1.txt", "x2.txt", "合集/花絮"], "0", share=share)  # 5 files: at the cap
        assert finish(http, sim, r.json()["data"]["task_id"])[1].json()["data"]["status"] == 2
        sim.account().save_file_limit = 8
        r = save(http, sim, ["合集"], "0", share=share)
        assert finish(http, sim, r.json()["data"]["task_id"])[1].json()["data"]["status"] == 2
        assert len(sim.drive().listdir("/合集")) == 7 and sim.drive().listdir("/合集/花絮") == ["a.mp4", "b.mp4"]


def test_41035_cap_depends_on_the_account_level(http):
    share = _collection(501)
    with Simulator(cookies=[COOKIE], shares=[share], task_polls=0) as sim:
        account = sim.account()
        assert (account.member_type, account.save_limit) == ("NORMAL", 500)
        r = save(http, sim, ["合集"], "0", share=share)
        assert_error(finish(http, sim, r.json()["data"]["task_id"])[1], 41035)
        account.member_type = "SUPER_VIP"
        assert account.save_limit > 501
        r = save(http, sim, ["合集"], "0", share=share)
        assert finish(http, sim, r.json()["data"]["task_id"])[1].json()["data"]["status"] == 2
    with Simulator.from_scenario({"cookies": [COOKIE], "save_file_limit": 3}) as sim:
        assert sim.account().save_limit == 3


def test_more_than_100_top_level_fids_save_but_list_100_top_fids(http):
    """Not 41035: the 100 per save is the client's limit, because save_as_top_fids holds at most 100."""
    files = [{"name": f"{i:03d}.mp4", "size": 1} for i in range(101)]
    share = Share("many", files=files)
    with Simulator(cookies=[COOKIE], shares=[share], task_polls=0) as sim:
        r = save(http, sim, [f["name"] for f in files], "0", share=share)
        save_as = finish(http, sim, r.json()["data"]["task_id"])[1].json()["data"]["save_as"]
        assert (save_as["save_as_sum_num"], len(save_as["save_as_top_fids"])) == (101, 100)
        assert len(sim.drive().listdir("/")) == 101


def test_a_full_drive_fails_with_32003(http, sim):
    account = sim.account()
    sim.drive().put_file("/big.bin", size=1000)
    account.base_capacity = 1300  # 300 bytes of room: 海报.jpg fits, S01 (305 bytes) does not
    done = finish(http, sim, save(http, sim, ["S01"], "0").json()["data"]["task_id"])[1]
    assert_error(done, 32003, 400, "capacity limit[{0}]")
    done = finish(http, sim, save(http, sim, ["海报.jpg"], "0").json()["data"]["task_id"])[1].json()
    assert done["data"]["save_as"]["remain_capacity"] == 0


def test_tasks_are_per_account(http, sim):
    assert_error(poll(http, sim, "nope"), 10003, 404, "task not found")
    task_id = save(http, sim, ["海报.jpg"], "0").json()["data"]["task_id"]
    assert_error(poll(http, sim, task_id, cookie=COOKIE2), 10003)
    assert finish(http, sim, task_id)[1].json()["data"]["status"] == 2
    assert sim.drive(COOKIE2).listdir("/") == [] and sim.drive().listdir("/") == ["海报.jpg"]


# --- faults ---------------------------------------------------------------------------------------


def test_drive_code_fault_counts_times(http, sim):
    sim.add_drive_fault(Fault(kind="code", code=15000, endpoint="sort", times=1))
    assert_error(sort(http, sim), 15000, 500)
    assert sort(http, sim).status_code == 200
    assert call(http, sim, "POST", "/file/info/path_list", json={"file_path": []}).status_code == 200
    assert [r.status for r in sim.requests(endpoint="sort")] == [500, 200]


def test_drive_fault_for_one_account_and_any_endpoint(http, sim):
    sim.add_drive_fault(Fault(kind="html", endpoint="any", times=2), cookie=COOKIE2)
    assert sort(http, sim).status_code == 200 and sort(http, sim).headers["Content-Type"].startswith("application/json")
    r = sort(http, sim, cookie=COOKIE2)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    r = call(http, sim, "POST", "/file", COOKIE2, json={"pdir_fid": "0", "file_name": "", "dir_path": "/x"})
    assert r.headers["Content-Type"].startswith("text/html") and not sim.drive(COOKIE2).exists("/x")
    assert sort(http, sim, cookie=COOKIE2).json()["code"] == 0


def test_reset_slow_and_rate_limit_faults_on_task(http, sim):
    task_id = save(http, sim, ["海报.jpg"], "0").json()["data"]["task_id"]
    sim.add_drive_fault(Fault(kind="reset", endpoint="task", times=1))
    sim.add_drive_fault(Fault(kind="rate_limit", endpoint="task", times=1, retry_after=3))
    with pytest.raises(requests.ConnectionError):
        poll(http, sim, task_id)
    r = poll(http, sim, task_id)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "3")
    assert finish(http, sim, task_id)[0] == 2  # faulted polls did not advance the task


def test_task_error_fault_fails_the_next_save(http, sim):
    sim.add_drive_fault(Fault(kind="task_error", code=32003, endpoint="save", times=1))
    r = save(http, sim, ["海报.jpg"], "0")
    assert r.json()["code"] == 0
    pending, done = finish(http, sim, r.json()["data"]["task_id"])
    assert pending == 2
    assert_error(done, 32003, 400, "capacity limit[{0}]")
    assert_error(poll(http, sim, r.json()["data"]["task_id"]), 32003)  # stays failed
    assert sort(http, sim).json()["data"]["list"] == []  # a task fault is not a reply fault
    assert finish(http, sim, save(http, sim, ["海报.jpg"], "0").json()["data"]["task_id"])[1].json()["data"]["status"] == 2
    assert sim.drive().listdir("/") == ["海报.jpg"]
    with pytest.raises(ValueError, match="drive endpoint"):
        sim.add_drive_fault(Fault(kind="code"))  # endpoint "token" is a share endpoint


def test_share_faults_on_save(http, sim):
    share = sim.add_share(Share("flaky", files=["f.mp4"], faults=[
        Fault("code", code=14021, endpoint="save", times=1),
        Fault("task_error", code=41035, endpoint="save", times=1),
        Fault("code", code=15000, endpoint="any", times=1),
    ]))  # fmt: skip
    assert_error(http.post(sim.base_url + API + "/share/sharepage/token", json={"pwd_id": "flaky"}), 15000)
    st = stoken(http, sim, "flaky")  # the "any" fault is spent; the save ones never match a token call
    assert share.faults[0].describe() == "code 14021 on save x1" and share.faults[1].describe() == "task error 41035 on save x1"
    assert_error(save(http, sim, ["f.mp4"], "0", share=share, st=st), 14021, 400)
    r = save(http, sim, ["f.mp4"], "0", share=share, st=st)
    assert r.json()["code"] == 0
    assert_error(finish(http, sim, r.json()["data"]["task_id"])[1], 41035)
    r = save(http, sim, ["f.mp4"], "0", share=share, st=st)
    assert finish(http, sim, r.json()["data"]["task_id"])[1].json()["data"]["status"] == 2


def test_stoken_expired_fault_on_save(http, sim):
    sim.add_fault(SHOW.pwd_id, Fault("stoken_expired", endpoint="save", times=1))
    st = stoken(http, sim)
    assert_error(save(http, sim, ["海报.jpg"], "0", st=st), 41016)
    assert_error(save(http, sim, ["海报.jpg"], "0", st=st), 41016)  # that stoken is dead now
    assert save(http, sim, ["海报.jpg"], "0").json()["code"] == 0


# --- sign-in --------------------------------------------------------------------------------------


def growth(http, sim, method, what, kps=KPS):
    params = {"pr": "ucpro", "fr": "android", "kps": kps, "sign": "s1", "vcode": "v1"}
    body = {"sign_cyclic": True} if method == "POST" else None
    return http.request(method, sim.base_url + API + "/capacity/growth/" + what, params=params, json=body)


def test_growth_info_and_daily_sign(http, sim):
    sim.drive().put_file("/a.bin", size=123)
    info = growth(http, sim, "GET", "info").json()["data"]
    assert info["member_type"] == "NORMAL" and info["use_capacity"] == 123
    assert info["cap_sign"] == {"sign_daily": False, "sign_daily_reward": 20 * 2**20, "sign_progress": 0, "sign_target": 7,
                                "sign_rewards": info["cap_sign"]["sign_rewards"]}
    assert [r["reward_cap"] for r in info["cap_sign"]["sign_rewards"]] == [20 * 2**20] * 6 + [40 * 2**20]
    r = growth(http, sim, "POST", "sign")
    assert r.status_code == 200 and r.json()["data"] == {"sign_daily_reward": 20 * 2**20}
    after = growth(http, sim, "GET", "info").json()["data"]
    assert after["cap_sign"]["sign_daily"] is True and after["cap_sign"]["sign_progress"] == 1
    assert after["total_capacity"] == info["total_capacity"] + 20 * 2**20
    assert after["cap_composition"]["sign_reward"] == 20 * 2**20 and after["cap_growth"]["cur_total_sign_day"] == 1
    assert_error(growth(http, sim, "POST", "sign"), 44210, 400, "cap_growth_sign_repeat")
    assert sim.sign_state()["signed_today"] and sim.sign_state()["signs"] == 1
    assert sim.sign_state(COOKIE2)["signs"] == 0  # only the kps account signed
    sim.new_day()
    assert growth(http, sim, "GET", "info").json()["data"]["cap_sign"]["sign_daily"] is False
    assert growth(http, sim, "POST", "sign").json()["code"] == 0
    assert sim.sign_state()["progress"] == 2 and sim.sign_state()["reward_total"] == 40 * 2**20


def test_sign_cycle_restarts_after_the_target(http, sim):
    for _ in range(8):
        assert growth(http, sim, "POST", "sign", kps="k2").json()["code"] == 0
        sim.new_day()
    assert sim.sign_state(COOKIE2)["progress"] == 1 and sim.sign_state(COOKIE2)["signs"] == 8


def test_growth_needs_a_known_kps(http, sim):
    for kps in ("", "unknown", "k1"):
        assert_error(growth(http, sim, "GET", "info", kps=kps), 31001, 401)
        assert_error(growth(http, sim, "POST", "sign", kps=kps), 31001, 401)
    assert growth(http, sim, "GET", "info", kps="k1%25x").json()["code"] == 0  # sent as stored also matches
    sim.add_drive_fault(Fault(kind="code", code=15000, endpoint="growth_sign", times=1))
    assert_error(growth(http, sim, "POST", "sign"), 15000, 500)
    assert growth(http, sim, "POST", "sign").json()["code"] == 0
    assert all(not r.has_cookie for r in sim.requests(endpoint="growth_sign"))


# --- request log, concurrency, scenarios ----------------------------------------------------------


def test_request_log_names_every_drive_endpoint(http, sim):
    fid = sim.drive().put_file("/x.mp4")
    call(http, sim, "POST", "/file/info/path_list", json={"file_path": ["/"]})
    sort(http, sim)
    mkdir_path(http, sim, "/d")
    call(http, sim, "POST", "/file/rename", json={"fid": fid, "file_name": "y.mp4"})
    call(http, sim, "POST", "/file/delete", json={"filelist": [fid]})
    call(http, sim, "GET", "/file/recycle/list")
    call(http, sim, "POST", "/file/recycle/remove", json={"record_list": []})
    st = stoken(http, sim)
    sim.clear_log()
    poll(http, sim, save(http, sim, ["海报.jpg"], "0", st=st).json()["data"]["task_id"])
    growth(http, sim, "GET", "info")
    growth(http, sim, "POST", "sign")
    assert [(r.endpoint, r.pwd_id) for r in sim.log] == [
        ("save", SHOW.pwd_id), ("task", None), ("growth_info", None), ("growth_sign", None),
    ]  # fmt: skip
    assert sim.log[1].query["retry_index"] == "0"


def test_concurrent_mkdir_of_one_path_creates_it_once(sim):
    results: list[int] = []

    def worker() -> None:
        with requests.Session() as s:
            s.trust_env = False
            body = {"pdir_fid": "0", "file_name": "", "dir_path": "/same/leaf"}
            results.append(s.post(sim.base_url + API + "/file", json=body, headers={"Cookie": COOKIE}).json()["code"])

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0] + [23008] * 11
    assert sim.drive().tree() == {"same": {"leaf": {}}}


def test_scenario_drive_seed_and_options(http):
    sc = {"cookies": [COOKIE, COOKIE2], "task_polls": 0, "tq_gap": 100, "drive": [
        "/追更/", {"path": "/追更/a.mp4", "size": 9, "updated_at": MS}, {"path": "/r.mp4", "risky": True},
    ]}  # fmt: skip
    with Simulator.from_scenario(sc) as sim:
        assert (sim.task_polls, sim.tq_gap) == (0, 100)
        for cookie in (COOKIE, COOKIE2):  # every account starts with it
            assert sim.drive(cookie).tree() == {"r.mp4": None, "追更": {"a.mp4": None}}
        assert sim.drive().node("/追更/a.mp4")["size"] == 9 and sim.drive().node("/r.mp4")["risky"]
    example = load_scenario()
    assert example.drive and example.task_polls == 2
    assert any(f.kind == "task_error" and f.code == 41035 for s in example.shares for f in s.faults)
    for bad in (["/a.mp4", "/a.mp4"], [{"path": "/x", "colour": 1}], [{"size": 1}], [7]):
        with pytest.raises(ValueError, match="drive\\[[01]\\]"):
            load_scenario({"drive": bad})
    with pytest.raises(ValueError, match="fault endpoint"):
        load_scenario({"shares": [{"pwd_id": "x", "faults": [{"kind": "code", "endpoint": "nowhere"}]}]})


def test_example_scenario_saves_over_http(http):
    with Simulator.from_scenario(None, tq_gap=10) as sim:
        share = next(s for s in sim.shares.values() if any(f.kind == "task_error" for f in s.faults))
        target, cookie = sim.drive().mkdir("/追更/合集"), sim.cookies[0]
        r = save(http, sim, ["合集"], target, cookie, share=share)
        assert_error(finish(http, sim, r.json()["data"]["task_id"], cookie)[1], 41035)
        r = save(http, sim, ["合集"], target, cookie, share=share)
        done = finish(http, sim, r.json()["data"]["task_id"], cookie)[1]
        assert done.json()["data"]["status"] == 2
        assert len(sim.drive().listdir("/追更/合集/合集")) == 150
