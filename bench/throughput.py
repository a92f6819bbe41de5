"""Benchmark 2: check-links throughput with pacing off, against a network-emulated simulator.

    python bench/throughput.py            # ~3 minutes

The simulator (its own process) waits one round trip (30 ms) before each answer and a handshake
(60 ms) on each new connection. quarkctl (keep-alive sessions, keyset batches) at concurrency 1, 4, 8
against the baseline (bare requests.post/get: a new connection per request; the table loaded with .all()).
The limit at concurrency c is c / (requests per link x round trip): no handshake after the first.
The slow configurations check a sample of the table (--sample); rates are links/s either way.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SimProcess, baseline_check, ceiling, seed_sqlite  # noqa: E402

from quarkctl.checker.options import CheckOptions  # noqa: E402
from quarkctl.checker.run import run_check  # noqa: E402
from quarkctl.reports.check import LinkOutcome, Listener  # noqa: E402
from quarkctl.db.database import Database  # noqa: E402
from quarkctl.runtime.pacing import PacingPolicy  # noqa: E402
from quarkctl.quark.client import QuarkClient  # noqa: E402


class Count(Listener):
    def __init__(self) -> None:
        self.links = self.requests = 0

    def link_done(self, outcome: LinkOutcome) -> None:
        self.links += 1
        self.requests += outcome.result.requests


def quarkctl_rate(url, base: str, concurrency: int, limit: int) -> tuple[float, float]:
    """(links/s, requests per link) of an in-process run_check over the first `limit` rows."""
    db = Database(url)
    count = Count()
    start = time.monotonic()
    report = run_check(db, lambda: QuarkClient(cookie=None, api_base=base, timeout=15),
                       CheckOptions(pacing=PacingPolicy.off(), concurrency=concurrency, limit=limit, dry_run=True),
                       count, sleep=lambda s: True, rng_for_worker=lambda n: random.Random(n))  # fmt: skip
    elapsed = time.monotonic() - start
    db.close()
    assert report.summary["valid"] == limit, report.summary
    return limit / elapsed, count.requests / max(count.links, 1)


def baseline_rate(url, base: str, limit: int) -> float:
    start = time.monotonic()
    done = baseline_check(url, base, limit)
    return done / (time.monotonic() - start)


def table(title: str, url, base: str, links: int, sample: int, rtt: float | None) -> None:
    print(f"\n{title}")
    base_rate = baseline_rate(url, base, sample)
    print(f"  baseline (new connection per request)  {base_rate:8.1f} links/s   ({sample} links)")
    for c in (1, 4, 8):
        limit = sample if c == 1 else links
        rate, per_link = quarkctl_rate(url, base, c, limit)
        line = f"  quarkctl --concurrency {c}              {rate:8.1f} links/s   ({limit} links)  x{rate / base_rate:5.1f} baseline"
        if rtt:
            bound = c / (per_link * rtt)
            line += f"  {rate / bound:5.1%} of the limit ({bound:.1f} links/s at {per_link:.1f} requests/link)"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=300, help="links checked by the slow configurations (baseline, concurrency 1)")
    parser.add_argument("--rtt-ms", type=float, default=30.0)
    parser.add_argument("--handshake-ms", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = seed_sqlite(Path(tmp) / "bench.db", args.links)
        with SimProcess() as raw:
            print(f"simulator ceiling (raw loopback, 4 keep-alive clients): {ceiling(raw.base):.0f} requests/s")
            with SimProcess(args.rtt_ms, args.handshake_ms) as emulated:
                table(f"emulated network: {args.rtt_ms:.0f} ms per request, {args.handshake_ms:.0f} ms per new connection",
                      url, emulated.base, args.links, args.sample, args.rtt_ms / 1000)
            table("raw loopback (for the record)", url, raw.base, args.links, args.links, None)


if __name__ == "__main__":
    main()
