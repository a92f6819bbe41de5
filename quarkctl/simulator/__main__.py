"""`python -m quarkctl.simulator`: serve a scenario on loopback until SIGINT/SIGTERM (Quark; with --drives-port
the other drives too, with --pansou-port a PanSou)."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading

from .drive_shares import base_lines, list_lines, start_drives
from .model import Share, load_scenario
from .server import Simulator


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quarkctl.simulator", description=__doc__)
    parser.add_argument("--scenario", help="scenario JSON file (default: the bundled example.json)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--list", action="store_true", help="print the scenario's share links and exit")
    parser.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback host")
    parser.add_argument("--emulate-network", action="store_true",
                        help="delay answers like a real network: 30 ms per request, 60 ms per new connection")
    parser.add_argument("--rtt-ms", type=float, help="per-request delay, ms (one round trip; implies --emulate-network)")
    parser.add_argument("--handshake-ms", type=float, help="per-new-connection delay, ms (TCP + TLS; implies --emulate-network)")
    parser.add_argument("--any-share", action="store_true", help="every unknown share link answers as a valid one-file share")
    parser.add_argument("--no-log", action="store_true", help="keep no request log (long benchmark runs)")
    parser.add_argument("--pansou-port", type=int, metavar="PORT",
                        help="also serve a fake PanSou on this port (0 picks one), finding each share by its title")
    parser.add_argument("--drives-port", type=int, metavar="PORT",
                        help="also serve the other drives (UC, Baidu, Aliyun, 123, Tianyi, 139, 115) on this port (0 picks one) "
                             "with the scenario's drive_shares, printing their QUARKCTL_API_BASE_<KEY>= lines")
    parser.add_argument("--replay", metavar="FILE", help="serve a probe capture (quarkctl probe --record) instead of a scenario")
    args = parser.parse_args(argv)
    if args.replay:
        from .replay_main import replay  # no scenario is loaded

        return replay(args)

    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: cannot load scenario: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for share in scenario.shares:
            faults = ", ".join(f.describe() for f in share.faults)
            print("\t".join([share.link, share.expected_state(), share.title] + ([faults] if faults else [])))
        for line in list_lines(scenario.drive_shares):  # the other drives': link, verdict, drive
            print(line)
        return 0
    if not _is_loopback(args.host) and not args.allow_remote:
        print(f"error: refusing non-loopback host {args.host!r} without --allow-remote", file=sys.stderr)
        return 2

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    emulate = args.emulate_network or args.rtt_ms is not None or args.handshake_ms is not None
    rtt = (30.0 if args.rtt_ms is None else args.rtt_ms) / 1000 if emulate else 0.0
    handshake = (60.0 if args.handshake_ms is None else args.handshake_ms) / 1000 if emulate else 0.0
    if rtt < 0 or handshake < 0:
        print("error: --rtt-ms and --handshake-ms must be >= 0", file=sys.stderr)
        return 2
    any_share = Share(pwd_id="any", title="any", files=[{"name": "e01.mp4", "size": 1024}]) if args.any_share else None
    sim = Simulator(cookies=scenario.cookies, strict_cookie=scenario.strict_cookie, shares=scenario.shares,
                    task_polls=scenario.task_polls, tq_gap=scenario.tq_gap, drive=scenario.drive,
                    save_file_limit=scenario.save_file_limit, rtt=rtt, handshake=handshake, any_share=any_share, keep_log=not args.no_log,
                    reshape=scenario.reshape, own_shares=scenario.own_shares, task_failure_shape=scenario.task_failure_shape)
    try:
        base = sim.start(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    print(f"QUARK_API_BASE={base}", flush=True)
    drives = None
    if args.drives_port is not None:
        try:
            drives = start_drives(scenario.drive_shares, args.host, args.drives_port)
        except OSError as exc:
            sim.stop()
            print(f"error: cannot listen on {args.host}:{args.drives_port}: {exc}", file=sys.stderr)
            return 2
        print("\n".join(base_lines(drives.base_url)), flush=True)
    pansou = None
    if args.pansou_port is not None:
        from .pansou_server import FakePanSou, seed_from_shares

        pansou = FakePanSou(host=args.host, port=args.pansou_port)
        seed_from_shares(pansou, scenario.shares)
        try:
            print(f"PANSOU_URL={pansou.start()}", flush=True)
        except OSError as exc:
            sim.stop()
            if drives is not None:
                drives.stop()
            print(f"error: cannot listen on {args.host}:{args.pansou_port}: {exc}", file=sys.stderr)
            return 2
    others = f" and {len(scenario.drive_shares)} other drives' shares" if drives is not None else ""
    print(f"serving {len(scenario.shares)} shares{others}; stop with Ctrl-C or SIGTERM", file=sys.stderr, flush=True)
    while not stop.wait(1.0):  # a timed wait lets the signal handler run promptly
        pass
    for service in (pansou, drives):
        if service is not None:
            service.stop()
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
