"""The probe for the drives other than Quark (issue 24): a link's drive decided by its host, as check-links
decides it (providers/registry.py, Drives.read), then that drive's one check, made once through its own
WebClient (no retries: the point is the drive's first answer; the passcode sent as stored, never guessed).
Every request and reply is heard through the client's `on_exchange` hook, so the probe sees exactly what
check-links would send, and the verdict is the one check-links would give.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.probe.calls import HEADERS_KEPT, Exchange
from quarkctl.providers.base import Drives, DriveSetup, Link
from quarkctl.providers.linkforms import DriveLink
from quarkctl.providers.names import DRIVE_NAMES
from quarkctl.providers.web import WebExchange
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict
from quarkctl.runtime.pacing import Pacer

UNVERIFIED = "unverified_"  # providers/evidence.py: a code-only dead rule of a drive the user does not trust
# Answers no rule of the drive reads: what a capture is most wanted for (providers/evidence.py)
NOT_UNDERSTOOD = frozenset({"unknown_code", "unexpected_response", "bad_response", "html_page"})
LINK_FORMS = ("pan.quark.cn/s/…, drive.uc.cn/s/…, pan.baidu.com/s/1…, alipan.com/s/…, 123pan.com/s/…, "
              "cloud.189.cn/t/…, caiyun.139.com/…, 115.com/s/…, pan.xunlei.com/s/…")


@dataclass
class DriveProbe:
    """One link of another drive: what was asked, and what check-links would make of it."""

    drive: str
    link: str
    result: CheckResult
    exchanges: list[Exchange] = field(default_factory=list)
    checked: bool = True  # False: the drive has no anonymous check (Xunlei); no request was made
    passcode: str = ""  # as stored in the link: masked wherever the probe writes

    @property
    def would_mark(self) -> bool:
        return self.result.verdict is Verdict.EXPIRED

    @property
    def marks_if_trusted(self) -> bool:
        """A code-only dead rule: check-links marks it only with --trust-unverified DRIVE."""
        return self.result.verdict is Verdict.ERROR and self.result.reason.startswith(UNVERIFIED)

    @property
    def understood(self) -> bool:
        return self.result.reason not in NOT_UNDERSTOOD

    @property
    def no_answer(self) -> bool:
        return bool(self.exchanges) and all(ex.reply.get("transport_error") for ex in self.exchanges)

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {"drive": self.drive, "link": self.link, "checked": self.checked, "verdict": r.verdict.value, "reason": r.reason,
                "http_status": r.http_status, "api_code": r.api_code, "message": r.message, "requests": len(self.exchanges),
                "would_mark": self.would_mark, "marks_if_trusted": self.marks_if_trusted, "understood": self.understood}


def open_all(env: Mapping[str, str], timeout: float) -> Drives:
    """Every drive, reading links as check-links does; each drive's API base from QUARKCTL_API_BASE_<KEY> of
    `env` (the environment and the .env file)."""
    from quarkctl.providers.registry import open_drives

    from quarkctl.config.settings import drive_api_bases

    return open_drives(DriveSetup(lambda: None, api_bases=drive_api_bases(env), timeout=timeout), DRIVE_NAMES)


def read_link(drives: Drives, text: str) -> Link:
    """The link's drive and share, or one clear line (exit 2): a text no drive claims, or a drive's link
    quarkctl cannot read."""
    found = drives.read(text)
    if isinstance(found, Link):
        return found
    owner = drives.owner(text)
    if owner is None:
        raise ConfigError(_("{link}: not a share link of any drive quarkctl knows ({forms})").format(link=text, forms=LINK_FORMS))
    raise ConfigError(_("{link}: a {drive} link quarkctl cannot read ({reason})").format(link=text, drive=owner, reason=found.reason))


def request_record(ex: WebExchange) -> dict[str, Any]:
    drive_url, sent = urlsplit(ex.url), urlsplit(ex.sent_to)
    query = dict(parse_qsl(drive_url.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in (ex.params or {}).items()})
    cookie = ex.headers.get("Cookie") or ""
    request: dict[str, Any] = {
        "method": ex.method, "host": drive_url.netloc, "path": drive_url.path or "/", "query": query,
        "body": ex.json if ex.json is not None else ex.form, "body_kind": "form" if ex.form is not None else ("json" if ex.json is not None else None),
        "cookie_names": [p.split("=", 1)[0].strip() for p in cookie.split(";") if p.strip()],
        "headers": {k: v for k, v in ex.headers.items() if k in ("Origin", "Referer", "Accept", "platform", "app-version")},
    }  # fmt: skip
    if sent.netloc != drive_url.netloc:
        request["sent_to"] = f"{sent.scheme}://{sent.netloc}"  # a QUARKCTL_API_BASE_<KEY> (a proxy, the simulator)
    return request


def reply_record(ex: WebExchange) -> dict[str, Any]:
    reply = ex.reply
    if reply.transport_error:
        return {"status": None, "headers": {}, "set_cookie": [], "body": None, "text": None, "transport_error": reply.transport_error}
    kept = {name: ex.headers_in[name] for name in (*HEADERS_KEPT, "Location") if name in ex.headers_in}
    return {"status": reply.http_status, "headers": kept, "set_cookie": list(reply.set_cookies),
            "body": reply.body if ex.text is None else None, "text": ex.text, "transport_error": None}  # fmt: skip


def _endpoint(url: str) -> str:
    """A request's name in the report: the last part of its path (`shorturlinfo`, `token`), `home` for a page."""
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1] or "home"


def probe_link(drive: WebDrive, text: str, link: Link, on_exchange: Callable[[Exchange], None]) -> DriveProbe:
    """The drive's one check of `link`, each request told to `on_exchange` as it comes back."""
    native = link.native
    assert isinstance(native, DriveLink)
    unchecked = getattr(drive, "unchecked", None)
    if isinstance(unchecked, CheckResult):  # no anonymous check (Xunlei): no request at all
        return DriveProbe(drive.name, text, unchecked, checked=False, passcode=native.passcode)
    exchanges: list[Exchange] = []
    secrets = (native.passcode,) if native.passcode else ()

    def heard(ex: WebExchange) -> None:
        exchange = Exchange(_endpoint(ex.url), request_record(ex), reply_record(ex), "", "", text, drive=drive.name, secrets=secrets)
        exchanges.append(exchange)
        on_exchange(exchange)

    client = drive.client()
    client.on_exchange = heard
    try:
        result = drive.probe(client, native)
    finally:
        client.close()
    if result.reason == "aborted":
        result = CheckResult(Verdict.ERROR, "interrupted")
    return DriveProbe(drive.name, text, result, exchanges, passcode=native.passcode)


def probe_links(drives: Drives, links: list[tuple[str, Link]], pacer: Pacer, on_exchange: Callable[[Exchange], None],
                on_link: Callable[[DriveProbe], None]) -> tuple[list[DriveProbe], bool]:
    """Each link once, paced as the Quark links are; False when a stop cut the pacing short."""
    done: list[DriveProbe] = []
    for text, link in links:
        drive = drives[link.drive]
        assert isinstance(drive, WebDrive)
        asks = getattr(drive, "unchecked", None) is None  # Xunlei asks nothing: no pause for it
        if asks and not pacer.before_link():
            return done, False
        probe = probe_link(drive, text, link, on_exchange)
        done.append(probe)
        on_link(probe)
        if probe.checked:
            pacer.link_done()
    return done, True
