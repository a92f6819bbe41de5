"""A fake service's HTTP server on its own thread on loopback: start, stop, and `with` (the other drives'
checks, drives_server.py, and the fake PanSou, pansou_server.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from socketserver import TCPServer
from typing import Any


def send_reply(handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str,
               headers: Iterable[tuple[str, str]] = ()) -> None:
    """One answer of a fake service: status, Content-Type (none with a 204), length, the extra headers, the body;
    a client that hung up is no error of the fake's."""
    handler.send_response(status)
    if status != 204:
        handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    try:
        handler.wfile.write(data)
    except OSError:
        pass


class LoopbackService:
    """`make_server()` gives the bound server; `start()` serves it on a daemon thread and returns its URL."""

    thread_name = "loopback-sim"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.base_url: str | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def make_server(self) -> TCPServer:
        raise NotImplementedError

    def start(self) -> str:
        server = self.make_server()
        self._server, self.port = server, int(server.server_address[1])
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
