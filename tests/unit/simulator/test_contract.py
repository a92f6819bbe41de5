"""The contract between the simulator and the public evidence (issue 12, item 3).

For every sample of tests/samples/quark-replies.json (found by endpoint key and index, so a sample added
later is picked up with no code change):
(a) shape: the simulator's reply for the same situation has the sample's keys, nested keys and JSON
    types. A `captured` sample wins: a divergence fails. A `parsed` one that diverges fails too unless
    it is a KNOWN_DIVERGENCES strict xfail (with its reason), and (b) makes sure the client accepts it;
(b) meaning: the sample body, served verbatim by the simulator (a "body" fault), read by the real
    client code (LinkChecker, DriveSession, Shares, read_account, sign_in) and `classify`, means what its
    `case` says.
The situation is derived from the sample: its endpoint key plus its error code (quark-api.md 4.1).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import urllib3

from helpers.ticks import Ticks
from quarkctl.probe.compare import ENVELOPE_EXTRAS, OPTIONAL_KEYS, shape_diff  # one comparison, the probe's
from quarkctl.quark.account import read_account
from quarkctl.quark.drive import ApiFailure, DriveSession, TaskTimeout, embedded_task
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.client import DRIVE_PC, ApiReply, QuarkClient
from quarkctl.quark.shares import Shares
from quarkctl.quark.signin import sign_in
from quarkctl.simulator import Fault, Share, Simulator
from quarkctl.simulator.model import code_info, node_fid_token
from quarkctl.quark.verdict import DEAD_CODES, Outcome, Verdict, classify

# The repository's copy (tools/refresh_reference.py brings it up to date from the shared folder)
REPLIES = Path(os.environ.get("QUARKCTL_REPLIES") or Path(__file__).parents[2] / "samples" / "quark-replies.json")
SAMPLES: dict[str, list[dict]] = {k: v for k, v in json.loads(REPLIES.read_text("utf-8")).items() if not k.startswith("_")}

COOKIE = "__uid=contract-1; __puus=ContractPuusSecret; kps=kpsContract; sign=signContract; vcode=vcodeContract"
UNKNOWN_COOKIE = "__uid=nobody; __puus=NotAcceptedAnywhere"
PWD_ID = "c0ffee123456"
PASSCODE = "ab12"
# A folder with a file, a video and a doc at the root: every kind of item a sample may show.
FILES = [
    {"name": "示例文件夹", "children": ["示例剧集.S01E02.mkv", "说明.txt"]},
    {"name": "示例剧集.S01E01.mkv", "size": 1_073_741_824},
    {"name": "说明.txt", "size": 696},
]


def case_ids() -> list[tuple[str, int]]:
    return [(endpoint, i) for endpoint, samples in SAMPLES.items() for i in range(len(samples))]


def sample_id(param: tuple[str, int]) -> str:
    return f"{param[0]}[{param[1]}]"


# --- shapes ---------------------------------------------------------------------------------------


def test_shape_diff_rules():
    """The comparison itself (quarkctl.probe.compare's, the contract's rule `cover=True`): types,
    nesting, list elements by kind, top-level envelope extras."""
    folder, file = {"dir": True, "file_type": 0, "n": 1}, {"dir": False, "file_type": 1, "fps": 0.0}
    assert shape_diff({"a": 1, "b": None}, {"a": 2.5, "b": "x"}, cover=True) == []
    assert shape_diff({"a": True}, {"a": 1}, cover=True) == ["$.a: type changed (boolean expected, number received)"]
    assert shape_diff({"d": {"x": ""}}, {"d": {"x": "", "y": 0}}, cover=True) == ["$.d.y: new key"]
    assert shape_diff({"list": [file, folder]}, {"list": [{**folder, "n": 3}, {**file, "fps": 0}]}, cover=True) == []
    assert shape_diff({"list": [file]}, {"list": [folder]}, cover=True) == ["$.list[0]: no element of that kind received"]
    assert shape_diff({"code": 1}, {"code": 1, "req_id": "r", "data": {}}, extras=ENVELOPE_EXTRAS, cover=True) == [
        "$.data: new key"
    ]
    assert shape_diff({"x": [1]}, {"x": []}, cover=True) == ["$.x[0]: no element of that kind received"]
    # The simulator must answer every envelope key a sample shows, though it may add others.
    assert shape_diff({"code": 1, "message": ""}, {"code": 1}, extras=ENVELOPE_EXTRAS, cover=True) == ["$.message: key missing"]
    # An optional key (OPTIONAL_KEYS: url_type, new in 2026) is no new key beside an older sample, but a
    # sample that shows it still demands it of the simulator.
    optional = OPTIONAL_KEYS["share_token"]
    assert shape_diff({"data": {"t": ""}}, {"data": {"t": "", "url_type": 1}}, cover=True, optional=optional) == []
    assert shape_diff({"data": {"url_type": 1}}, {"data": {}}, cover=True, optional=optional) == ["$.data.url_type: key missing"]
    assert shape_diff({"data": {"url_type": 1}}, {"data": {"url_type": "1"}}, cover=True, optional=optional) == [
        "$.data.url_type: type changed (number expected, string received)"]


# --- situations -----------------------------------------------------------------------------------


def effective_code(body: dict) -> int | str | None:
    """The code a sample is about: a non-zero drive code, a task embedded in the answer, a 401 without
    a code (= 31001, quark-api.md 4.1), else 0 (or the account family's "OK")."""
    code = body.get("code")
    task = (body.get("data") or {}).get("task_resp") if isinstance(body.get("data"), dict) else None
    if isinstance(task, dict) and task.get("code"):
        return task["code"]
    if code is None and body.get("status") == 401:
        return 31001
    return 0 if code is None else code


@dataclass
class World:
    """A started simulator with the contract share and an account with a small drive."""

    sim: Simulator
    client: QuarkClient

    def raw(self, method: str, path: str, params: dict | None = None, body: dict | None = None,
            cookie: str | None = COOKIE, json_type: bool = True) -> tuple[int, dict]:  # fmt: skip
        """One request as the client sends it, with full control of the parameters (e.g. _fetch_share);
        a parameter given as None is left out; json_type=False sends the body without a Content-Type (growth_sign[3])."""
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None and json_type:
            headers["Content-Type"] = "application/json"
        fields = {k: v for k, v in {**{"pr": "ucpro", "fr": "pc", "uc_param_str": ""}, **(params or {})}.items() if v is not None}
        url = self.sim.base_url + path + "?" + urlencode(fields)
        r = urllib3.request(method, url, headers=headers, body=json.dumps(body).encode() if body is not None else None,
                            retries=False, redirect=False)  # fmt: skip
        return r.status, json.loads(r.data)


@pytest.fixture
def world() -> Iterator[World]:
    share = Share(pwd_id=PWD_ID, title="示例标题", files=FILES)
    locked = Share(pwd_id="10cced123456", title="带提取码", passcode=PASSCODE, files=FILES)
    drive = ["/示例目录/", "/示例目录/子目录/", {"path": "/示例目录/示例剧集.S01E01.mkv", "size": 1_073_741_824},
             {"path": "/示例目录/说明.txt", "size": 696}]  # fmt: skip
    with Simulator(cookies=[COOKIE], shares=[share, locked], drive=drive, task_polls=1, tq_gap=10) as sim:
        with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
            yield World(sim, client)


API = "/1/clouddrive"
SHARE = API + "/share/sharepage"


def _token(w: World, pwd_id: str = PWD_ID, passcode: str = "", cookie: str | None = None) -> tuple[int, dict]:
    return w.raw("POST", SHARE + "/token", body={"pwd_id": pwd_id, "passcode": passcode}, cookie=cookie)


def _stoken(w: World) -> str:
    return _token(w)[1]["data"]["stoken"]


def _detail_params(stoken: str, data: dict) -> dict:
    return {"pwd_id": PWD_ID, "stoken": stoken, "pdir_fid": "0", "force": "0", "_page": "1", "_size": "50",
            "_fetch_banner": "0", "_fetch_share": "1" if "share" in data else "0", "_fetch_total": "1",
            "_sort": "file_type:asc,updated_at:desc", "ver": "2",
            "fetch_share_full_path": "1" if "full_path" in data else "0"}  # fmt: skip


def _save_body(w: World, paths: list[str], to_pdir_fid: str, stoken: str | None = None, tokens: list | None = None) -> dict:
    return {
        "fid_list": [w.sim.fid_of(PWD_ID, p) for p in paths],
        "fid_token_list": tokens if tokens is not None else [node_fid_token(PWD_ID, p) for p in paths],
        "to_pdir_fid": to_pdir_fid, "pwd_id": PWD_ID, "stoken": stoken or _stoken(w), "pdir_fid": "0", "scene": "link",
    }  # fmt: skip


def _target(w: World) -> str:
    return w.sim.drive(COOKIE).node("/示例目录")["fid"]


def _fault(w: World, endpoint: str, sample: dict, code: int) -> None:
    status = sample.get("http_status") or sample["body"].get("status")
    fault = Fault("code", endpoint=endpoint, code=code, status=status, message=sample["body"].get("message"))
    if endpoint in ("token", "detail"):
        w.sim.add_fault(PWD_ID, fault)
    else:
        w.sim.add_drive_fault(fault)


def _poll_until_settled(w: World, task_id: str, cookie: str = COOKIE) -> tuple[int, dict]:
    for retry in range(20):
        status, body = w.raw("GET", API + "/task", {"task_id": task_id, "retry_index": str(retry)}, cookie=cookie)
        if body.get("code") or (body.get("data") or {}).get("status") == 2:
            return status, body
    raise AssertionError("the task never settled")


def _save_task(w: World, to_pdir_fid: str | None = None) -> str:
    body = w.raw("POST", SHARE + "/save", body=_save_body(w, ["示例剧集.S01E01.mkv"], to_pdir_fid or _target(w)))[1]
    return body["data"]["task_id"]


def reply_token(w: World, sample: dict, code: Any) -> tuple[int, dict]:
    if code == 0:
        return _token(w)
    if code == 41008:
        return _token(w, "10cced123456")
    if code == 41007:
        return _token(w, "10cced123456", "zz99")
    if code == 31001:
        w.sim.strict_cookie = True  # the share endpoints refuse a cookie they do not know
        return _token(w, cookie=UNKNOWN_COOKIE)
    if code in DEAD_CODES:
        w.sim.shares[PWD_ID].dead_code = code
    else:
        _fault(w, "token", sample, code)
    return _token(w)


def reply_detail(w: World, sample: dict, code: Any) -> tuple[int, dict]:
    data = sample["body"].get("data") if isinstance(sample["body"].get("data"), dict) else {}
    stoken = _stoken(w)
    if code == 41016:
        w.sim.invalidate_stokens(PWD_ID)
    elif code == 31001:
        w.sim.strict_cookie = True
        return w.raw("GET", SHARE + "/detail", _detail_params(stoken, data), cookie=UNKNOWN_COOKIE)
    elif code in DEAD_CODES:
        w.sim.shares[PWD_ID].detail_code = code
    elif code != 0:
        _fault(w, "detail", sample, code)
    return w.raw("GET", SHARE + "/detail", _detail_params(stoken, data))


def _drive_reply(endpoint: str, request: Callable[[World, str], tuple[int, dict]],
                 natives: dict[Any, Callable[[World], tuple[int, dict]]] | None = None):  # fmt: skip
    """A drive endpoint: the normal path for code 0, an unknown cookie for 31001, the simulator's own
    way for `natives`, an injected code otherwise."""

    def reply(w: World, sample: dict, code: Any) -> tuple[int, dict]:
        if code in (natives or {}):
            return natives[code](w)  # type: ignore[index]
        if code == 31001:
            return request(w, UNKNOWN_COOKIE)
        if code != 0:
            _fault(w, endpoint, sample, code)
        return request(w, COOKIE)

    return reply


def _sort(w: World, cookie: str) -> tuple[int, dict]:
    params = {"pdir_fid": _target(w), "_page": "1", "_size": "50", "_fetch_total": "1", "_fetch_sub_dirs": "0",
              "_sort": "file_type:asc,updated_at:desc", "fetch_all_file": "1", "fetch_risk_file_name": "1"}  # fmt: skip
    return w.raw("GET", API + "/file/sort", params, cookie=cookie)


def _mkdir(path: str) -> Callable[[World, str], tuple[int, dict]]:
    body = {"pdir_fid": "0", "file_name": "", "dir_path": path, "dir_init_lock": False}
    return lambda w, cookie: w.raw("POST", API + "/file", body=body, cookie=cookie)


def _rename(w: World, cookie: str) -> tuple[int, dict]:
    fid = w.sim.drive(COOKIE).node("/示例目录/说明.txt")["fid"]
    return w.raw("POST", API + "/file/rename", body={"fid": fid, "file_name": "说明2.txt"}, cookie=cookie)


def _delete(w: World, cookie: str) -> tuple[int, dict]:
    fid = w.sim.drive(COOKIE).node("/示例目录/说明.txt")["fid"]
    return w.raw("POST", API + "/file/delete", body={"action_type": 2, "filelist": [fid], "exclude_fids": []}, cookie=cookie)


def _save(w: World, cookie: str) -> tuple[int, dict]:
    return w.raw("POST", SHARE + "/save", body=_save_body(w, ["示例剧集.S01E01.mkv"], _target(w)), cookie=cookie)


def _save_over_capacity(w: World) -> tuple[int, dict]:
    w.sim.account(COOKIE).base_capacity = 1  # the drive is full (32003)
    return _save(w, COOKIE)


def _save_bad_token(w: World) -> tuple[int, dict]:
    body = _save_body(w, ["示例剧集.S01E01.mkv"], _target(w), tokens=["00" * 16])
    return w.raw("POST", SHARE + "/save", body=body)


def _save_own_share(w: World) -> tuple[int, dict]:
    """save[3] (41017): the account saves a share it made itself (the simulator's own shares)."""
    own = w.sim.own_shares.share("/示例目录/说明.txt", title="示例标题", cookie=COOKIE)
    stoken = _token(w, own.pwd_id)[1]["data"]["stoken"]
    body = {"fid_list": [w.sim.fid_of(own.pwd_id, "说明.txt")], "fid_token_list": [node_fid_token(own.pwd_id, "说明.txt")],
            "to_pdir_fid": _target(w), "pwd_id": own.pwd_id, "stoken": stoken, "pdir_fid": "0", "scene": "link"}  # fmt: skip
    return w.raw("POST", SHARE + "/save", body=body)


def _save_empty_pwd_id(w: World) -> tuple[int, dict]:
    """save[5]: the usual request with an empty pwd_id."""
    return w.raw("POST", SHARE + "/save", body={**_save_body(w, ["示例剧集.S01E01.mkv"], _target(w)), "pwd_id": ""})


def _save_stale_stoken(w: World) -> tuple[int, dict]:
    stoken = _stoken(w)
    w.sim.invalidate_stokens(PWD_ID)
    return w.raw("POST", SHARE + "/save", body=_save_body(w, ["示例剧集.S01E01.mkv"], _target(w), stoken))


_SAVE = _drive_reply("save", _save, {32003: _save_over_capacity, 41020: _save_bad_token, 41016: _save_stale_stoken,
                                     41017: _save_own_share})  # fmt: skip


def reply_save(w: World, sample: dict, code: Any) -> tuple[int, dict]:
    if "pwd_id为空" in (sample["body"].get("message") or ""):  # save[5]: no code in the sample, so code 0 here
        return _save_empty_pwd_id(w)
    return _SAVE(w, sample, code)


def _create_body(w: World, expired_type: int = 1) -> dict:
    """POST share as share-api.md 1 (b) shows it: the owner's fids, a title, public, permanent by default."""
    fid = w.sim.drive(COOKIE).node("/示例目录")["fid"]
    return {"fid_list": [fid], "title": "示例标题", "url_type": 1, "expired_type": expired_type}


def _share_task(w: World, expired_type: int = 1) -> str:
    w.sim.own_shares.task_polls = 1  # the asynchronous path: one pending poll (task[0]) first
    return w.raw("POST", API + "/share", body=_create_body(w, expired_type))[1]["data"]["task_id"]


def _own_reply(endpoint: str, request: Callable[[World, dict, str], tuple[int, dict]]):
    """An own-share endpoint (issue 17): an unknown cookie for 31001, an injected code otherwise."""

    def reply(w: World, sample: dict, code: Any) -> tuple[int, dict]:
        if code == 31001:
            return request(w, sample, UNKNOWN_COOKIE)
        if code != 0:
            _fault(w, endpoint, sample, code)
        return request(w, sample, COOKIE)

    return reply


def _create(w: World, sample: dict, cookie: str) -> tuple[int, dict]:
    if "task_resp" not in (sample["body"].get("data") or {}):
        w.sim.own_shares.task_polls = 1  # share_create[1]: only the task id; the client polls
    return w.raw("POST", API + "/share", body=_create_body(w), cookie=cookie)


def _password(w: World, sample: dict, cookie: str) -> tuple[int, dict]:
    data = sample["body"].get("data") or {}
    expiry = {1: "permanent", 2: "1d", 3: "7d", 4: "30d"}[data.get("expired_type", 1)]
    passcode = data.get("passcode") if data.get("url_type") == 2 else None
    share = w.sim.own_shares.share("/示例目录/说明.txt", expiry=expiry, passcode=passcode, title="示例标题.txt", cookie=COOKIE)
    return w.raw("POST", API + "/share/password", body={"share_id": share.share_id}, cookie=cookie)


def _mypage(w: World, sample: dict, cookie: str) -> tuple[int, dict]:
    paths = ["/示例目录/说明.txt", "/示例目录/示例剧集.S01E01.mkv", "/示例目录/子目录"]  # file_num 3, a file first
    w.sim.own_shares.share(paths, title="示例标题", cookie=COOKIE)
    params = {"_page": "1", "_size": "50", "_order_field": "created_at", "_order_type": "desc", "_fetch_total": "1",
              "_fetch_notify_follow": "1"}  # the request of share_mypage[0]'s note  # fmt: skip
    return w.raw("GET", API + "/share/mypage/detail", params, cookie=cookie)


def _share_delete(w: World, sample: dict, cookie: str) -> tuple[int, dict]:
    share = w.sim.own_shares.share("/示例目录", cookie=COOKIE)
    return w.raw("POST", API + "/share/delete", body={"share_ids": [share.share_id]}, cookie=cookie)


def reply_task(w: World, sample: dict, code: Any) -> tuple[int, dict]:
    data = sample["body"].get("data") if isinstance(sample["body"].get("data"), dict) else {}
    share_task = data.get("task_type") == 8  # 分享: from share creation
    if code == 0 and data.get("status") == 0:  # pending: the simulator answers status 0 task_polls times
        task_id = _share_task(w) if share_task else _save_task(w)
        return w.raw("GET", API + "/task", {"task_id": task_id, "retry_index": "0"})
    if code == 0:
        timed = "expired_timestamp" in (data.get("share") or {})  # task[2]: a 1-day share (expired_type 2)
        return _poll_until_settled(w, _share_task(w, 2 if timed else 1) if share_task else _save_task(w))
    if code == 41026:
        w.sim.own_shares.flag("/示例目录/说明.txt", COOKIE)  # the simulator's own refusal: a flagged item
        return _poll_until_settled(w, _share_task(w))
    if code == 31001:
        return _poll_until_settled(w, _save_task(w), cookie=UNKNOWN_COOKIE)
    if code == 32003:
        w.sim.account(COOKIE).base_capacity = 1
        if data.get("status") == 3:  # task[9]: the failure answered as HTTP 200 with data {"status": 3}
            w.sim.task_failure_shape = "status3"
    elif code == 41013:
        return _poll_until_settled(w, _save_task(w, to_pdir_fid="f" * 32))  # the target folder is gone
    else:
        w.sim.add_drive_fault(Fault("task_error", endpoint="save", code=code, message=sample["body"].get("message")))
    return _poll_until_settled(w, _save_task(w))


def _growth(w: World, path: str, method: str, case: str = "") -> tuple[int, dict]:
    """A growth call as the client sends it, less what the sample's case says was missing (quark-api.md 7):
    `pr` (growth_sign[4]), `fr` (growth_info[1]), the Content-Type (growth_sign[3])."""
    params: dict[str, str | None] = {"pr": "ucpro", "fr": "android", "kps": "kpsContract", "sign": "signContract",
                                     "vcode": "vcodeContract"}
    for name in ("pr", "fr"):
        if re.search(rf"\b(missing|without) {name}\b", case):
            params[name] = None
    return w.raw(method, API + path, params, body={"sign_cyclic": True} if method == "POST" else None, cookie=None,
                 json_type="without content-type" not in case.lower())


def reply_growth_info(w: World, sample: dict, code: Any) -> tuple[int, dict]:
    cap_sign = ((sample["body"].get("data") or {}).get("cap_sign") or {}) if code == 0 else {}
    if cap_sign.get("sign_daily"):
        _growth(w, "/capacity/growth/sign", "POST")
    elif code != 0:
        _fault(w, "growth_info", sample, code)
    return _growth(w, "/capacity/growth/info", "GET", sample["case"])


def reply_growth_sign(w: World, sample: dict, code: Any) -> tuple[int, dict]:
    if code == 44210:
        _growth(w, "/capacity/growth/sign", "POST")  # the second sign-in of the day
    elif code != 0:
        _fault(w, "growth_sign", sample, code)
    return _growth(w, "/capacity/growth/sign", "POST", sample["case"])


def reply_account(w: World, sample: dict, code: Any) -> tuple[int, dict]:
    case = sample["case"].lower()
    cookie = None if re.search(r"no cookie|anonymous", case) else UNKNOWN_COOKIE if re.search(r"bad|expired", case) else COOKIE
    return w.raw("GET", "/account/info", {"fr": "pc", "platform": "pc"}, cookie=cookie)


REPLY: dict[str, Callable[[World, dict, Any], tuple[int, dict]]] = {
    "account_info": reply_account,
    "share_token": reply_token,
    "share_detail": reply_detail,
    "file_sort": _drive_reply("sort", _sort),
    "common_errors": _drive_reply("sort", _sort),  # "any drive-pc endpoint": file/sort stands for them
    "path_list": _drive_reply("path_list", lambda w, c: w.raw("POST", API + "/file/info/path_list",
                                                            body={"file_path": ["/示例目录/子目录"], "namespace": "0"}, cookie=c)),
    "mkdir": _drive_reply("mkdir", _mkdir("/示例目录/新目录"), {23008: lambda w: _mkdir("/示例目录/子目录")(w, COOKIE)}),
    "rename": _drive_reply("rename", _rename),
    "delete": _drive_reply("delete", _delete),
    "save": reply_save,
    "task": reply_task,
    "share_create": _own_reply("share_create", _create),
    "share_password": _own_reply("share_password", _password),
    "share_mypage": _own_reply("share_list", _mypage),
    "share_delete": _own_reply("share_delete", _share_delete),
    "growth_info": reply_growth_info,
    "growth_sign": reply_growth_sign,
}  # fmt: skip


def _situation_or_skip(endpoint: str) -> Callable[[World, dict, Any], tuple[int, dict]]:
    if endpoint not in REPLY:
        pytest.fail(f"{endpoint}: a new endpoint key in {REPLIES.name}; map it to a situation in REPLY")
    return REPLY[endpoint]


# Parsed samples the simulator knowingly answers otherwise (the client accepts both shapes). Each is a
# strict xfail: one that stops diverging fails until it is taken out, and a new divergence fails.
KNOWN_DIVERGENCES = {
    ("account_info", 3): "the simulator answers the captured account_info[0] keys (avatarUri, mobilekps, config); "
                         "[3] is a parsed subset",
    ("share_detail", 3): "video_total/pic_total (a parsed type file) are not modelled in the detail metadata",
    ("save", 2): "task_sync/task_resp (parsed) are not in the simulator's save answer; it answers a task id to poll",
}


@pytest.mark.parametrize("key", case_ids(), ids=sample_id)
def test_shape(world: World, key: tuple[str, int], request: pytest.FixtureRequest):
    endpoint, index = key
    if key in KNOWN_DIVERGENCES:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_DIVERGENCES[key]))
    sample = SAMPLES[endpoint][index]
    reply = _situation_or_skip(endpoint)
    code = effective_code(sample["body"])
    http_status, body = reply(world, sample, code)
    # The same situation: the simulator answered the sample's code (its embedded task's aside).
    if isinstance(sample["body"].get("code"), (int, str)):
        assert body.get("code") == sample["body"]["code"], (sample["case"], body)
    if sample.get("http_status"):
        assert http_status == sample["http_status"], (sample["case"], http_status, body)
    extras = ENVELOPE_EXTRAS if endpoint != "account_info" else frozenset()
    problems = shape_diff(sample["body"], body, extras=extras, cover=True, optional=OPTIONAL_KEYS.get(endpoint, frozenset()))
    assert problems == [], f"{endpoint}[{index}] {sample['case']!r}: {problems}\nsimulator: {body}"


