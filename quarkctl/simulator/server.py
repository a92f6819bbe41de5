"""The Quark API simulator: a loopback HTTP server answering like pan.quark.cn / drive-pc.quark.cn.

Routing is a dict of (method, path) -> (endpoint name, handler); a new endpoint is one function
decorated with @route. Paths are matched whatever the Host header, because clients only swap
scheme+host for the simulator's base URL.
"""

from __future__ import annotations

import base64
import hashlib
import http
import json
import os
import random
import socket
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from .accounts import Account, Task
from .codes import TASK_NOT_FOUND, DriveError, bad_parameter
from .drive import Drive, nested_file_count
from .listing import SORT_MAX_SIZE, sort_items
from .model import (
    DRIVE_ENDPOINTS,
    SHARE_LINK,
    TASK_FAILURE_SHAPES,
    Fault,
    Listing,
    RequestRecord,
    Share,
    build_listing,
    code_info,
    load_scenario,
)
from .shapes import SAVE_PENDING, SHARE_GROUPS, TOKEN_GROUPS, share_info, token_data
from .reshape import parse as reshape_rules, reshaped
from .clock import SimClock, china_day
from .shares import OwnShares

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"
TOKEN_PATH = "/1/clouddrive/share/sharepage/token"
DETAIL_PATH = "/1/clouddrive/share/sharepage/detail"
SAVE_PATH = "/1/clouddrive/share/sharepage/save"
DRIVE = "/1/clouddrive"
LOG_PATH = "/__sim__/log"
CLOCK_PATH = "/__sim__/clock"  # POST {"advance_seconds": N}: a standalone simulator's "8 days later"
# Where the simulator hands out a new __puus (Set-Cookie): Quark rotates it (quark-api.md 1.3, MH#17);
# which answers carry it is not documented, so the first call of each job does: check-links' account
# check and autosave's first drive call.
PUUS_ROTATING = frozenset({"path_list"})

ERROR_PAGE_HTML = (
    "<html><head><title>{status} {phrase}</title></head><body><center><h1>{status} {phrase}</h1></center>"
    "<hr><center>Tengine</center></body></html>"
)
ANTI_BOT_HTML = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>安全验证</title></head>"
    "<body><div id=\"nc\">访问过于频繁，请完成安全验证后继续访问</div></body></html>"
)


# --- replies --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int  # 0 = drop the connection without answering
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    drip: float = 0.0  # > 0: the body leaves one byte every `drip` seconds (fault "drip")


DROP = Reply(0)


def _json(obj: dict, status: int = 200) -> Reply:
    return Reply(status, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())


def ok(data: dict | list, metadata: dict | None = None) -> Reply:
    return _json({"status": 200, "code": 0, "message": "ok", "timestamp": int(time.time()),
                  "data": data, "metadata": metadata or {}})  # fmt: skip


def _req_id() -> str:
    return f"{random.getrandbits(30):06x}-{random.getrandbits(56):014x}"


def error(code: int, status: int | None = None, message: str | None = None, metadata: dict | None = None) -> Reply:
    """Quark's error envelope: no `data` key, HTTP status = JSON status."""
    table_status, table_message = code_info(code)
    status = status or table_status
    req_id = _req_id()
    if message is None:
        message = f"{table_message}, requestId {req_id}" if code == 15000 else table_message
    return _json({"status": status, "code": code, "message": message, "req_id": req_id,
                  "timestamp": int(time.time()), "metadata": metadata or {}}, status)  # fmt: skip


def _html(status: int, page: str, headers: tuple = ()) -> Reply:
    return Reply(status, page.encode(), HTML_TYPE, headers)


def _cookie_key(cookie: str) -> tuple:
    """A cookie header as its sorted (name, value) pairs: the same cookie whatever its spacing or order."""
    pairs = (piece.strip().partition("=") for piece in cookie.split(";") if piece.strip())
    return tuple(sorted((name.strip(), value.strip()) for name, _, value in pairs))


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# --- routing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: dict | None
    cookie: str | None  # the Cookie header, stripped; None when absent or empty
    content_type: str | None = None  # the Content-Type header (growth/sign answers by it: growth_sign[3])


Handler = Callable[["Simulator", Request], Reply]
ROUTES: dict[tuple[str, str], tuple[str, Handler]] = {}


