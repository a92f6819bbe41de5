"""A loopback fake of the other drives' share checks (issue 24): UC, Baidu, Aliyun, 123, Tianyi, 139 and 115
on one port, each on its own paths, answering by each share's state (drive_replies.py). Clients swap only
scheme and host (QUARKCTL_API_BASE_<DRIVE>), so paths are matched whatever the Host header.

    sim = DrivesSimulator(); sim.add("uc", "d60d722172f84", "dead"); base = sim.start()
    sim.add("baidu", "AbCdEfGh", "locked", passcode="ab12")      # its right passcode opens it
    sim.serve("aliyun", "4F9AbCdEfGh", "share", 400, {...})       # a sample, verbatim

An unknown share answers as the drive answers a made-up id: its `dead` answer.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .loopback import LoopbackService, send_reply
from .drive_replies import BAIDU_NO_COOKIE, BAIDU_VERIFY, PAGE_HTML, TABLES, Answer, Body

JSON_TYPE = "application/json;charset=UTF-8"
BAIDUID = "SIMBAIDUID0000000000000000000000:FG=1"


@dataclass
class DriveShare:
    drive: str
    share_id: str
    state: str = "alive"
    passcode: str = ""
    answers: dict[str, tuple[int, Body, str | None]] = field(default_factory=dict)  # endpoint -> verbatim answer


@dataclass(frozen=True)
class DriveRequest:
    drive: str
    endpoint: str
    method: str
    path: str
    query: dict[str, str]
    body: Any  # the JSON body, or the form as a dict
    headers: dict[str, str]  # lower-case names
    share_id: str = ""
    passcode: str = ""


Handler = Callable[["DrivesSimulator", DriveRequest], Answer]
ROUTES: dict[tuple[str, str], tuple[str, str, Callable[[DriveRequest], tuple[str, str]], Handler | None]] = {}


def _route(method: str, path: str, drive: str, endpoint: str, ids: Callable[[DriveRequest], tuple[str, str]],
           handler: Handler | None = None) -> None:
    ROUTES[(method, path)] = (drive, endpoint, ids, handler)


def _get(mapping: Any, *keys: str) -> str:
    for key in keys:
        mapping = mapping.get(key) if isinstance(mapping, dict) else None
    return mapping if isinstance(mapping, str) else ""


def _unlocked(sim: DrivesSimulator, req: DriveRequest, locked_state: str = "locked") -> Answer:
    """The share's answer; a locked share asked with its right passcode answers as alive."""
    share = sim.share(req.drive, req.share_id)
    table = TABLES[req.drive]
    if share.state == locked_state and share.passcode and req.passcode == share.passcode:
        return table["alive"]
    return table.get(share.state, table["dead"])


def _pan115(sim: DrivesSimulator, req: DriveRequest) -> Answer:
    share, table = sim.share(req.drive, req.share_id), TABLES["115"]
    if share.state == "locked" and req.passcode:
        return table["alive"] if req.passcode == share.passcode else table["wrong_code"]
    return table.get(share.state, table["dead"])


def _tianyi(sim: DrivesSimulator, req: DriveRequest) -> Answer:
    if "json" not in req.headers.get("accept", ""):
        return TABLES["tianyi"]["wrong_shape"]  # XML without a JSON Accept (drives-api.md section 8, HD round 1)
    return _unlocked(sim, req, "-")


def _baidu_info(sim: DrivesSimulator, req: DriveRequest) -> Answer:
    if "BAIDUID=" not in req.headers.get("cookie", ""):
        return BAIDU_NO_COOKIE
    return _unlocked(sim, req, "-")


def _baidu_verify(sim: DrivesSimulator, req: DriveRequest) -> Answer:
    share = sim.share("baidu", req.share_id)
    if share.state == "locked":
        return BAIDU_VERIFY["right" if share.passcode and req.passcode == share.passcode else "wrong"]
    return BAIDU_VERIFY.get(share.state, BAIDU_VERIFY["wrong"])


def _baidu_home(sim: DrivesSimulator, req: DriveRequest) -> Answer:
    return 200, PAGE_HTML.format(title="百度网盘")


_route("POST", "/1/clouddrive/share/sharepage/token", "uc", "token", lambda r: (_get(r.body, "pwd_id"), _get(r.body, "passcode")))
_route("GET", "/", "baidu", "home", lambda r: ("", ""), _baidu_home)
_route("GET", "/api/shorturlinfo", "baidu", "shorturlinfo", lambda r: (r.query.get("shorturl", "")[1:], ""), _baidu_info)
_route("POST", "/share/verify", "baidu", "verify", lambda r: (r.query.get("surl", ""), _get(r.body, "pwd")), _baidu_verify)
_route("POST", "/adrive/v3/share_link/get_share_by_anonymous", "aliyun", "share",
       lambda r: (r.query.get("share_id") or _get(r.body, "share_id"), ""))
