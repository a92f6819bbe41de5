"""HTTP for the drives other than Quark (issue 24): one client per worker and drive on quark/transport.py's
connections (bounded exchanges, the run's abort, the environment's proxies), answers read leniently.

`QUARKCTL_API_BASE_<KEY>` replaces scheme and host of every endpoint of that drive, paths and queries
kept, the way QUARK_API_BASE does for Quark: for a proxy, or the simulator (quarkctl/simulator/drives/).
"""

from __future__ import annotations

import json as jsonlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as TransportTimeout

from quarkctl.i18n import _
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.client import noting_duplicates
from quarkctl.quark.transport import MAX_BODY, ExchangeCut, Transport

# A browser's UA: these endpoints are the drives' web pages' own (drives-api.md section 5, XB: Baidu's
# web endpoints want a browser UA, a bare `netdisk` UA from a server "极易触发" -62).
BROWSER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
ENV_PREFIX = "QUARKCTL_API_BASE_"
_SNIPPET = 120
_TEXT_KEPT = 4000  # characters of a body that is not JSON, for a listener (the probe's capture)


def api_base(key: str, bases: Mapping[str, str] | None = None) -> str | None:
    """The base that replaces a drive's hosts: from `bases` (by key), else QUARKCTL_API_BASE_<KEY>."""
    value = (bases if bases is not None else os.environ).get(key if bases is not None else ENV_PREFIX + key)
    value = (value or "").strip().rstrip("/")
    return value or None


@dataclass(frozen=True)
class WebReply:
    """One answer: its status, its JSON (any type; None when the body was none), the start of a body that
    was not JSON, and what went wrong on the way when no answer came."""

    http_status: int | None
    body: Any = None
    snippet: str = ""
    content_type: str | None = None
    transport_error: str | None = None
    duplicate_keys: bool = False  # a key spelled twice: which one the drive meant is anyone's guess
    set_cookies: tuple[str, ...] = ()
    location: str | None = None

    @property
    def obj(self) -> dict[str, Any] | None:
        """The body when it is a JSON object."""
        return self.body if isinstance(self.body, dict) else None

    @property
    def is_html(self) -> bool:
        kind = (self.content_type or "").lower()
        return "html" in kind or self.snippet.lstrip()[:15].lower().startswith(("<!doctype", "<html", "<head", "<body"))


@dataclass(frozen=True)
class WebExchange:
    """One request and its answer, for a listener (`quarkctl probe` records them): the drive's own URL
    (before `base` replaced its host), what went with it (the headers raw: the listener redacts), the
    reply, and the start of a body that was not JSON."""

    method: str
    url: str
    sent_to: str  # the URL the request went to (the base's host when one is set)
    params: dict[str, Any] | None
    json: dict[str, Any] | None
    form: dict[str, str] | None
    headers: dict[str, str]
    reply: WebReply
    text: str | None = None
    headers_in: dict[str, str] = field(default_factory=dict)  # the reply's headers (Set-Cookie in reply.set_cookies)


@dataclass
class WebClient:
    """One worker's client for one drive. `base` replaces scheme and host of every URL."""

    base: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    headers: dict[str, str] = field(default_factory=dict)  # the drive's own (Origin, Referer ...)
    transport: Transport = field(default_factory=Transport)
    requests: int = 0  # requests sent, for the check's evidence
    passcodes_sent: int = 0  # requests that carried a passcode: a drive that punishes guesses is asked once
    cookies: dict[str, str] = field(default_factory=dict)  # only what a drive's own page hands out (Baidu's BAIDUID)
    # Told of every exchange (`quarkctl probe`): the one place the other drives' HTTP can be watched
    on_exchange: Callable[[WebExchange], None] | None = None

    def url(self, url: str) -> str:
        if not self.base:
            return url
        parts = urlsplit(url)
        rest = url[len(f"{parts.scheme}://{parts.netloc}"):]
        return self.base + rest

    def request(self, method: str, url: str, *, params: dict[str, Any] | None = None, json: dict[str, Any] | None = None,
                form: dict[str, str] | None = None, headers: dict[str, str] | None = None, passcode: str = "") -> WebReply:
        """`passcode`: the one this request carries, if any, counted in passcodes_sent."""
        self.requests += 1
        self.passcodes_sent += bool(passcode)
        parts = urlsplit(url)
        # The drive's own site as Referer unless the drive names one: never the transport's Quark default
        sent = {"User-Agent": BROWSER_UA, "Referer": f"{parts.scheme}://{parts.netloc}/", **self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply, text, headers_in = self._send(method, url, params, json, form, sent)
        if self.on_exchange is not None:
            self.on_exchange(WebExchange(method, url, self.url(url), params, json, form, sent, reply, text, headers_in))
        return reply

    def _send(self, method: str, url: str, params: dict[str, Any] | None, json: dict[str, Any] | None,
              form: dict[str, str] | None, sent: dict[str, str]) -> tuple[WebReply, str | None, dict[str, str]]:
        """The reply, the start of a body that is not JSON, and the reply's headers."""
        try:
            answer = self.transport.request(method, self.url(url), params=params, json=json, form=form, headers=sent,
                                            timeout=self.timeout)
        except ExchangeCut as exc:
            return WebReply(None, transport_error=exc.kind, snippet=exc.kind), None, {}
        except NewConnectionError as exc:
            return WebReply(None, transport_error="connection_error", snippet=type(exc).__name__), None, {}
        except TransportTimeout as exc:
            return WebReply(None, transport_error="timeout", snippet=type(exc).__name__), None, {}
        except (TransportError, OSError, ValueError) as exc:
            return WebReply(None, transport_error="connection_error", snippet=type(exc).__name__), None, {}
        headers_in = answer.headers
        kept = {k: v for k, v in headers_in.items() if k.lower() != "set-cookie"}
        common = {"content_type": headers_in.get("Content-Type"), "set_cookies": tuple(headers_in.getlist("Set-Cookie")),
                  "location": headers_in.get("Location")}
        if answer.data is None:
            cut = _("(a body over {mb} MB, cut off)").format(mb=MAX_BODY // 2**20)
            return WebReply(answer.status, snippet=cut, **common), cut, kept
        duplicates: list[str] = []
        try:
            body = jsonlib.loads(answer.data, object_pairs_hook=lambda pairs: noting_duplicates(pairs, duplicates))
        except (ValueError, RecursionError):
            text = answer.data[:_TEXT_KEPT * 4].decode("utf-8", "replace")[:_TEXT_KEPT]
            return WebReply(answer.status, snippet=text[:_SNIPPET].replace("\n", " "), **common), text, kept
        return WebReply(answer.status, body, duplicate_keys=bool(duplicates), **common), None, kept

    def abort(self) -> None:
        self.transport.abort()

    def close(self) -> None:
        self.transport.close()
