"""The fake PanSou's HTTP side (pansou_server.py holds what it knows): PanSou's paths, its auth guard
(search-api.md section 1.8), its search parameters as GET and POST read them (section 1.3), verbatim failures
and the down switch."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .loopback import send_reply

if TYPE_CHECKING:
    from .pansou_server import FakePanSou

JSON_TYPE = "application/json; charset=utf-8"
PUBLIC_PATHS = ("/api/auth/login", "/api/auth/logout", "/api/health")  # by prefix (section 1.8)
GATEWAY_PAGE = ("<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
                "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


@dataclass(frozen=True)
class PanSouRequest:
    method: str
    path: str
    query: dict[str, list[str]]  # every value of every key, as sent
    body: Any  # the JSON body, None when none or not JSON
    headers: dict[str, str]  # lower-case names
    status: int  # answered; 0 when the connection was dropped

    def first(self, key: str) -> str | None:
        """What PanSou reads for a GET key: its first value only (gin's c.Query, section 1.3)."""
        values = self.query.get(key)
        return values[0] if values else None


class PanSouHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakePanSou

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def server_bind(self) -> None:
        self.socket.bind(self.server_address)  # no reverse DNS lookup (HTTPServer's getfqdn)
        address = self.socket.getsockname()
        self.server_address = address
        self.server_name, self.server_port = address[0], address[1]


Answer = tuple[int, Any, str | None, dict[str, str]]  # status, body, Content-Type (None: by the body), more headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: PanSouHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep stderr quiet
        pass

    def _dispatch(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if fake.down == "closed":
            fake.record(PanSouRequest(self.command, url.path, query, body, headers, 0))
            self.close_connection = True
            return
        status, reply, content_type, extra = self._answer(fake, url.path, query, raw, body, headers)
        fake.record(PanSouRequest(self.command, url.path, query, body, headers, status))
        self._send(status, reply, content_type, extra)

    def _answer(self, fake: FakePanSou, path: str, query: dict[str, list[str]], raw: bytes, body: Any,
                headers: dict[str, str]) -> Answer:
        if fake.down == "503":
            return 503, GATEWAY_PAGE, "text/html", {}
        if self.command == "OPTIONS":
            return 204, b"", None, {}
        if not path.startswith(PUBLIC_PATHS) and path.startswith("/api/"):
            refusal = fake.refusal(headers.get("authorization"))
            if refusal is not None:
                return 401, refusal, None, {}
        if path == "/api/health" and self.command == "GET":
            return 200, fake.health(), None, {}
        if path == "/api/auth/login" and self.command == "POST":
            status, reply = fake.login(body)
            return status, reply, None, {}
        if path == "/api/auth/logout" and self.command == "POST":
            return 200, {"message": "退出成功"}, None, {}
        if path == "/api/search" and self.command in ("GET", "POST"):
            return self._search(fake, query, raw, body)
        return 404, "404 page not found", "text/plain", {}  # gin's default

    def _search(self, fake: FakePanSou, query: dict[str, list[str]], raw: bytes, body: Any) -> Answer:
        fake.wait_if_stalled()
        failure = fake.next_failure()
        if failure is not None:
            return failure
        if self.command == "POST":
            if not isinstance(body, dict):
                return 400, {"code": 400, "message": f"无效的请求参数: {raw[:60]!r}"}, None, {}
            kw, types, res, refresh = body.get("kw"), body.get("cloud_types"), body.get("res"), body.get("refresh")
            if not isinstance(types, list):
                types = None
            kw = kw if isinstance(kw, str) else ""
            res = res if isinstance(res, str) and res else "merge"
            refresh = refresh is True
        else:
            first = {k: v[0] for k, v in query.items()}
            for name, label in (("ext", "ext"), ("filter", "filter")):
                if first.get(name):
                    try:
                        json.loads(first[name])
                    except ValueError:
                        return 400, {"code": 400, "message": f"无效的{label}参数格式: invalid JSON"}, None, {}
            kw, res = first.get("kw", ""), first.get("res") or "merge"
            types = first["cloud_types"].split(",") if first.get("cloud_types") else None
            refresh = first.get("refresh") == "true"  # only the exact string (section 1.3)
        types = [t for t in types or [] if isinstance(t, str)] or None
        return 200, {"code": 0, "message": "success", "data": fake.search(kw, types, res, refresh)}, None, {}

    def _send(self, status: int, body: Any, content_type: str | None, headers: dict[str, str]) -> None:
        if isinstance(body, bytes):
            data, kind = body, "application/octet-stream"
        elif isinstance(body, str):
            data, kind = body.encode(), ("text/html; charset=utf-8" if body.lstrip().startswith("<") else "text/plain; charset=utf-8")
        else:
            data, kind = json.dumps(body, ensure_ascii=False).encode(), JSON_TYPE
        send_reply(self, status, data, content_type or kind, headers.items())

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._dispatch()
