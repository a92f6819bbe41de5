"""`python -m quarkctl.simulator --replay FILE`."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any


def replay(args: Any) -> int:
    from quarkctl.errors import QuarkctlError

    from .replay import read_capture

    try:
        capture = read_capture(Path(args.replay))
    except QuarkctlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .__main__ import _is_loopback
    from .replay import ReplayServer

    if not _is_loopback(args.host) and not args.allow_remote:
        print(f"error: refusing non-loopback host {args.host!r} without --allow-remote", file=sys.stderr)
        return 2
    server = ReplayServer(capture, args.host, args.port)
    try:
        base = server.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"QUARK_API_BASE={base}", flush=True)
    print(f"replaying {len(capture['exchanges'])} exchanges; stop with Ctrl-C or SIGTERM", file=sys.stderr, flush=True)
    while not stop.wait(1.0):
        pass
    server.stop()
    return 0
