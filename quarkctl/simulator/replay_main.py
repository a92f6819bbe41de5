"""`python -m quarkctl.simulator --replay FILE` and `--capture-to-samples FILE [--into SAMPLES]`."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any


def replay_or_convert(args: Any) -> int:
    from quarkctl.errors import QuarkctlError
    from quarkctl.probe.capture import read_capture

    try:
        capture = read_capture(Path(args.replay or args.capture_to_samples))
    except QuarkctlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.capture_to_samples:
        from quarkctl.probe.tosamples import merge_into, to_samples

        samples = to_samples(capture)
        if args.into:
            try:
                added = merge_into(Path(args.into), samples)
            except (OSError, ValueError) as exc:
                print(f"error: --into {args.into}: {exc}", file=sys.stderr)
                return 2
            print(f"added {added} sample(s) to {args.into}", file=sys.stderr)
        else:
            try:
                print(json.dumps(samples, ensure_ascii=False, indent=2), flush=True)
            except BrokenPipeError:  # `... | head`: the reader has all it wanted; no flush error at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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
