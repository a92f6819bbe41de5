"""The deadline (--max-runtime, --until; issue 15 item 4): parsing, the moment it falls, and the runs it
cuts short. The runs are real (simulator on loopback, SQLite and MariaDB) on an injected clock that
only the pauses move, so what a deadline lets through is exact."""

from __future__ import annotations

import io
import json
import random
import time as systime
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import COOKIE, NOW, Recorder, ResourceDB, add_valid, pwd, share_url
from quarkctl import i18n
from quarkctl.runtime.deadline import Deadline, deadline_at, next_local_time
from quarkctl.errors import ConfigError, ExitCode
from quarkctl.runtime.deadline import parse_max_runtime, parse_until
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.render.check import JsonCollector, PlainReporter, RichReporter
from quarkctl.simulator import Simulator

UTC = timezone.utc
TEN_SECONDS = PacingPolicy(10.0, 10.0, 0, 0.0)  # one link every 10 s of the injected clock


class FakeTime:
    """The run's clock and sleeper: time moves only when something sleeps (or a test moves it)."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.now += timedelta(seconds=seconds)
        return True


# -- parsing -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [("06:00", time(6)), ("6:05", time(6, 5)), (" 23:59 ", time(23, 59)),
                                                 ("00:00", time(0))])
def test_until_reads_a_time_of_day(text: str, expected: time) -> None:
    assert parse_until(text) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "12:60", "abc", "", "-1:00", "6:5", "06:00:00", "06.00", "²:00",
                                  "0６:00", "006:00", "6"])
def test_until_refuses_anything_else_with_a_usage_error(text: str) -> None:
    with pytest.raises(ConfigError, match="--until") as caught:
        parse_until(text)
    assert caught.value.exit_code is ExitCode.USAGE
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "seconds"), [("90m", 5400), ("5h", 18000), ("30s", 30), ("1d", 86400)])
def test_max_runtime_reads_a_duration(text: str, seconds: int) -> None:
    assert parse_max_runtime(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["-5m", "0", "0m", "abc", "5", "1h30m", "", "²s"])
def test_max_runtime_refuses_anything_else_with_a_usage_error(text: str) -> None:
    with pytest.raises(ConfigError, match="--max-runtime") as caught:
        parse_max_runtime(text)
    assert caught.value.exit_code is ExitCode.USAGE


# -- when the deadline falls --------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("start", "at", "tz", "expected"), [
    # 10:00 in Shanghai: 06:00 is tomorrow's
    (datetime(2026, 11, 29, 2, 0, tzinfo=UTC), time(6), SHANGHAI, datetime(2026, 11, 29, 22, 0, tzinfo=UTC)),
    # 05:59 in Shanghai: a minute away
    (datetime(2026, 11, 28, 21, 59, tzinfo=UTC), time(6), SHANGHAI, datetime(2026, 11, 28, 22, 0, tzinfo=UTC)),
    # exactly 06:00: the next such time *after* the start
    (datetime(2026, 11, 28, 22, 0, tzinfo=UTC), time(6), SHANGHAI, datetime(2026, 11, 29, 22, 0, tzinfo=UTC)),
    # a start just before midnight, local
    (datetime(2026, 11, 29, 15, 59, tzinfo=UTC), time(0), SHANGHAI, datetime(2026, 11, 29, 16, 0, tzinfo=UTC)),
    # spring forward in Berlin: 02:30 does not exist that night; the wall clock reads 03:30 then
    (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), time(2, 30), BERLIN, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    # fall back in Berlin: 02:30 comes twice; the first one
    (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), time(2, 30), BERLIN, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    # across a DST change, the next morning's 06:00 is 23 hours away, not 24
    (datetime(2026, 3, 28, 5, 0, tzinfo=UTC), time(6), BERLIN, datetime(2026, 3, 29, 4, 0, tzinfo=UTC)),
])
def test_until_is_the_next_such_local_time_after_the_start(start: datetime, at: time, tz: ZoneInfo, expected: datetime) -> None:
    assert next_local_time(start, at, tz) == expected


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch):
    """Set the machine's zone (TZ) for this test, then put it back."""
    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        systime.tzset()

    yield use
    monkeypatch.undo()
    systime.tzset()


