"""Benchmark 1: pacing overhead. check-links over 30 links, small scheduled pauses.

    python bench/pacing.py                # ~10 seconds

Pauses 0.05-0.15 s between links, a 0.3 s rest every 10. Prints wall time / the sum of the pauses
the pacer scheduled (1.00 = no overhead), and the simulator's own response time separately: the time
between each link's start and its result, summed over the same paced run (after a pause the
requests run a little slower than back to back, so a separate unpaced run, also printed,
understates it). The overhead is what is left: quarkctl's own work between links.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SimProcess, seed_sqlite  # noqa: E402

from quarkctl.checker.options import CheckOptions  # noqa: E402
from quarkctl.checker.run import run_check  # noqa: E402
from quarkctl.reports.check import Listener  # noqa: E402
from quarkctl.db.database import Database  # noqa: E402
from quarkctl.runtime.pacing import PacingPolicy  # noqa: E402
from quarkctl.runtime.stop import StopSignal  # noqa: E402
from quarkctl.quark.client import QuarkClient  # noqa: E402

LINKS = 30


class Waits(Listener):
    def __init__(self) -> None:
        self.scheduled = 0.0
        self.responses = 0.0
        self._started: float | None = None

    def waiting(self, seconds: float, kind: str) -> None:
        self.scheduled += seconds

    def link_started(self, row: object) -> None:
        self._started = time.monotonic()

    def link_done(self, outcome: object) -> None:
        if self._started is not None:
            self.responses += time.monotonic() - self._started
            self._started = None


def timed_run(url, base: str, pacing: PacingPolicy) -> tuple[float, float, float]:
    db = Database(url)
    waits = Waits()
    stop = StopSignal()  # its real sleep: what a run uses
    start = time.monotonic()
    report = run_check(db, lambda: QuarkClient(cookie=None, api_base=base, timeout=15),
                       CheckOptions(pacing=pacing, dry_run=True), waits, stop=stop, rng_for_worker=lambda n: random.Random(n))
    wall = time.monotonic() - start
    db.close()
    assert report.summary["valid"] == LINKS, report.summary
    return wall, waits.scheduled, waits.responses


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, SimProcess() as sim:
        url = seed_sqlite(Path(tmp) / "bench.db", LINKS)
        timed_run(url, sim.base, PacingPolicy.off())  # warm-up: imports, first connection
        unpaced, _, _ = timed_run(url, sim.base, PacingPolicy.off())
        runs = [timed_run(url, sim.base, PacingPolicy(0.05, 0.15, 10, 0.3)) for _ in range(3)]
    wall, scheduled, responses = sorted(runs)[1]  # the median run of three
    print(f"{LINKS} links, pauses 0.05-0.15 s, 0.3 s rest every 10 (median of 3 runs)")
    print(f"  scheduled pauses           {scheduled:7.3f} s")
    print(f"  wall time, paced           {wall:7.3f} s   wall / pauses = {wall / scheduled:.3f}")
    print(f"  simulator responses        {responses:7.3f} s   (in the paced run; {unpaced:.3f} s back to back, pacing off)")
    overhead = (wall - scheduled - responses) / scheduled
    print(f"  overhead beyond pauses + responses: {overhead:+.2%} of the pauses (target within 2%)")


if __name__ == "__main__":
    main()
