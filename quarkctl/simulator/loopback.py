"""A fake service's HTTP server on its own thread on loopback: start, stop, and `with` (the other drives'
checks, drives_server.py, and the fake PanSou, pansou_server.py)."""

from __future__ import annotations

import threading
from socketserver import TCPServer
from typing import Any


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