def test_until_without_a_zone_is_the_machines_local_time(machine_zone) -> None:
    machine_zone("Asia/Shanghai")
    assert next_local_time(datetime(2026, 11, 29, 2, 0, tzinfo=UTC), time(6)) == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)
    machine_zone("Europe/Berlin")
    assert next_local_time(datetime(2026, 3, 28, 5, 0, tzinfo=UTC), time(6)) == datetime(2026, 3, 29, 4, 0, tzinfo=UTC)


def test_both_given_the_earlier_wins_either_way() -> None:
    start = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)  # 05:00 in Shanghai
    assert deadline_at(start, max_runtime=timedelta(minutes=30), until=time(6), tz=SHANGHAI) == start + timedelta(minutes=30)
    assert deadline_at(start, max_runtime=timedelta(hours=5), until=time(6), tz=SHANGHAI) == start + timedelta(hours=1)
    assert deadline_at(start, until=time(6), tz=SHANGHAI) == start + timedelta(hours=1)
    assert deadline_at(start, max_runtime=timedelta(hours=5)) == start + timedelta(hours=5)
    assert deadline_at(start) is None
    # a runtime past the year 9999 is never reached: no deadline rather than a crash
    assert deadline_at(start, max_runtime=parse_max_runtime("999999w")) is None


def test_a_pause_into_the_deadline_ends_there_and_says_so() -> None:
    fake = FakeTime()
    deadline = Deadline(NOW + timedelta(seconds=15), fake.clock)
    sleep = deadline.cut(fake.sleep)
    assert sleep(10) is True and fake.now == NOW + timedelta(seconds=10)
    assert sleep(10) is False and fake.now == NOW + timedelta(seconds=15)  # woken at the deadline, not 5 s later
    assert deadline.passed() and sleep(1) is False and fake.now == NOW + timedelta(seconds=15)
    assert Deadline(None, fake.clock).cut(fake.sleep) == fake.sleep


# -- check-links runs ----------------------------------------------------------------------------

@pytest.fixture
def db(testdb: ResourceDB) -> ResourceDB:
    testdb.create_schema()
    return testdb


def seed_valid(db: ResourceDB, sim: Simulator, n: int) -> list[int]:
    for i in range(n):
        add_valid(sim, pwd(i))
    return db.seed([{"drama_name": f"r{i}", "link": share_url(pwd(i))} for i in range(n)])


def run_on(db: ResourceDB, sim: Simulator, fake: FakeTime, recorder: Recorder | None = None, **options):
    """A check-links run on the fake time (conftest's run_checks uses a clock that moves on every read)."""
    from quarkctl.checker.options import CheckOptions
    from quarkctl.checker.run import run_check
    from quarkctl.quark.client import QuarkClient

    options.setdefault("pacing", PacingPolicy.off())
    options.setdefault("backoff", 0.0)
    recorder = recorder or Recorder()
    database = db.database()
    try:
        report = run_check(database, lambda: QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5), CheckOptions(**options),
                           recorder, clock=fake.clock, sleep=fake.sleep, rng_for_worker=lambda n: random.Random(n))
    finally:
        database.close()
    return report, recorder