_route("GET", "/b/api/share/get", "123", "share", lambda r: (r.query.get("shareKey", ""), r.query.get("SharePwd", "")))
_route("GET", "/api/open/share/getShareInfoByCodeV2.action", "tianyi", "share", lambda r: (r.query.get("shareCode", ""), ""),
       _tianyi)
_route("POST", "/yun-share/richlifeApp/devapp/IOutLink/getOutLinkInfoV6", "mobile", "share",
       lambda r: (_get(r.body, "getOutLinkInfoReq", "linkID"), _get(r.body, "getOutLinkInfoReq", "passwd")))
_route("GET", "/share/snap", "115", "snap", lambda r: (r.query.get("share_code", ""), r.query.get("receive_code", "")), _pan115)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sim: DrivesSimulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def server_bind(self) -> None:
        self.socket.bind(self.server_address)  # no reverse DNS lookup (HTTPServer's getfqdn)
        address = self.socket.getsockname()
        self.server_address = address
        self.server_name, self.server_port = address[0], address[1]


class DrivesSimulator(LoopbackService):
    thread_name = "drives-sim"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self._shares: dict[tuple[str, str], DriveShare] = {}
        self._log: list[DriveRequest] = []
        self._lock = threading.Lock()

    def add(self, drive: str, share_id: str, state: str = "alive", passcode: str = "") -> DriveShare:
        if drive not in TABLES:
            raise ValueError(f"no such drive: {drive!r} (one of {', '.join(TABLES)})")
        if state not in TABLES[drive] and state not in BAIDU_VERIFY:
            raise ValueError(f"{drive} knows no state {state!r} (one of {', '.join(TABLES[drive])})")
        share = self._shares[(drive, share_id)] = DriveShare(drive, share_id, state, passcode)
        return share

    def serve(self, drive: str, share_id: str, endpoint: str, status: int, body: Body, content_type: str | None = None) -> None:
        """`endpoint` of this share answers this, verbatim (a sample of drives-replies.json)."""
        share = self._shares.get((drive, share_id)) or self.add(drive, share_id)
        share.answers[endpoint] = (status, body, content_type)

    def share(self, drive: str, share_id: str) -> DriveShare:
        return self._shares.get((drive, share_id)) or DriveShare(drive, share_id, "dead")

    def requests(self, drive: str | None = None, endpoint: str | None = None) -> list[DriveRequest]:
        with self._lock:
            log = list(self._log)
        return [r for r in log if (drive is None or r.drive == drive) and (endpoint is None or r.endpoint == endpoint)]

    def answer(self, req: DriveRequest, handler: Handler | None) -> tuple[int, Body, str | None]:
        verbatim = self.share(req.drive, req.share_id).answers.get(req.endpoint)
        if verbatim is not None:
            return verbatim
        status, body = (handler or _unlocked)(self, req)
        return status, body, None

    def record(self, req: DriveRequest) -> None:
        with self._lock:
            self._log.append(req)

    def make_server(self) -> _Server:
        server = _Server((self.host, self.port), _Handler)
        server.sim = self
        return server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep stderr quiet
        pass

    def _dispatch(self) -> None:
        sim = self.server.sim
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        body: Any
        if "form-urlencoded" in headers.get("content-type", ""):
            body = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
        route = ROUTES.get((self.command, url.path))
        if route is None:
            return self._send(404, {"error": "not a simulated path"}, None)
        drive, endpoint, ids, handler = route
        bare = DriveRequest(drive, endpoint, self.command, url.path, query, body, headers)
        share_id, passcode = ids(bare)
        req = DriveRequest(drive, endpoint, self.command, url.path, query, body, headers, share_id, passcode)
        sim.record(req)  # before answering: a client that got its answer finds it in the log
        status, reply, content_type = sim.answer(req, handler)
        extra = [("Set-Cookie", f"BAIDUID={BAIDUID}; path=/; domain=.baidu.com")] if endpoint == "home" else []
        if status in (301, 302):
            extra.append(("Location", "https://pan.baidu.com/error/anti"))
        self._send(status, reply, content_type, extra)

    def _send(self, status: int, body: Body, content_type: str | None, headers: list[tuple[str, str]] | None = None) -> None:
        if isinstance(body, dict) or isinstance(body, list):
            data, kind = json.dumps(body, ensure_ascii=False).encode(), JSON_TYPE
        elif isinstance(body, str):
            data, kind = body.encode(), ("text/xml;charset=UTF-8" if body.startswith("<?xml") else "text/html;charset=UTF-8")
        else:
            data, kind = b"", "text/plain"
        send_reply(self, status, data, content_type or kind, headers or [])

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()


if __name__ == "__main__":  # python -m quarkctl.simulator.drives_server [--help]: the scenario's drive_shares alone
    from .drive_shares import drives_main

    sys.exit(drives_main())
