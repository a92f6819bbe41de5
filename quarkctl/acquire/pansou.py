"""The PanSou search client (search-api.md section 1): one search, its candidates in PanSou's order.

    pansou = PanSou("http://127.0.0.1:8888", username="admin", password="...")
    for candidate in pansou.search("凡人修仙传", drives=("quark",)):
        candidate.url, candidate.password, candidate.note, candidate.datetime

A search is a GET (section 1.3), the way every client the reference document read asks (sections 2.1, 3.1,
5), so it is the request deployments are known to pass, pansou-web's nginx included; its two pitfalls are
avoided here: the drives go as one comma-separated `cloud_types` (gin reads only the first of a repeated
key), and `refresh` is sent only when asked, as the exact string `true` (the only value the GET handler
takes for true). With PanSou's authentication on (section 1.8) the client signs in first, sends
`Authorization: Bearer <token>`, and signs in again once when a search is answered 401 (the token expired,
or PanSou restarted with a new secret). Every failure is SearchUnavailable, with its reason word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from quarkctl import __version__
from quarkctl.acquire.pansou_answer import (
    BAD_ANSWER, PANSOU_TYPES, REFUSED, SERVER_ERROR, UNREACHABLE, Candidate, QueryRefused, SearchUnavailable, candidates, snippet,
)
from quarkctl.config.settings import PanSouSettings
from quarkctl.i18n import _
from quarkctl.providers.web import WebClient, WebReply
from quarkctl.quark.transport import Transport
from quarkctl.redact import masked_url, redact

__all__ = ["Candidate", "PanSou", "SearchUnavailable", "shown_url", "DEFAULT_TIMEOUT"]

# A cold search answers within PanSou's ASYNC_RESPONSE_TIMEOUT (4 s) plus a TG channel's 4 s; the seed
# system waits 30 s (section 1.10), well under PanSou's own 60 s write timeout.
DEFAULT_TIMEOUT = 30.0
SEARCH_PATH = "/api/search"
LOGIN_PATH = "/api/auth/login"
HEALTH_PATH = "/api/health"
# A gateway's answer when PanSou behind it is down (pansou-web's nginx, a reverse proxy): PanSou itself
# was not reached, as with a refused connection.
_GATEWAY = frozenset({502, 503, 504})
# What a server says of one request it will not take (bad, too large, a URL or headers too long): that search's
# fault, not the service's
_QUERY_REFUSED = frozenset({400, 413, 414, 431})
MAX_KEYWORD = 100  # characters of a title searched for: no title is longer, and a URL of it stays short
_TITLE = re.compile(r"<title>([^<]+)</title>", re.I)


shown_url = masked_url  # redact.py: the one masking of a URL's user and password


def _page_title(reply: WebReply) -> str:
    """An HTML page by its <title> (a gateway's "503 Service Temporarily Unavailable"), any other body by its start."""
    match = _TITLE.search(reply.snippet) if reply.is_html else None
    return match.group(1) if match else reply.snippet


class PanSou:
    """A client of one PanSou server. `transport`: the connections to use (a test's, or one a run aborts)."""

    def __init__(self, base_url: str, username: str | None = None, password: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, transport: Transport | None = None) -> None:
        # xpfyg's trailing slash made `//api/search` (section 2.1): the base never ends in one
        self.base_url = base_url.strip().rstrip("/")
        self.where = shown_url(self.base_url)
        self.username = username or None
        self._password = password or None
        redact.add(self._password)
        self.timeout = timeout
        # its own name, not a browser's: PanSou is the user's own service
        self._web = WebClient(timeout=timeout, headers={"Accept": "application/json", "User-Agent": f"quarkctl/{__version__}"},
                              transport=transport or Transport())
        self._token: str | None = None
        self._auth_off = False  # PanSou said its authentication is off (login answered 403, section 1.7)

    @classmethod
    def from_settings(cls, settings: PanSouSettings, *, timeout: float = DEFAULT_TIMEOUT, transport: Transport | None = None) -> PanSou:
        """The client config/settings.py pansou_settings describes (PANSOU_URL, or the config's source.pansou)."""
        return cls(settings.url, settings.username, settings.password, timeout=timeout, transport=transport)

    @property
    def signs_in(self) -> bool:
        return bool(self.username and self._password) and not self._auth_off

    def search(self, keyword: str, drives: Sequence[str] = ("quark",), refresh: bool = False) -> list[Candidate]:
        """The links PanSou finds for `keyword` on `drives` (our drive names), de-duplicated, in its order.
        `refresh` bypasses PanSou's main caches (section 1.9: a cold answer may hold fewer links)."""
        drives = tuple(drives)
        kw = keyword.strip()[:MAX_KEYWORD]
        if not kw:  # PanSou does not refuse an empty kw: it answers the channels' latest links (section 1.7)
            raise ValueError("an empty keyword")
        if not drives or any(d not in PANSOU_TYPES for d in drives):
            raise ValueError(f"drives: one or more of {', '.join(PANSOU_TYPES)}, got {drives!r}")
        params = {"kw": kw, "res": "merge", "cloud_types": ",".join(dict.fromkeys(PANSOU_TYPES[d] for d in drives))}
        if refresh:
            params["refresh"] = "true"
        if self.signs_in and self._token is None:
            self._login()
        reply = self._ask("GET", SEARCH_PATH, params=params)
        if reply.http_status == 401 and self.signs_in:
            self._token = None
            self._login()
            reply = self._ask("GET", SEARCH_PATH, params=params)
        if reply.http_status in _QUERY_REFUSED:
            raise QueryRefused(f"HTTP {reply.http_status}{self._said(reply)}", self.where)
        body = self._json(reply)
        try:
            return candidates(body, drives)
        except SearchUnavailable as exc:
            raise SearchUnavailable(exc.reason, exc.detail, self.where) from None

    def health(self) -> dict[str, Any]:
        """`/api/health` (section 1.12): {"status": "ok", "auth_enabled": ..., ...}; public, no token."""
        body = self._json(self._ask("GET", HEALTH_PATH, bearer=False))
        if not isinstance(body, dict) or body.get("status") != "ok":
            raise SearchUnavailable(BAD_ANSWER, _("the health check did not say ok"), self.where)
        return body

    def abort(self) -> None:
        """End a search in flight now (the run is stopping): it raises SearchUnavailable, unreachable."""
        self._web.abort()

    def close(self) -> None:
        self._web.close()

    def __enter__(self) -> PanSou:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the exchanges

    def _ask(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: dict[str, Any] | None = None,
             bearer: bool = True) -> WebReply:
        headers = {"Referer": self.base_url + "/"}
        if bearer and self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        reply = self._web.request(method, self.base_url + path, params=params, json=json, headers=headers)
        if reply.transport_error is not None:
            if reply.transport_error == "timeout":
                detail = _("no answer within {s:g} s").format(s=self.timeout)
            elif reply.transport_error == "aborted":
                detail = _("the run is stopping")
            else:
                detail = _("no connection ({error})").format(error=reply.snippet)
            raise SearchUnavailable(UNREACHABLE, detail, self.where)
        return reply

    def _login(self) -> None:
        reply = self._ask("POST", LOGIN_PATH, json={"username": self.username, "password": self._password}, bearer=False)
        status = reply.http_status
        if status == 403:  # "认证功能未启用": nothing to sign in to; a search refused later says so
            self._auth_off = True
            return
        if status in (400, 401):
            raise SearchUnavailable(REFUSED, _("wrong username or password (PANSOU_USERNAME, PANSOU_PASSWORD)"), self.where)
        self._fail_on_status(reply)
        token = reply.obj.get("token") if reply.obj is not None else None
        if not isinstance(token, str) or not token.strip():
            raise SearchUnavailable(BAD_ANSWER, _("the sign-in answered no token"), self.where)
        self._token = token.strip()
        redact.add(self._token)

    def _fail_on_status(self, reply: WebReply) -> None:
        status = reply.http_status or 0
        if status == 401:
            detail = (_("wrong username or password, or the token was not accepted") if self.username and self._password
                      else _("its authentication is on: set PANSOU_USERNAME and PANSOU_PASSWORD"))
            raise SearchUnavailable(REFUSED, f"HTTP {status}: {detail}", self.where)
        if status == 403:  # not PanSou's search answer (section 1.7): a proxy's rule in front of it
            raise SearchUnavailable(REFUSED, f"HTTP {status}{self._said(reply)}", self.where)
        if status in _GATEWAY:
            raise SearchUnavailable(UNREACHABLE, f"HTTP {status}{self._said(reply)}", self.where)
        if status >= 500:
            raise SearchUnavailable(SERVER_ERROR, f"HTTP {status}{self._said(reply)}", self.where)
        if 300 <= status < 400 and reply.location:  # e.g. http:// sent on to https://: PANSOU_URL wants the new address
            raise SearchUnavailable(BAD_ANSWER, f"HTTP {status} → {snippet(reply.location)}", self.where)
        if status != 200:
            raise SearchUnavailable(BAD_ANSWER, f"HTTP {status}{self._said(reply)}", self.where)

    @staticmethod
    def _said(reply: WebReply) -> str:
        """What an error answer says, briefly: its JSON message, else the start of its body."""
        obj = reply.obj or {}
        message = obj.get("message") if isinstance(obj.get("message"), str) else obj.get("error")
        text = message if isinstance(message, str) else _page_title(reply)
        return f" ({snippet(text)})" if text and text.strip() else ""

    def _json(self, reply: WebReply) -> Any:
        self._fail_on_status(reply)
        if reply.body is None:  # not JSON, JSON's null, or a body over the transport's cap (its snippet says so)
            kind = _("an HTML page") if reply.is_html else _("not JSON")
            shown = snippet(_page_title(reply)) or _("an empty body")
            raise SearchUnavailable(BAD_ANSWER, f"{kind}: {shown}", self.where)
        if reply.duplicate_keys:
            raise SearchUnavailable(BAD_ANSWER, _("a key written twice in one object"), self.where)
        return reply.body

    def __repr__(self) -> str:
        return f"PanSou({self.where!r}, signs_in={self.signs_in})"