def test_max_runtime_takes_no_new_link_after_the_deadline(db: ResourceDB, sim: Simulator) -> None:
    ids = seed_valid(db, sim, 10)
    report, recorder = run_on(db, sim, FakeTime(), pacing=TEN_SECONDS, max_runtime=timedelta(seconds=35))
    # links start at 0, 10, 20, 30 s; the pause before the fifth runs into 35 s and ends there
    assert [o.row.id for o in recorder.outcomes] == ids[:4]
    assert len(sim.requests(endpoint="token")) == 4
    assert report.deadline == {"at": (NOW + timedelta(seconds=35)).isoformat(), "reached": True, "checked": 4, "selected": 10}
    assert report.finished_at == NOW + timedelta(seconds=35)
    assert report.exit_code is ExitCode.OK and report.abort_reason is None
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_check") == 4
    detail = db.scalar("SELECT detail FROM quarkctl_run")
    assert json.loads(detail)["deadline"]["reached"] is True


def test_until_is_a_deadline_in_local_time(db: ResourceDB, sim: Simulator) -> None:
    seed_valid(db, sim, 10)
    six = datetime(2026, 11, 29, 6, 0).astimezone()  # 06:00 on this machine's clock
    report, recorder = run_on(db, sim, FakeTime(six - timedelta(seconds=35)), pacing=TEN_SECONDS, until=time(6))
    assert len(recorder.outcomes) == 4
    assert report.deadline_at == six and report.deadline_reached


@pytest.mark.parametrize(("max_runtime", "until_after", "checked"), [(15, 35, 2), (3600, 35, 4), (35, 3600, 4)])
def test_with_both_the_earlier_deadline_wins(db: ResourceDB, sim: Simulator, max_runtime: int, until_after: int, checked: int) -> None:
    seed_valid(db, sim, 10)
    six = datetime(2026, 11, 29, 6, 0).astimezone()
    start = six - timedelta(seconds=until_after)
    report, recorder = run_on(db, sim, FakeTime(start), pacing=TEN_SECONDS, until=time(6), max_runtime=timedelta(seconds=max_runtime))
    assert len(recorder.outcomes) == checked
    assert report.deadline_at == min(six, start + timedelta(seconds=max_runtime))


class SlowLink(Recorder):
    """Moves the clock while link number `slow` is in flight, as a slow answer would."""

    def __init__(self, fake: FakeTime, slow: int, seconds: float) -> None:
        super().__init__()
        self.fake, self.slow, self.seconds, self.started_rows = fake, slow, seconds, []

    def link_started(self, row) -> None:
        self.started_rows.append(row.id)
        if len(self.started_rows) == self.slow:
            self.fake.now += timedelta(seconds=self.seconds)


def test_the_link_in_flight_at_the_deadline_finishes_and_is_recorded(db: ResourceDB, sim: Simulator) -> None:
    ids = seed_valid(db, sim, 6)
    fake = FakeTime()
    recorder = SlowLink(fake, slow=3, seconds=60)
    report, _ = run_on(db, sim, fake, recorder, max_runtime=timedelta(seconds=30))
    assert [o.row.id for o in recorder.outcomes] == ids[:3]  # the third was in flight: its verdict is kept
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_check") == 3
    assert report.deadline == {"at": (NOW + timedelta(seconds=30)).isoformat(), "reached": True, "checked": 3, "selected": 6}


def test_with_workers_every_link_started_is_finished_and_no_other_is_asked(db: ResourceDB, sim: Simulator) -> None:
    seed_valid(db, sim, 20)
    fake = FakeTime()
    recorder = SlowLink(fake, slow=1, seconds=60)
    report, _ = run_on(db, sim, fake, recorder, concurrency=3, max_runtime=timedelta(seconds=30))
    done = [o.row.id for o in recorder.outcomes]
    assert 1 <= len(done) <= 3 and sorted(done) == sorted(recorder.started_rows)
    assert len(sim.requests(endpoint="token")) == len(done)
    assert report.deadline_reached and report.deadline["checked"] == len(done)


@pytest.mark.parametrize(("rows", "reached"), [(4, False), (5, True)])
def test_reached_only_when_a_link_was_left(db: ResourceDB, sim: Simulator, rows: int, reached: bool) -> None:
    """The deadline passes while the fourth link is in flight; batches of two end right there."""
    seed_valid(db, sim, rows)
    fake = FakeTime()
    report, recorder = run_on(db, sim, fake, SlowLink(fake, slow=4, seconds=60), batch_size=2, max_runtime=timedelta(seconds=30))
    assert len(recorder.outcomes) == 4
    assert report.deadline_reached is reached


