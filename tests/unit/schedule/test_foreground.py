"""`quarkctl schedule run`'s loop (schedule/loop.py) and plan (schedule/plan.py) on an injected clock: which job
runs when, one at a time, a missed time run once, the stop; no real wait and no real process here
(tests/e2e/test_schedule_run.py starts the real command)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quarkctl.errors import ConfigError
from quarkctl.runtime.stop import StopSignal
from quarkctl.schedule.loop import LONGEST_WAIT, Loop
from quarkctl.schedule.plan import Entry, Plan, job_environment, plan

SHANGHAI = ZoneInfo("Asia/Shanghai")
CMD = ("quarkctl",)


def at(text: str) -> datetime:
    """A moment in Shanghai time: '2026-12-08 02:00'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


class World:
    """The clock moves only when the loop waits or a job runs; a job takes `durations[name]`."""

    def __init__(self, start: datetime, durations: dict[str, timedelta], stop_after: int) -> None:
        self.now = start.astimezone(timezone.utc)
        self.durations = durations
        self.stop = StopSignal()
        self.stop_after = stop_after  # stop (SIGTERM) once this many jobs ran, during the last one
        self.ran: list[tuple[str, datetime, datetime]] = []  # name, start, end (Shanghai)
        self.said: list[str] = []
        self.waits: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> bool:
        assert 0 < seconds <= LONGEST_WAIT
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)
        return not self.stop.is_set()

    def start(self, entry: Entry) -> int:
        begin = self.now
        self.now += self.durations.get(entry.name, timedelta(minutes=5))
        self.ran.append((entry.name, begin.astimezone(SHANGHAI), self.now.astimezone(SHANGHAI)))
        if len(self.ran) >= self.stop_after:
            self.stop.set(15)  # the signal came while this job ran (child.py passes it on; the job ends)
            return 143
        return 0

    def say(self, level: str, text: str) -> None:
        self.said.append(f"{level} {text}")


def default_plan(check: str = "0 2 * * *", save: str = "0 8,18,20 * * *") -> Plan:
    return Plan((Entry("check-links", check, (*CMD, "check-links")), Entry("autosave", save, (*CMD, "autosave"))),
                SHANGHAI, "Asia/Shanghai", ())


def run(world: World, schedule: Plan | None = None, *, run_now: bool = False) -> int:
    loop = Loop(schedule or default_plan(), clock=world.clock, sleep=world.sleep, start=world.start, say=world.say, stop=world.stop)
    return loop.run(run_now=run_now)


def test_the_jobs_run_at_their_times_in_shanghai_and_the_wait_is_said() -> None:
    world = World(at("2026-12-07 12:00"), {}, stop_after=4)
    assert run(world) == 143
    assert [(name, begin.strftime("%d %H:%M")) for name, begin, _ in world.ran] == [
        ("autosave", "07 18:00"), ("autosave", "07 20:00"), ("check-links", "08 02:00"), ("autosave", "08 08:00")]
    assert "INFO schedule: next autosave at 2026-12-07 18:00:00 (Asia/Shanghai)" in world.said
    assert "INFO schedule: next check-links at 2026-12-08 02:00:00 (Asia/Shanghai)" in world.said


def test_a_job_due_while_another_runs_starts_after_it_and_a_missed_time_runs_once() -> None:
    """check-links from 02:00 to 21:30 covers all three autosave times: autosave runs once, right after it."""
    world = World(at("2026-12-07 23:00"), {"check-links": timedelta(hours=19, minutes=30)}, stop_after=3)
    run(world)
    (first, s1, e1), (second, s2, e2), (third, s3, _) = world.ran
    assert (first, s1, e1) == ("check-links", at("2026-12-08 02:00"), at("2026-12-08 21:30"))
    assert (second, s2) == ("autosave", e1)  # at once, not at the next 08:00
    assert (third, s3) == ("check-links", at("2026-12-09 02:00"))  # and no second or third make-up run
    assert all(e <= s for (_, _, e), (_, s, _) in zip(world.ran, world.ran[1:]))  # never two at once


