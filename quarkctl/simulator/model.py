"""Data model of the Quark API simulator: shares, faults, request records, scenarios, the code table.

Field names and codes follow docs/reference/quark-api.md (sections 3 and 4).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

from .drive import Drive
from .drive_shares import parse_drive_shares
from .shapes import file_kind, share_item


# code -> (HTTP status = JSON status, message), quark-api.md 4.1. 41013 is the detail "no such folder".
CODES: dict[int, tuple[int, str]] = {
    41004: (404, "文件不存在"),
    41006: (404, "分享不存在"),
    41007: (404, "提取码错误，请检查后再试。"),
    41008: (404, "需要提取码"),
    41010: (404, "文件涉及违规内容"),
    41011: (404, "分享地址已失效"),
    41012: (404, "好友已取消了分享"),
    41013: (404, "文件夹不存在"),
    41016: (400, "分享的stoken过期"),
    41019: (404, "分享地址已过期"),
    41021: (404, "提取码输入次数过多"),
    41031: (403, "分享者用户封禁链接查看受限"),
    14021: (400, "file not found"),
    15000: (500, "inner error"),  # the server appends ", requestId <random>"
    31001: (401, "require login [guest]"),
    # the drive side (quark-api.md 3.4, 3.5, 4.1)
    41020: (403, "转存文件token校验异常"),
    41035: (400, "单次转存文件个数超出用户等级限制"),
    # share creation refused (share-api.md 3; quark-replies.json task[6]): the status is not shown, 400 assumed
    41026: (400, "选中的文件违规，不支持分享"),
    41005: (400, "选中的文件违规，不支持分享"),
    32003: (400, "capacity limit[{0}]"),
    23008: (400, "同名冲突"),
    44210: (400, "cap_growth_sign_repeat"),
    # saving a share you own (quark-replies.json save[3], captured: 404 用户禁止转存自己的分享)
    41017: (404, "用户禁止转存自己的分享"),
    # The "Bad Parameter: [...]" family, HTTP 400 (quark-api.md 7; quark-replies.json common_errors[1],
    # share_detail[2], delete[2], save[5]). The bracket says what was wrong: pass the message whole
    # (codes.bad_parameter). Until issue 21 the simulator used 14001 for an invented "file not found" 404.
    14001: (400, "Bad Parameter: []"),
    # a drive fid that is not there (quark-replies.json common_errors[2]: 404 "file not found [<fid>]",
    # on file/info; codes.file_not_found puts the fid in the brackets)
    21001: (404, "file not found"),
    # invented by the simulator where no real answer is known (quark-api.md 6)
    10001: (400, "invalid params"),
    10002: (400, "too many paths"),
    10003: (404, "task not found"),
}
UNKNOWN_CODE = (400, "unknown error")

# "task_error" is not a reply: the next save task fails with `code` when it completes.
# "body" answers `body` verbatim (JSON) with HTTP `status` (default 200): replays a recorded reply.
FAULT_KINDS = frozenset(
    {"code", "http_error", "html", "garbage", "rate_limit", "slow", "stoken_expired", "reset", "task_error", "body", "drip"}
)
DRIVE_ENDPOINTS = frozenset({
    "path_list", "sort", "mkdir", "rename", "delete", "recycle_list", "recycle_remove", "save", "task",
    "growth_info", "growth_sign",
    "share_list", "share_create", "share_password", "share_delete",  # own shares (share_routes.py, issue 17)
})  # fmt: skip
FAULT_ENDPOINTS = frozenset({"token", "detail", "account", "any"}) | DRIVE_ENDPOINTS

FIXED_MS = 1760700000000  # the first node's default created_at/updated_at
# Each later node of a share (depth first, in scenario order) is this much newer by default, so
# `updated_at:desc` (the order quarkctl and the reference ask for, quark-api.md 3.3) puts the last
# episode of a scenario first, as a sharer who uploads one episode at a time would see it.
NODE_STEP_MS = 60_000
NEVER_EXPIRES_MS = 4102416000000  # expired_at meaning "permanent" (expired_type 1)
SHARE_LINK = "https://pan.quark.cn/s/{}"


def code_info(code: int) -> tuple[int, str]:
    return CODES.get(code, UNKNOWN_CODE)


@dataclass
class Fault:
    """A misbehaviour applied to the first `times` matching requests (None = every request)."""

    kind: str
    endpoint: str = "token"
    times: int | None = None
    code: int | None = None
    status: int | None = None
    message: str | None = None
    delay: float = 0.0
    retry_after: int | float | None = None
    body: dict | list | None = None  # kind "body": the JSON answered as is

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (one of {sorted(FAULT_KINDS)})")
        if self.endpoint not in FAULT_ENDPOINTS:
            raise ValueError(f"unknown fault endpoint {self.endpoint!r} (one of {sorted(FAULT_ENDPOINTS)})")
        if self.kind == "code" and self.code is None:
            self.code = 15000  # the commonest transient error
        if self.kind == "task_error" and self.code is None:
            self.code = 32003  # drive full, the commonest task failure
        if self.kind == "body" and not isinstance(self.body, (dict, list)):
            raise ValueError("a body fault needs `body`, the JSON object to answer")

    def describe(self) -> str:
        what = f"{self.kind.replace('_', ' ')} {self.code}" if self.kind in ("code", "task_error") else self.kind
        return f"{what} on {self.endpoint}" + ("" if self.times is None else f" x{self.times}")


@dataclass
class Share:
    """One share link. `files` is a tree of nodes: a name (str) or {"name", "size"?, "children"?,
    "dir"?, "created_at"?, "updated_at"?}; a node with "children" (or "dir": true) is a folder.

    dead_code: the token call fails with it. detail_code: the token works, detail fails with it
    (the share died after the token). Both are read on every request, so tests may change them live.
    """

    pwd_id: str
    title: str = ""
    passcode: str | None = None
    files: list = field(default_factory=list)
    dead_code: int | None = None
    detail_code: int | None = None
    faults: list[Fault] = field(default_factory=list)
    # What token and detail report (share_token[0], share_detail[0]: 1 permanent; a timed own share
    # carries its type and end, as share_password[1] shows them; simulator/shares.py sets them).
    expired_type: int = 1
    expired_at: int = NEVER_EXPIRES_MS

    def __post_init__(self) -> None:
        if not isinstance(self.pwd_id, str) or not self.pwd_id:
            raise ValueError(f"pwd_id must be a non-empty string, got {self.pwd_id!r}")
        self.faults = [f if isinstance(f, Fault) else Fault(**f) for f in self.faults]

    @property
    def link(self) -> str:
        url = SHARE_LINK.format(self.pwd_id)
        return f"{url}?pwd={self.passcode}" if self.passcode else url

    def expected_state(self) -> str:
        """What a correct checker should conclude, faults aside (they only delay the answer)."""
        if self.dead_code:
            return f"dead:{self.dead_code}"
        if self.detail_code:
            return f"dies-after-token:{self.detail_code}"
        return "alive" if self.files else "empty"


@dataclass(frozen=True)
class RequestRecord:
    t: float  # time.monotonic() at arrival
    wall: float  # time.time() at arrival
    method: str
    path: str
    endpoint: str  # "account", "token", "detail", a DRIVE_ENDPOINTS name or "other"
    pwd_id: str | None
    query: dict
    body: dict | None
    host: str | None
    has_cookie: bool
    status: int  # HTTP status answered, 0 when the connection was dropped
    puus: str | None = None  # the __puus value the request carried (shows the client took a rotated one)


@dataclass
class Scenario:
    cookies: list[str] = field(default_factory=list)
    strict_cookie: bool = False
    shares: list[Share] = field(default_factory=list)
    drive: list = field(default_factory=list)  # every account's drive starts with these (drive.Drive.seed)
    task_polls: int = 2
    tq_gap: int = 500
    save_file_limit: int | None = None  # files per save before 41035, every account (None: by level)
    reshape: list = field(default_factory=list)  # reply keys dropped/renamed on purpose (reshape.py)
    own_shares: list = field(default_factory=list)  # the accounts' own shares (shares.py OwnShares.seed, issue 17)
    task_failure_shape: str = "error"  # a failed task's poll: "error" (task[3]) or "status3" (task[9]); server.task_poll
    drive_shares: list = field(default_factory=list)  # the other drives' shares (drive_shares.py), for --drives-port


def _only_known(d: dict, cls: type, where: str) -> dict:
    known = {f.name for f in fields(cls)}
    unknown = set(d) - known
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)} (known: {sorted(known)})")
    return d


def load_scenario(src: str | Path | dict | None = None) -> Scenario:
    """Build a Scenario from a dict, a JSON file path, or (None) the bundled example.json."""
    data: dict
    if src is None:
        text = resources.files(__package__).joinpath("scenarios/example.json").read_text("utf-8")
        data = json.loads(text)
    elif isinstance(src, dict):
        data = src
    else:
        data = json.loads(Path(src).read_text("utf-8"))
    _only_known(data, Scenario, "scenario")
    shares = []
    for i, s in enumerate(data.get("shares", [])):
        s = dict(_only_known(s, Share, f"shares[{i}]"))
        s["faults"] = [
            Fault(**_only_known(f, Fault, f"shares[{i}].faults[{j}]")) for j, f in enumerate(s.get("faults", []))
        ]
        shares.append(Share(**s))
    drive = list(data.get("drive", []))
    Drive("check").seed(drive)  # a bad entry fails now, not in the middle of a request
    return Scenario(
        cookies=list(data.get("cookies", [])), strict_cookie=bool(data.get("strict_cookie", False)), shares=shares,
        drive=drive, task_polls=int(data.get("task_polls", 2)), tq_gap=int(data.get("tq_gap", 500)),
        save_file_limit=None if data.get("save_file_limit") is None else int(data["save_file_limit"]),
        reshape=[dict(r) for r in data.get("reshape", [])],
        own_shares=[_own_share_entry(e, i) for i, e in enumerate(data.get("own_shares", []))],
        task_failure_shape=_task_failure_shape(data.get("task_failure_shape", "error")),
        drive_shares=parse_drive_shares(data.get("drive_shares", [])),
    )


TASK_FAILURE_SHAPES = ("error", "status3")


def _task_failure_shape(value: object) -> str:
    if not isinstance(value, str) or value not in TASK_FAILURE_SHAPES:
        raise ValueError(f"task_failure_shape: one of {', '.join(TASK_FAILURE_SHAPES)}")
    return value


OWN_SHARE_KEYS = frozenset({"paths", "expiry", "passcode", "title", "cookie", "created_at", "pwd_id", "state"})
OWN_SHARE_STATES = ("normal", "cancelled", "taken_down", "invalidated")


def _own_share_entry(entry: object, i: int) -> dict:
    """An own share of a scenario: {"paths": "/追更/剧集A" or a list, "expiry": "permanent|1d|7d|30d",
    "passcode", "title", "cookie", "created_at" (ms), "pwd_id", "state": normal|cancelled|taken_down|invalidated}.
    The paths must be in the scenario's `drive`; checked when the simulator is made."""
    if not isinstance(entry, dict) or not entry.get("paths"):
        raise ValueError(f"own_shares[{i}]: an object with `paths` (a drive path or a list of them)")
    unknown = set(entry) - OWN_SHARE_KEYS
    if unknown:
        raise ValueError(f"own_shares[{i}]: unknown field(s) {sorted(unknown)} (known: {sorted(OWN_SHARE_KEYS)})")
    if entry.get("state", "normal") not in OWN_SHARE_STATES:
        raise ValueError(f"own_shares[{i}].state: one of {', '.join(OWN_SHARE_STATES)}")
    return dict(entry)


