"""Serve a probe capture (quarkctl probe --record): each recorded request gets its recorded reply.

A request is identified by its method, path and the fields that pick an answer: pwd_id, pdir_fid,
_page and passcode (query or JSON body). Requests with the same identity are answered in recorded
order, the last one repeating. A request the capture does not hold gets a 404 whose body names what
was asked, so a test sees the gap instead of passing by accident. Placeholders round-trip: a detail
request must carry a stoken that the capture's token replies issued, else it gets 41016 as Quark
answers a stale stoken (quark-api.md 4.1).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from urllib.parse import parse_qs, urlsplit

# What `quarkctl probe --record` writes (quarkctl/probe/capture.py) and this module serves
FORMAT = "quarkctl-capture"
IDENTITY = ("pwd_id", "pdir_fid", "_page", "passcode")
_DEFAULTS = {"pdir_fid": "0", "_page": "1"}
JSON_TYPE = "application/json;charset=UTF-8"


def identity(method: str, path: str, query: dict | None, body: Any) -> tuple:
    fields = {**(query or {}), **(body if isinstance(body, dict) else {})}
    picked = []
    for name in IDENTITY:
        value = fields.get(name, _DEFAULTS.get(name))
        picked.append((name, None if value in (None, "") and name == "passcode" else value))
    return (method.upper(), path, tuple(picked))


class Replay:
    def __init__(self, capture: dict[str, Any]) -> None:
        self.answers: dict[tuple, list[dict]] = {}
        self.stokens: set[str] = set()
        self.served: dict[tuple, int] = {}
        self.gaps: list[dict] = []  # what was asked and not found, for tests
        self._lock = threading.Lock()
        for ex in capture.get("exchanges", []):
            if ex.get("drive", "quark") != "quark":
                continue  # another drive's exchange (issue 24): read by people, not served here
            req, reply = ex.get("request") or {}, ex.get("reply") or {}
            key = identity(req.get("method", "GET"), req.get("path", ""), req.get("query"), req.get("body"))
            self.answers.setdefault(key, []).append(ex)
            body = reply.get("body")
            stoken = (body.get("data") or {}).get("stoken") if isinstance(body, dict) and isinstance(body.get("data"), dict) else None
            if isinstance(stoken, str):
                self.stokens.add(stoken)

    def answer(self, method: str, path: str, query: dict, body: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        key = identity(method, path, query, body)
        recorded = self.answers.get(key)
        if not recorded:
            asked = {"method": key[0], "path": path, **{k: v for k, v in key[2] if v is not None}}
            with self._lock:
                self.gaps.append(asked)
            message = "replay: the capture holds no reply for " + " ".join(f"{k}={v}" for k, v in asked.items())
            return 404, [("Content-Type", JSON_TYPE)], _dumps({"replay_gap": True, "message": message, "asked": asked})
        stoken = (query or {}).get("stoken") or (body.get("stoken") if isinstance(body, dict) else None)
        recorded_stoken = (recorded[0].get("request") or {}).get("query", {}).get("stoken")
        if recorded_stoken is not None and stoken not in self.stokens:
            return 400, [("Content-Type", JSON_TYPE)], _dumps(
                {"status": 400, "code": 41016, "message": "分享的stoken过期", "replay": "a stoken this capture never issued"})
        with self._lock:
            n = self.served.get(key, 0)
            self.served[key] = n + 1
        reply = recorded[min(n, len(recorded) - 1)].get("reply") or {}
        headers = [(k, str(v)) for k, v in (reply.get("headers") or {}).items()]
        headers += [("Set-Cookie", h) for h in reply.get("set_cookie") or []]
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", JSON_TYPE))
        if reply.get("transport_error"):
            return 0, [], b""  # it never answered: drop the connection
        payload = _dumps(reply["body"]) if reply.get("body") is not None else (reply.get("text") or "").encode()
        return int(reply.get("status") or 200), headers, payload


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        status, headers, payload = self.server.replay.answer(self.command, url.path, query, body)  # type: ignore[attr-defined]
        if status == 0:
            self.close_connection = True
            return
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), slow without a network.
        self.socket.bind(self.server_address)
        self.server_address = address = self.socket.getsockname()
        self.server_name, self.server_port = address[:2]


class ReplayServer:
    """`with ReplayServer(capture) as server:` serves on loopback at server.base_url."""

    def __init__(self, capture: dict[str, Any] | Replay, host: str = "127.0.0.1", port: int = 0) -> None:
        self.replay = capture if isinstance(capture, Replay) else Replay(capture)
        self.host, self.port = host, port
        self.base_url: str | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        server = _Server((self.host, self.port), _Handler)
        server.replay = self.replay  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ReplayServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def read_capture(path: Path) -> dict[str, Any]:
    """A capture file, checked enough that a wrong file gives one clear line."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(_("{path}: not a readable capture: {reason}").format(path=path, reason=exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("exchanges"), list):
        raise ConfigError(_("{path}: not a quarkctl capture (no \"format\": \"quarkctl-capture\")").format(path=path))
    return data