# --- meaning --------------------------------------------------------------------------------------

PENDING, NOT_OK, ALREADY_SIGNED = "pending", "not ok", "already signed"
# The outcome a case names, first match wins; a case matching none still obeys the invariant
# (dead if and only if the case starts with "dead": strict about what counts as dead, quark-api.md 4.2).
RULES: list[tuple[str, Any]] = [
    (r"^dead\b", Outcome.DEAD),
    (r"^alive\b", Outcome.OK),
    (r"passcode required|wrong passcode", Outcome.NEEDS_PASSCODE),
    (r"stoken expired", Outcome.TOKEN_EXPIRED),
    (r"token check failed", Outcome.TOKEN_EXPIRED),  # 41020: a fresh stoken and listing may heal it
    (r"bad / expired cookie|not logged in|cookie invalid", Outcome.AUTH),
    (r"risk control|inner error", Outcome.TRANSIENT),
    (r"already signed", ALREADY_SIGNED),
    (r"^pending\b", PENDING),
    (r"fail|conflict", NOT_OK),
    (r"^(page|directory|resolve|created|renamed|accepted|done|signed)\b", Outcome.OK),
    (r"^(public|with passcode|own share list|cancelled$)", Outcome.OK),  # share_password, share_mypage, share_delete
]
ACCOUNT_RULES = [(r"good cookie", "verified"), (r"no cookie|anonymous|bad|expired", "rejected")]