def test_a_run_that_ends_before_its_deadline_says_so(db: ResourceDB, sim: Simulator) -> None:
    seed_valid(db, sim, 3)
    report, recorder = run_on(db, sim, FakeTime(), pacing=TEN_SECONDS, max_runtime=timedelta(hours=1))
    assert len(recorder.outcomes) == 3
    assert report.deadline == {"at": (NOW + timedelta(hours=1)).isoformat(), "reached": False, "checked": 3, "selected": 3}
    out = io.StringIO()
    PlainReporter(out).finish(report)
    assert "stopped at the deadline" not in out.getvalue()


def test_without_a_deadline_nothing_changes(db: ResourceDB, sim: Simulator) -> None:
    seed_valid(db, sim, 3)
    report, recorder = run_on(db, sim, FakeTime(), pacing=TEN_SECONDS)
    assert len(recorder.outcomes) == 3 and report.deadline is None and not report.deadline_reached
    out = io.StringIO()
    JsonCollector(out).finish(report)
    assert json.loads(out.getvalue())["deadline"] is None


def test_max_age_nights_roll_through_the_table_where_the_last_one_stopped(db: ResourceDB, sim: Simulator) -> None:
    """A rolling sweep: each night takes the never-checked rows first, then the least recently checked."""
    ids = seed_valid(db, sim, 10)
    nights = []
    for night in range(3):
        _, recorder = run_on(db, sim, FakeTime(NOW + timedelta(days=night)), pacing=TEN_SECONDS, max_age=timedelta(hours=12),
                             max_runtime=timedelta(seconds=35))
        nights.append([o.row.id for o in recorder.outcomes])
    assert nights == [ids[0:4], ids[4:8], ids[8:10] + ids[0:2]]
    # with --max-age 7d the rows checked on the first two nights stay fresh: the third night ends early
    _, recorder = run_on(db, sim, FakeTime(NOW + timedelta(days=3)), pacing=TEN_SECONDS, max_age=timedelta(days=7),
                         max_runtime=timedelta(seconds=35))
    assert [o.row.id for o in recorder.outcomes] == []  # all ten were checked within 7 days


@pytest.mark.parametrize(("lang", "line"), [("en", "stopped at the deadline: 4 of 10 checked"),
                                            ("zh_CN", "已到截止时间，停止检查：共 10 个，已检查 4 个")])
def test_the_partial_report_says_where_it_stopped(sqlitedb: ResourceDB, sim: Simulator, monkeypatch: pytest.MonkeyPatch,
                                                  lang: str, line: str) -> None:
    sqlitedb.create_schema()
    seed_valid(sqlitedb, sim, 10)
    report, _ = run_on(sqlitedb, sim, FakeTime(), pacing=TEN_SECONDS, max_runtime=timedelta(seconds=35))
    monkeypatch.setenv("LANGUAGE", "")
    try:
        i18n.set_language(lang)
        plain, rich, machine = io.StringIO(), io.StringIO(), io.StringIO()
        PlainReporter(plain, quiet=True).finish(report)
        RichReporter(rich, quiet=True).finish(report)
        JsonCollector(machine).finish(report)
        deadline_label = i18n._("deadline")
    finally:
        i18n.set_language("en")
    assert line in plain.getvalue() and line in rich.getvalue()
    assert f"{deadline_label} " in plain.getvalue()  # the summary names the deadline
    assert json.loads(machine.getvalue())["deadline"] == {
        "at": (NOW + timedelta(seconds=35)).isoformat(), "reached": True, "checked": 4, "selected": 10}


# -- autosave ------------------------------------------------------------------------------------

