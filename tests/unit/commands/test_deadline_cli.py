"""The deadline end to end (issue 15 item 4): the installed `quarkctl` against the simulator.

No command-line hook shortens pauses, so these runs pace in real time, with wide margins: a 2 s pause
against a 3 s deadline lets exactly two links (or tasks) through on any machine that answers a
loopback request in well under a second."""

from __future__ import annotations

import json

import pytest

from conftest import COOKIE, Cli, add_valid, pwd, share_url
from quarkctl.simulator import Share, Simulator

PACED = ["--min-delay", "2", "--max-delay", "2", "--rest-every", "0", "--retry-backoff", "0"]


def test_check_links_stops_at_max_runtime_with_a_partial_report(sqlite_cli: Cli, sim: Simulator) -> None:
    for n in range(6):
        add_valid(sim, pwd(n))
    sqlite_cli.db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(6)])  # type: ignore[attr-defined]
    proc = sqlite_cli.run("check-links", *PACED, "--max-runtime", "3s", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["deadline"]["reached"] is True
    assert (doc["deadline"]["checked"], doc["deadline"]["selected"]) == (2, 6)
    assert [r["id"] for r in doc["results"]] == [1, 2]
    assert "stopped at the deadline: 2 of 6 checked" in proc.stderr  # the plain report on stderr beside --json
    assert len(sim.requests(endpoint="token")) == 2
    assert sqlite_cli.db.scalar("SELECT COUNT(*) FROM quarkctl_check") == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("args", [
    ["check-links", "--until", "25:00"],
    ["check-links", "--until", "abc"],
    ["check-links", "--max-runtime", "-5m"],
    ["check-links", "--max-runtime", "abc"],
    ["resources", "revive", "--until", "7"],
    ["autosave", "--max-runtime", "-1h"],
], ids=" ".join)
def test_bad_deadlines_are_one_line_usage_errors(sqlite_cli: Cli, args: list[str]) -> None:
    proc = sqlite_cli.run(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and args[-2] in lines[0]


def test_autosave_max_runtime_reports_the_rest_as_not_run(cli: Cli, sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1
    tasks = []
    for n in range(1, 4):
        sim.add_share(Share(pwd_id=f"dead0000000{n}", title="x", files=[{"name": f"{n}.mp4", "size": 1000}]))
        tasks.append({"taskname": f"T{n}", "shareurl": share_url(f"dead0000000{n}"), "savepath": f"/p{n}", "pattern": "", "replace": ""})
    config = cli.home / "quark_config.json"
    config.write_text(json.dumps({"cookie": COOKIE, "tasklist": tasks}), encoding="utf-8")
    proc = cli.run("autosave", "--config", str(config), "--no-sign", "--min-delay", "2", "--max-delay", "2", "--retry-backoff", "0",
                   "--max-runtime", "3s", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(t["name"], t["status"], t["reason"]) for t in doc["tasks"]] == [
        ("T1", "saved", ""), ("T2", "saved", ""), ("T3", "skipped", "deadline")]
    assert doc["deadline"]["not_run"] == 1 and doc["deadline"]["reached"] is True
    assert "[3/3] T3: not run: the run reached its --max-runtime first" in proc.stderr
    assert "stopped at the deadline: 1 of 3 tasks not run" in proc.stderr