def expected(endpoint: str, case: str) -> Any:
    for pattern, outcome in ACCOUNT_RULES if endpoint == "account_info" else RULES:
        if re.search(pattern, case, re.IGNORECASE):
            return outcome
    return None


def test_rules_name_the_outcomes():
    assert expected("share_token", "dead: share expired (41019)") is Outcome.DEAD
    assert expected("share_token", "alive (no passcode needed, or correct passcode)") is Outcome.OK
    assert expected("task", "failed: drive capacity (32003)") == NOT_OK
    assert expected("task", "bad / expired cookie while polling") is Outcome.AUTH
    assert expected("account_info", "no cookie (anonymous)") == "rejected"
    assert expected("file_sort", "very large folder (61004)") is None


SYNTHETIC_DETAIL = {"status": 200, "code": 0, "message": "ok", "data": {"list": [
    {"fid": "f" * 32, "file_name": "e01.mkv", "dir": False, "file_type": 1, "share_fid_token": "0" * 32}]},
    "metadata": {"_total": 1}}  # fmt: skip
SYNTHETIC_SHARE_TASK_DONE = {"status": 200, "code": 0, "message": "ok",
                             "data": {"task_id": "t" * 32, "task_type": 8, "status": 2, "share_id": "s" * 32}}  # fmt: skip
