"""The deadline after the run (issue 15): kept in both jobs' run history, shown by `history show`,
and said in the notifications (translated)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import COOKIE, NOW, Cli, ResourceDB, add_valid, pwd, run_checks, share_url
from quarkctl import i18n
from quarkctl.autosave import job as autosave_job
from quarkctl.autosave.options import AutosaveOptions
from quarkctl.config.settings import Settings
from quarkctl.hooks.monitoring import notify
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal
from quarkctl.render.autosave import PlainAutosaveReporter
from quarkctl.simulator import Share, Simulator

TEN_SECONDS = PacingPolicy(10.0, 10.0, 0, 0.0)
CHECKED = "stopped at the deadline: 4 of 10 checked"
NOT_RUN = "stopped at the deadline: 1 of 3 tasks not run"


class FakeTime:
    def __init__(self) -> None:
        self.now = NOW

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.now += timedelta(seconds=seconds)
        return True


class SlowTasks(PlainAutosaveReporter):
    """Each task takes ten seconds of the run's clock."""

    def __init__(self, fake: FakeTime) -> None:
        super().__init__(io.StringIO(), total=3)
        self.fake = fake

    def task_done(self, result) -> None:
        super().task_done(result)
        self.fake.now += timedelta(seconds=10)


def _check_run(sim: Simulator, db: ResourceDB):
    db.create_schema()
    rows = []
    for i in range(10):
        add_valid(sim, pwd(i))
        rows.append({"drama_name": f"ok {i}", "link": share_url(pwd(i))})
    db.seed(rows)
    fake = FakeTime()
    report, _ = run_checks(db, sim, clock=fake.clock, sleep=fake.sleep, pacing=TEN_SECONDS, max_runtime=timedelta(seconds=35))
    return report


def _autosave_run(sim: Simulator, db: ResourceDB, tmp_path: Path):
    sim.tq_gap, sim.task_polls = 10, 1
    tasks = []
    for n in range(3):
        sim.add_share(Share(pwd_id=f"dea{n:09d}", title="x", files=[{"name": f"{n}.mp4", "size": 1000}]))
        tasks.append({"taskname": f"T{n}", "shareurl": share_url(f"dea{n:09d}"), "savepath": f"/p{n}", "pattern": "", "replace": ""})
    path = tmp_path / "quark_config.json"
    path.write_text(json.dumps({"cookie": COOKIE, "tasklist": tasks}), encoding="utf-8")
    fake = FakeTime()
    settings = Settings(cookie=None, database_url=db.url, default_sqlite=False, api_base=sim.base_url)
    options = AutosaveOptions(pacing=PacingPolicy.off(), backoff=0.0, sign=False, max_runtime=timedelta(seconds=15))
    # T0 at 0 s, T1 at 10 s, T2 at 20 s: past the deadline, not run
    return autosave_job.execute(settings, autosave_job.load_checked(path, {}, autosave_job.Selection()), {}, options,
                                SlowTasks(fake), stop=StopSignal(), lock_dir=tmp_path / "locks", timeout=5.0, clock=fake.clock)


def _history(cli: Cli, db: ResourceDB, run_id: int) -> tuple[str, dict]:
    text = cli.run("history", "show", str(run_id), "--database-url", db.url_text)
    machine = cli.run("history", "show", str(run_id), "--database-url", db.url_text, "--json")
    assert text.returncode == 0 and machine.returncode == 0, text.stderr + machine.stderr
    return text.stdout, json.loads(machine.stdout)


def test_check_links_history_shows_where_the_deadline_stopped_it(sim: Simulator, sqlitedb: ResourceDB, cli: Cli) -> None:
    report = _check_run(sim, sqlitedb)
    assert report.deadline_reached
    text, doc = _history(cli, sqlitedb, report.run_id)
    assert CHECKED in text.splitlines()[1]
    assert doc["run"]["deadline"] == {"at": (NOW + timedelta(seconds=35)).isoformat(), "reached": True, "checked": 4, "selected": 10}


def test_autosave_history_keeps_the_deadline_and_shows_it(sim: Simulator, sqlitedb: ResourceDB, cli: Cli, tmp_path: Path) -> None:
    report = _autosave_run(sim, sqlitedb, tmp_path)
    assert [t.reason for t in report.tasks] == ["", "", "deadline"]
    detail = json.loads(sqlitedb.scalar("SELECT detail FROM quarkctl_run"))
    assert detail["deadline"] == {"at": (NOW + timedelta(seconds=15)).isoformat(), "reached": True, "not_run": 1, "tasks": 3}
    text, doc = _history(cli, sqlitedb, report.run_id)
    assert NOT_RUN in text and doc["run"]["deadline"]["not_run"] == 1


def test_a_run_without_a_deadline_says_nothing_of_one(sim: Simulator, sqlitedb: ResourceDB, cli: Cli) -> None:
    sqlitedb.create_schema()
    add_valid(sim, pwd(1))
    sqlitedb.seed([{"drama_name": "ok", "link": share_url(pwd(1))}])
    report, _ = run_checks(sqlitedb, sim)
    text, doc = _history(cli, sqlitedb, report.run_id)
    assert "deadline" not in text and doc["run"]["deadline"] is None
    assert "deadline" not in (notify.check_links_body(report, "always") or "")


@pytest.mark.parametrize(("lang", "checked", "not_run"), [
    ("en", CHECKED, NOT_RUN),
    ("zh_CN", "已到截止时间，停止检查：共 10 个，已检查 4 个", "已到截止时间，停止运行：共 3 个任务，1 个未运行"),
])
def test_both_notifications_say_where_the_deadline_stopped_the_run(sim: Simulator, sqlitedb: ResourceDB, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch, lang: str, checked: str,
                                                                    not_run: str) -> None:
    check = _check_run(sim, sqlitedb)
    autosave = _autosave_run(sim, sqlitedb, tmp_path)
    monkeypatch.setenv("LANGUAGE", "")
    try:
        i18n.set_language(lang)
        check_body = notify.check_links_body(check, "always")
        autosave_body = notify.autosave_body(autosave)
    finally:
        i18n.set_language("en")
    assert check_body is not None and checked in check_body.splitlines()
    assert autosave_body is not None and not_run in autosave_body.splitlines()
