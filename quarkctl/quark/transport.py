"""HTTP to Quark: keep-alive connections on urllib3, each exchange bounded as a whole, every exchange in
flight ended at once when a run stops (quark/grace.py). Knows nothing of Quark's answers (client.py)."""

from __future__ import annotations

import json as jsonlib
import socket
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

import urllib3
import urllib3.connection

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.redact import masked_url

# The desktop client's UA (quark-api.md 1.3): some endpoints refuse browser UAs.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "quark-cloud-drive/3.14.2 Chrome/112.0.5615.165 Electron/24.1.3.8 Safari/537.36 Channel/pckk_other_ch"
)
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
                headers: dict[str, str], timeout: float, form: dict[str, str] | None = None) -> Answer:
        """The whole exchange within `timeout` seconds, or ExchangeCut; urllib3's errors as they come.
        `form`: a urlencoded body instead of JSON (Baidu's passcode check, providers/baidu.py)."""
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        body = None
        headers = {**self.HEADERS, **headers}
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
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
    shown = masked_url(proxy)  # its credentials masked, and kept out of every later line (issue 23)
    if proxy.startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager  # noqa: PLC0415 - needs PySocks
        except ImportError:
            raise ConfigError(_("proxy {proxy}: a SOCKS proxy needs PySocks (pip install pysocks)").format(proxy=shown)) from None
        return SOCKSProxyManager(proxy, num_pools=4, maxsize=1, retries=False)
    return _watched(urllib3.ProxyManager(proxy, num_pools=4, maxsize=1, retries=False))

