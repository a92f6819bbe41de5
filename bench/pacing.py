"""Benchmark 1: pacing overhead. check-links over 30 links, small scheduled pauses.

    python bench/pacing.py                # ~10 seconds

Pauses 0.05-0.15 s between links, a 0.3 s rest every 10. Prints wall time / the sum of the pauses
the pacer scheduled (1.00 = no overhead), and the simulator's own response time separately: the same
30 links with pacing off.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SimProcess, seed_sqlite  # noqa: E402

from quarkctl.checker import CheckOptions, Listener, run_check  # noqa: E402
from quarkctl.db import Database  # noqa: E402
from quarkctl.pacing import PacingPolicy, StopSignal  # noqa: E402
from quarkctl.quark import QuarkClient  # noqa: E402

LINKS = 30


class Waits(Listener):
    def __init__(self) -> None:
        self.scheduled = 0.0

    def waiting(self, seconds: float, kind: str) -> None:
        self.scheduled += seconds


def timed_run(url, base: str, pacing: PacingPolicy) -> tuple[float, float]:
    db = Database(url)
    waits = Waits()
    stop = StopSignal()  # its real sleep: what a run uses
    start = time.monotonic()
    report = run_check(db, lambda: QuarkClient(cookie=None, api_base=base, timeout=15),
                       CheckOptions(pacing=pacing, dry_run=True), waits, stop=stop, rng_for_worker=lambda n: random.Random(n))
    wall = time.monotonic() - start
    db.close()
    assert report.summary["valid"] == LINKS, report.summary
    return wall, waits.scheduled


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, SimProcess() as sim:
        url = seed_sqlite(Path(tmp) / "bench.db", LINKS)
        timed_run(url, sim.base, PacingPolicy.off())  # warm-up: imports, first connection
        unpaced, _ = timed_run(url, sim.base, PacingPolicy.off())
        wall, scheduled = timed_run(url, sim.base, PacingPolicy(0.05, 0.15, 10, 0.3))
    print(f"{LINKS} links, pauses 0.05-0.15 s, 0.3 s rest every 10")
    print(f"  scheduled pauses         {scheduled:7.3f} s")
    print(f"  wall time, paced         {wall:7.3f} s   wall / pauses = {wall / scheduled:.3f}")
    print(f"  simulator response time  {unpaced:7.3f} s   (the same links, pacing off)")
    print(f"  overhead beyond pauses + responses: {(wall - unpaced - scheduled) / scheduled:+.2%} of the pauses (target within 2%)")


if __name__ == "__main__":
    main()
