"""HTTP for the drives other than Quark (issue 24): one client per worker and drive on quark/transport.py's
connections (bounded exchanges, the run's abort, the environment's proxies), answers read leniently.

`QUARKCTL_API_BASE_<KEY>` replaces scheme and host of every endpoint of that drive, paths and queries
kept, the way QUARK_API_BASE does for Quark: for a proxy, or the simulator (quarkctl/simulator/drives/).
"""

from __future__ import annotations

import json as jsonlib
import os
from collections.abc import Mapping
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
        try:
            answer = self.transport.request(method, self.url(url), params=params, json=json, form=form, headers=sent,
                                            timeout=self.timeout)
        except ExchangeCut as exc:
            return WebReply(None, transport_error=exc.kind, snippet=exc.kind)
        except NewConnectionError as exc:
            return WebReply(None, transport_error="connection_error", snippet=type(exc).__name__)
        except TransportTimeout as exc:
            return WebReply(None, transport_error="timeout", snippet=type(exc).__name__)
        except (TransportError, OSError, ValueError) as exc:
            return WebReply(None, transport_error="connection_error", snippet=type(exc).__name__)
        headers_in = answer.headers
        common = {"content_type": headers_in.get("Content-Type"), "set_cookies": tuple(headers_in.getlist("Set-Cookie")),
                  "location": headers_in.get("Location")}
        if answer.data is None:
            return WebReply(answer.status, snippet=_("(a body over {mb} MB, cut off)").format(mb=MAX_BODY // 2**20), **common)
        duplicates: list[str] = []
        try:
            body = jsonlib.loads(answer.data, object_pairs_hook=lambda pairs: noting_duplicates(pairs, duplicates))
        except (ValueError, RecursionError):
            text = answer.data[:_SNIPPET * 4].decode("utf-8", "replace")[:_SNIPPET].replace("\n", " ")
            return WebReply(answer.status, snippet=text, **common)
        return WebReply(answer.status, body, duplicate_keys=bool(duplicates), **common)

    def abort(self) -> None:
        self.transport.abort()

    def close(self) -> None:
        self.transport.close()