def test_autosave_max_runtime_stops_between_tasks(sim: Simulator, tmp_path: Path) -> None:
    from quarkctl.autosave.options import AutosaveOptions
    from quarkctl.autosave.run import run_autosave
    from quarkctl.config.autosave.model import AutosaveConfig
    from quarkctl.quark.client import QuarkClient
    from quarkctl.render.autosave import JsonAutosaveCollector, PlainAutosaveReporter
    from quarkctl.simulator import Share

    sim.tq_gap, sim.task_polls = 10, 1
    for n in range(1, 5):
        sim.add_share(Share(pwd_id=f"dead0000000{n}", title="x", files=[{"name": f"{n}.mp4", "size": 1000}]))
    tasks = [{"taskname": f"T{n}", "shareurl": share_url(f"dead0000000{n}"), "savepath": f"/p{n}", "pattern": "", "replace": ""}
             for n in range(1, 5)]
    tasks.insert(2, {**tasks[0], "taskname": "old", "enddate": "2020-01-01"})  # not due: skipped as before, not "not run"
    config = AutosaveConfig(tmp_path / "c.json", {"cookie": COOKIE, "tasklist": tasks})
    fake = FakeTime()
    report = run_autosave(config, config.tasks, AutosaveOptions(pacing=TEN_SECONDS, sign=False, max_runtime=timedelta(seconds=15)),
                          make_client=lambda cookie: QuarkClient(cookie=cookie, api_base=sim.base_url), clock=fake.clock,
                          sleep=fake.sleep)
    # T1 at 0 s, T2 at 10 s; the pause before T3 runs into 15 s
    assert [(t.name, t.status, t.reason) for t in report.tasks] == [
        ("T1", "saved", ""), ("T2", "saved", ""), ("old", "skipped", "not_due"), ("T3", "skipped", "deadline"),
        ("T4", "skipped", "deadline")]
    assert report.exit_code is ExitCode.OK
    assert report.deadline == {"at": (NOW + timedelta(seconds=15)).isoformat(), "reached": True, "not_run": 2, "tasks": 5}
    assert sorted(r.pwd_id for r in sim.requests(endpoint="token")) == ["dead00000001", "dead00000002"]
    plain, machine = io.StringIO(), io.StringIO()
    reporter = PlainAutosaveReporter(plain, total=5)
    for result in report.tasks:
        reporter.task_done(result)
    reporter.finish(report)
    JsonAutosaveCollector(machine).finish(report)
    text = plain.getvalue()
    assert "[4/5] T3: not run: the run reached its --max-runtime first" in text
    assert "stopped at the deadline: 2 of 5 tasks not run" in text
    assert json.loads(machine.getvalue())["deadline"]["not_run"] == 2


def test_autosave_without_max_runtime_has_no_deadline(sim: Simulator, tmp_path: Path) -> None:
    from quarkctl.autosave.options import AutosaveOptions
    from quarkctl.autosave.run import run_autosave
    from quarkctl.config.autosave.model import AutosaveConfig
    from quarkctl.quark.client import QuarkClient
    from quarkctl.simulator import Share

    sim.tq_gap, sim.task_polls = 10, 1
    sim.add_share(Share(pwd_id="dead00000001", title="x", files=[{"name": "1.mp4", "size": 1000}]))
    config = AutosaveConfig(tmp_path / "c.json", {"cookie": COOKIE, "tasklist": [
        {"taskname": "T1", "shareurl": share_url("dead00000001"), "savepath": "/p1", "pattern": "", "replace": ""}]})
    fake = FakeTime()
    report = run_autosave(config, config.tasks, AutosaveOptions(pacing=TEN_SECONDS, sign=False),
                          make_client=lambda cookie: QuarkClient(cookie=cookie, api_base=sim.base_url), clock=fake.clock,
                          sleep=fake.sleep)
    assert [t.status for t in report.tasks] == ["saved"] and report.deadline is None and report.not_run == 0