SYNTHETIC_TASK_DONE = {"status": 200, "code": 0, "message": "ok",
                       "data": {"task_id": "t" * 32, "status": 2, "save_as": {"save_as_top_fids": ["n" * 32]}}}  # fmt: skip


def _serve(w: World, endpoint: str, body: dict, status: int) -> None:
    """Every request to `endpoint` gets `body` verbatim."""
    fault = Fault("body", endpoint={"account_info": "account", "share_token": "token", "share_detail": "detail",
                                    "file_sort": "sort", "common_errors": "sort", "share_mypage": "share_list"}.get(endpoint, endpoint),
                  body=body, status=status)  # fmt: skip
    if fault.endpoint in ("token", "detail"):
        w.sim.add_fault(PWD_ID, fault)
    elif fault.endpoint == "account":
        w.sim.account_faults.append(fault)
    else:
        w.sim.add_drive_fault(fault)


def _session(w: World, cookie: str | None = COOKIE) -> DriveSession:
    client = QuarkClient(cookie=cookie, api_base=w.sim.base_url, timeout=5)
    return DriveSession(client, sleep=lambda seconds: True, retries=1, backoff=0.0, task_timeout=3, monotonic=Ticks())


def _drive_outcome(run: Callable[[], Any]) -> tuple[Any, int | None]:
    try:
        run()
    except ApiFailure as failure:
        return failure.outcome, failure.classified.api_code
    except TaskTimeout:
        return PENDING, None
    return Outcome.OK, None


