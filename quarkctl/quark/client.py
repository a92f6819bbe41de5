"""The Quark web API client: the only module that speaks HTTP.

It never raises on HTTP or transport errors: every call returns an ApiReply, and the one
classification function (verdict.classify) decides what the answer means.
"""

from __future__ import annotations

import json as jsonlib
import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

import urllib3
import urllib3.connection
from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as TransportTimeout

from quarkctl.quark.cookie import SessionCookie
from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.quark import DEFAULT_TIMEOUT

PAN = "https://pan.quark.cn"
DRIVE_PC = "https://drive-pc.quark.cn"
DRIVE_M = "https://drive-m.quark.cn"

# The desktop client's UA (quark-api.md 1.3): some endpoints refuse browser UAs.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "quark-cloud-drive/3.14.2 Chrome/112.0.5615.165 Electron/24.1.3.8 Safari/537.36 Channel/pckk_other_ch"
)
DETAIL_PAGE_SIZE = 50
_SNIPPET = 120
# No Quark answer comes near this (a 50-item listing is ~50 KB); a longer body is cut off and counts
# as a bad response (issue 15), so a hostile or broken server cannot fill the memory of a small box.
MAX_BODY = 8 * 1024 * 1024


class ExchangeCut(Exception):
    """The exchange was ended from outside: `kind` is "timeout" (its --timeout passed) or "aborted"
    (the run is stopping and its grace is over)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


_current = threading.local()  # the exchange this thread is in: its connection's socket is attached to it


class _Exchange:
    """One request and its answer, bounded as a whole (issue 21). urllib3's read timeout counts per recv,
    so a server that drips a byte every few seconds would keep a link in flight for ever; here a timer
    shuts the socket down when `seconds` have passed since the request began, and `abort()` does the same
    at once. A shut-down socket makes any blocked send or recv return, in whatever phase it is."""

    def __init__(self, seconds: float) -> None:
        self.cut: str | None = None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.end, args=("timeout",))
        self._timer.daemon = True

    def __enter__(self) -> _Exchange:
        _current.exchange = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.exchange = None

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.cut is not None:  # ended while connecting (a slow DNS answer, say)
                self._shutdown()

    def end(self, kind: str) -> None:
        with self._lock:
            if self.cut is None:
                self.cut = kind
            self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed
                pass


def _attach(sock: socket.socket | None) -> None:
    exchange = getattr(_current, "exchange", None)
    if exchange is not None:
        exchange.attach(sock)


class _WatchedConnection:
    """Hands each socket to the exchange of its thread: a new one as it is made (before TLS, so a
    handshake that drips is cut too), a kept-alive one as a request starts on it. `_new_conn` is
    urllib3's own (1.26 and 2.x), hence the upper bound on urllib3 in pyproject.toml."""

    def _new_conn(self):  # type: ignore[no-untyped-def]
        sock = super()._new_conn()  # type: ignore[misc]
        _attach(sock)
        return sock

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if getattr(self, "sock", None) is not None:
            _attach(self.sock)  # type: ignore[attr-defined]
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_WatchedConnection, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnection, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _watched(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager


@dataclass(frozen=True)
class Answer:
    """An HTTP answer read whole: `data` is None when the body was longer than MAX_BODY."""

    status: int
    headers: Any  # urllib3's HTTPHeaderDict
    data: bytes | None


class Transport:
    """Keep-alive connections through urllib3, the engine under requests, without requests' per-request
    work (settings merged from the environment, URL re-parsing): a link costs two requests, and on a
    small box that CPU shows. The environment's proxies (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY)
    are read once, as requests would read them on every request."""

    HEADERS = {
        "User-Agent": USER_AGENT,
        "Accept": "application/json, text/plain, */*",
        "Accept-Encoding": "gzip, deflate",
        "Referer": "https://pan.quark.cn/",
    }

    def __init__(self) -> None:
        self._proxies = getproxies()
        self._direct = _watched(urllib3.PoolManager(num_pools=4, maxsize=1, retries=False))
        self._managers: dict[tuple[str, str], urllib3.PoolManager] = {}
        self._live: set[_Exchange] = set()
        self._lock = threading.Lock()
        self.aborted = False

    def _manager(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        manager = self._managers.get(key)
        if manager is None:
            proxy = None if proxy_bypass(key[1]) else (self._proxies.get(key[0]) or self._proxies.get("all"))
            manager = self._managers[key] = self._direct if not proxy else _proxy_manager(proxy)
        return manager

    def request(self, method: str, url: str, *, params: dict[str, Any] | None, json: dict[str, Any] | None,
                headers: dict[str, str], timeout: float) -> Answer:
        """The whole exchange within `timeout` seconds, or ExchangeCut; urllib3's errors as they come."""
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        body = None
        headers = {**self.HEADERS, **headers}
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        with _Exchange(timeout) as exchange:
            with self._lock:
                if self.aborted:
                    raise ExchangeCut("aborted")
                self._live.add(exchange)
            try:
                response = self._manager(url).request(method, url, body=body, headers=headers, retries=False, redirect=False,
                                                      timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                                      preload_content=False)  # read by _read_capped
                data = _read_capped(response)
            except Exception:
                if exchange.cut is not None:
                    raise ExchangeCut(exchange.cut) from None
                raise
            finally:
                with self._lock:
                    self._live.discard(exchange)
        if exchange.cut is not None:  # a body without a length reads as complete when its socket is shut
            raise ExchangeCut(exchange.cut)
        return Answer(response.status, response.headers, data)

    def abort(self) -> None:
        """End every exchange in flight now, and refuse new ones: the run is stopping (issue 21)."""
        with self._lock:
            self.aborted = True
            live = list(self._live)
        for exchange in live:
            exchange.end("aborted")

    def close(self) -> None:
        for manager in (self._direct, *self._managers.values()):
            manager.clear()  # idempotent: the direct one may be listed twice


def _read_capped(response: urllib3.BaseHTTPResponse, limit: int = MAX_BODY) -> bytes | None:
    """The (decoded) body, or None when it is longer than `limit`: then the connection is dropped,
    not drained, and never reused."""
    try:
        data = response.read(limit + 1, decode_content=True)  # urllib3 2: at most limit + 1 decoded bytes
        if len(data) > limit:
            response.close()  # closes the socket; release_conn() below then returns nothing to the pool
            return None
        response.read()  # reach the end, so the connection can be reused
        return data
    finally:
        response.release_conn()


def _proxy_manager(proxy: str) -> urllib3.PoolManager:
    if proxy.startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager  # noqa: PLC0415 - needs PySocks
        except ImportError:
            raise ConfigError(_("proxy {proxy}: a SOCKS proxy needs PySocks (pip install pysocks)").format(proxy=proxy)) from None
        return SOCKSProxyManager(proxy, num_pools=4, maxsize=1, retries=False)
    return _watched(urllib3.ProxyManager(proxy, num_pools=4, maxsize=1, retries=False))


ACCOUNT_OK_CODES = ("OK", "ok", "0")  # how the account service spells success in its string `code`


@dataclass(frozen=True)
class ApiReply:
    """One answer, in either of Quark's two envelopes (quark-replies.json `_meta`):
    - drive (drive-pc, drive-m): `{status: int, code: int, message: str, data?, metadata?}`;
    - account (pan.quark.cn/account/info): `{success: bool, code: "OK", data: {...}, msg?}`.
    """

    endpoint: str
    http_status: int | None  # None when no HTTP answer came (timeout, refused, reset)
    body: dict[str, Any] | None  # the JSON object, None when the body was not one
    transport_error: str | None = None  # "timeout" | "connection_error"
    retry_after: float | None = None
    snippet: str = ""  # start of a non-JSON body or the transport error, for the report

    @property
    def account_envelope(self) -> bool:
        """The account family: a boolean `success` or a word for `code` ("OK"; a number in quotes is the
        drive's code spelled as a string)."""
        body = self.body or {}
        code = body.get("code")
        return isinstance(body.get("success"), bool) or (isinstance(code, str) and not _is_number(code))

    @property
    def account_ok(self) -> bool | None:
        """The account family's own verdict: True/False, None when it says neither clearly."""
        body = self.body or {}
        success, code = body.get("success"), body.get("code")
        if success is False or (isinstance(code, str) and code.strip() not in ACCOUNT_OK_CODES):
            return False
        if success is True or (isinstance(code, str) and code.strip() in ACCOUNT_OK_CODES):
            return True
        return None

    @property
    def code(self) -> int | None:
        """The drive envelope's numeric code (the account family's "OK" is not one)."""
        return _as_int((self.body or {}).get("code"))

    @property
    def status(self) -> int | None:
        return _as_int((self.body or {}).get("status"))

    @property
    def malformed_numbers(self) -> bool:
        """The drive envelope's `code` or `status` is there but is no int: spelled as text ("41004"), which
        no captured reply does (quark-replies.json `_meta.envelope_drive`), or of another kind ([], {},
        1.5, true). Such an answer is not trusted to mean anything, nor read as one without a code."""
        body = self.body or {}
        return any(key in body and body[key] is not None
                   and (isinstance(body[key], bool) or not isinstance(body[key], int) or body[key] not in _INT_RANGE)
                   for key in ("code", "status"))

    @property
    def message(self) -> str | None:
        body = self.body or {}
        for key in ("message", "msg"):  # the account family's optional words are `msg`
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
        return None

    @property
    def data(self) -> Any:
        return (self.body or {}).get("data")

    @property
    def metadata(self) -> dict[str, Any]:
        """The drive envelope's `metadata` (`_total`, `tq_gap`), {} when it is missing or not an object."""
        value = (self.body or {}).get("metadata")
        return value if isinstance(value, dict) else {}


_NUMBER = re.compile(r"\s*-?[0-9]{1,18}\s*")  # ASCII: isdigit() takes "²", which int() refuses


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


_INT_RANGE = range(-(2**31), 2**31)  # codes and statuses are small; a larger number is no answer of Quark's


def _as_int(value: Any) -> int | None:
    """An int, or one spelled as a string ("0", "200"): lenient about how an answer spells its numbers.
    One out of range is none (an attacker's review: a 30-digit code crashed the run's database write)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in _INT_RANGE else None
    number = int(value) if isinstance(value, str) and _is_number(value) else None
    return number if number is not None and number in _INT_RANGE else None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare enough to use our own backoff


class QuarkClient:
    _PC = {"pr": "ucpro", "fr": "pc", "uc_param_str": ""}  # the desktop client's common parameters

    def __init__(
        self,
        *,
        cookie: str | SessionCookie | None = None,
        api_base: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        # Clients of one run share one SessionCookie, so a rotated __puus reaches every worker.
        self.session = cookie if isinstance(cookie, SessionCookie) else SessionCookie(cookie)
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout
        self.transport = Transport()
        self._anonymous = False  # without_cookie()

    def close(self) -> None:
        self.transport.close()

    @contextmanager
    def without_cookie(self) -> Iterator[None]:
        """Requests of this client send no cookie inside the block (a client belongs to one thread)."""
        self._anonymous = True
        try:
            yield
        finally:
            self._anonymous = False

    def abort(self) -> None:
        """End the requests in flight at once and answer every later one `aborted` (a stopping run)."""
        self.transport.abort()

    def __enter__(self) -> QuarkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, host: str, path: str) -> str:
        return (self.api_base or host) + path

    @staticmethod
    def _noise() -> dict[str, str]:
        # Anti-cache parameters as the reference script sends them (quark-api.md 1.2).
        return {"__dt": str(random.randint(60_000, 300_000)), "__t": f"{time.time():.3f}"}

    def _request(
        self,
        endpoint: str,
        method: str,
        host: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        send_cookie: bool = True,
    ) -> ApiReply:
        cookie = self.session.header() if send_cookie and not self._anonymous else None
        headers = {"Cookie": cookie} if cookie else {}
        try:
            response = self.transport.request(method, self._url(host, path), params=params, json=json,
                                              headers=headers, timeout=self.timeout)
        except ExchangeCut as exc:  # the whole exchange took longer than --timeout, or the run is stopping
            return ApiReply(endpoint, None, None, exc.kind, snippet=exc.kind)
        except NewConnectionError as exc:  # refused, or no such host: urllib3 files it under timeouts too
            return ApiReply(endpoint, None, None, "connection_error", snippet=type(exc).__name__)
        except TransportTimeout as exc:
            return ApiReply(endpoint, None, None, "timeout", snippet=type(exc).__name__)
        except (TransportError, OSError, ValueError) as exc:  # refused, reset, TLS, cut mid-body, a header that cannot be sent
            return ApiReply(endpoint, None, None, "connection_error", snippet=type(exc).__name__)
        data = response.data
        if data is None:
            return ApiReply(endpoint, response.status, None, snippet=_("(a body over {mb} MB, cut off)").format(
                mb=MAX_BODY // 2**20))
        body: dict[str, Any] | None
        try:
            parsed = jsonlib.loads(data)
            body = parsed if isinstance(parsed, dict) else None
        except (ValueError, RecursionError):  # not JSON, not text, nested past Python's recursion limit
            body = None
        set_cookies = response.headers.getlist("Set-Cookie")
        if set_cookies and cookie:
            self.session.merge(set_cookies)
        snippet = "" if body is not None else data[:_SNIPPET * 4].decode("utf-8", "replace")[:_SNIPPET].replace("\n", " ")
        return ApiReply(
            endpoint,
            response.status,
            body,
            retry_after=_retry_after(response.headers.get("Retry-After")),
            snippet=snippet,
        )

    def account_info(self) -> ApiReply:
        # Another service than the drive, with its own envelope (quark-api.md 3.2; quark-replies.json account_info).
        return self._request("account", "GET", PAN, "/account/info", params={"fr": "pc", "platform": "pc"})

    def share_token(self, pwd_id: str, passcode: str = "") -> ApiReply:
        return self._request(
            "token",
            "POST",
            DRIVE_PC,
            "/1/clouddrive/share/sharepage/token",
            params={**self._PC, **self._noise()},
            # support_visit_limit_private_share: sent by nearly every current client (quark-api.md 7, 1.4)
            json={"pwd_id": pwd_id, "passcode": passcode, "support_visit_limit_private_share": True},
        )

    # -- the logged-in drive (autosave) ---------------------------------------------------------

    def share_detail(self, pwd_id: str, stoken: str, pdir_fid: str = "0", page: int = 1, size: int = DETAIL_PAGE_SIZE) -> ApiReply:
        """One page of a share listing, as the reference asks for it (ver=2)."""
        return self._request(
            "detail",
            "GET",
            DRIVE_PC,
            "/1/clouddrive/share/sharepage/detail",
            params={
                **self._PC,
                "pwd_id": pwd_id,
                "stoken": stoken,
                "pdir_fid": pdir_fid,
                "force": "0",
                "_page": str(page),
                "_size": str(size),
                "_fetch_banner": "0",
                "_fetch_share": "0",
                "_fetch_total": "1",
                "_sort": "file_type:asc,updated_at:desc",
                "ver": "2",
                "fetch_share_full_path": "0",
            },
        )

    def path_list(self, paths: list[str]) -> ApiReply:
        return self._request(
            "path_list", "POST", DRIVE_PC, "/1/clouddrive/file/info/path_list", params=dict(self._PC),
            json={"file_path": paths, "namespace": "0"},
        )

    def list_dir(self, pdir_fid: str, page: int, size: int = DETAIL_PAGE_SIZE) -> ApiReply:
        return self._request(
            "sort",
            "GET",
            DRIVE_PC,
            "/1/clouddrive/file/sort",
            params={
                **self._PC,
                "pdir_fid": pdir_fid,
                "_page": str(page),
                "_size": str(size),
                "_fetch_total": "1",
                "_fetch_sub_dirs": "0",
                "_sort": "file_type:asc,updated_at:desc",
                "_fetch_full_path": "0",
                "fetch_all_file": "1",
                "fetch_risk_file_name": "1",  # without it, names Quark flags come back as ***
            },
        )

    def mkdir(self, dir_path: str) -> ApiReply:
        return self._request(
            "mkdir", "POST", DRIVE_PC, "/1/clouddrive/file", params=dict(self._PC),
            json={"pdir_fid": "0", "file_name": "", "dir_path": dir_path, "dir_init_lock": False},
        )

    def rename(self, fid: str, file_name: str) -> ApiReply:
        return self._request(
            "rename", "POST", DRIVE_PC, "/1/clouddrive/file/rename", params=dict(self._PC),
            json={"fid": fid, "file_name": file_name},
        )

    def delete(self, fids: list[str]) -> ApiReply:
        return self._request(
            "delete", "POST", DRIVE_PC, "/1/clouddrive/file/delete", params=dict(self._PC),
            json={"action_type": 2, "filelist": fids, "exclude_fids": []},
        )

    def recycle_list(self, page: int = 1, size: int = 30) -> ApiReply:
        return self._request(
            "recycle_list", "GET", DRIVE_PC, "/1/clouddrive/file/recycle/list",
            params={**self._PC, "_page": str(page), "_size": str(size)},
        )

    def recycle_remove(self, record_ids: list[str]) -> ApiReply:
        return self._request(
            "recycle_remove", "POST", DRIVE_PC, "/1/clouddrive/file/recycle/remove", params=dict(self._PC),
            json={"select_mode": 2, "record_list": record_ids},
        )

    def save(self, fids: list[str], fid_tokens: list[str], to_pdir_fid: str, pwd_id: str, stoken: str) -> ApiReply:
        return self._request(
            "save",
            "POST",
            DRIVE_PC,
            "/1/clouddrive/share/sharepage/save",
            params={**self._PC, "app": "clouddrive", **self._noise()},
            json={
                "fid_list": fids,
                "fid_token_list": fid_tokens,
                "to_pdir_fid": to_pdir_fid,
                "pwd_id": pwd_id,
                "stoken": stoken,
                "pdir_fid": "0",  # as the reference sends it, also for items of a sub-folder
                "scene": "link",
            },
        )

    def task(self, task_id: str, retry_index: int) -> ApiReply:
        return self._request(
            "task", "GET", DRIVE_PC, "/1/clouddrive/task",
            params={**self._PC, "task_id": task_id, "retry_index": str(retry_index), **self._noise()},
        )

    # -- the account's own shares (share-api.md 1, issue 17) ---------------------------------------

    def share_mypage(self, page: int, size: int) -> ApiReply:
        """One page of the account's own shares, newest first (share-api.md 1 (a))."""
        return self._request(
            "share_mypage", "GET", DRIVE_PC, "/1/clouddrive/share/mypage/detail",
            params={**self._PC, "_page": str(page), "_size": str(size), "_order_field": "created_at",
                    "_order_type": "desc", "_fetch_total": "1", "_fetch_notify_follow": "1"},
        )

    def share_create(self, body: dict[str, Any]) -> ApiReply:
        """`POST share` {fid_list, title, url_type, expired_type, passcode?} (share-api.md 1 (b))."""
        return self._request("share_create", "POST", DRIVE_PC, "/1/clouddrive/share", params=dict(self._PC), json=body)

    def share_password(self, share_id: str) -> ApiReply:
        return self._request("share_password", "POST", DRIVE_PC, "/1/clouddrive/share/password", params=dict(self._PC),
                             json={"share_id": share_id})

    def share_delete(self, share_ids: list[str]) -> ApiReply:
        return self._request("share_delete", "POST", DRIVE_PC, "/1/clouddrive/share/delete", params=dict(self._PC),
                             json={"share_ids": share_ids})

    # -- sign-in: the mobile parameters, no cookie (quark-api.md 1.4) -----------------------------

    def growth_info(self, mparam: dict[str, str]) -> ApiReply:
        return self._request(
            "growth_info", "GET", DRIVE_M, "/1/clouddrive/capacity/growth/info",
            params={"pr": "ucpro", "fr": "android", **mparam}, send_cookie=False,
        )

    def growth_sign(self, mparam: dict[str, str]) -> ApiReply:
        return self._request(
            "growth_sign", "POST", DRIVE_M, "/1/clouddrive/capacity/growth/sign",
            params={"pr": "ucpro", "fr": "android", **mparam}, json={"sign_cyclic": True}, send_cookie=False,
        )
