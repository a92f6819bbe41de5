"""Benchmark: a table split evenly over four drives, checked with the drives side by side (issue 24) and one
drive after another, measured in one run and printed side by side.

    python bench/drives_parallel.py            # ~40 seconds: 4 drives x 12 links, 0.5-0.7 s between a drive's links
    python bench/drives_parallel.py 20 1 3     # 20 links per drive at the default 1-3 s pace (~4 minutes)

Quark (its simulator), UC, Aliyun and 123 (the drives simulator), every link alive. "parallel" is one
check-links run over the whole table; "sequential" is four runs, each limited to one drive (--drives), whose
times are summed. Ratio = parallel / sequential (issue 24's bar: at most 0.35). The smallest gap between two
of one drive's requests, as its simulator saw them, is printed beside its pace: never below the pace's minimum.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import URL

from quarkctl.checker.options import CheckOptions
from quarkctl.checker.run import run_check
from quarkctl.db.database import Database
from quarkctl.db.schema import cloud_resource, metadata
from quarkctl.quark.client import QuarkClient
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.simulator import Share, Simulator
from quarkctl.simulator.drives_server import DriveRequest, DrivesSimulator

DRIVES = {"uc": ("UC", "https://drive.uc.cn/s/d60d7221{:05d}", lambda n: f"d60d7221{n:05d}"),
          "aliyun": ("ALIYUN", "https://www.alipan.com/s/4F9AbCdE{:03d}", lambda n: f"4F9AbCdE{n:03d}"),
          "123": ("123", "https://www.123pan.com/s/yXg6Vv-en{:03d}", lambda n: f"yXg6Vv-en{n:03d}")}


class TimedDrives(DrivesSimulator):
    """The drives simulator, each request's arrival time kept per drive."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.arrival_lock = threading.Lock()

    def record(self, req: DriveRequest) -> None:
        with self.arrival_lock:
            self.arrivals[req.drive].append(time.monotonic())
        super().record(req)


def seed(path: Path, per_drive: int) -> URL:
    url = URL.create("sqlite", database=str(path))
    engine = create_engine(url)
    metadata.create_all(engine)
    rows = []
    for n in range(per_drive):  # interleaved, as a real table is
        rows.append({"drama_name": f"q{n}", "drive_type": "quark", "is_expired": 0, "link": f"https://pan.quark.cn/s/b{n:011x}"})
        for drive, (_, template, _) in DRIVES.items():
            rows.append({"drama_name": f"{drive}{n}", "drive_type": drive, "is_expired": 0, "link": template.format(n)})
    with engine.begin() as conn:
        conn.execute(insert(cloud_resource), rows)
    engine.dispose()
    return url


def timed_run(url: URL, quark: Simulator, options: CheckOptions) -> float:
    db = Database(url)
    try:
        start = time.monotonic()
        run_check(db, lambda: QuarkClient(cookie=None, api_base=quark.base_url, timeout=10), options,
                  rng_for_worker=lambda n: random.Random(n))
        return time.monotonic() - start
    finally:
        db.close()


def main(per_drive: int, low: float, high: float) -> None:
    import os

    quark = Simulator(any_share=Share(pwd_id="any", title="any", files=[{"name": "e01.mp4", "size": 1024}]))
    quark.start()
    drives = TimedDrives()
    drives.start()
    for key, _, _ids in DRIVES.values():
        os.environ[f"QUARKCTL_API_BASE_{key}"] = drives.base_url or ""
    for drive, (_, _, ids) in DRIVES.items():
        for n in range(per_drive):
            drives.add(drive, ids(n), "alive")
    paces = {drive: (low, high) for drive in ("quark", *DRIVES)}
    pacing = PacingPolicy(low, high, 0, 0.0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            common = dict(pacing=pacing, paces=paces, dry_run=True, retries=0)
            parallel = timed_run(seed(Path(tmp) / "p.db", per_drive), quark, CheckOptions(**common))  # type: ignore[arg-type]
            gaps = {drive: min((b - a for a, b in zip(times, times[1:])), default=0.0) for drive, times in drives.arrivals.items()}
            drives.arrivals.clear()
            sequential = 0.0
            for drive in ("quark", *DRIVES):
                url = seed(Path(tmp) / f"s-{drive}.db", per_drive)
                sequential += timed_run(url, quark, CheckOptions(drives=(drive,), **common))  # type: ignore[arg-type]
    finally:
        drives.stop()
        quark.stop()
    rows = per_drive * 4
    print(f"{rows} links, 4 drives x {per_drive}, pace {low:g}-{high:g} s per drive")
    print(f"{'parallel (drives side by side)':34} {parallel:8.2f} s")
    print(f"{'sequential (one drive after another)':34} {sequential:8.2f} s")
    print(f"{'ratio parallel / sequential':34} {parallel / sequential:8.2f}   (issue 24: <= 0.35)")
    for drive, gap in sorted(gaps.items()):
        print(f"smallest gap between two {drive} requests: {gap:.3f} s (pace minimum {low:g} s)")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 12, float(args[1]) if len(args) > 1 else 0.5, float(args[2]) if len(args) > 2 else 0.7)