def _link_outcome(w: World) -> tuple[Any, int | None]:
    checker = LinkChecker(QuarkClient(api_base=w.sim.base_url, timeout=5), retries=1, backoff=0.0, sleep=lambda s: True)
    result = checker.check(f"https://pan.quark.cn/s/{PWD_ID}")
    if result.reason == "stoken_expired":
        return Outcome.TOKEN_EXPIRED, result.api_code
    if result.reason == "cookie_rejected":
        return Outcome.AUTH, result.api_code
    by_verdict = {Verdict.VALID: Outcome.OK, Verdict.EXPIRED: Outcome.DEAD, Verdict.NEEDS_PASSCODE: Outcome.NEEDS_PASSCODE}
    outcome = by_verdict.get(result.verdict) or (Outcome.TRANSIENT if result.transient else Outcome.UNKNOWN)
    return outcome, result.api_code


def real_path(w: World, endpoint: str) -> tuple[Any, int | None]:
    """The client code that reads this endpoint, run against the served sample: (outcome, api code)."""
    session = _session(w)
    target = _target(w)
    if endpoint in ("share_token", "share_detail"):
        if endpoint == "share_token":
            _serve(w, "share_detail", SYNTHETIC_DETAIL, 200)  # the sample's stoken is a placeholder
        return _link_outcome(w)
    if endpoint in ("save", "delete"):
        _serve(w, "task", SYNTHETIC_TASK_DONE, 200)  # the sample's task_id is a placeholder
    if endpoint == "share_create":
        _serve(w, "task", SYNTHETIC_SHARE_TASK_DONE, 200)  # share_create[1] has no task inside: polled
    shares = Shares(session)
    runs: dict[str, Callable[[], Any]] = {
        "file_sort": lambda: session.list_dir(target),
        "common_errors": lambda: session.list_dir(target),
        "path_list": lambda: session.path_fids(["/示例目录"]),
        "mkdir": lambda: session.mkdir("/示例目录/新目录"),
        "rename": lambda: session.rename(target, "新名字"),
        "delete": lambda: session.delete_and_purge([target]),
        "save": lambda: session.save(["f" * 32], ["0" * 32], target, PWD_ID, _stoken(w)),
        "task": lambda: session.wait_task("t" * 32, gap=0.01),
        "share_mypage": shares.mine,
        "share_create": lambda: shares.create([target], "示例标题"),
        "share_password": lambda: shares.link("f" * 32),
        "share_delete": lambda: shares.cancel(["f" * 32]),
    }
    if endpoint in runs:
        return _drive_outcome(runs[endpoint])
    if endpoint in ("growth_info", "growth_sign"):
        result = sign_in(_session(w, cookie=None), COOKIE, 1)
        if endpoint == "growth_sign" and result.status == "already_signed":
            return ALREADY_SIGNED, None
        return (Outcome.OK if result.status in ("signed", "already_signed") else NOT_OK), None
    raise AssertionError(f"no client path for {endpoint}")


