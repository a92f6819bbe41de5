"""What the benchmarks share: a simulator in its own process, a seeded SQLite table, the baseline job.

The baseline does what the job quarkctl replaced did: load the whole table with `.all()`, then for each
row a bare `requests.post` (token) and `requests.get` (detail) without a session, so every request
opens a new connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import URL

from quarkctl.db.schema import cloud_resource, metadata

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
TOKEN = "/1/clouddrive/share/sharepage/token"
DETAIL = "/1/clouddrive/share/sharepage/detail"


def pwd(n: int) -> str:
    return f"b{n:011x}"


class SimProcess:
    """`python -m quarkctl.simulator --any-share --no-log` (every link valid), optionally network-emulated."""

    def __init__(self, rtt_ms: float = 0.0, handshake_ms: float = 0.0) -> None:
        args = [sys.executable, "-m", "quarkctl.simulator", "--any-share", "--no-log"]
        if rtt_ms or handshake_ms:
            args += ["--rtt-ms", str(rtt_ms), "--handshake-ms", str(handshake_ms)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("QUARK_API_BASE="):
            raise RuntimeError(f"simulator did not start: {line!r}")
        self.base = line.split("=", 1)[1]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def seed_sqlite(path: Path, rows: int, chunk: int = 50_000) -> URL:
    url = URL.create("sqlite", database=str(path))
    engine = create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for start in range(0, rows, chunk):
            conn.execute(insert(cloud_resource), [
                {"id": n, "drama_name": f"drama {n}", "drive_type": "quark", "is_expired": 0,
                 "link": f"https://pan.quark.cn/s/{pwd(n)}"}
                for n in range(start + 1, min(rows, start + chunk) + 1)
            ])  # fmt: skip
    engine.dispose()
    return url


def baseline_check(url: URL, base: str, limit: int | None = None) -> int:
    """The replaced job: every row in memory, then two bare requests per link. Returns links checked."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(cloud_resource)).all()  # the whole table, as `.all()` did
    engine.dispose()
    done = 0
    for row in rows[:limit] if limit is not None else rows:
        pwd_id = row.link.rsplit("/", 1)[1]
        token = requests.post(base + TOKEN, json={"pwd_id": pwd_id, "passcode": ""}, timeout=10).json()
        stoken = token["data"]["stoken"]
        detail = requests.get(base + DETAIL, params={"pwd_id": pwd_id, "stoken": stoken, "pdir_fid": "0",
                                                    "_page": "1", "_size": "50"}, timeout=10).json()
        assert detail["code"] == 0, detail
        done += 1
    return done


def ceiling(base: str, seconds: float = 3.0, workers: int = 4) -> float:
    """The simulator's own ceiling: token requests/s over keep-alive sessions, nothing else done."""
    import threading

    counts = [0] * workers
    end = time.monotonic() + seconds

    def hammer(n: int) -> None:
        with requests.Session() as session:
            while time.monotonic() < end:
                session.post(base + TOKEN, json={"pwd_id": pwd(n), "passcode": ""}, timeout=10)
                counts[n] += 1

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(workers)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start)
