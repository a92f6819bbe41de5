"""`quarkctl demo`: the whole check-links job for someone without a Quark account.

The built-in simulator plays Quark on loopback, a temporary SQLite database plays the resource
table; nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import URL

from quarkctl import checker
from quarkctl.checker import CheckOptions, Listener, RunReport
from quarkctl.db import Database, cloud_resource
from quarkctl.pacing import PacingPolicy, StopSignal
from quarkctl.settings import Settings

# Short, but visible: the same rules as a real night, scaled down.
DEMO_PACING = PacingPolicy(min_delay=0.05, max_delay=0.2, rest_every=10, rest_seconds=1.0)


def _seed(db: Database, shares: list) -> None:
    rows = [{"drama_name": s.title or s.pwd_id, "drive_type": "quark", "link": s.link, "is_expired": 0} for s in shares]
    # Two links the job must leave alone: a passcode share stored without its passcode, and another drive.
    with_passcode = next((s for s in shares if s.passcode), None)
    if with_passcode is not None:
        rows.append({"drama_name": f"{with_passcode.title} (no passcode stored)", "drive_type": "quark",
                     "link": f"https://pan.quark.cn/s/{with_passcode.pwd_id}", "is_expired": 0})
    rows.append({"drama_name": "Baidu link", "drive_type": "baidu", "link": "https://pan.baidu.com/s/1demo", "is_expired": 0})
    with db.engine.begin() as conn:
        conn.execute(insert(cloud_resource), rows)


def run_demo(listener: Listener, *, stop: StopSignal, pacing: PacingPolicy = DEMO_PACING, keep: Path | None = None) -> RunReport:
    from quarkctl.simulator import Simulator  # only the demo and the tests need it

    with tempfile.TemporaryDirectory(prefix="quarkctl-demo-") as tmp, Simulator.from_scenario(None) as sim:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = URL.create("sqlite", database=str(folder / "demo.db"))
        db = Database(url, default_sqlite=True)
        try:
            db.init_schema()
            _seed(db, list(sim.shares.values()))
        finally:
            db.close()
        settings = Settings(cookie=sim.cookies[0] if sim.cookies else None, database_url=url, default_sqlite=True, api_base=sim.base_url)
        options = CheckOptions(pacing=pacing, backoff=0.2)
        return checker.execute(settings, options, listener, stop=stop, lock_dir=Path(tmp) / "locks", timeout=5.0)
