"""Benchmark 4: Quark requests of a usual autosave run (nothing new), quarkctl versus the reference script.

A 50-task config against the simulator: 40 tasks whose share files are all saved already, and 10 whose
pattern matches nothing the share offers yet (e.g. waiting for a 2160p release). The first run saves
everything; the second, the usual run, is measured from the simulator's request log. The reference's
count comes from its documented flow (quark-api.md, CP `do_save` / `dir_check_and_save`): one
account/info, path_list in batches of 50, and per task a token, every detail page and every file/sort
page of the target folder, whether or not anything in the share matches.

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
from pathlib import Path

from quarkctl.simulator import Share, Simulator

COOKIE = "__uid=bench; __puus=bench-puus"
TASKS, WAITING, FILES = 50, 10, 12
PAGE = 50


def main() -> int:
    quarkctl = shutil.which("quarkctl")
    if quarkctl is None:
        print("install quarkctl first: pip install .", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, Simulator(cookies=[COOKIE], tq_gap=10, task_polls=1) as sim:
        tasks = []
        for n in range(TASKS):
            pwd_id = f"c{n:011x}"
            sim.add_share(Share(pwd_id=pwd_id, title=str(n), files=[{"name": f"E{e:02d}.1080p.mp4", "size": 1} for e in range(FILES)]))
            pattern = r"2160p" if n < WAITING else r"\.mp4$"
            tasks.append({"taskname": f"task {n}", "shareurl": f"https://pan.quark.cn/s/{pwd_id}", "savepath": f"/追更/{n}",
                          "pattern": pattern, "replace": ""})
        config = Path(tmp) / "quark_config.json"
        config.write_text(json.dumps({"cookie": COOKIE, "tasklist": tasks}, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "HOME": tmp, "XDG_DATA_HOME": f"{tmp}/data", "XDG_STATE_HOME": f"{tmp}/state",
               "QUARK_API_BASE": sim.base_url, "NO_PROXY": "127.0.0.1"}
        command = [quarkctl, "autosave", "--config", str(config), "--no-pacing", "--no-sign", "--quiet"]
        subprocess.run(command, env=env, check=True, capture_output=True)  # the first run saves everything
        sim.clear_log()
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        wall = time.perf_counter() - started
        ours = Counter(record.endpoint for record in sim.log)

    saved_tasks = TASKS - WAITING
    reference = Counter({
        "account": 1,
        "path_list": math.ceil(TASKS / PAGE),
        "token": TASKS,
        "detail": TASKS * math.ceil(FILES / PAGE),
        "sort": TASKS * math.ceil(FILES / PAGE),  # the target listing, for every task
    })
    print(f"usual autosave run: {TASKS} tasks, {saved_tasks} with everything saved already, {WAITING} whose pattern matches nothing yet")
    print(f"{'endpoint':<12}{'reference':>10}{'quarkctl':>10}")
    for endpoint in sorted(set(reference) | set(ours)):
        print(f"{endpoint:<12}{reference[endpoint]:>10}{ours[endpoint]:>10}")
    total_ref, total_ours = sum(reference.values()), sum(ours.values())
    print(f"{'total':<12}{total_ref:>10}{total_ours:>10}   quarkctl / reference = {total_ours / total_ref:.2f}")
    print(f"quarkctl wall time for the run: {wall:.2f} s (process start included)")
    print("saved: no file/sort listing for a task when nothing in its share passes the filters; "
          "one path_list for all save paths (the reference batches it too)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
