"""Stops that stop (issue 21): once a run is stopping (SIGINT, SIGTERM, its deadline), the requests in
flight get STOP_GRACE seconds to finish; then every watched client's connections are closed, and the
client answers every later request `aborted` at once (quarkctl/quark/client.py Transport.abort).

A reviewer's run hung for 11 minutes on a server that dripped its answer: a stop only kept new links
from starting, and the link in flight never ended.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the client loads urllib3; the job modules import this one early
    from quarkctl.quark.client import QuarkClient

STOP_GRACE = 5.0  # seconds: a few, so a link almost done may still be recorded
_POLL = 0.2


class GraceCutter:
    """Watches `stopping()` from a thread of its own while the run is inside `with`; STOP_GRACE real
    seconds after it first answers True, aborts every client handed to `watch`."""

    def __init__(self, stopping: Callable[[], bool], *, grace: float = STOP_GRACE,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.stopping, self.grace, self.monotonic = stopping, grace, monotonic
        self.cut = False  # the grace ran out and the clients were aborted
        self._clients: list[QuarkClient] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="grace")

    def watch(self, client: QuarkClient) -> QuarkClient:
        with self._lock:
            self._clients.append(client)
            if self.cut:
                client.abort()
        return client

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> GraceCutter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _watch(self) -> None:
        since: float | None = None
        while not self._done.wait(_POLL):
            if not self.stopping():
                continue
            now = self.monotonic()  # real seconds: the grace is what a waiting admin or scheduler sees
            since = now if since is None else since
            if now - since >= self.grace:
                with self._lock:
                    self.cut = True
                    clients = list(self._clients)
                for client in clients:
                    client.abort()
                return