def test_run_now_runs_each_job_once_at_the_start_then_follows_the_schedule() -> None:
    world = World(at("2026-12-07 12:00"), {}, stop_after=3)
    run(world, run_now=True)
    assert [(name, begin.strftime("%d %H:%M")) for name, begin, _ in world.ran] == [
        ("check-links", "07 12:00"), ("autosave", "07 12:05"), ("autosave", "07 18:00")]


def test_a_stop_while_waiting_ends_at_once_with_0_and_no_job_started() -> None:
    world = World(at("2026-12-07 12:00"), {}, stop_after=99)
    world.stop.set(15)  # SIGTERM while idle
    assert run(world) == 0
    assert world.ran == [] and any("no job was running" in line for line in world.said)


def test_a_stop_during_a_job_ends_after_it_with_the_signals_code() -> None:
    world = World(at("2026-12-07 12:00"), {}, stop_after=1)
    assert run(world, run_now=True) == 143
    assert [name for name, _, _ in world.ran] == ["check-links"]  # autosave, due too, is not started
    assert world.said[-1].startswith("WARN schedule: check-links ended with exit code 143")


def test_a_long_wait_is_cut_in_pieces() -> None:
    world = World(at("2026-12-07 12:00"), {}, stop_after=1)
    run(world, default_plan(save="0 2 * * *"))  # both at 02:00, 14 hours away
    assert max(world.waits) == LONGEST_WAIT and len(world.waits) == 14 * 60


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1)),
       check_hours=st.integers(min_value=0, max_value=30), save_minutes=st.integers(min_value=1, max_value=300),
       run_now=st.booleans())
def test_never_two_at_once_never_early_and_never_a_double_make_up(start: datetime, check_hours: int, save_minutes: int,
                                                                  run_now: bool) -> None:
    world = World(start.replace(tzinfo=SHANGHAI), {"check-links": timedelta(hours=check_hours),
                                                    "autosave": timedelta(minutes=save_minutes)}, stop_after=12)
    schedule = default_plan()
    begin_at = start.replace(tzinfo=SHANGHAI)
    run(world, schedule, run_now=run_now)
    for (_, _, end), (_, begin, _) in zip(world.ran, world.ran[1:]):
        assert end <= begin  # one at a time
    entries = {e.name: e for e in schedule.entries}
    last_end: dict[str, datetime] = {}
    for i, (name, begin, end) in enumerate(world.ran):
        if run_now and name not in last_end:
            assert begin == (world.ran[i - 1][2] if i else begin_at)  # --run-now: at once, one after the other
        else:
            due = entries[name].next_after(last_end.get(name, begin_at), SHANGHAI)
            assert begin >= due  # never before its time
            if begin > due:  # late: only because another job held it up, and made up for once, at once
                assert i > 0 and begin == world.ran[i - 1][2] and world.ran[i - 1][0] != name
        last_end[name] = end


def plan_of(tmp_path: Path, env: dict[str, str], **options: str | None) -> Plan:
    times = {"check-links": options.get("check"), "autosave": options.get("save")}
    return plan(env, times=times, args={}, zone=options.get("zone"), env_file=None, config=tmp_path / "quark_config.json",
                command=CMD)


def test_the_default_plan_is_crontab_example_with_a_sweep_before_autosave_which_waits_for_its_config(tmp_path: Path) -> None:
    got = plan_of(tmp_path, {})
    assert [(e.name, e.cron) for e in got.entries] == [("check-links", "0 2 * * *"), ("autosave", "0 8,18,20 * * *")]
    # check-links by default: the stalest links first, no new one after 07:50, so autosave starts at 08:00
    assert got.entries[0].argv == (*CMD, "check-links", "--max-age", "7d", "--until", "07:50")
    config = tmp_path / "quark_config.json"
    assert got.entries[1].needs == config and any(f"autosave: no config at {config} yet" in note for note in got.notes)
    assert got.zone_name == "Asia/Shanghai"
    config.write_text("{}")
    got = plan_of(tmp_path, {"QUARKCTL_SCHEDULE_CHECK_LINKS_ARGS": "--max-age 7d --until 06:00"})
    assert got.entries[0].argv == (*CMD, "check-links", "--max-age", "7d", "--until", "06:00") and got.notes == ()
    assert got.entries[1].argv == (*CMD, "autosave", "--config", str(config))
    assert plan_of(tmp_path, {"QUARKCTL_SCHEDULE_CHECK_LINKS_ARGS": ""}).entries[0].argv == (*CMD, "check-links")  # none


