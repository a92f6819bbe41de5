"""Benchmark 4: Quark requests of a usual autosave run (nothing new), quarkctl versus the reference script.

Two configs against the simulator, side by side:
- usual: 50 tasks on 50 shares, 40 whose share files are all saved already, and 10 whose pattern
  matches nothing the share offers yet (e.g. waiting for a 2160p release).
- template: shaped like the reference's own quark_config.json (several tasks on one share, each on
  another sub-folder, plus one task past its enddate): 10 shares, each one folder holding three
  seasons, one task per season.
The first run saves everything; the second, the usual run, is measured from the simulator's request
log. The reference's count comes from its documented flow (quark-api.md, CP `do_save` /
`do_save_task` / `dir_check_and_save`): one account/info, path_list in batches of 50, and per task
that is due a token, every detail page and every file/sort page of the target folder, whether or not
anything in the share matches.

    python bench/autosave_requests.py
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from quarkctl.simulator import Share, Simulator

COOKIE = "__uid=bench; __puus=bench-puus"
TASKS, WAITING, FILES = 50, 10, 12
SERIES, SEASONS, EPISODES = 10, 3, 12
PAGE = 50
TARGETS = {"usual": 0.70, "template": 0.50}  # issue 16


@dataclass
class Config:
    name: str
    title: str
    shares: list[Share] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)  # per due task: the files its share folder lists


def episodes(count: int, quality: str = "1080p") -> list[dict]:
    return [{"name": f"E{e:02d}.{quality}.mp4", "size": 1, "updated_at": 1760700000000 + e} for e in range(count)]


def usual() -> Config:
    config = Config("usual", f"{TASKS} tasks on {TASKS} shares, {TASKS - WAITING} with everything saved already, "
                             f"{WAITING} whose pattern matches nothing yet")
    for n in range(TASKS):
        pwd_id = f"c{n:011x}"
        config.shares.append(Share(pwd_id=pwd_id, title=str(n), files=episodes(FILES)))
        config.tasks.append({"taskname": f"task {n}", "shareurl": f"https://pan.quark.cn/s/{pwd_id}",
                             "savepath": f"/追更/{n}", "pattern": r"2160p" if n < WAITING else r"\.mp4$", "replace": ""})
        config.sizes.append(FILES)
    return config


def template(sim: Simulator) -> Config:
    """Each share as the template's: one folder, a task per sub-folder, one task past its enddate."""
    config = Config("template", f"{SERIES} shares, each one folder of {SEASONS} seasons and one task per season "
                                f"(+1 past its enddate), as the reference's template")
    for n in range(SERIES):
        pwd_id = f"d{n:011x}"
        show = f"剧{n}"
        seasons = [{"name": f"S{s}", "children": episodes(EPISODES)} for s in range(1, SEASONS + 1)]
        config.shares.append(Share(pwd_id=pwd_id, title=show, files=[{"name": show, "children": seasons}]))
    for share in config.shares:
        sim.add_share(share)
    for share in config.shares:
        show, root = share.title, sim.fid_of(share.pwd_id, share.title)
        for s in range(1, SEASONS + 1):
            season = sim.fid_of(share.pwd_id, f"{show}/S{s}")
            url = f"https://pan.quark.cn/s/{share.pwd_id}#/list/share/{root}-{show}/{season}-S{s}"
            config.tasks.append({"taskname": f"{show} S{s}", "shareurl": url, "savepath": f"/剧集/{show}/S{s}",
                                 "pattern": "$TV", "replace": ""})
            config.sizes.append(EPISODES)
        config.tasks.append({"taskname": f"{show} 超期", "shareurl": f"https://pan.quark.cn/s/{share.pwd_id}",
                             "savepath": f"/剧集/{show}", "pattern": "", "replace": "", "enddate": "2000-01-30"})
    return config


def reference(config: Config) -> Counter:
    due = [task for task in config.tasks if "enddate" not in task]
    return Counter({
        "account": 1,
        "path_list": math.ceil(len({task["savepath"] for task in due}) / PAGE),
        "token": len(due),
        "detail": sum(math.ceil(size / PAGE) for size in config.sizes),
        "sort": sum(math.ceil(size / PAGE) for size in config.sizes),  # the target listing, for every task
    })