def route(method: str, path: str, endpoint: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES[(method, path)] = (endpoint, fn)
        return fn

    return register


def not_found(sim: Simulator, req: Request) -> Reply:
    return error(404, 404, "not found")


@route("GET", "/account/info", "account")
def account_info(sim: Simulator, req: Request) -> Reply:
    """pan.quark.cn's own envelope, not the drive's (quark-replies.json account_info, captured): a
    boolean `success`, a string `code`, no status/message; without a session (no cookie, an unknown or
    expired one) the same `success: true, code: "OK"` with an empty `data`. No uid in the body: it is
    the __uid cookie."""
    reply = sim._apply_faults(sim.account_faults, None, None)
    if reply:
        return reply
    if req.cookie is None or req.cookie not in sim.cookies:
        return _json({"success": True, "code": "OK", "data": {}})
    data = {"nickname": "sim-user", "avatarUri": "https://img.example/avatar_placeholder.png",
            "mobilekps": base64.b64encode(hashlib.md5(req.cookie.encode()).digest()).decode(), "config": {}}
    return Reply(200, _json({"success": True, "data": data, "code": "OK"}).body, headers=sim._rotate_puus(req.cookie))


@route("POST", TOKEN_PATH, "token")
def share_token(sim: Simulator, req: Request) -> Reply:
    body = req.body or {}
    state = sim._share_gate(req, body.get("pwd_id"), "token")
    if isinstance(state, Reply):
        return state
    share = state.share
    if share.dead_code:
        return error(share.dead_code, metadata=SHARE_GROUPS)
    if share.passcode:
        given = body.get("passcode")
        if not given:
            return error(41008, metadata=SHARE_GROUPS)
        if given != share.passcode:
            return error(41007, metadata=SHARE_GROUPS)
    # The shape of a 2026 live reply (quark-replies.json share_token[12], [13], captured): share_token[0]'s
    # keys plus data.url_type, and share_token[13]'s larger metadata groups.
    data = token_data(sim._issue_stoken(state), share.title, share.expired_at, share.expired_type,
                      url_type=2 if share.passcode else 1)  # fmt: skip
    return ok(data, TOKEN_GROUPS)


def _positive_int(value: str | None, default: int) -> int:
    try:
        n = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return n if n >= 1 else default


@route("GET", DETAIL_PATH, "detail")
def share_detail(sim: Simulator, req: Request) -> Reply:
    q = req.query
    state = sim._share_gate(req, q.get("pwd_id"), "detail")
    if isinstance(state, Reply):
        return state
    if sim._stokens.get(q.get("stoken", "")) != (state.share.pwd_id, state.generation):
        return error(41016, metadata=SHARE_GROUPS)
    dead = state.share.detail_code or state.share.dead_code
    if dead:
        return error(dead, metadata=SHARE_GROUPS)
    pdir_fid = q.get("pdir_fid") or "0"
    items = state.listing.children.get(pdir_fid)
    if items is None:
        return error(41013, metadata=SHARE_GROUPS)
    page, size = _positive_int(q.get("_page"), 1), _positive_int(q.get("_size"), 50)
    # `_sort` as file/sort reads it (quark-api.md 3.3): the reference sends file_type:asc,updated_at:desc,
    # so a share lists newest first and its `startfid` means what it means on Quark.
    chunk = sort_items(items, q.get("_sort"))[(page - 1) * size : page * size]
    data: dict = {"is_owner": 0, "list": chunk}
    if q.get("_fetch_share") == "1":
        data["share"] = state.info()
    if q.get("ver") == "2" and q.get("fetch_share_full_path") == "1":
        data["full_path"] = state.listing.full_path[pdir_fid]
    # metadata as in quark-replies.json share_detail[0] (captured)
    meta = {"_size": size, "_page": page, "_count": len(chunk), "_total": len(items), "check_fid_token": 1, **SHARE_GROUPS}
    return ok(data, meta)


# --- the logged-in drive (quark-api.md 3.2, 3.4, 3.5) ----------------------------------------------


def drive_error(exc: DriveError) -> Reply:
    return error(exc.code, exc.status, exc.message)


def _page_size(q: dict[str, str], default: int = 50) -> tuple[int, int]:
    return _positive_int(q.get("_page"), 1), min(_positive_int(q.get("_size"), default), SORT_MAX_SIZE)


def _drive_route(method: str, path: str, endpoint: str) -> Callable[[Callable], Handler]:
    """A logged-in endpoint: faults, then the cookie check, then fn(sim, req, account); a DriveError
    raised by the model becomes its error envelope."""

    def register(fn: Callable[[Simulator, Request, Account], Reply]) -> Handler:
        def handler(sim: Simulator, req: Request) -> Reply:
            account = sim._account_for_cookie(req.cookie)
            gate = sim._drive_gate(account, endpoint)
            if gate is not None:
                return gate
            try:
                reply = fn(sim, req, account)  # type: ignore[arg-type]
            except DriveError as exc:
                return drive_error(exc)
            if endpoint in PUUS_ROTATING:
                reply = replace(reply, headers=reply.headers + sim._rotate_puus(account.cookie))  # type: ignore[union-attr]
            return reply

        return route(method, path, endpoint)(handler)

    return register


@_drive_route("POST", DRIVE + "/file/info/path_list", "path_list")
def path_list(sim: Simulator, req: Request, account: Account) -> Reply:
    paths = (req.body or {}).get("file_path")
    if not isinstance(paths, list):
        return error(10001)
    return ok(account.drive.path_fids(paths))


@_drive_route("GET", DRIVE + "/file/sort", "sort")
def file_sort(sim: Simulator, req: Request, account: Account) -> Reply:
    q = req.query
    page, size = _page_size(q)
    pdir_fid = q.get("pdir_fid") or "0"
    items, total = account.drive.list_children(pdir_fid, q.get("_sort"), page, size, q.get("fetch_risk_file_name") == "1")
    # The shape of quark-replies.json file_sort[0] (captured): two (here always empty) side lists.
    data: dict = {"last_view_list": [], "recent_file_list": [], "list": items}
    if q.get("_fetch_full_path") == "1":
        data["full_path"] = account.drive.full_path(pdir_fid)
    meta = {"_size": size, "req_id": _req_id(), "_page": page, "_count": len(items), "_total": total, "way": ""}
    return ok(data, meta)


@_drive_route("POST", DRIVE + "/file", "mkdir")
def mkdir(sim: Simulator, req: Request, account: Account) -> Reply:
    body = req.body or {}
    pdir_fid, dir_path = body.get("pdir_fid", "0"), body.get("dir_path") or ""
    if dir_path:
        if not isinstance(dir_path, str):
            return error(10001)
        fid = account.drive.create_dirs(pdir_fid, dir_path)
    else:
        fid = account.drive.create_dir(pdir_fid, body.get("file_name"))
    return ok({"fid": fid, "finish": True})  # quark-replies.json mkdir[0] (captured): made at once


@_drive_route("POST", DRIVE + "/file/rename", "rename")
def rename(sim: Simulator, req: Request, account: Account) -> Reply:
    body = req.body or {}
    account.drive.rename(body.get("fid"), body.get("file_name"))
    return ok({})


@_drive_route("POST", DRIVE + "/file/delete", "delete")
def delete(sim: Simulator, req: Request, account: Account) -> Reply:
    account.drive.delete((req.body or {}).get("filelist"))
    task = sim._add_task(Task(account.cookie, 3, "删除文件", 0, dict))  # done at the first poll
    return ok({"task_id": task.task_id, "finish": False}, {"tq_gap": sim.tq_gap})  # delete[0] (parsed)


@_drive_route("GET", DRIVE + "/file/recycle/list", "recycle_list")
def recycle_list(sim: Simulator, req: Request, account: Account) -> Reply:
    page, size = _page_size(req.query)
    records, total = account.drive.recycle_page(page, size)
    return ok({"list": records}, {"_total": total, "_count": len(records), "_size": size, "_page": page})


@_drive_route("POST", DRIVE + "/file/recycle/remove", "recycle_remove")
def recycle_remove(sim: Simulator, req: Request, account: Account) -> Reply:
    account.drive.purge((req.body or {}).get("record_list"))
    return ok({})


@_drive_route("POST", SAVE_PATH, "save")
def share_save(sim: Simulator, req: Request, account: Account) -> Reply:
    body = req.body or {}
    if body.get("pwd_id") in (None, ""):
        raise bad_parameter("pwd_id为空")  # quark-replies.json save[5]: 400, code not stated (14001 inferred)
    state = sim._share_gate(req, body.get("pwd_id"), "save")
    if isinstance(state, Reply):
        return state
    if sim._stokens.get(body.get("stoken") or "") != (state.share.pwd_id, state.generation):
        return error(41016)
    dead = state.share.detail_code or state.share.dead_code
    if dead:
        return error(dead)
    own = sim.own_shares.get(state.share.pwd_id)
    if own is not None and own.cookie == account.cookie:
        # quark-replies.json save[3] (captured): 404 41017 用户禁止转存自己的分享, the account saving its own share
        return error(41017)
    fids, tokens, to_pdir_fid = body.get("fid_list"), body.get("fid_token_list"), body.get("to_pdir_fid")
    if not isinstance(fids, list) or not fids or not isinstance(to_pdir_fid, str):
        return error(10001)
    if not isinstance(tokens, list) or len(tokens) != len(fids):
        return error(41020)
    listing = state.listing
    items = [listing.items.get(fid) if isinstance(fid, str) else None for fid in fids]
    if any(item is None or item["share_fid_token"] != token for item, token in zip(items, tokens)):
        return error(41020)
    # Failures surface at completion, as on Quark: an injected one first, then the account's cap on
    # the files inside the saved items (41035, quark-api.md 4.1). The 100 top-level fids per save
    # (save_as_top_fids, quark-api.md 3.4) is the client's limit to keep, not an error here.
    failure = sim._take_task_fault(account, state.share.faults)
    if failure is None and nested_file_count(items, listing.children) > account.save_limit:  # type: ignore[arg-type]
        failure = DriveError(41035)
    capacity = account.total_capacity

    def run() -> dict:
        if failure is not None:
            raise failure
        save_as = account.drive.save_from_share(items, listing.children, to_pdir_fid, capacity)  # type: ignore[arg-type]
        return {"share": {"meaning_link": True}, "save_as": save_as}

    task = sim._add_task(Task(account.cookie, 17, "分享-转存", sim.task_polls, run, SAVE_PENDING))
    return ok({"task_id": task.task_id}, {"tq_gap": sim.tq_gap})


@_drive_route("GET", DRIVE + "/task", "task")
def task_poll(sim: Simulator, req: Request, account: Account) -> Reply:
    task = sim._tasks.get(req.query.get("task_id", ""))
    if task is None or task.cookie != account.cookie:
        return error(TASK_NOT_FOUND)
    try:
        return ok(task.poll(), {"tq_gap": sim.tq_gap})
    except DriveError as exc:
        if sim.task_failure_shape != "status3":
            raise  # task[3]: the error envelope (HTTP 400 for 32003, no data)
        return task_failed_status3(exc)


def task_failed_status3(exc: DriveError) -> Reply:
    """A failed task as quark-replies.json task[9] (parsed) shows it: HTTP 200, the failure's code and
    message at the top, `data: {"status": 3}`. The source (a Java driver's comment, "实测 code=32003
    status=3") states only the code and data.status; HTTP 200 and the top-level status are that
    client's reading, so the simulator keeps task[3]'s error envelope unless a test asks for this."""
    _, message = code_info(exc.code)
    return _json({"status": 200, "code": exc.code, "message": exc.message or message, "timestamp": int(time.time()),
                  "data": {"status": 3}, "metadata": {}})  # fmt: skip


# --- sign-in: drive-m with the mobile parameters, no cookie (quark-api.md 1.4) ---------------------


# A sign request without `pr` (quark-replies.json growth_sign[4], parsed; quark-api.md 7): HTTP 500 and
# no code, "不是 401，容易误判成鉴权问题". The body as the sample shows it.
CYCLIC_SIGN_CONFIG_ERROR = {"status": 500, "message": "cyclic sign config error"}


def _empty_ok() -> Reply:
    """200 + code 0 + `data: {}` (growth_info[1], growth_sign[3]: parsed)."""
    return ok({})


@route("GET", DRIVE + "/capacity/growth/info", "growth_info")
def growth_info(sim: Simulator, req: Request) -> Reply:
    account = sim._account_for_kps(req.query.get("kps"))
    gate = sim._drive_gate(account, "growth_info")
    if gate is not None:
        return gate
    if not req.query.get("fr"):  # growth_info[1]: without fr, 200 with empty data ("读不到 sign_daily")
        return _empty_ok()
    return ok(account.growth_info())  # type: ignore[union-attr]


@route("POST", DRIVE + "/capacity/growth/sign", "growth_sign")
def growth_sign(sim: Simulator, req: Request) -> Reply:
    account = sim._account_for_kps(req.query.get("kps"))
    gate = sim._drive_gate(account, "growth_sign")
    if gate is not None:
        return gate
    if not req.query.get("pr"):  # quark-replies.json growth_sign[4]
        return _json(CYCLIC_SIGN_CONFIG_ERROR, 500)
    # growth_sign[3]: a request without Content-Type (or, quark-api.md 7, without fr) answers 200 +
    # code 0 + data {} and signs nothing
    carried_out = bool(req.query.get("fr")) and (req.content_type or "").split(";")[0].strip().lower() == "application/json"
    try:
        reward = account.sign(carried_out=carried_out)  # type: ignore[union-attr]
    except DriveError as exc:
        return drive_error(exc)
    return _empty_ok() if reward is None else ok({"sign_daily_reward": reward})


# --- the simulator --------------------------------------------------------------------------------


@dataclass
class _ShareState:
    share: Share
    listing: Listing
    generation: int = 0  # bumped to invalidate every stoken issued so far
    _info: dict | None = None

    def info(self) -> dict:
        """detail's `share` object (_fetch_share=1), built on first use; expired_left is per request."""
        if self._info is None:
            names = [node if isinstance(node, str) else node["name"] for node in self.share.files]
            roots = [self.listing.items[self.listing.fids[name]] for name in names]
            self._info = share_info(
                self.share.pwd_id, self.share.title, self.share.passcode, roots, list(self.listing.items.values()),
                self.share.expired_at, SHARE_LINK.format(self.share.pwd_id), self.share.expired_type,
            )  # fmt: skip
        info = dict(self._info)
        info["expired_left"] = info["expired_at"] - int(time.time() * 1000)
        return info


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once
    sim: Simulator  # set by Simulator.start, for the handlers

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away, or stop() shut the socket: nothing to report
        super().handle_error(request, client_address)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), slow without a network.
        self.socket.bind(self.server_address)
        self.server_address = address = self.socket.getsockname()
        self.server_name, self.server_port = address[:2]


