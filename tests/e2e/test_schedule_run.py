"""`quarkctl schedule run` as a container runs it: the installed command in the foreground, each job a child
process whose lines reach the same stdout, stopped by SIGTERM (or SIGINT) after the running job's partial
report. Every wait is on a line the scheduler or its job prints, never on time."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, pwd, share_url
from e2e.test_check_links import read_until
from quarkctl.simulator import Simulator
from unit.commands.test_autosave import write_config

SLOW = "--min-delay 0.3 --max-delay 0.3"  # a run still going when the signal comes
FAST = "--no-pacing --retry-backoff 0"


@pytest.fixture
def db(cli: Cli, sqlitedb: ResourceDB) -> ResourceDB:
    return on_database(cli, sqlitedb)


def seed(sim: Simulator, db: ResourceDB, n: int = 20) -> None:
    for k in range(n):
        add_valid(sim, pwd(k))
    db.seed([{"drama_name": f"r{k}", "link": share_url(pwd(k))} for k in range(n)])


def finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_job_reaches_the_job_which_reports_then_the_scheduler_exits(
        cli: Cli, sim: Simulator, db: ResourceDB, signum: int, code: int) -> None:
    seed(sim, db)
    proc = cli.popen("schedule", "run", "--run-now", "--autosave", "off", "--check-links-args", SLOW)
    try:
        before = read_until(proc, "[2/20]")
        proc.send_signal(signum)  # the scheduler only: it passes the signal on to its job
    finally:
        out, err = finish(proc)
    out = "".join(before) + out
    assert proc.returncode == code, out + err
    assert "Traceback" not in err
    assert "schedule: check-links at '0 2 * * *' (Asia/Shanghai): " in out and "schedule: starting check-links" in out
    assert "interrupted" in out and "summary: total" in out  # the job's partial report
    assert f"schedule: check-links ended with exit code {code}" in out
    assert db.scalar("SELECT status FROM quarkctl_run") == "interrupted"
    assert db.scalar("SELECT exit_code FROM quarkctl_run") == code
    assert 2 <= len(sim.requests(endpoint="token")) < 20


def test_a_sigterm_while_waiting_exits_0_at_once(cli: Cli, db: ResourceDB) -> None:
    proc = cli.popen("schedule", "run", "--autosave", "off")
    try:
        before = read_until(proc, "schedule: next check-links at ")
        proc.terminate()
    finally:
        out, err = finish(proc)
    assert proc.returncode == 0, out + err
    assert "no job was running" in out and "starting" not in "".join(before) + out
    assert "autosave: off (--autosave)" in "".join(before)
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_run") == 0


def test_run_now_runs_both_jobs_one_after_the_other_with_the_given_database(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    seed(sim, db, 3)
    config = write_config(cli, [])
    url = cli.env.pop("DATABASE_URL")  # given as --database-url: the jobs get it in their environment, not their command line
    proc = cli.popen("schedule", "run", "--run-now", "--database-url", url, "--config", str(config),
                     "--check-links-args", FAST, "--autosave-args", "--no-pacing", env={"QUARKCTL_SCHEDULE_AUTOSAVE": "0 9 * * *"})
    try:
        lines = read_until(proc, "schedule: next ")
        proc.terminate()
    finally:
        out, err = finish(proc)
    text = "".join(lines)
    assert proc.returncode == 0, text + out + err
    order = ["schedule: starting check-links", "summary: total 3", "schedule: check-links ended with exit code 0",
             "schedule: starting autosave", "schedule: autosave ended with exit code 0", "schedule: next "]
    places = [text.index(needle) for needle in order]
    assert places == sorted(places), text
    commands = [line for line in lines if "schedule: " in line and " at '" in line]
    assert len(commands) == 2 and "autosave at '0 9 * * *'" in commands[1] and not any(url in line for line in commands)
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_run WHERE exit_code = 0") == 2


def test_a_bad_cron_time_is_one_line_and_exit_2(cli: Cli) -> None:
    proc = cli.run("schedule", "run", env={"QUARKCTL_SCHEDULE_CHECK_LINKS": "0 25 * * *"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == ["Error: QUARKCTL_SCHEDULE_CHECK_LINKS: '0 25 * * *' is not a cron time for check-links "
                                        "(five fields, e.g. '0 2 * * *'; 'off' turns it off)"]


def test_the_jobs_run_in_the_schedules_zone_when_tz_is_unset(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """A container has no TZ: `--until 23:59` must mean 23:59 where the schedule's times are (--timezone)."""
    seed(sim, db, 2)
    cli.env.pop("TZ", None)
    proc = cli.popen("schedule", "run", "--run-now", "--autosave", "off", "--timezone", "Asia/Tokyo",
                     "--check-links-args", f"{FAST} --until 23:59")
    try:
        lines = read_until(proc, "schedule: next ")
        proc.terminate()
    finally:
        out, err = finish(proc)
    assert proc.returncode == 0, "".join(lines) + out + err
    detail = json.loads(db.scalar("SELECT detail FROM quarkctl_run"))
    at = datetime.fromisoformat(detail["deadline"]["at"]).astimezone(ZoneInfo("Asia/Tokyo"))
    assert (at.hour, at.minute) == (23, 59), detail["deadline"]


def test_bad_job_arguments_are_refused_at_start_with_exit_2(cli: Cli) -> None:
    proc = cli.run("schedule", "run", "--autosave", "off", env={"QUARKCTL_SCHEDULE_CHECK_LINKS_ARGS": "--max-age 7d --bogus"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == ["Error: QUARKCTL_SCHEDULE_CHECK_LINKS_ARGS: check-links would refuse its arguments: "
                                        "No such option: --bogus"]


def test_a_check_links_schedule_under_ten_minutes_is_refused_and_under_an_hour_warned(cli: Cli) -> None:
    proc = cli.run("schedule", "run", "--autosave", "off", "--check-links", "* * * * *")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("Error: check-links at '* * * * *' would run every 1 min: at most every 10 min is allowed")
    waiting = cli.popen("schedule", "run", "--autosave", "off", "--check-links", "*/30 * * * *")
    try:
        before = read_until(waiting, "schedule: next check-links at ")
        waiting.terminate()
    finally:
        finish(waiting)
    assert sum("WARN  schedule: check-links at '*/30 * * * *' runs every 30 min" in line for line in before) == 1


def test_a_password_in_the_job_arguments_is_in_neither_the_log_nor_the_command_line(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    seed(sim, db, 2)
    url = cli.env.pop("DATABASE_URL") + "?x=S3CRETPW"  # a query value SQLite ignores, standing for a password
    proc = cli.popen("schedule", "run", "--run-now", "--autosave", "off", "--check-links-args", f"{FAST} --database-url {url}")
    try:
        lines = read_until(proc, "schedule: next ")
        proc.terminate()
    finally:
        out, err = finish(proc)
    text = "".join(lines) + out + err
    mine = [line for line in text.splitlines() if " schedule: " in line]  # the scheduler's; the job shows its own URL
    assert any(" check-links at '0 2 * * *' " in line for line in mine) and not any("S3CRETPW" in line for line in mine)
    assert "schedule: check-links ended with exit code 0" in text  # the job found its database in its environment
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_run WHERE exit_code = 0") == 1
