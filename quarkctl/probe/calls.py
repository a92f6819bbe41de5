"""The probe's read-only calls, made through the ordinary client (quark/client.py), each one recorded.

Which calls (issue 14): account/info when a cookie is set, file/info/path_list of "/" when the cookie
has `__uid`, capacity/growth/info when it has the mobile parameters (quark-api.md 1.4); for each link,
the token, the first detail page, and one sub-folder page when the share has folders. Never a save,
rename, delete, sign-in or database write. No retries: the point is to see Quark's first answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from quarkctl.runtime.pacing import Pacer
from quarkctl.quark.account import read_account
from quarkctl.quark.client import ApiReply, QuarkClient
from quarkctl.quark.links import ShareLink
from quarkctl.quark.signin import mobile_params
from quarkctl.quark.verdict import classify

HEADERS_KEPT = ("Content-Type", "Retry-After")  # the headers that matter; Set-Cookie by name only


@dataclass
class Exchange:
    """One call: what was sent, what came back, and what quarkctl made of it. Raw (secrets in): the
    capture redacts a copy before anything touches the disk, the renderer masks what it prints."""

    endpoint: str
    request: dict[str, Any]  # method, host, path, query, body, cookie_names
    reply: dict[str, Any]  # status, headers, set_cookie (whole headers), body (JSON) or text
    outcome: str  # verdict.Outcome value
    reason: str
    link: str | None = None
    comparison: dict[str, Any] = field(default_factory=dict)
    drive: str = "quark"  # another drive's request (probe/drives.py): outcome and reason are its link's, not the call's
    secrets: tuple[str, ...] = ()  # what this call carried that must never be written (another drive's passcode)


class RecordingTransport:
    """Wraps the client's transport: keeps the last request and its response for the Exchange."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last_request: dict[str, Any] | None = None
        self.last_response: Any = None

    def request(self, method: str, url: str, *, params: dict | None, json: dict | None, headers: dict, timeout: float) -> Any:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.update({k: str(v) for k, v in (params or {}).items()})
        cookie = headers.get("Cookie") or ""
        self.last_request = {
            "method": method, "host": parts.netloc, "path": parts.path, "query": query, "body": json,
            "cookie_names": [p.split("=", 1)[0].strip() for p in cookie.split(";") if p.strip()],
        }  # fmt: skip
        self.last_response = None
        self.last_response = self.inner.request(method, url, params=params, json=json, headers=headers, timeout=timeout)
        return self.last_response

    def close(self) -> None:
        self.inner.close()


def _reply_record(reply: ApiReply, response: Any) -> dict[str, Any]:
    """The answer as the client read it (the body was consumed by the client: its JSON, or the start
    of a body that is not JSON), with the headers that matter."""
    if response is None or reply.transport_error:  # no HTTP answer at all
        return {"status": None, "headers": {}, "set_cookie": [], "body": None, "text": None,
                "transport_error": reply.transport_error}  # fmt: skip
    headers = {name: response.headers[name] for name in HEADERS_KEPT if name in response.headers}
    return {"status": reply.http_status, "headers": headers, "set_cookie": list(response.headers.getlist("Set-Cookie")),
            "body": reply.body, "text": reply.snippet if reply.body is None else None, "transport_error": None}  # fmt: skip


class Prober:
    def __init__(self, client: QuarkClient, pacer: Pacer, on_exchange: Callable[[Exchange], None] | None = None) -> None:
        self.client = client
        self.recorder = RecordingTransport(client.transport)
        client.transport = self.recorder  # type: ignore[assignment]
        self.pacer = pacer
        self.on_exchange = on_exchange or (lambda exchange: None)
        self.exchanges: list[Exchange] = []

    def _call(self, make: Callable[[], ApiReply], link: str | None = None) -> ApiReply:
        reply = make()
        request = self.recorder.last_request or {}
        classified = classify(reply)
        outcome, reason = classified.outcome.value, classified.reason
        if reply.endpoint == "account":  # the account service's answer read as the jobs read it
            check = read_account(reply)
            outcome = {"verified": "ok", "rejected": "auth"}.get(check.state.value, outcome)
            reason = check.reason
        exchange = Exchange(reply.endpoint, request, _reply_record(reply, self.recorder.last_response), outcome, reason, link)
        self.exchanges.append(exchange)
        self.on_exchange(exchange)
        return reply

    def account(self, cookie: str | None) -> None:
        if not cookie:
            return
        self._call(self.client.account_info)
        if "__uid" in cookie:
            self._call(lambda: self.client.path_list(["/"]))
        mparam = mobile_params(cookie)
        if mparam:
            self._call(lambda: self.client.growth_info(mparam))

    def links(self, links: list[tuple[str, ShareLink]]) -> bool:
        """False when a stop cut the pacing short."""
        for text, link in links:
            if not self.pacer.before_link():
                return False
            self.share(text, link)
            self.pacer.link_done()
        return True

    def share(self, text: str, link: ShareLink) -> None:
        token = self._call(lambda: self.client.share_token(link.pwd_id, link.passcode), text)
        stoken = token.data.get("stoken") if isinstance(token.data, dict) and classify(token).outcome.value == "ok" else None
        if not isinstance(stoken, str) or not stoken:
            return
        detail = self._call(lambda: self.client.share_detail(link.pwd_id, stoken, link.pdir_fid), text)
        items = detail.data.get("list") if isinstance(detail.data, dict) else None
        folder = next((it for it in items or [] if isinstance(it, dict) and (it.get("dir") is True or it.get("file_type") == 0)
                       and isinstance(it.get("fid"), str)), None)  # fmt: skip
        if folder is not None:
            self._call(lambda: self.client.share_detail(link.pwd_id, stoken, folder["fid"]), text)