def test_a_config_added_after_the_start_is_run_at_autosaves_next_time(tmp_path: Path) -> None:
    config = tmp_path / "quark_config.json"
    schedule = plan_of(tmp_path, {})
    world = World(at("2026-12-07 12:00"), {}, stop_after=3)
    real_start = world.start

    def start(entry: Entry) -> int:
        if entry.name == "check-links":
            config.write_text("{}")  # copied in by hand while the schedule ran (README, Docker)
        return real_start(entry)

    world.start = start  # type: ignore[method-assign]
    assert run(world, schedule) == 143
    assert [(name, begin.strftime("%d %H:%M")) for name, begin, _ in world.ran] == [
        ("check-links", "08 02:00"), ("autosave", "08 08:00"), ("autosave", "08 18:00")]
    skipped = [line for line in world.said if "not run: no config" in line]
    assert [line.split(" at ")[0] for line in skipped] == ["INFO schedule: autosave not run: no config"] * 2  # 18:00, 20:00


def test_the_jobs_get_the_schedules_zone_as_tz_unless_tz_is_set() -> None:
    assert job_environment({"PATH": "/bin"}, "Asia/Shanghai") == {"PATH": "/bin", "TZ": "Asia/Shanghai"}
    assert job_environment({"TZ": ""}, "Asia/Tokyo")["TZ"] == "Asia/Tokyo"
    assert job_environment({"TZ": "Europe/Paris"}, "Asia/Shanghai")["TZ"] == "Europe/Paris"


def test_times_come_from_the_option_over_the_environment_and_off_turns_a_job_off(tmp_path: Path) -> None:
    env = {"QUARKCTL_SCHEDULE_CHECK_LINKS": "30 3 * * *", "CRON_TZ": "UTC"}
    got = plan_of(tmp_path, env)
    assert got.entries[0].cron == "30 3 * * *" and got.zone_name == "UTC"
    assert plan_of(tmp_path, env, check="15 1 * * *").entries[0].cron == "15 1 * * *"
    (tmp_path / "quark_config.json").write_text("{}")
    got = plan_of(tmp_path, {"QUARKCTL_SCHEDULE_CHECK_LINKS": "OFF"})
    assert [e.name for e in got.entries] == ["autosave"]
    assert [e.name for e in plan_of(tmp_path, {}, check="", save="0 9 * * *").entries] == ["autosave"]


@pytest.mark.parametrize("bad", ["x 2 * * *", "0 25 * * *", "0 2 * *", "@reboot", "0 0 30 2 *", "0 2 * * * *"])
def test_a_bad_cron_time_is_one_config_error_naming_the_setting(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match="QUARKCTL_SCHEDULE_CHECK_LINKS: .* is not a cron time for check-links"):
        plan_of(tmp_path, {"QUARKCTL_SCHEDULE_CHECK_LINKS": bad})
    with pytest.raises(ConfigError, match="--check-links: "):
        plan_of(tmp_path, {}, check=bad)


def test_a_bad_zone_names_where_it_came_from(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="^CRON_TZ: unknown time zone 'Mars/Base'"):
        plan_of(tmp_path, {"CRON_TZ": "Mars/Base"})
    with pytest.raises(ConfigError, match="^--timezone: unknown time zone 'Mars/Base'"):
        plan_of(tmp_path, {"CRON_TZ": "UTC"}, zone="Mars/Base")


def test_every_job_off_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="every job is off"):
        plan_of(tmp_path, {}, check="off", save="off")
    assert [e.name for e in plan_of(tmp_path, {}, check="off").entries] == ["autosave"]  # waits for its config