class _Server6(_Server):
    address_family = socket.AF_INET6


class Simulator:
    """In-process fake of the Quark share API. `start()` serves on loopback in daemon threads."""

    def __init__(
        self,
        cookies: list[str] | tuple[str, ...] = (),
        strict_cookie: bool = False,
        shares: list[Share] | tuple[Share, ...] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        task_polls: int = 2,
        tq_gap: int = 500,
        drive: list | tuple = (),
        rtt: float = 0.0,
        handshake: float = 0.0,
        any_share: Share | None = None,
        keep_log: bool = True,
        save_file_limit: int | None = None,
        rotate_puus: bool = True,
        reshape: list | tuple = (),
        own_shares: list | tuple = (),
        task_failure_shape: str = "error",
    ) -> None:
        if task_failure_shape not in TASK_FAILURE_SHAPES:
            raise ValueError(f"task_failure_shape: one of {', '.join(TASK_FAILURE_SHAPES)}")
        self.reshape = reshape_rules(reshape)  # reply keys dropped/renamed on purpose (reshape.py, issue 14)
        # Network emulation, applied server-side: `rtt` seconds before each answer (one round trip),
        # `handshake` seconds once per new connection (TCP + TLS). Loopback would hide both.
        self.rtt, self.handshake = rtt, handshake
        # Every unknown pwd_id answers as a copy of this share, made per request and not kept
        # (benchmarks over a million links); keep_log=False keeps no request log either.
        self.any_share = any_share
        self._any_listing = build_listing(any_share) if any_share is not None else None
        self.keep_log = keep_log
        self.connections = 0  # connections accepted so far
        self.cookies = [c.strip() for c in cookies]  # read live: tests may expire a cookie mid-run
        self.rotate_puus = rotate_puus
        self._aliases: dict[tuple, str] = {}  # a cookie's (name, value) pairs, __puus rotated -> the cookie it came from
        self.strict_cookie = strict_cookie
        self.account_faults: list[Fault] = []
        self.task_polls = task_polls  # a save task answers status 0 this many times, then completes
        # How a failed task answers its poll: "error" the error envelope (quark-replies.json task[3]), or
        # "status3" HTTP 200 with the code at the top and data {"status": 3} (task[9]; task_failed_status3).
        self.task_failure_shape = task_failure_shape
        self.tq_gap = tq_gap  # the metadata.tq_gap poll hint (ms) of save, delete and task answers
        self.drive_seed = list(drive)  # every new account's drive starts with these (Drive.seed)
        self.save_file_limit = save_file_limit  # every new account's 41035 cap (None: by its level)
        self._accounts: dict[str, Account] = {}  # cookie -> account, made on first use
        self._drive_faults: list[tuple[Fault, str | None]] = []
        self._tasks: dict[str, Task] = {}
        self.host, self.port = host, port
        self.base_url: str | None = None
        self._shares: dict[str, _ShareState] = {}
        self._stokens: dict[str, tuple[str, int]] = {}  # stoken -> (pwd_id, generation)
        self._hits: dict[int, list] = {}  # id(fault) -> [fault, times applied]
        self._log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self.clock = SimClock()  # real time + what advance() added: own shares expire by it
        self.own_shares = OwnShares(self)  # every account's own shares (shares.py, share_routes.py)
        self.active = 0  # requests being handled right now
        for share in shares:
            self.add_share(share)
        self.own_shares.seed(own_shares)  # scenario own shares: their paths must be in `drive`

    @classmethod
    def from_scenario(cls, src: str | Path | dict | None = None, **kwargs: Any) -> Simulator:
        sc = load_scenario(src)
        options = {"task_polls": sc.task_polls, "tq_gap": sc.tq_gap, "drive": sc.drive,
                   "save_file_limit": sc.save_file_limit, "reshape": sc.reshape, "own_shares": sc.own_shares,
                   "task_failure_shape": sc.task_failure_shape, **kwargs}  # fmt: skip
        return cls(cookies=sc.cookies, strict_cookie=sc.strict_cookie, shares=sc.shares, **options)

    # shares and faults

    def add_share(self, share: Share) -> Share:
        """Add (or replace) a copy of `share` and return the copy: change it (dead_code, detail_code,
        faults) to change the live share. The file tree is read now; later edits to `files` are ignored."""
        share = replace(share, faults=list(share.faults))  # a Share may be reused by other simulators
        self._shares[share.pwd_id] = _ShareState(share, build_listing(share))
        return share

    @property
    def shares(self) -> dict[str, Share]:
        return {pwd_id: st.share for pwd_id, st in self._shares.items()}

    def add_fault(self, pwd_id: str, fault: Fault) -> None:
        with self._lock:
            self._shares[pwd_id].share.faults.append(fault)

    def fid_of(self, pwd_id: str, path: str) -> str:
        """The fid of a node by its path in the share ("S01/e1.mkv"); "" is the root, "0"."""
        path = path.strip("/")
        return self._shares[pwd_id].listing.fids[path] if path else "0"

    def invalidate_stokens(self, pwd_id: str) -> None:
        with self._lock:
            self._shares[pwd_id].generation += 1

    # accounts, drives, sign-in

    def account(self, cookie: str | None = None) -> Account:
        """The account of an accepted cookie (default: the first), made with an empty drive on first use."""
        if cookie is None:
            if not self.cookies:
                raise LookupError("the simulator has no cookies, so no accounts")
            cookie = self.cookies[0]
        cookie = cookie.strip()
        with self._lock:
            account = self._accounts.get(cookie)
            if account is None:
                if cookie not in self.cookies:
                    raise LookupError("not one of the simulator's cookies")  # never echo a cookie
                account = self._accounts[cookie] = Account(cookie, Drive(cookie), save_file_limit=self.save_file_limit)
                account.drive.seed(self.drive_seed)
            return account

    def drive(self, cookie: str | None = None) -> Drive:
        return self.account(cookie).drive

    def sign_state(self, cookie: str | None = None) -> dict:
        return self.account(cookie).sign_state()

    def advance(self, seconds: float = 0, *, days: float = 0, hours: float = 0) -> None:
        """Move the simulator's clock forward ("8 days later"): timed own shares past their expired_at
        answer 41019; crossing a midnight (+08:00) is a new day for sign-in too."""
        before, after = self.clock.advance(seconds + hours * 3600 + days * 86400)
        if china_day(after) != china_day(before):
            self.new_day()

    def new_day(self) -> None:
        """Tomorrow for every account: each may sign in again."""
        with self._lock:
            accounts = list(self._accounts.values())
        for account in accounts:
            with account.drive.lock:
                account.signed_today = False

    def add_drive_fault(self, fault: Fault, cookie: str | None = None) -> None:
        """A fault for the drive endpoints (fault.endpoint: a DRIVE_ENDPOINTS name or "any"), for every
        account or only `cookie`'s. kind="task_error" makes the next save task fail with fault.code."""
        if fault.endpoint not in DRIVE_ENDPOINTS | {"any"}:
            raise ValueError(f"not a drive endpoint: {fault.endpoint!r} (one of {sorted(DRIVE_ENDPOINTS)})")
        with self._lock:
            self._drive_faults.append((fault, None if cookie is None else cookie.strip()))

    # request log

    def requests(self, endpoint: str | None = None, pwd_id: str | None = None) -> list[RequestRecord]:
        """Thread-safe snapshot of the log in arrival order, optionally filtered."""
        with self._lock:
            log = list(self._log)
        log.sort(key=lambda r: r.t)  # appended when answered; slow requests finish out of order
        if endpoint is not None:
            log = [r for r in log if r.endpoint == endpoint]
        return log if pwd_id is None else [r for r in log if r.pwd_id == pwd_id]

    @property
    def log(self) -> list[RequestRecord]:
        return self.requests()

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # lifecycle

    def start(self, host: str | None = None, port: int | None = None) -> str:
        if self._server is not None:
            raise RuntimeError("simulator already started")
        host = host or self.host
        port = self.port if port is None else port
        self._stopping.clear()
        server = (_Server6 if ":" in host else _Server)((host, port), _RequestHandler)
        server.sim = self
        self._server = server
        self.host, self.port = host, server.server_address[1]
        self.base_url = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"
        # A short poll interval keeps stop() fast (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="quark-sim", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # cuts "slow" faults short
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # idle keep-alive connections would otherwise keep being served
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread:
            self._thread.join()

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # used by the handlers

    def _record(self, record: RequestRecord) -> None:
        if not self.keep_log:
            return
        with self._lock:
            self._log.append(record)

    def canonical_cookie(self, cookie: str | None) -> str | None:
        """The accepted cookie a request's Cookie header stands for: itself, or one whose __puus this
        simulator rotated (the old value stays valid too); anything else as it came."""
        if cookie is None or cookie in self.cookies:
            return cookie
        key = _cookie_key(cookie)
        with self._lock:
            origin = self._aliases.get(key)
        if origin is None:
            origin = next((c for c in self.cookies if _cookie_key(c) == key), None)  # other spacing
        return origin if origin is not None and origin in self.cookies else cookie

    def _rotate_puus(self, cookie: str | None) -> tuple[tuple[str, str], ...]:
        """A Set-Cookie with a new __puus for an accepted cookie; the cookie with it is accepted from now on."""
        if not self.rotate_puus or cookie is None or cookie not in self.cookies:
            return ()
        new = base64.urlsafe_b64encode(os.urandom(18)).decode()
        pairs = dict(_cookie_key(cookie))
        pairs["__puus"] = new
        with self._lock:
            self._aliases[tuple(sorted(pairs.items()))] = cookie
        return (("Set-Cookie", f"__puus={new}; Domain=.quark.cn; Path=/; Max-Age=86400; Secure; HttpOnly"),)

    def _cookie_rejected(self, req: Request) -> bool:
        return self.strict_cookie and req.cookie is not None and req.cookie not in self.cookies

    def _share_gate(self, req: Request, pwd_id: object, endpoint: str) -> _ShareState | Reply:
        """The checks every share endpoint starts with: cookie, existence, injected faults."""
        meta = SHARE_GROUPS if endpoint in ("token", "detail") else None  # the share pages' metadata
        if isinstance(pwd_id, str):
            self.own_shares.refresh(pwd_id)  # an own share's link dies by its owner's state and the clock
        if self._cookie_rejected(req):
            return error(31001, metadata=meta)
        state = self._shares.get(pwd_id) if isinstance(pwd_id, str) else None
        if state is None and isinstance(pwd_id, str) and self.any_share is not None and self._any_listing is not None:
            state = _ShareState(replace(self.any_share, pwd_id=pwd_id), self._any_listing)
        if state is None:
            return error(41006, metadata=meta)
        return self._apply_faults(state.share.faults, endpoint, state, meta) or state

    def _account_for_cookie(self, cookie: str | None) -> Account | None:
        if cookie is None or cookie not in self.cookies:
            return None
        return self.account(cookie)

    def _account_for_kps(self, kps: str | None) -> Account | None:
        if not kps:
            return None
        for cookie in list(self.cookies):
            account = self.account(cookie)
            if account.matches_kps(kps):
                return account
        return None

    def _drive_faults_for(self, account: Account | None) -> list[Fault]:
        with self._lock:
            return [f for f, c in self._drive_faults if c is None or (account is not None and c == account.cookie)]

    def _drive_gate(self, account: Account | None, endpoint: str) -> Reply | None:
        """Faults first (like a gateway would), then the login check."""
        reply = self._apply_faults(self._drive_faults_for(account), endpoint, None)
        if reply is not None:
            return reply
        return error(31001) if account is None else None

    def _take_task_fault(self, account: Account, share_faults: list[Fault]) -> DriveError | None:
        for faults in (self._drive_faults_for(account), share_faults):
            fault = self._pick_fault(faults, "save", task=True)
            if fault is not None:
                return DriveError(fault.code, fault.status, fault.message)  # type: ignore[arg-type]
        return None

    def _add_task(self, task: Task) -> Task:
        with self._lock:
            self._tasks[task.task_id] = task
        return task

    def _issue_stoken(self, state: _ShareState) -> str:
        stoken = base64.b64encode(os.urandom(24)).decode()
        with self._lock:
            self._stokens[stoken] = (state.share.pwd_id, state.generation)
        return stoken

    def _pick_fault(self, faults: list[Fault], endpoint: str | None, task: bool = False) -> Fault | None:
        """The first fault that matches `endpoint` (None = any) and has uses left, counting the use.
        Task faults (kind task_error) are picked only with task=True, reply faults only without."""
        with self._lock:
            for fault in faults:
                if (fault.kind == "task_error") != task:
                    continue
                if endpoint is not None and fault.endpoint not in (endpoint, "any"):
                    continue
                entry = self._hits.get(id(fault))
                if entry is None or entry[0] is not fault:
                    entry = self._hits[id(fault)] = [fault, 0]
                if fault.times is None or entry[1] < fault.times:
                    entry[1] += 1
                    return fault
        return None

    def _apply_faults(
        self, faults: list[Fault], endpoint: str | None, state: _ShareState | None, metadata: dict | None = None
    ) -> Reply | None:
        """Pick the first reply fault that matches `endpoint` (None = any) and has uses left; render it."""
        fault = self._pick_fault(faults, endpoint)
        if fault is None:
            return None
        if fault.kind == "stoken_expired" and state is not None:
            with self._lock:
                state.generation += 1
        return self._render_fault(fault, metadata)

    def _render_fault(self, fault: Fault, metadata: dict | None = None) -> Reply | None:
        kind = fault.kind
        if kind == "code":
            return error(fault.code, fault.status, fault.message, metadata)  # type: ignore[arg-type]
        if kind == "stoken_expired":
            return error(41016, fault.status, fault.message, metadata)
        if kind == "reset":
            return DROP
        if kind == "slow":
            self._stopping.wait(fault.delay)
            return None  # then answer normally
        if kind == "http_error":
            status = fault.status or 502
            return _html(status, ERROR_PAGE_HTML.format(status=status, phrase=_phrase(status)))
        if kind == "html":
            return _html(fault.status or 200, ANTI_BOT_HTML)
        if kind == "garbage":
            return Reply(fault.status or 200, b'{"status":200,')
        if kind == "body":
            return Reply(fault.status or 200, json.dumps(fault.body, ensure_ascii=False).encode())
        if kind == "drip":  # invented: a server that answers a byte at a time never ends (issue 21)
            padded = b'{"status":200,"code":0,"message":"ok","data":{"stoken":"st"}}'.rjust(4096)
            return Reply(fault.status or 200, padded, drip=fault.delay or 1.0)
        if kind == "rate_limit":
            retry_after = fault.retry_after if fault.retry_after is not None else 1
            status = fault.status or 429
            page = ERROR_PAGE_HTML.format(status=status, phrase=_phrase(status))
            return _html(status, page, (("Retry-After", str(retry_after)),))
        raise AssertionError(kind)

    def _clock_reply(self, body: dict) -> Reply:
        seconds = body.get("advance_seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            return error(10001)
        self.advance(seconds)
        return _json({"now_ms": self.clock.now_ms()})

    def _log_reply(self, query: dict) -> Reply:
        records = self.requests(query.get("endpoint"), query.get("pwd_id"))
        return Reply(200, json.dumps([asdict(r) for r in records], ensure_ascii=False).encode())


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Each reply is one write, but keep small replies from waiting on Nagle + delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sim = self.server.sim
        with sim._lock:
            sim._conns.add(self.connection)
            sim.connections += 1
        if sim.handshake > 0:
            sim._stopping.wait(sim.handshake)

    def finish(self) -> None:
        sim = self.server.sim
        with sim._lock:
            sim._conns.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep stderr quiet
        pass

    def _dispatch(self) -> None:
        t, wall = time.monotonic(), time.time()
        sim: Simulator = self.server.sim
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = _positive_int(self.headers.get("Content-Length"), 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else None
        if url.path == LOG_PATH and self.command == "GET":
            return self._send(sim._log_reply(query))  # not logged itself
        if url.path == CLOCK_PATH and self.command == "POST":
            return self._send(sim._clock_reply(body or {}))  # not logged either: not Quark

        sent = (self.headers.get("Cookie") or "").strip() or None
        cookie = sim.canonical_cookie(sent)
        endpoint, handler = ROUTES.get((self.command, url.path), ("other", not_found))
        req = Request(self.command, url.path, query, body, cookie, self.headers.get("Content-Type"))
        with sim._lock:
            sim.active += 1
        try:
            reply = reshaped(sim.reshape, endpoint, handler(sim, req))
        except Exception:  # a simulator bug should show up as a 500, not a hung client
            traceback.print_exc(file=sys.stderr)
            reply = error(15000)
        finally:
            with sim._lock:
                sim.active -= 1
        pwd_id = (body or {}).get("pwd_id", query.get("pwd_id"))
        # Record before answering, so a client that got its answer always finds it in the log.
        sim._record(RequestRecord(
            t=t, wall=wall, method=self.command, path=url.path, endpoint=endpoint,
            pwd_id=pwd_id if isinstance(pwd_id, str) else None, query=query, body=body,
            host=self.headers.get("Host"), has_cookie=cookie is not None, status=reply.status,
            puus=dict(_cookie_key(sent)).get("__puus") if sent else None,
        ))  # fmt: skip
        if reply.status == 0:
            self.close_connection = True
            return
        if sim.rtt > 0:
            # The answer leaves one round trip after the request arrived: the simulator's own work
            # happens inside that time, as a remote server's does, so it is not what a benchmark measures.
            sim._stopping.wait(max(0.0, sim.rtt - (time.monotonic() - t)))
        self._send(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def _send(self, reply: Reply) -> None:
        head = [
            f"HTTP/1.1 {reply.status} {_phrase(reply.status)}",
            "Server: quark-sim",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(reply.body)}",
            *(f"{k}: {v}" for k, v in reply.headers),
        ]
        if self.close_connection:
            head.append("Connection: close")
        if reply.drip > 0:
            self._send_dripping(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body, reply.drip)
            return
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)

    def _send_dripping(self, data: bytes, seconds: float) -> None:
        """A byte, then a pause: every recv of the client gets data within its read timeout, the whole
        answer does not come in any reasonable time. Ends when the client goes or the simulator stops."""
        stopping = self.server.sim._stopping
        for index in range(len(data)):
            try:
                self.wfile.write(data[index:index + 1])
                self.wfile.flush()
            except OSError:  # the client closed its end
                break
            if stopping.wait(seconds):
                break
        self.close_connection = True