# --- share contents -------------------------------------------------------------------------------

_NODE_KEYS = frozenset({"name", "size", "children", "dir", "created_at", "updated_at"})


def node_fid(pwd_id: str, path: str) -> str:
    return hashlib.md5(f"{pwd_id}/{path}".encode()).hexdigest()


def node_fid_token(pwd_id: str, path: str) -> str:
    return hashlib.md5(f"share_fid_token:{pwd_id}/{path}".encode()).hexdigest()


@dataclass
class Listing:
    """A share's tree, precomputed so a detail request is dict lookups and a slice."""

    # folder fid ("0" = root) -> its items, folders first, then by name (detail re-sorts by `_sort`)
    children: dict[str, list[dict]]
    full_path: dict[str, list[dict]]  # folder fid -> breadcrumb [{"fid", "file_name"}] below the root
    fids: dict[str, str]  # "S01/e1.mkv" -> fid
    items: dict[str, dict] = field(default_factory=dict)  # fid -> its item, at any level (for save)


def build_listing(share: Share) -> Listing:
    listing = Listing(children={}, full_path={"0": []}, fids={})
    order = itertools.count()  # the default times: distinct and deterministic (NODE_STEP_MS)

    def walk(nodes: list, pdir_fid: str, prefix: str, crumbs: list[dict]) -> None:
        items = []
        for node in nodes:
            node = {"name": node} if isinstance(node, str) else node
            if not isinstance(node, dict) or not node.get("name"):
                raise ValueError(f"share {share.pwd_id}: a file node needs a name, got {node!r}")
            if set(node) - _NODE_KEYS:
                raise ValueError(f"share {share.pwd_id}: unknown node field(s) {sorted(set(node) - _NODE_KEYS)}")
            name = node["name"]
            path = prefix + name
            if path in listing.fids:
                raise ValueError(f"share {share.pwd_id}: duplicate path {path!r}")
            fid = listing.fids[path] = node_fid(share.pwd_id, path)
            is_dir = "children" in node or bool(node.get("dir"))
            stamp = FIXED_MS + next(order) * NODE_STEP_MS
            updated_at = node.get("updated_at", stamp)
            created_at = node.get("created_at", min(stamp, updated_at))  # never after its update
            item = {
                "fid": fid, "file_name": name, "pdir_fid": pdir_fid,
                "file_type": 0 if is_dir else 1, "dir": is_dir, "file": not is_dir,
                "share_fid_token": node_fid_token(share.pwd_id, path),
                "created_at": created_at, "updated_at": updated_at,
                "status": 1,
            }  # fmt: skip
            if is_dir:
                kids = node.get("children") or []
                item.update(size=0, obj_category="", category=0, format_type="", include_items=len(kids))
                here = crumbs + [{"fid": fid, "file_name": name}]
                listing.full_path[fid] = here
                walk(kids, fid, path + "/", here)
            else:
                obj_category, category, format_type = file_kind(name)
                size = node.get("size", 1_048_576 + int(fid[:6], 16))  # deterministic, non-zero
                item.update(size=size, obj_category=obj_category, category=category, format_type=format_type)
            item = share_item(item, share.pwd_id)  # Quark's whole key set, built once (shapes.py)
            items.append(item)
            listing.items[fid] = item
        items.sort(key=lambda it: (it["file_type"], it["file_name"]))
        listing.children[pdir_fid] = items

    walk(share.files, "0", "", [])
    return listing