def _pc(client: QuarkClient, endpoint: str, method: str, path: str, **kw: Any) -> Callable[[], ApiReply]:
    """A drive-pc call the way the client sends it (QuarkClient's request primitive), for the endpoints
    QuarkClient has no method of its own for (the own shares: quarkctl/quark/shares.py)."""
    params = {**QuarkClient._PC, **kw.pop("params", {})}
    return lambda: client._request(endpoint, method, DRIVE_PC, API + path, params=params, **kw)


def _direct_reply(w: World, endpoint: str):
    """The served sample as QuarkClient reads it (an ApiReply), for `classify`."""
    client = w.client
    calls = {
        "share_token": lambda: client.share_token(PWD_ID, ""),
        "share_detail": lambda: client.share_detail(PWD_ID, "any-stoken"),
        "file_sort": lambda: client.list_dir("0", 1), "common_errors": lambda: client.list_dir("0", 1),
        "path_list": lambda: client.path_list(["/示例目录"]), "mkdir": lambda: client.mkdir("/x"),
        "rename": lambda: client.rename("f" * 32, "y"), "delete": lambda: client.delete(["f" * 32]),
        "save": lambda: client.save(["f" * 32], ["0" * 32], "0", PWD_ID, "s"),
        "task": lambda: client.task("t" * 32, 0), "account_info": client.account_info,
        "share_mypage": _pc(client, "share_mypage", "GET", "/share/mypage/detail", params={"_page": "1"}),
        "share_create": _pc(client, "share_create", "POST", "/share", json={"fid_list": ["f" * 32]}),
        "share_password": _pc(client, "share_password", "POST", "/share/password", json={"share_id": "f" * 32}),
        "share_delete": _pc(client, "share_delete", "POST", "/share/delete", json={"share_ids": ["f" * 32]}),
        "growth_info": lambda: client.growth_info({"kps": "k", "sign": "s", "vcode": "v"}),
        "growth_sign": lambda: client.growth_sign({"kps": "k", "sign": "s", "vcode": "v"}),
    }  # fmt: skip
    return calls[endpoint]()


