"""A tiny HTTP receiver on 127.0.0.1 (port 0) that records every request and answers as scripted.

Used by the notification, ping and hook tests as the far end: a phone-push service, a healthchecks
endpoint, an Emby/Plex/OpenList server. `answer` maps (method, path) to (status, body) or (status, body,
Content-Type or None for no header: a hostile server's); a "hang"
answer holds the request until the receiver closes (bounded), to prove our timeouts.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

HANG = "hang"
DRIP = "drip"  # the headers, then a byte every half second: every read is quick, the answer never ends


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Receiver:
    default: tuple[int, Any] = (200, {"ok": True})
    answers: dict[tuple[str, str], Any] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.requests.append(Request(self.command, parts.path, parse_qs(parts.query),
                                                 {k.lower(): v for k, v in self.headers.items()}, body))
                answer = receiver.answers.get((self.command, parts.path), receiver.default)
                if answer == HANG:
                    receiver._release.wait(10)  # bounded: the test's client gives up long before
                    return
                if answer == DRIP:
                    self.send_response(200)
                    self.send_header("Content-Length", "3000")
                    self.end_headers()
                    for _byte in range(120):  # bounded: a minute at most
                        try:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                        except OSError:
                            return
                        if receiver._release.wait(0.5):
                            return
                    return
                status, payload, *kind = answer  # a third item: the Content-Type to send, None for none
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                content_type = kind[0] if kind else "text/plain" if isinstance(payload, str) else "application/json"
                self.send_response(status)
                if content_type is not None:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
