"""An autosave run's report says what the run did (issue 23): a folder saved whole is not "saved 0 files", and
the `[2/3]` counter counts the tasks this run runs, with --task and --skip-invalid too."""

from __future__ import annotations

import json
import re

import pytest

from conftest import COOKIE, Cli, share_url
from quarkctl.simulator import Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
MS = 1760700000000


@pytest.fixture(autouse=True)
def quick_tasks(sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1


def _files(*names: str) -> list[dict]:
    return [{"name": n, "size": 1000 + i, "updated_at": MS + i} for i, n in enumerate(names)]


def _task(name: str, pwd_id: str, savepath: str, **extra: object) -> dict:
    return {"taskname": name, "shareurl": share_url(pwd_id), "savepath": savepath, "pattern": "", "replace": "", **extra}


def _config(cli: Cli, tasks: list[dict]) -> str:
    path = cli.home / "quark_config.json"
    path.write_text(json.dumps({"cookie": COOKIE, "tasklist": tasks}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _folder_share(sim: Simulator, pwd_id: str = "fold00000001") -> None:
    """A share whose top level is one folder, holding two season folders: each is saved whole."""
    sim.add_share(Share(pwd_id=pwd_id, title="剧集", files=[{"name": "剧集", "children": [
        {"name": "S01", "children": _files("E01.mkv", "E02.mkv", "E03.mkv")},
        {"name": "S02", "children": _files("E01.mkv", "E02.mkv")},
    ]}]))


# -- a folder saved whole ----------------------------------------------------------------------------------

def test_a_share_of_folders_does_not_say_saved_0_files(cli: Cli, sim: Simulator, sqlitedb) -> None:
    cli.env["DATABASE_URL"] = sqlitedb.url_text
    _folder_share(sim)
    config = _config(cli, [_task("剧集", "fold00000001", "/追更/剧集")])
    dry = cli.run("autosave", "--config", config, *FAST, "--dry-run")
    assert "would save 2 folders (5 items) into /追更/剧集" in dry.stdout, dry.stdout
    proc = cli.run("autosave", "--config", config, *FAST)
    assert proc.returncode == 0, proc.stderr
    assert "0 files" not in proc.stdout, proc.stdout
    assert "saved 2 folders (5 items) into /追更/剧集" in proc.stdout, proc.stdout
    assert "folders saved 2" in proc.stdout
    assert sorted(sim.drive().listdir("/追更/剧集")) == ["S01", "S02"]

    doc = json.loads(cli.run("autosave", "--config", config, *FAST, "--json", "--resave-deleted", "--dry-run").stdout)
    assert doc["summary"]["folders_saved"] == 0  # there already: nothing new, nothing to count

    runs = json.loads(cli.run("history", "--json").stdout)["runs"]
    assert runs[0]["counts"]["folders_saved"] == 2 and runs[0]["counts"]["files_saved"] == 0
    shown = cli.run("history", "show", str(runs[0]["id"]))
    assert "#1 剧集 saved 2 folders (5 items)" in shown.stdout, shown.stdout


def test_one_folder_is_named_with_its_items(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="fold00000002", title="x", files=[
        {"name": "合集", "children": [{"name": "第一部", "children": _files("a.mp4", "b.mp4")}, *_files("海报.jpg")]},
    ]))
    config = _config(cli, [_task("合集", "fold00000002", "/合集")])
    proc = cli.run("autosave", "--config", config, *FAST, "--json")
    task = json.loads(proc.stdout)["tasks"][0]
    assert task["files_saved"] == 1 and task["folders_saved"] == 1, task
    assert [(n["name"], n["is_dir"], n["items"]) for n in task["added"]] == [("第一部", True, 2), ("海报.jpg", False, None)]
    text = cli.run("autosave", "--config", config, *FAST, "--resave-deleted", "--dry-run")
    assert "nothing new" in text.stdout, text.stdout  # both there now


def test_the_text_names_a_single_folder(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="fold00000003", title="x", files=[
        {"name": "外层", "children": [{"name": "正片", "children": _files("a.mp4", "b.mp4", "c.mp4")}]},
    ]))
    config = _config(cli, [_task("外层", "fold00000003", "/外层")])
    proc = cli.run("autosave", "--config", config, *FAST)
    assert "saved folder 正片 (3 items) into /外层" in proc.stdout, proc.stdout


# -- the task counter --------------------------------------------------------------------------------------

def _three(sim: Simulator) -> list[dict]:
    for n in range(1, 4):
        sim.add_share(Share(pwd_id=f"cnt00000000{n}", title=f"t{n}", files=_files(f"e{n}.mp4")))
    return [_task(f"t{n}", f"cnt00000000{n}", f"/t{n}") for n in range(1, 4)]


def _counters(output: str) -> list[str]:
    return re.findall(r"\[(\d+/\d+)\] (t\d)", output)


def test_the_counter_counts_the_tasks_this_run_runs_with_task(cli: Cli, sim: Simulator) -> None:
    config = _config(cli, _three(sim))
    proc = cli.run("autosave", "--config", config, *FAST, "--task", "3")
    assert _counters(proc.stdout) == [("1/1", "t3")], proc.stdout
    proc = cli.run("autosave", "--config", config, *FAST, "--task", "t1", "--task", "3", "--dry-run", "--resave-deleted")
    assert _counters(proc.stdout) == [("1/2", "t1"), ("2/2", "t3")], proc.stdout
    doc = json.loads(cli.run("autosave", "--config", config, *FAST, "--task", "3", "--json").stdout)
    assert doc["tasks"][0]["index"] == 3  # the config's number stays in the JSON


def test_the_counter_counts_the_tasks_this_run_runs_with_skip_invalid(cli: Cli, sim: Simulator) -> None:
    tasks = _three(sim)
    tasks[1]["pattern"] = "("  # task 2 is invalid
    config = _config(cli, tasks)
    proc = cli.run("autosave", "--config", config, *FAST, "--skip-invalid")
    assert _counters(proc.stdout) == [("1/2", "t1"), ("2/2", "t3")], proc.stdout