def _effective_reply(reply: ApiReply) -> ApiReply:
    """What a task-carrying answer says about its task (drive.embedded_task), else the answer itself."""
    return embedded_task(reply) or reply


def _served_status(sample: dict) -> int:
    """The sample's HTTP status, 200 when its source states none; but a dead code with no status at all gets
    the one quark-api.md 4.1 gives it (the simulator's code table): share_token[7], a parsed 41019, is a dead
    answer only with the 404 the reference gives it (issue 23: a dead code counts only with its captured
    status), where until then it was served as a 200."""
    code, body_status = sample["body"].get("code"), sample["body"].get("status")
    if not sample.get("http_status") and body_status is None and isinstance(code, int) and code in DEAD_CODES:
        return code_info(code)[0]
    return sample.get("http_status") or 200


@pytest.mark.parametrize("key", case_ids(), ids=sample_id)
def test_meaning(world: World, key: tuple[str, int]):
    endpoint, index = key
    sample = SAMPLES[endpoint][index]
    case, body, status = sample["case"], sample["body"], _served_status(sample)
    want = expected(endpoint, case)
    dead = case.lower().startswith("dead")
    _serve(world, endpoint, body, status)
    reply = _direct_reply(world, endpoint)
    assert reply.body == body and reply.http_status == status  # served verbatim
    if endpoint == "account_info":
        assert read_account(reply).state.value == want, (case, read_account(reply))
        assert classify(reply).outcome is not Outcome.DEAD
        return
    outcome = classify(_effective_reply(reply)).outcome
    assert (outcome is Outcome.DEAD) == dead, f"{case!r}: classify says {outcome}"
    if want in (PENDING, Outcome.OK):
        assert outcome is Outcome.OK, (case, outcome)
    elif want in (NOT_OK, ALREADY_SIGNED):
        assert outcome is not Outcome.OK, (case, outcome)
    elif want is not None:
        assert outcome is want, (case, outcome)
    got, api_code = real_path(world, endpoint)
    assert (got is Outcome.DEAD) == dead, f"{case!r}: the client concluded {got}"
    if want is None:
        return
    if want is NOT_OK:
        assert got not in (Outcome.OK, PENDING), (case, got)
        code = effective_code(body)
        if isinstance(code, int) and code and endpoint not in ("growth_info", "growth_sign"):
            assert api_code == code, (case, api_code)  # the failure carries Quark's code, e.g. a task_resp's
    elif endpoint in ("growth_info", "growth_sign") and want not in (Outcome.OK, ALREADY_SIGNED):
        assert got is NOT_OK, (case, got)  # sign_in reports a failure, whatever its kind
    else:
        assert got == want, (case, got)


