"""`history` shows an autosave run's own counts, its summary's (issue 23; a new user's review: a run that saved
files showed check-links' `valid 0, expired 0, needs passcode 0`). In process."""

from __future__ import annotations

import json

import pytest

from conftest import Cli
from quarkctl.simulator import Share, Simulator
from unit.commands.test_autosave import autosave, files, task, write_config


@pytest.fixture(autouse=True)
def quick_tasks(sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1


def test_an_autosave_run_lists_tasks_saves_and_bans(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000001", title="剧", files=files("e01.mp4", "e02.mp4")))
    sim.add_share(Share(pwd_id="bbbb00000001", title="x", dead_code=41012, files=[]))
    config = write_config(cli, [task("A", "aaaa00000001", "/A"), task("B", "bbbb00000001", "/B")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(cli.run("history", "--json", "--job", "autosave").stdout)["runs"]
    assert runs[0]["counts"] == {"tasks": 2, "saved": 1, "nothing_new": 0, "skipped": 0, "banned": 1, "failed": 0,
                                 "files_saved": 2}
    line = cli.run("history", "--job", "autosave").stdout.splitlines()[0]
    assert "tasks 2, saved 1" in line and "files saved 2" in line and "valid" not in line and "needs passcode" not in line
