"""A loopback fake of a self-hosted PanSou (issue 25), answering in the shapes search-api.md section 1 reads
from its code: `/api/search` (GET and POST, section 1.3) in the success wrapper with `merged_by_type`
(section 1.4), `/api/auth/login` and the 401 bodies when its authentication is on (sections 1.7, 1.8),
`/api/health` (section 1.12). What a keyword finds is a table the test writes, and every link whose note holds
the keyword (PanSou's keyword filter, section 1.4: a case-insensitive substring; its channels and plugins are
searched by the keyword, so `电影A` finds «电影A (2024) 4K»):

    pansou = FakePanSou(); base = pansou.start()
    pansou.add("电影A", url="https://pan.quark.cn/s/acc30a3cf8d4", note="电影A 4K", datetime="2026-11-20T08:00:00Z")
    pansou.add("电影A", url=..., slow=True)      # absent from the first (cold) search, there on a repeat (1.9)
    pansou.enable_auth({"admin": "admin123"})    # login, Bearer tokens, 401 bodies
    pansou.down = "503"                          # or "closed": the connection is dropped unanswered
    pansou.fail(500, {"code": 500, "message": "搜索失败: x"}, times=1)   # the next search answers this
    release = pansou.stall()                     # searches wait unanswered until release.set(); pansou.searching is set
                                                 # when one arrives (a test waits on that, not on a clock)

Every request is logged (`requests()`, pansou_http.PanSouRequest), with its query as sent (a repeated key keeps all its values, though
PanSou, as gin does, reads only the first). Like the rest of quarkctl.simulator it imports no product code.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime as DateTime
from typing import Any

from .loopback import LoopbackService
from .model import Share
from .pansou_http import PanSouHTTPServer, PanSouRequest

ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time, what PanSou writes for an unknown time (section 1.6)
# section 1.5, GetLinkType: host substrings, tested in this order
LINK_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("quark", ("pan.quark.cn",)), ("baidu", ("pan.baidu.com",)), ("aliyun", ("alipan.com", "aliyundrive.com")),
    ("guangya", ("guangyapan.com",)), ("tianyi", ("cloud.189.cn",)), ("uc", ("drive.uc.cn",)),
    ("mobile", ("caiyun.139.com", "yun.139.com", "caiyun.feixin.10086.cn")), ("115", ("115.com", "115cdn.com", "anxia.com")),
    ("pikpak", ("mypikpak.com",)), ("xunlei", ("pan.xunlei.com",)),
    ("123", ("123684.com", "123685.com", "123865.com", "123912.com", "123592.com", "123pan.com", "123pan.cn")),
)  # fmt: skip
# section 1.7
AUTH_MISSING = {"error": "未授权：缺少认证令牌", "code": "AUTH_TOKEN_MISSING"}
AUTH_FORMAT = {"error": "未授权：令牌格式错误", "code": "AUTH_TOKEN_INVALID_FORMAT"}
AUTH_INVALID = {"error": "未授权：令牌无效或已过期", "code": "AUTH_TOKEN_INVALID"}
TOKEN_HOURS = 24  # AUTH_TOKEN_EXPIRY's default


def link_type(url: str) -> str:
    lower = url.lower()
    if lower.startswith("magnet:"):
        return "magnet"
    if lower.startswith("ed2k:"):
        return "ed2k"
    for key, hosts in LINK_TYPES:
        if any(host in lower for host in hosts):
            return key
    return "others"


def go_time(value: DateTime | str | None) -> str:
    """A time as PanSou writes it: RFC 3339, Z for UTC; None is the zero time."""
    if value is None:
        return ZERO_TIME
    if isinstance(value, str):
        return value
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass
class Hit:
    """One scripted link: a MergedLink (section 1.4) and how the fake serves it."""

    url: str
    note: str
    password: str = ""
    datetime: str = ZERO_TIME
    source: str = "plugin:sim"
    images: list[str] = field(default_factory=list)
    slow: bool = False  # a slow plugin's link: missing from a cold search (section 1.9)
    type: str = ""

    def merged(self) -> dict[str, Any]:
        item: dict[str, Any] = {"url": self.url, "password": self.password, "note": self.note, "datetime": self.datetime,
                                "source": self.source}
        if self.images:  # omitempty
            item["images"] = list(self.images)
        return item

    def result(self, n: int) -> dict[str, Any]:
        """The SearchResult of `res=all|results`, one message per link."""
        channel = self.source[3:] if self.source.startswith("tg:") else ""
        link = {"type": self.type, "url": self.url, "password": self.password, "datetime": self.datetime, "work_title": self.note}
        item: dict[str, Any] = {"message_id": str(n), "unique_id": f"{channel or 'plugin'}-{n}", "channel": channel,
                                "datetime": self.datetime, "title": self.note, "content": self.note, "links": [link]}
        if self.images:
            item["images"] = list(self.images)
        return item


class FakePanSou(LoopbackService):
    thread_name = "pansou-sim"

    def __init__(self, users: dict[str, str] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.users: dict[str, str] = dict(users or {})  # AUTH_USERS; empty: authentication off
        self.auth = bool(self.users)
        self.down: str | None = None  # "503" (a gateway's page) or "closed" (dropped unanswered)
        self._table: dict[str, list[Hit]] = {}
        self._warm: set[str] = set()  # keywords asked since their cache was cold
        self._failures: list[list[Any]] = []  # [status, body, content_type, times left or None, headers]
        self._tokens: set[str] = set()
        self._log: list[PanSouRequest] = []
        self._lock = threading.Lock()
        self.searching = threading.Event()  # a search arrived while stalled
        self._release: threading.Event | None = None  # stall(): searches wait for it

    # what the test scripts

    def add(self, keyword: str, url: str, *, note: str | None = None, password: str = "", datetime: DateTime | str | None = None,
            source: str = "plugin:sim", images: list[str] | None = None, slow: bool = False, type: str | None = None) -> Hit:
        """A link `keyword` finds, after those added before (PanSou orders by its score, section 1.4: the test
        writes that order). The note defaults to the keyword. A link is found by its keyword even when its note
        does not hold it (the plugins that skip PanSou's keyword filter, section 1.4), and by any keyword its note
        holds."""
        hit = Hit(url=url, note=keyword if note is None else note, password=password, datetime=go_time(datetime), source=source,
                  images=list(images or []), slow=slow, type=type or link_type(url))
        with self._lock:
            self._table.setdefault(_key(keyword), []).append(hit)
        return hit

    def enable_auth(self, users: dict[str, str]) -> None:
        self.users, self.auth = dict(users), True

    def disable_auth(self) -> None:
        self.auth = False

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (a restart with no AUTH_JWT_SECRET, section 1.8)."""
        with self._lock:
            self._tokens.clear()

    def cool(self) -> None:
        """Every keyword's cache is cold again (CACHE_TTL passed, section 1.9)."""
        with self._lock:
            self._warm.clear()

    def fail(self, status: int, body: dict[str, Any] | list[Any] | str | bytes, content_type: str | None = None,
             times: int | None = 1, headers: dict[str, str] | None = None) -> None:
        """The next `times` searches (None: every one) answer `status`, `body` and `headers` verbatim."""
        with self._lock:
            self._failures.append([status, body, content_type, times, dict(headers or {})])

    def stall(self) -> threading.Event:
        """From now on every search waits, unanswered, until the returned event is set or the fake stops: a PanSou
        whose plugins hang. `searching` is set when the first such search arrives."""
        self.searching.clear()
        self._release = threading.Event()
        return self._release

    def wait_if_stalled(self) -> None:
        release = self._release
        if release is not None:
            self.searching.set()
            release.wait()

    def requests(self, path: str | None = None) -> list[PanSouRequest]:
        with self._lock:
            log = list(self._log)
        return [r for r in log if path is None or r.path == path]

    @property
    def tokens(self) -> set[str]:
        with self._lock:
            return set(self._tokens)

    # answers

    def search(self, kw: str, cloud_types: list[str] | None, res: str, refresh: bool) -> dict[str, Any]:
        """`data` of a search, as PanSou's mergeResultsByType and its res modes shape it (section 1.4)."""
        key = _key(kw)
        with self._lock:
            cold = refresh or key not in self._warm
            self._warm.add(key)
            # An empty kw is not refused (section 1.7): PanSou answers the channels' latest links.
            hits = [h for k, hs in self._table.items() for h in hs if not key or k == key or key in h.note.lower()]
        hits = [h for h in hits if not (cold and h.slow)]
        unique: dict[str, Hit] = {}  # one per exact URL, the newer datetime winning (section 1.4)
        for hit in hits:
            if hit.url not in unique or hit.datetime > unique[hit.url].datetime:
                unique[hit.url] = hit
        hits = list(unique.values())
        wanted = {t.strip().lower() for t in cloud_types or [] if t.strip()}
        merged: dict[str, list[dict[str, Any]]] = {}
        for hit in hits:
            if not wanted or hit.type in wanted:
                merged.setdefault(hit.type, []).append(hit.merged())
        results = [hit.result(n) for n, hit in enumerate(hits, 1000)]
        data: dict[str, Any] = {"total": len(results) if res != "merge" else sum(len(v) for v in merged.values())}
        if res in ("all", "results") and results:
            data["results"] = results
        if res != "results" and merged:
            data["merged_by_type"] = merged
        return data

    def login(self, body: Any) -> tuple[int, dict[str, Any]]:
        username = body.get("username") if isinstance(body, dict) else None
        password = body.get("password") if isinstance(body, dict) else None
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            return 400, {"error": "参数错误：用户名和密码不能为空"}
        if not self.auth:
            return 403, {"error": "认证功能未启用"}
        if not self.users:
            return 500, {"error": "认证系统未正确配置"}
        if self.users.get(username) != password:
            return 401, {"error": "用户名或密码错误"}
        expires = int(time.time()) + TOKEN_HOURS * 3600
        token = ".".join(_b64(part) for part in (
            {"alg": "HS256", "typ": "JWT"}, {"username": username, "exp": expires, "iat": int(time.time()), "iss": "pansou"},
        )) + "." + secrets.token_urlsafe(32)  # fmt: skip
        with self._lock:
            self._tokens.add(token)
        return 200, {"token": token, "expires_at": expires, "username": username}

    def refusal(self, authorization: str | None) -> dict[str, Any] | None:
        """The 401 body for a protected path, or None when the request may pass (section 1.7)."""
        if not self.auth:
            return None
        if not authorization:
            return AUTH_MISSING
        if not authorization.startswith("Bearer "):
            return AUTH_FORMAT
        with self._lock:
            return None if authorization[len("Bearer "):] in self._tokens else AUTH_INVALID

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "auth_enabled": self.auth, "plugins_enabled": True, "plugin_count": 1, "plugins": ["sim"],
                "channels_count": 1, "channels": ["tgsearchers3"]}

    def next_failure(self) -> tuple[int, Any, str | None, dict[str, str]] | None:
        with self._lock:
            for failure in self._failures:
                status, body, content_type, times, headers = failure
                if times is None or times > 0:
                    if times is not None:
                        failure[3] = times - 1
                    return status, body, content_type, headers
        return None

    def record(self, req: PanSouRequest) -> None:
        with self._lock:
            self._log.append(req)

    # lifecycle

    def make_server(self) -> PanSouHTTPServer:
        server = PanSouHTTPServer((self.host, self.port))
        server.fake = self
        return server

    def stop(self) -> None:
        if self._release is not None:
            self._release.set()  # a stalled search ends, so its thread does not outlive the fake
        super().stop()


def _key(keyword: str) -> str:
    return keyword.strip().lower()  # as PanSou's cache key (section 1.9)


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()


def seed_from_shares(fake: FakePanSou, shares: Iterable[Share]) -> None:
    """Each share found by its title (`python -m quarkctl.simulator --pansou-port`): the link without its
    passcode, which goes in `password` as PanSou's plugins give it (section 1.4)."""
    for share in shares:
        if share.title:
            fake.add(share.title, f"https://pan.quark.cn/s/{share.pwd_id}", password=share.passcode or "",
                     datetime="2026-11-20T08:00:00Z")
