"""`quarkctl demo`: both jobs for someone without a Quark account.

The built-in simulator plays Quark on loopback, a temporary SQLite database plays the resource
table; nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import URL

from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.pansou import PanSou
from quarkctl.checker import job as checker
from quarkctl.checker.reacquire import Reacquire
from quarkctl.autosave import job as autosave_job
from quarkctl.autosave.options import AutosaveOptions
from quarkctl.checker.options import CheckOptions
from quarkctl.reports.autosave import AutosaveReport
from quarkctl.reports.check import Listener, RunReport
from quarkctl.db.database import Database
from quarkctl.db.schema import cloud_resource
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal
from quarkctl.config.settings import Settings
from quarkctl.errors import ConfigError
from quarkctl.i18n import _

# Short, but visible: the same rules as a real night, scaled down.
DEMO_PACING = PacingPolicy(min_delay=0.05, max_delay=0.2, rest_every=10, rest_seconds=1.0)


def _seed(db: Database, shares: list) -> None:
    rows = [{"drama_name": s.title or s.pwd_id, "drive_type": "quark", "link": s.link, "is_expired": 0} for s in shares]
    # Two links the job must leave alone: a passcode share stored without its passcode, and a text no drive
    # reads (`skipped`; another drive's row would be left out of the demo's Quark-only run, unreported).
    with_passcode = next((s for s in shares if s.passcode), None)
    if with_passcode is not None:
        rows.append({"drama_name": f"{with_passcode.title} (no passcode stored)", "drive_type": "quark",
                     "link": f"https://pan.quark.cn/s/{with_passcode.pwd_id}", "is_expired": 0})
    rows.append({"drama_name": "A web page", "drive_type": "other", "link": "https://example.com/not-a-share", "is_expired": 0})
    with db.engine.begin() as conn:
        conn.execute(insert(cloud_resource), rows)


DEMO_TASKS = [
    # The reference README's kinds of task, on the bundled scenario's live shares.
    {"taskname": "剧集B 第一季", "shareurl": "https://pan.quark.cn/s/5bdd18e537b6", "savepath": "/追更/剧集B 第一季",
     "pattern": "$TV", "replace": "", "update_subdir": "^S01$"},  # S01 is already in the drive: its new episodes go in
    {"taskname": "大文件夹", "shareurl": "https://pan.quark.cn/s/ef89f4981413", "savepath": "/追更/大文件夹",
     "pattern": r"^第00(\d)集.mp4", "replace": r"S01E0\1.mp4"},
    {"taskname": "电影A", "shareurl": "https://pan.quark.cn/s/acc30a3cf8d4", "savepath": "/电影",
     "pattern": r".*\.(mp4|mkv)$", "replace": ""},
]


@dataclass
class Demo:
    folder: Path  # the database, the autosave config, the locks
    settings: Settings
    config_path: Path
    stop: StopSignal

    search: PanSou  # the fake PanSou beside the simulator (ops/demo_acquire.py)

    def check_links(self, listener: Listener, pacing: PacingPolicy = DEMO_PACING) -> RunReport:
        # Quark's links only: the demo's simulator is Quark's, and another drive's link would reach the real drive.
        # --reacquire: the taken-down row gets a new link from the fake PanSou, with short pauses.
        options = CheckOptions(pacing=pacing, backoff=0.2, drives=("quark",), reacquire=True)
        fast = PacingPolicy(0.05, 0.2, 0, 0.0)
        reacquire = Reacquire(self.search, AcquireOptions(search_pacing=fast, check_pacing=fast, save_pacing=fast, backoff=0.2))
        return checker.execute(self.settings, options, listener, stop=self.stop, lock_dir=self.folder / "locks", timeout=5.0,
                               reacquire=reacquire)

    def autosave(self, listener: object, *, dry_run: bool) -> AutosaveReport:
        options = AutosaveOptions(dry_run=dry_run, pacing=PacingPolicy(0.05, 0.2, 0, 0.0), backoff=0.2)
        checked = autosave_job.load_checked(self.config_path, {}, autosave_job.Selection())
        return autosave_job.execute(self.settings, checked, {}, options, listener, stop=self.stop, lock_dir=self.folder / "locks",
                                    timeout=5.0)


@contextmanager
def demo(*, stop: StopSignal, keep: Path | None = None) -> Iterator[Demo]:
    """The simulator on loopback, a seeded SQLite table and a 3-task autosave config, in a temporary folder."""
    from quarkctl.simulator import Simulator  # only the demo and the tests need it
    from quarkctl.simulator.pansou_server import FakePanSou

    from .demo_acquire import add_results, add_taken_down

    if keep is not None and keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        # the demo writes demo.db and quark_config.json there: a real config (~/.config/quarkctl) must not be
        # replaced, nor a second demo crash on the first one's rows (a new user's review, issue 22)
        raise ConfigError(_("--keep {folder}: not an empty folder; the demo writes demo.db and quark_config.json there, "
                            "so give a new or empty folder").format(folder=keep))
    with (tempfile.TemporaryDirectory(prefix="quarkctl-demo-") as tmp, Simulator.from_scenario(None) as sim, FakePanSou() as pansou,
          PanSou(str(pansou.base_url), timeout=5.0) as search):
        sim.tq_gap = 100
        add_taken_down(sim)
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = URL.create("sqlite", database=str(folder / "demo.db"))
        db = Database(url, default_sqlite=True)
        try:
            db.init_schema()
            _seed(db, list(sim.shares.values()))
        finally:
            db.close()
        add_results(sim, pansou)
        cookie = sim.cookies[0] if sim.cookies else None
        config_path = folder / "quark_config.json"
        config_path.write_text(json.dumps({"cookie": cookie, "tasklist": DEMO_TASKS}, ensure_ascii=False, indent=2), encoding="utf-8")
        yield Demo(folder, Settings(cookie=cookie, database_url=url, default_sqlite=True, api_base=sim.base_url), config_path, stop, search)
