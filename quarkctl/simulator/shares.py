"""The accounts' own shares in the simulator (issue 17): what `share/mypage/detail` lists, what
`POST share` creates, `share/password` and `share/delete`, and how an own share dies, which its
public link (sharepage/token) then answers: expiry by the simulator's clock (41019), cancelled
(41012), taken down (41010), invalidated (41011), every shared item deleted from the drive (41004).

Plain data and rules, no HTTP (share_routes.py renders them). Shapes and meanings follow
docs/reference/share-api.md and the share_* / task samples of quark-replies.json, cited per builder;
where no source says, the simulator invents and says so ("invented").

Simplifications, on purpose: a share's public listing is the drive as it was at creation (Quark's
is live); status 2 = expired and 3 = cancelled follow a GUI's map (share-api.md 2, inferred), and a
cancelled share stays listed (`keep_cancelled`; rclone skips listed status-3 shares); a taken-down
share keeps status 1 with audit_status 3 (litepan reads 2/3 as failed review; invented pairing).

Seeding, in a test: `share = sim.own_shares.share("/追更/剧集A", expiry="7d")` (a list of paths for a
multi-item share; `passcode=`, `created_at=` to backdate), then `sim.advance(days=8)` (41019),
`sim.own_shares.cancel(share)` (41012), `.take_down(share)` (41010, and its items flagged),
`.invalidate(share)` (41011), `.flag("/path")` (a new share of it fails 41026); `.task_polls = N` for the
polled creation path. A standalone simulator moves its clock with POST /__sim__/clock {"advance_seconds"}.
A scenario seeds them with `own_shares` (model._own_share_entry; OwnShares.seed). A share's public link
reports its expired_type/expired_at in token and detail (share_password[1]'s values for a timed share).
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
import string
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .accounts import Account, Task
from .clock import DAY_MS, end_of_china_day
from .codes import INVALID_PARAMS, DriveError, file_not_found
from .drive import Drive
from .model import NEVER_EXPIRES_MS, Share, build_listing
from .own_share import OwnShare, held
from .shapes import SAVE_PENDING, first_file, share_info

if TYPE_CHECKING:
    from .server import Simulator

# expired_type -> days (0 = permanent): share-api.md 2 (1 and 2 captured, 3 and 4 parsed from 5 clients)
EXPIRY_DAYS = {1: 0, 2: 1, 3: 7, 4: 30}
EXPIRY_NAMES = {"permanent": 1, "1d": 2, "7d": 3, "30d": 4}
AUDIT_OK, AUDIT_FAILED = 1, 3
MAX_ITEMS = 100  # per share (share-api.md 1.2, litepan's check): the simulator refuses more (invented code)
VIOLATION = 41026  # 选中的文件违规，不支持分享 (share-api.md 3; task[6])
TAKEDOWNS = frozenset({41010, 41031})
SUB_TITLE = "我用网盘给你分享文件，赶快查收吧。"  # share_password[0] (captured)
_PASSCODE = re.compile(r"[A-Za-z0-9]{4}")  # 4 letters/digits (share-api.md 2, litepan and kuake_cli)


@dataclass
class _Plan:
    fids: list[str]
    title: str
    url_type: int
    passcode: str | None
    expired_type: int
    tree: list[dict]  # the items as Share.files nodes
    subtree_fids: set[str] = field(default_factory=set)


def _node_tree(drive: Drive, path: str, fids: set[str]) -> dict:
    """A drive item and everything under it as a Share.files node (public API of Drive only)."""
    item = drive.node(path)
    fids.add(item["fid"])
    node = {"name": item["file_name"], "created_at": item["created_at"], "updated_at": item["updated_at"]}
    if not item["dir"]:
        return {**node, "size": item["size"]}
    base = path.rstrip("/")
    # A name saved twice shows twice in listdir but resolves to one node: share it once.
    kids = [_node_tree(drive, f"{base}/{name}", fids) for name in dict.fromkeys(drive.listdir(path))]
    return {**node, "children": kids}


def _random_passcode() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=4))


class OwnShares:
    """Every account's own shares, by pwd_id. One per Simulator (`sim.own_shares`).

    task_polls: 0 = `POST share` answers the finished task inside (share_create[0]); N >= 1 = it
    answers only the task id (share_create[1]'s keys) and the task is pending N polls (task[0]) before
    it is done (task[2]). violation_in_task_resp: a flagged item's 41026 comes inside `task_resp`
    (like save[2]) instead of on the first poll (share-api.md 3: "while polling the share task").
    """

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim
        self._lock = threading.RLock()
        self._shares: dict[str, OwnShare] = {}
        self._flagged: set[tuple[str, str]] = set()  # (cookie, drive fid)
        self._seq = itertools.count(1)
        self.task_polls = 0
        self.violation_in_task_resp = False
        self.keep_cancelled = True

    # --- test and scenario helpers ----------------------------------------------------------

    def share(self, paths: str | list[str], expiry: str | int = "permanent", passcode: str | None = None,
              title: str | None = None, cookie: str | None = None, created_at: int | None = None,
              pwd_id: str | None = None) -> OwnShare:  # fmt: skip
        """Share drive paths as the owner would ("/追更/剧集A", or several for a multi-item share);
        expiry "permanent", "1d", "7d", "30d" (or an expired_type); `created_at` (ms) backdates it;
        `pwd_id` fixes the link (a scenario's rows name it)."""
        account = self._sim.account(cookie)
        paths = [paths] if isinstance(paths, str) else list(paths)
        fids = [account.drive.node(p)["fid"] for p in paths]
        expired_type = EXPIRY_NAMES[expiry] if isinstance(expiry, str) else expiry
        body = {"fid_list": fids, "title": title or "", "url_type": 2 if passcode else 1,
                "expired_type": expired_type, "passcode": passcode}  # fmt: skip
        return self._make(account, self._plan(account, body), created_at, pwd_id)

    def seed(self, entries: list | tuple) -> None:
        """A scenario's `own_shares` (model._own_share_entry): share each, then put it in its state."""
        for entry in entries:
            share = self.share(entry["paths"], entry.get("expiry", "permanent"), entry.get("passcode"), entry.get("title"),
                               entry.get("cookie"), entry.get("created_at"), entry.get("pwd_id"))
            state = entry.get("state", "normal")
            if state == "cancelled":
                self.cancel(share)
            elif state == "taken_down":
                self.take_down(share)
            elif state == "invalidated":
                self.invalidate(share)

    def cancel(self, share: OwnShare) -> None:
        """As the owner's share/delete: the link answers 41012 from now on."""
        with self._lock:
            share.cancelled, share.updated_at = True, self._now()

    def take_down(self, share: OwnShare, code: int = 41010) -> None:
        """Quark takes the share down (41010 violation, 41031 sharer banned); its items are flagged
        too, so a new share of them fails with 41026 (share-api.md 3, inferred)."""
        with self._lock:
            share.dead_code = code
            drive = self._sim.account(share.cookie).drive
            for fid in share.fids:
                if held(drive, fid):
                    self.flag(drive.path(fid), share.cookie)

    def invalidate(self, share: OwnShare, code: int = 41011) -> None:
        """The link dies with `code` (41011 分享地址已失效, or 41004) while the files stay in the drive."""
        with self._lock:
            share.dead_code = code

    def flag(self, path: str, cookie: str | None = None) -> str:
        """Mark a drive item as violating: a share holding it (or anything inside it) fails with 41026."""
        account = self._sim.account(cookie)
        fid: str = account.drive.node(path)["fid"]
        with self._lock:
            self._flagged.add((account.cookie, fid))
        return fid

    def of(self, cookie: str | None = None) -> list[OwnShare]:
        """An account's shares, oldest first."""
        account = self._sim.account(cookie)
        with self._lock:
            return sorted((s for s in self._shares.values() if s.cookie == account.cookie), key=lambda s: s.seq)

    def get(self, pwd_id: str) -> OwnShare | None:
        with self._lock:
            return self._shares.get(pwd_id)

    def refresh(self, pwd_id: str) -> None:
        """Bring the public link in line with its own share (called before each share-page request)."""
        if pwd_id not in self._shares:  # most links are not own shares: no lock on the benchmark path
            return
        with self._lock:
            share = self._shares.get(pwd_id)
            if share is not None:
                share.public.dead_code = share.token_code(self._now(), self._sim.account(share.cookie).drive)

    # --- what the endpoints do -----------------------------------------------------------

    def create_task(self, account: Account, body: dict, failure: DriveError | None = None) -> tuple[Task, bool]:
        """The task of a `POST share` and whether the answer embeds it done (True) or the client polls.
        Bad parameters raise now; a flagged item (41026) or an injected `failure` at completion."""
        plan = self._plan(account, body)
        with self._lock:
            flagged = any((account.cookie, fid) in self._flagged for fid in plan.subtree_fids)
        if failure is None and flagged:
            failure = DriveError(VIOLATION)

        started = self._now()  # the task's and the share's creation time: one moment (task[2]: expiry = created_at + 1 day)

        def run() -> dict:
            if failure is not None:
                raise failure
            return _task_result(self._make(account, plan, started), len(plan.fids))

        inline = self.task_polls == 0 and (failure is None or self.violation_in_task_resp)
        polls = 0 if inline else self.task_polls
        # task[0]: a pending share task shows share.meaning_link and an empty save_as (captured)
        return Task(account.cookie, 8, "分享", polls, run, SAVE_PENDING, created_at=started), inline

    def page(self, account: Account, page: int, size: int, order_field: str | None, order_type: str | None) -> tuple[list[dict], int]:
        """One page of share/mypage/detail, newest first unless _order_type=asc."""
        now = self._now()
        key = order_field if order_field in ("created_at", "updated_at") else "created_at"
        with self._lock:
            mine = [s for s in self._shares.values()
                    if s.cookie == account.cookie and (self.keep_cancelled or not s.cancelled)]  # fmt: skip
            mine.sort(key=lambda s: (getattr(s, key), s.seq), reverse=(order_type or "desc").lower() != "asc")
            return [self._item(s, now) for s in mine[(page - 1) * size : page * size]], len(mine)

    def password(self, account: Account, share_id: object) -> dict:
        """share/password data (share_password[0], [1] captured; [2] parsed, for url_type 2)."""
        if not isinstance(share_id, str) or not share_id:
            raise DriveError(INVALID_PARAMS)
        now = self._now()
        with self._lock:
            share = next((s for s in self._shares.values() if s.share_id == share_id and s.cookie == account.cookie), None)
            if share is None:
                raise DriveError(41006)  # invented: no source shows share/password of an unknown share_id
            code = share.token_code(now, account.drive)
            if code:
                raise DriveError(code)  # invented: a dead share's share/password answers its link's code
            item = self._item(share, now)
        root = share.listing.items[share.listing.fids[share.roots[0]]]
        more_layers = root["dir"] and any(it["dir"] for it in share.listing.children.get(root["fid"], ()))
        data = {"title": item["title"], "sub_title": SUB_TITLE}
        if share.url_type == 2:
            data["thumbnail"] = ""  # share_password[2] (type file: thumbnail, passcode)
        data.update(share_type=0, pwd_id=share.pwd_id, share_url=share.share_url, url_type=share.url_type)
        if share.url_type == 2:
            data["passcode"] = share.passcode
        data.update(expired_type=share.expired_type, file_num=item["file_num"], expired_at=share.expired_at)
        if share.expire_timestamp is not None:
            data["expire_timestamp"] = share.expire_timestamp  # share_password[1]: timed shares only
        data["first_file"] = {**item["first_file"], "size": root["size"], "album_dir": False, "more_than_one_layer": more_layers}
        data.update(path_info=share.path_info, partial_violation=False)
        if share.url_type == 1:
            data["size"] = item["size"]  # share_password[0]/[1] have it; the passcode sample [2] does not
        data.update(first_layer_file_categories=item["first_layer_file_categories"], download_pvlimited=False)
        return data

    def delete(self, account: Account, share_ids: object) -> int:
        """share/delete {share_ids} (share_delete[0], parsed): cancels the account's shares among them.
        Unknown ids are ignored (invented: no source shows that answer); returns how many it cancelled."""
        if not isinstance(share_ids, list) or not share_ids or not all(isinstance(i, str) for i in share_ids):
            raise DriveError(INVALID_PARAMS)
        wanted, now, n = set(share_ids), self._now(), 0
        with self._lock:
            for share in self._shares.values():
                if share.cookie == account.cookie and share.share_id in wanted and not share.cancelled:
                    share.cancelled, share.updated_at, n = True, now, n + 1
        return n

    # --- internals ---------------------------------------------------------------------

    def _now(self) -> int:
        return self._sim.clock.now_ms()

    def _plan(self, account: Account, body: dict) -> _Plan:
        """Check a `POST share` body (share-api.md 1 (b)): {fid_list, title, url_type, expired_type, passcode?}."""
        fids, url_type, expired_type = body.get("fid_list"), body.get("url_type"), body.get("expired_type")
        if not isinstance(fids, list) or not fids or len(fids) > MAX_ITEMS or not all(isinstance(f, str) for f in fids):
            raise DriveError(INVALID_PARAMS)
        if url_type not in (1, 2) or expired_type not in EXPIRY_DAYS:
            raise DriveError(INVALID_PARAMS)
        passcode = None
        if url_type == 2:
            passcode = body.get("passcode") or _random_passcode()  # invented: Quark may generate one (share-api.md 5.9)
            if not isinstance(passcode, str) or not _PASSCODE.fullmatch(passcode):
                raise DriveError(INVALID_PARAMS, message="passcode must be 4 letters or digits")  # invented code
        drive = account.drive
        subtree: set[str] = set()  # every fid the share holds, for the violation check
        tree: list[dict] = []
        for fid in dict.fromkeys(fids):
            if not held(drive, fid) or fid == "0":
                raise file_not_found(fid)  # 21001 as on file/info (common_errors[2]): no source shows a share of a missing fid
            tree.append(_node_tree(drive, drive.path(fid), subtree))
        if len({node["name"] for node in tree}) < len(tree):
            raise DriveError(INVALID_PARAMS)  # two top-level items of one name: the simulator cannot list both
        title = body.get("title")
        title = title if isinstance(title, str) and title else tree[0]["name"]  # invented default
        return _Plan(list(dict.fromkeys(fids)), title, url_type, passcode, expired_type, tree, subtree)

    def _new_pwd_id(self, cookie: str) -> str:
        while True:
            pwd_id = hashlib.md5(f"own-share:{cookie}:{next(self._seq)}".encode()).hexdigest()[:12]
            if pwd_id not in self._shares and pwd_id not in self._sim.shares:
                return pwd_id

    def _make(self, account: Account, plan: _Plan, created_at: int | None = None, pwd_id: str | None = None) -> OwnShare:
        now = self._now() if created_at is None else created_at
        days = EXPIRY_DAYS[plan.expired_type]
        expire_timestamp = now + days * DAY_MS if days else None
        expired_at = end_of_china_day(expire_timestamp) if expire_timestamp else NEVER_EXPIRES_MS
        drive = account.drive
        parent = drive.node(drive.path(plan.fids[0]))["pdir_fid"]
        with self._lock:
            if pwd_id is not None and (pwd_id in self._shares or pwd_id in self._sim.shares):
                raise ValueError(f"own share {pwd_id}: that pwd_id is taken")
            pwd_id = pwd_id or self._new_pwd_id(account.cookie)
            # The public link reports the share's expiry as token and detail show it (share_password[1]'s values).
            public = self._sim.add_share(Share(pwd_id=pwd_id, title=plan.title, passcode=plan.passcode, files=plan.tree,
                                               expired_type=plan.expired_type, expired_at=expired_at))
            share = OwnShare(
                # the share_id shapes.share_info gives the public detail's `share` object too
                share_id=hashlib.md5(f"share:{pwd_id}".encode()).hexdigest(), pwd_id=pwd_id, cookie=account.cookie,
                fids=plan.fids, title=plan.title, url_type=plan.url_type, passcode=plan.passcode,
                expired_type=plan.expired_type, created_at=now, expired_at=expired_at, expire_timestamp=expire_timestamp,
                path_info=drive.path(parent), public=public, listing=build_listing(public),
                roots=[node["name"] for node in plan.tree], seq=next(self._seq), updated_at=now,
            )  # fmt: skip
            self._shares[pwd_id] = share
        return share

    def _item(self, share: OwnShare, now: int) -> dict:
        """A share/mypage/detail list item (share_mypage[0], keys captured from a type file): the key
        set of the detail's `share` object, owner's view: first_fid is the fid in the drive."""
        listing = share.listing
        roots = [listing.items[listing.fids[name]] for name in share.roots]
        info = share_info(share.pwd_id, share.title, share.passcode, roots, list(listing.items.values()),
                          share.expired_at, share.share_url)  # fmt: skip
        info.update(
            share_id=share.share_id, first_fid=share.fids[0], expired_type=share.expired_type,
            created_at=share.created_at, updated_at=share.updated_at,
            expired_left=max(0, share.expired_at - now),  # remaining ms, not a timestamp (share-api.md 1.1)
            audit_status=AUDIT_FAILED if share.dead_code in TAKEDOWNS else AUDIT_OK,
            status=share.status(now), path_info=share.path_info, is_owner=1,
        )  # fmt: skip
        info["first_file"] = {**first_file(roots[0]), "fid": share.fids[0]}
        return info


def _task_result(share: OwnShare, count: int) -> dict:
    """A done share task's keys (task[2], captured; share_create[0]'s task_resp.data)."""
    meta = {"expired_timestamp": share.expire_timestamp} if share.expire_timestamp is not None else {}
    return {
        "share_id": share.share_id, "share": {**meta, "meaning_link": True},
        "save_as": {"save_as_select_top_fids": [], "is_pack": "0", "save_as_top_fids": []},
        "creation_snapshot": {"success_count": count, "failed_count": 0},
    }  # fmt: skip