def clean_markers(env: dict[str, str], path: Path) -> tuple[int, int]:
    """Due tasks whose scan marker says their last run was clean (the early paging stop's condition),
    read from the database the runs used; and how many tasks are due."""
    from quarkctl.config.autosave.model import AutosaveConfig
    from quarkctl.config.settings import database_url
    from quarkctl.db.database import Database
    from quarkctl.autosave.task import task_key

    config = AutosaveConfig(path, json.loads(path.read_text(encoding="utf-8")))
    due = [task for task in config.tasks if task.enddate is None]
    url, default_sqlite = database_url(env)
    db = Database(url, default_sqlite=default_sqlite)
    try:
        return sum(db.clean_scan(task_key(task)) is not None for task in due), len(due)
    finally:
        db.close()


def measure(quarkctl: str, sim: Simulator, config: Config, tmp: Path) -> tuple[Counter, float, tuple[int, int]]:
    for share in config.shares:
        if share.pwd_id not in sim.shares:
            sim.add_share(share)
    home = tmp / config.name
    home.mkdir()
    path = home / "quark_config.json"
    path.write_text(json.dumps({"cookie": COOKIE, "tasklist": config.tasks}, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": f"{home}/data", "XDG_STATE_HOME": f"{home}/state",
           "QUARK_API_BASE": sim.base_url, "NO_PROXY": "127.0.0.1"}
    command = [quarkctl, "autosave", "--config", str(path), "--no-pacing", "--no-sign", "--quiet"]
    subprocess.run(command, env=env, check=True, capture_output=True)  # the first run saves everything
    empty = [task["savepath"] for task in config.tasks if "enddate" not in task and task["pattern"] != "2160p"
             and not sim.drive().listdir(task["savepath"])]
    if empty:
        raise RuntimeError(f"{config.name}: the first run saved nothing into {empty[:3]}")
    markers = clean_markers(env, path)  # what the second run reads: its early stop needs them
    sim.clear_log()
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    return Counter(record.endpoint for record in sim.log), wall, markers


def main() -> int:
    quarkctl = shutil.which("quarkctl")
    if quarkctl is None:
        print("install quarkctl first: pip install .", file=sys.stderr)
        return 2
    rows: list[tuple[Config, Counter, Counter, float]] = []
    markers: dict[str, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp, Simulator(cookies=[COOKIE], tq_gap=10, task_polls=1) as sim:
        for config in (usual(), template(sim)):
            ours, wall, markers[config.name] = measure(quarkctl, sim, config, Path(tmp))
            rows.append((config, reference(config), ours, wall))

    endpoints = sorted(set().union(*(set(ref) | set(ours) for _, ref, ours, _ in rows)))
    print("the usual autosave run (nothing new), Quark requests per endpoint: reference / quarkctl")
    for config, *_ in rows:
        print(f"  {config.name}: {config.title}")
    print(f"{'endpoint':<12}" + "".join(f"{config.name + ' ref':>16}{'quarkctl':>10}" for config, *_ in rows))
    for endpoint in endpoints:
        print(f"{endpoint:<12}" + "".join(f"{ref[endpoint]:>16}{ours[endpoint]:>10}" for _, ref, ours, _ in rows))
    print(f"{'total':<12}" + "".join(f"{sum(ref.values()):>16}{sum(ours.values()):>10}" for _, ref, ours, _ in rows))
    failed = False
    for config, ref, ours, wall in rows:
        ratio = sum(ours.values()) / sum(ref.values())
        met = ratio <= TARGETS[config.name]
        failed |= not met
        print(f"{config.name}: quarkctl / reference = {ratio:.2f} (target <= {TARGETS[config.name]:.2f}: "
              f"{'met' if met else 'MISSED'}); wall time {wall:.2f} s (process start included)")
        clean, due = markers[config.name]
        failed |= clean != due
        print(f"{config.name}: {clean} of {due} due tasks marked clean by the first run, so the second may stop "
              f"paging early{'' if clean == due else ' (MISSED)'}")
    print("saved: one stoken per share and each share folder listed once per run; no file/sort listing when "
          "nothing in the share passes the filters or the ledger knows all that does; share pages stop once "
          "one holds only known files; one path_list for all save paths (the reference batches it too)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