def _task_sync(task_resp: dict) -> dict:
    return {"status": 200, "code": 0, "message": "ok", "data": {"task_id": "t" * 32, "task_sync": True, "task_resp": task_resp}}


def test_save_reads_an_embedded_task_result_without_polling(world: World):
    """`task_sync: true` + `task_resp` (quark-replies.json save[2]): the task's result is in the answer."""
    failed = _task_sync({"status": 400, "code": 32003, "message": "capacity limit[{0}]", "metadata": {"missing_capacity": 1}})
    done = _task_sync({"status": 200, "code": 0, "message": "ok",
                       "data": {"task_id": "t" * 32, "status": 2, "save_as": {"save_as_top_fids": ["a" * 32, "b" * 32]}}})  # fmt: skip
    world.sim.add_drive_fault(Fault("body", endpoint="save", body=failed, times=1))
    world.sim.add_drive_fault(Fault("body", endpoint="save", body=done))  # once the first is used up
    session = _session(world)
    with pytest.raises(ApiFailure) as caught:
        session.save(["f" * 32], ["0" * 32], _target(world), PWD_ID, _stoken(world))
    assert (caught.value.classified.api_code, caught.value.endpoint) == (32003, "task")
    assert caught.value.outcome is not Outcome.DEAD and caught.value.message == "capacity limit[{0}]"
    assert session.save(["f" * 32], ["0" * 32], _target(world), PWD_ID, _stoken(world)) == ["a" * 32, "b" * 32]
    assert world.sim.requests("task") == []  # nothing polled, either time


def test_save_with_a_pending_embedded_task_polls_it(world: World):
    """An embedded task that is not done yet (status 0) is polled by its task_id, as usual."""
    pending = _task_sync({"status": 200, "code": 0, "message": "ok", "data": {"task_id": "t" * 32, "status": 0}})
    _serve(world, "save", pending, 200)
    _serve(world, "task", SYNTHETIC_TASK_DONE, 200)
    assert _session(world).save(["f" * 32], ["0" * 32], _target(world), PWD_ID, _stoken(world)) == ["n" * 32]
    assert [r.query["task_id"] for r in world.sim.requests("task")] == ["t" * 32]


def test_41020_on_save_is_a_stale_token_not_unknown(world: World):
    """转存文件token校验异常 (save[1], captured): heals with a fresh stoken and listing; never dead."""
    status, body = _save_bad_token(world)  # the simulator's own 41020: a share_fid_token that does not match
    assert (status, body["code"]) == (403, 41020)
    classified = classify(ApiReply("save", status, body))
    assert (classified.outcome, classified.reason) == (Outcome.TOKEN_EXPIRED, "save_token_rejected")
