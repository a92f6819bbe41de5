"""The early paging stop across real runs (issue 16): the installed `quarkctl autosave`, its own SQLite
database holding the ledger and the scan marker between processes, against the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import COOKIE, Cli, share_url
from quarkctl.simulator import Share, Simulator

MS = 1760700000000


@pytest.fixture(autouse=True)
def quick_tasks(sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1


def autosave(cli: Cli, config: Path, sim: Simulator) -> tuple[dict, list[str]]:
    sim.clear_log()
    proc = cli.run("autosave", "--config", str(config), "--no-pacing", "--retry-backoff", "0", "--no-sign", "--json")
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout), [r.query["_page"] for r in sim.requests(endpoint="detail")]


def test_a_run_that_filled_the_drive_is_followed_by_a_full_listing(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000121", title="x",
                        files=[{"name": f"E{n:03d}.mp4", "size": 1, "updated_at": MS + n} for n in range(120)]))
    config = cli.home / "quark_config.json"
    task = {"taskname": "x", "shareurl": share_url("aaaa00000121"), "savepath": "/S", "pattern": r"\.mp4$", "replace": ""}
    config.write_text(json.dumps({"cookie": COOKIE, "tasklist": [task]}), encoding="utf-8")
    sim.account().base_capacity = 100  # the newest 100 fit, the oldest 20 do not (32003)

    doc, pages = autosave(cli, config, sim)
    assert doc["summary"]["files_saved"] == 100 and pages == ["1", "2", "3"]
    sim.account().base_capacity = 10**9
    doc, pages = autosave(cli, config, sim)
    assert doc["summary"]["files_saved"] == 20 and pages == ["1", "2", "3"]  # not clean last time: every page
    doc, pages = autosave(cli, config, sim)
    assert doc["tasks"][0]["status"] == "nothing_new" and pages == ["1"]  # clean: the marker from the last process
    assert len(sim.drive().listdir("/S")) == 120
