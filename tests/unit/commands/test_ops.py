"""Operations: history, schedule, doctor, the systemd state folder and a log file that survives logrotate.

End to end through the installed `quarkctl`, with the simulator as Quark and real databases;
systemctl and crontab are the machine's own (here: no systemd as PID 1, no cron), and the
"available" side of the schedule inspection is fed the output systemd 252 prints.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert

from conftest import on_database, COOKIE_SECRETS, Cli, ResourceDB, add_valid, share_url
from quarkctl.schedule import current as schedule_current
from quarkctl.schedule import nextrun as schedule_nextrun
from quarkctl.schedule import render as schedule_render
from quarkctl.schedule import targets as schedule_targets
from quarkctl.ops import doctor, history
from quarkctl.config import settings
from quarkctl.db.database import Database
from quarkctl.db.schema import run_history
from quarkctl.lock import RunLock, lock_path
from quarkctl.render.check import LogFile
from quarkctl.schedule.current import Completed
from quarkctl.simulator import Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        for secret in COOKIE_SECRETS:
            assert secret not in stream


@pytest.fixture
def db(testdb: ResourceDB, ops: Cli) -> ResourceDB:
    return on_database(ops, testdb)




def seed(sim: Simulator, db: ResourceDB) -> list[int]:
    add_valid(sim, "good00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    return db.seed([
        {"drama_name": "好电影", "link": share_url("good00000001")},
        {"drama_name": "死链接", "link": share_url("dead00000001")},
    ])


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# -- STATE_DIRECTORY -------------------------------------------------------------------------------


def test_state_directory_holds_database_and_locks_under_systemd(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    assert settings.data_dir(env) == tmp_path / "data" / "quarkctl"
    assert settings.state_dir(env) == tmp_path / "state" / "quarkctl"
    env["STATE_DIRECTORY"] = f"{tmp_path}/lib/quarkctl:{tmp_path}/other"  # several: the first is ours
    assert settings.data_dir(env) == settings.state_dir(env) == tmp_path / "lib" / "quarkctl"
    assert settings.database_url(env)[0].database == str(tmp_path / "lib" / "quarkctl" / "quarkctl.db")


def test_check_links_under_systemd_writes_only_to_state_directory(ops: Cli, sim: Simulator) -> None:
    state = ops.home / "var-lib-quarkctl"
    proc = ops.run("check-links", *FAST, env={"STATE_DIRECTORY": str(state), "INVOCATION_ID": "0123abcd"})
    assert proc.returncode == 0, proc.stderr
    assert (state / "quarkctl.db").is_file() and (state / "locks").is_dir()
    assert not (ops.home / "data").exists() and not (ops.home / "state").exists()
    # plain lines for journald; the database the unit uses named in the first (issue 23)
    assert proc.stdout.splitlines()[0].endswith(f"INFO  check-links: 0 links to check in sqlite:///{state / 'quarkctl.db'}")


# -- --log-file and logrotate ------------------------------------------------------------------------


def test_log_file_reopens_after_rename_and_removal(tmp_path: Path) -> None:
    path = tmp_path / "quarkctl.log"
    log = LogFile(path)
    log.write("one\n")
    log.flush()
    path.rename(tmp_path / "quarkctl.log.1")  # logrotate without copytruncate
    log.write("two\n")
    log.flush()
    path.unlink()
    log.write("three\n")
    log.close()
    assert (tmp_path / "quarkctl.log.1").read_text() == "one\n"
    assert path.read_text() == "three\n"
    assert not log.isatty()


# -- history ---------------------------------------------------------------------------------------


def test_history_lists_runs_and_shows_one_link_by_link(ops: Cli, sim: Simulator, db: ResourceDB) -> None:
    ids = seed(sim, db)
    assert ops.run("check-links", *FAST).returncode == 0
    assert ops.run("check-links", *FAST, "--limit", "1").returncode == 0
    proc = ops.run("history", "--json")
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)["runs"]
    assert [r["id"] for r in runs] == sorted((r["id"] for r in runs), reverse=True)  # newest first
    first = runs[-1]
    assert first["job"] == "check-links" and first["status"] == "finished" and first["exit_code"] == 0
    assert first["counts"] == {"total": 2, "valid": 1, "expired": 1, "needs_passcode": 0, "empty": 0, "errors": 0, "skipped": 0,
                               "same_share": 0}
    assert first["duration"] >= 0 and first["finished_at"] >= first["started_at"]
    assert runs[0]["counts"]["total"] == 1  # the second run saw only the live link

    limited = json.loads(ops.run("history", "--limit", "1", "--json").stdout)["runs"]
    assert [r["id"] for r in limited] == [runs[0]["id"]]
    assert json.loads(ops.run("history", "--job", "autosave", "--json").stdout)["runs"] == []

    shown = ops.run("history", "show", str(first["id"]), "--json")
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail["run"]["id"] == first["id"]
    assert [(i["resource_id"], i["name"], i["verdict"], i["reason"], i["api_code"]) for i in detail["items"]] == [
        (ids[0], "好电影", "valid", "ok", 0),
        (ids[1], "死链接", "expired", "share_cancelled", 41012),
    ]
    assert detail["items"][1]["link"] == share_url("dead00000001") and detail["items"][1]["message"] == "好友已取消了分享"
    assert [(i["drive"], i["code"]) for i in detail["items"]] == [("quark", "0"), ("quark", "41012")]  # issue 24

    human = ops.run("history", "show", str(first["id"]))
    assert human.returncode == 0
    lines = human.stdout.splitlines()
    assert lines[0].startswith(f"#{first['id']}") and "check-links" in lines[0] and "exit 0" in lines[0]
    assert f"#{ids[1]} 死链接 {share_url('dead00000001')} [Quark] expired: the owner cancelled the share (41012 好友已取消了分享)" in human.stdout
    listing = ops.run("history").stdout.splitlines()
    assert len(listing) == 2 and "total 2, valid 1, expired 1" in listing[1]
    assert_clean(human)


def test_history_show_an_unknown_run_is_one_error_line(ops: Cli, db: ResourceDB) -> None:
    proc = ops.run("history", "show", "4242")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and proc.stderr.startswith("Error: no run 4242 in ")
    assert_clean(proc)


def test_history_without_a_database_creates_none(ops: Cli) -> None:
    proc = ops.run("history")
    assert proc.returncode == 0 and proc.stdout.startswith("no runs recorded in sqlite:")
    assert ops.run("history", "show", "1").returncode == 2
    assert not (ops.home / "data").exists()


def test_a_killed_run_is_shown_as_abandoned(db: ResourceDB) -> None:
    engine = db.engine()
    started = datetime(2026, 11, 29, 2, 0)
    with engine.begin() as conn:
        conn.execute(insert(run_history).values(job="check-links", started_at=started, status="running",
                                                host=socket.gethostname(), pid=dead_pid()))
        conn.execute(insert(run_history).values(job="check-links", started_at=started, status="running",
                                                host=socket.gethostname(), pid=os.getpid()))
    engine.dispose()
    database = db.database()
    try:
        runs = history.list_runs(database)
    finally:
        database.close()
    assert [r.state for r in runs] == ["running", "abandoned"]
    assert runs[1].as_dict()["status"] == "abandoned" and runs[1].duration is None


# -- schedule --------------------------------------------------------------------------------------


def test_schedule_degrades_where_systemd_and_cron_are_not_available(ops: Cli, sim: Simulator, sdb: ResourceDB) -> None:
    seed(sim, sdb)
    assert ops.run("check-links", *FAST).returncode == 0
    proc = ops.run("schedule", "--json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    sources = {s["name"]: s for s in document["sources"]}
    assert set(sources) == {"systemd-system", "systemd-user", "cron"}
    if subprocess.run(["systemctl", "list-timers"], capture_output=True).returncode != 0:  # no systemd as PID 1
        assert sources["systemd-system"]["available"] is False and sources["systemd-system"]["detail"]
    assert [j["job"] for j in document["jobs"]] == list(schedule_targets.JOBS)
    job = document["jobs"][0]
    assert job["job"] == "check-links" and job["default_schedule"]["cron"] == "0 2 * * *"
    assert job["default_schedule"]["on_calendar"] == ["*-*-* 02:00:00 Asia/Shanghai"]
    assert [r["counts"]["total"] for r in job["runs"]] == [2]
    human = ops.run("schedule")
    assert human.returncode == 0
    assert "check-links: check Quark share links" in human.stdout and "last runs:" in human.stdout
    assert_clean(human)


def test_schedule_shows_the_schedule_even_when_the_database_fails(ops: Cli) -> None:
    proc = ops.run("schedule", "--json", env={"DATABASE_URL": "sqlite:////nonexistent/q.db"})
    assert proc.returncode == 0
    document = json.loads(proc.stdout)
    assert "no such SQLite file" in document["runs_error"] and document["jobs"][0]["job"] == "check-links"


SYSTEMD_252_TIMERS = json.dumps([
    {"next": 1764439200000000, "left": 1000, "last": 1764352800123456, "passed": 2000,
     "unit": "quarkctl-check-links.timer", "activates": "quarkctl-check-links.service"},
    {"next": 1764460800000000, "left": 1000, "last": None, "passed": None,
     "unit": "logrotate.timer", "activates": "logrotate.service"},
])
SYSTEMD_252_SHOW = (
    "LoadState=loaded\nUnitFileState=enabled\nActiveState=active\n"
    "TimersCalendar={ OnCalendar=*-*-* 02:00:00 Asia/Shanghai ; next_elapse=Sun 2025-11-30 02:00:00 CST }\n"
)


def machine(*, system: Completed | None, user: Completed | None, crontab: Completed | None, calls: list):
    """A runner that answers as systemctl and crontab of another machine do."""

    def run(argv):
        calls.append(list(argv))
        if argv[0] == "crontab":
            return crontab
        reply = user if "--user" in argv else system
        if reply is None or reply.returncode != 0 or "list-timers" in argv:
            return reply
        unit = argv[argv.index("show") + 1]
        if unit == "quarkctl-check-links.timer" and "--user" not in argv:
            return Completed(0, SYSTEMD_252_SHOW, "")
        return Completed(0, "LoadState=not-found\nUnitFileState=\nActiveState=inactive\nTimersCalendar=\n", "")

    return run


def test_schedule_reads_systemd_timers_and_crontabs(tmp_path: Path) -> None:
    cron_d = tmp_path / "cron.d"
    cron_d.mkdir()
    (cron_d / "quarkctl").write_text(schedule_render.render_cron(schedule_targets.JOBS.values(), schedule_targets.EXAMPLE_TARGET, system=True))
    (cron_d / "other").write_text("17 * * * * root run-parts /etc/cron.hourly\n")
    calls: list = []
    runner = machine(
        system=Completed(0, SYSTEMD_252_TIMERS, ""),
        user=Completed(0, "[]", ""),
        crontab=Completed(0, "MAILTO=me\n@daily /home/me/.local/bin/quarkctl check-links --quiet\n", ""),
        calls=calls,
    )
    sources = {s.name: s for s in schedule_current.inspect(runner=runner, cron_files=sorted(cron_d.iterdir()))}
    assert all(s.available for s in sources.values())
    (timer,) = sources["systemd-system"].entries
    assert timer.where == "quarkctl-check-links.timer" and timer.schedule == "*-*-* 02:00:00 Asia/Shanghai"
    assert timer.enabled and timer.state == "enabled/active"
    assert timer.next_run == datetime(2025, 11, 29, 18, 0, tzinfo=timezone.utc)
    assert timer.last_run is not None and timer.last_run.microsecond == 123456
    assert sources["systemd-user"].entries == ()
    cron = [e for e in sources["cron"].entries if e.job == "check-links"]
    assert [(e.where, e.schedule) for e in cron] == [
        (str(cron_d / "quarkctl"), "0 2 * * * (CRON_TZ=Asia/Shanghai)"),
        (cron[1].where, "@daily"),
    ]
    assert cron[1].where.startswith("crontab of ")
    assert ["systemctl", "list-timers", "--all", "--no-legend", "--no-pager", "--output=json"] == calls[0]


def test_schedule_inspection_when_nothing_is_installed(tmp_path: Path) -> None:
    runner = machine(system=None, user=None, crontab=None, calls=[])
    sources = schedule_current.inspect(runner=runner, cron_files=[tmp_path / "absent"])
    assert [(s.name, s.available, s.detail) for s in sources] == [
        ("systemd-system", False, "systemctl is not installed"),
        ("systemd-user", False, "systemctl is not installed"),
        ("cron", False, "crontab is not installed"),
    ]
    no_crontab = machine(system=Completed(1, "", "System has not been booted with systemd as init system (PID 1). Can't operate.\n"),
                         user=Completed(1, "", "Failed to connect to bus: No medium found\n"),
                         crontab=Completed(1, "", "no crontab for me\n"), calls=[])
    sources = schedule_current.inspect(runner=no_crontab, cron_files=[])
    assert sources[0].detail == "System has not been booted with systemd as init system (PID 1). Can't operate."
    assert sources[2].available and sources[2].entries == ()


def test_older_systemctl_without_json_output_still_finds_the_timer() -> None:
    table = ("Sun 2025-11-30 02:03:11 CST 9h left Sat 2025-11-29 02:01:40 CST 14h ago "
             "quarkctl-check-links.timer quarkctl-check-links.service\n")
    rows = schedule_current.parse_list_timers(table)
    assert rows == [{"unit": "quarkctl-check-links.timer", "activates": "quarkctl-check-links.service", "next": None, "last": None}]


# -- schedule install ------------------------------------------------------------------------------


def test_install_systemd_writes_units_and_never_overwrites_a_changed_one(ops: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "units"
    printed = ops.run("schedule", "install", "--systemd", "--dir", str(folder), "--print")
    assert printed.returncode == 0, printed.stderr
    assert not folder.exists()  # --print writes nothing
    assert "[Service]" in printed.stdout and "OnCalendar=*-*-* 02:00:00 Asia/Shanghai" in printed.stdout
    assert "systemctl daemon-reload && systemctl enable --now quarkctl-check-links.timer" in printed.stdout

    first = ops.run("schedule", "install", "--systemd", "--dir", str(folder), "--env-file", "/srv/q/.env")
    assert first.returncode == 0, first.stderr
    service = folder / "quarkctl-check-links.service"
    assert sorted(p.name for p in folder.iterdir()) == sorted(name for j in schedule_targets.JOBS.values() for name in (j.service, j.timer))
    assert f"wrote     {service}" in first.stdout
    assert "enable with: systemctl daemon-reload && systemctl enable --now quarkctl-check-links.timer" in first.stdout
    text = service.read_text()
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert Path(exec_start.split("=", 1)[1].split()[0]).is_absolute() and exec_start.endswith(" check-links")
    assert "EnvironmentFile=/srv/q/.env" in text

    same = ops.run("schedule", "install", "--systemd", "--dir", str(folder), "--env-file", "/srv/q/.env")
    assert same.returncode == 0 and f"unchanged {service}" in same.stdout

    service.write_text(text + "# my own change\n")
    refused = ops.run("schedule", "install", "--systemd", "--dir", str(folder), "--env-file", "/srv/q/.env")
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"Error: {service} exists and differs") and "--force" in refused.stderr
    assert service.read_text().endswith("# my own change\n")  # left alone
    forced = ops.run("schedule", "install", "--systemd", "--dir", str(folder), "--env-file", "/srv/q/.env", "--force")
    assert forced.returncode == 0 and service.read_text() == text


def test_install_user_units_go_to_xdg_config_home(ops: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config"
    proc = ops.run("schedule", "install", "--systemd", "--user", env={"XDG_CONFIG_HOME": str(config)})
    assert proc.returncode == 0, proc.stderr
    timer = config / "systemd" / "user" / "quarkctl-check-links.timer"
    assert timer.is_file()
    service = (config / "systemd" / "user" / "quarkctl-check-links.service").read_text()
    assert f"EnvironmentFile={config}/quarkctl/.env" in service and "\\nProtectSystem=" not in service
    assert "systemctl --user daemon-reload && systemctl --user enable --now quarkctl-check-links.timer" in proc.stdout
    assert "loginctl enable-linger" in proc.stdout


def test_install_user_crontab_block_and_its_enable_command(ops: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config"
    proc = ops.run("schedule", "install", "--cron", "--user", env={"XDG_CONFIG_HOME": str(config)})
    assert proc.returncode == 0, proc.stderr
    block = (config / "quarkctl" / "crontab").read_text()
    assert "CRON_TZ=Asia/Shanghai" in block
    entries = schedule_current.cron_entries(block, schedule_targets.JOBS.values(), where="x", system=False)
    assert [e.job for e in entries] == list(schedule_targets.JOBS)
    enable = proc.stdout.split("enable with: ", 1)[1].strip()
    # the command replaces an earlier quarkctl block and keeps the user's own lines: run it on a file
    crontab = tmp_path / "current"
    crontab.write_text("MAILTO=me\n" + block + "5 4 * * * backup\n")
    merged = subprocess.run(["sh", "-c", enable.replace("crontab -l", f"cat {crontab}").replace("| crontab -", "")],
                            capture_output=True, text=True, check=True).stdout
    assert merged.startswith("MAILTO=me\n5 4 * * * backup\n") and merged.count(schedule_render.CRON_BLOCK_START) == 1


def test_install_system_cron_file(ops: Cli, tmp_path: Path) -> None:
    proc = ops.run("schedule", "install", "--cron", "--dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "quarkctl").read_text()
    assert [e.job for e in schedule_current.cron_entries(text, schedule_targets.JOBS.values(), where="x", system=True)] == list(schedule_targets.JOBS)
    assert " root " in text.splitlines()[-1] and "nothing to enable" in proc.stdout


@pytest.mark.parametrize(("args", "needle"), [
    ([], "choose one of --systemd and --cron"),
    (["--systemd", "--cron"], "choose one of --systemd and --cron"),
    (["--systemd", "--timezone", "Mars/Olympus"], "--timezone"),
])
def test_install_usage_errors(ops: Cli, tmp_path: Path, args: list[str], needle: str) -> None:
    proc = ops.run("schedule", "install", *args, "--dir", str(tmp_path / "x"))
    assert proc.returncode == 2 and proc.stderr.startswith("Error: ") and needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "x").exists()


def test_install_into_a_folder_it_may_not_write(ops: Cli, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    proc = ops.run("schedule", "install", "--systemd", "--dir", str(blocked / "sub"))
    assert proc.returncode == 2 and proc.stderr.startswith(f"Error: cannot write {blocked}/sub/")


# -- doctor ----------------------------------------------------------------------------------------


def findings(proc: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    document = json.loads(proc.stdout)
    assert document["exit_code"] == proc.returncode
    return {f["name"]: f for f in document["checks"]}


def test_doctor_all_good(ops: Cli, sim: Simulator, db: ResourceDB) -> None:
    ops.env["TZ"] = "UTC"  # the test server's clock (MariaDB's SYSTEM zone here): the two clocks agree
    seed(sim, db)
    assert ops.run("check-links", *FAST).returncode == 0
    proc = ops.run("doctor", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = findings(proc)
    expected = {
        "settings": "ok", "quark": "ok", "cookie": "ok", "database": "ok", "cloud_resource": "ok", "own_tables": "ok",
        "timezone": "ok", "schedule:check-links": "warn", "last_run:check-links": "ok", "lock:check-links": "ok",
    }
    assert {name: checks[name]["status"] for name in expected} == expected
    assert [name for name in checks if name.startswith("lock:")] == [f"lock:{job}" for job in schedule_targets.JOBS]
    assert checks["cookie"]["message"] == "accepted by Quark (account sim-user)"
    assert checks["cloud_resource"]["message"] == "present, 1 link to check"
    assert "schedule install" in checks["schedule:check-links"]["fix"]
    human = ops.run("doctor")
    assert human.returncode == 0
    assert any(line.startswith("WARN  schedule:check-links") for line in human.stdout.splitlines())
    assert any(line.strip().startswith("fix: `quarkctl schedule install") for line in human.stdout.splitlines())
    assert_clean(human)


def test_doctor_tells_a_rejected_cookie(ops: Cli, sdb: ResourceDB) -> None:
    proc = ops.run("doctor", "--json", env={"QUARK_COOKIE": "__uid=someone-else; __puus=Sup3rSecretPuusValue"})
    assert proc.returncode == 1
    checks = findings(proc)
    assert checks["quark"]["status"] == "ok"
    assert checks["cookie"]["status"] == "fail" and "without a session" in checks["cookie"]["message"]
    assert "copy the Cookie header" in checks["cookie"]["fix"]
    assert_clean(proc)


def test_doctor_tells_a_network_fault_from_a_cookie_fault(ops: Cli, sdb: ResourceDB) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: connections are refused
    proc = ops.run("doctor", "--json", "--api-base", f"http://127.0.0.1:{port}")
    assert proc.returncode == 1
    checks = findings(proc)
    assert checks["quark"]["status"] == "fail" and "connection_error" in checks["quark"]["message"]
    assert checks["cookie"]["status"] == "warn" and "not a cookie fault" in checks["cookie"]["message"]
    assert checks["database"]["status"] == "ok"


def test_doctor_database_faults(ops: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    checks = findings(ops.run("doctor", "--json", "--database-url", f"sqlite:///{empty}"))
    assert checks["cloud_resource"]["status"] == "fail" and "quarkctl db init" in checks["cloud_resource"]["fix"]
    assert checks["own_tables"]["status"] == "warn"
    assert "last_run:check-links" not in checks
    unreachable = findings(ops.run("doctor", "--json", "--database-url", "sqlite:////nonexistent/q.db"))
    assert unreachable["database"]["status"] == "fail" and "cloud_resource" not in unreachable
    fresh = ops.run("doctor", "--json")
    assert findings(fresh)["database"]["status"] == "warn"  # the embedded default, not created yet
    assert not (ops.home / "data").exists()  # and doctor did not create it


def test_doctor_bad_settings_and_a_readable_env_file(ops: Cli) -> None:
    proc = ops.run("doctor", "--json", env={"DB_HOST": "127.0.0.1", "DB_PORT": "abc"})
    checks = findings(proc)
    assert proc.returncode == 1 and checks["settings"]["status"] == "fail" and "DB_PORT" in checks["settings"]["message"]
    assert "database" not in checks
    missing = findings(ops.run("doctor", "--json", "--env-file", str(ops.home / "nope.env")))
    assert missing["settings"]["status"] == "fail" and "no such file" in missing["settings"]["message"]
    env_file = ops.home / "q.env"
    env_file.write_text("QUARK_COOKIE=__uid=sim-user-1\n")
    env_file.chmod(0o644)
    readable = findings(ops.run("doctor", "--json", "--env-file", str(env_file)))
    assert readable["settings"]["status"] == "warn" and readable["settings"]["fix"] == f"chmod 600 {env_file}"
    env_file.chmod(0o600)
    assert findings(ops.run("doctor", "--json", "--env-file", str(env_file)))["settings"]["status"] == "ok"


def test_doctor_timezone_on_sqlite_is_this_machines_clock(ops: Cli, sdb: ResourceDB) -> None:
    """Issue 23: a warning only when the database's clock and the local clock disagree; SQLite has no clock of
    its own, so a machine on UTC is fine (it used to warn for not being on Asia/Shanghai)."""
    checks = findings(ops.run("doctor", "--json", env={"TZ": "UTC"}))
    assert checks["timezone"]["status"] == "ok" and "local time" in checks["timezone"]["message"]


def test_doctor_timezone_warns_when_the_database_clock_differs(ops: Cli, mysqldb: ResourceDB) -> None:
    on_database(ops, mysqldb)
    server_zone = mysqldb.scalar("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())")
    same = "UTC" if server_zone == 0 else None
    other = "Asia/Shanghai" if server_zone != 480 else "UTC"
    checks = findings(ops.run("doctor", "--json", env={"TZ": other}))
    assert checks["timezone"]["status"] == "warn", checks["timezone"]
    assert "the database's clock reads" in checks["timezone"]["message"] and "TZ=" in checks["timezone"]["fix"]
    if same is not None:
        agree = findings(ops.run("doctor", "--json", env={"TZ": same}))
        assert agree["timezone"]["status"] == "ok" and "same clock as the database" in agree["timezone"]["message"]


def test_doctor_locks_held_stale_and_killed_runs(ops: Cli, sdb: ResourceDB) -> None:
    label = Database(sdb.url).label
    lock_dir = ops.home / "state" / "quarkctl" / "locks"
    path = lock_path(lock_dir, "check-links", label)
    with RunLock(path, "check-links"):
        held = findings(ops.run("doctor", "--json"))["lock:check-links"]
    assert held["status"] == "ok" and f"held by pid {os.getpid()}" in held["message"]
    pid = dead_pid()
    path.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "since": "2026-11-29 02:00:00"}))
    checks = findings(ops.run("doctor", "--json"))
    assert checks["lock:check-links"]["status"] == "ok"
    assert checks["lock:check-links"]["message"].startswith(f"stale but harmless: pid {pid}")
    assert checks["last_run:check-links"]["status"] == "warn" and "never run" in checks["last_run:check-links"]["message"]

    engine = sdb.engine()
    with engine.begin() as conn:
        conn.execute(insert(run_history).values(job="check-links", started_at=datetime.now(timezone.utc).replace(tzinfo=None),
                                                status="running", host=socket.gethostname(), pid=pid))
    engine.dispose()
    killed = findings(ops.run("doctor", "--json"))["last_run:check-links"]
    assert killed["status"] == "warn" and "never finished" in killed["message"]


def test_doctor_a_run_that_stopped_happening(db: ResourceDB, tmp_path: Path) -> None:
    """In process, with a clock two days on: the last run is too old."""
    engine = db.engine()
    with engine.begin() as conn:
        conn.execute(insert(run_history).values(job="check-links", started_at=datetime(2026, 11, 1, 18, 0), finished_at=datetime(2026, 11, 1, 18, 5),
                                                status="finished", exit_code=0, host="elsewhere"))
    engine.dispose()
    ctx = doctor.Context(env_file=None, flags={"DATABASE_URL": db.url_text},
                         now=lambda: datetime(2026, 11, 2, 18, 0, tzinfo=timezone.utc))
    ctx.env = {"DATABASE_URL": db.url_text}
    ctx.settings = settings.load(ctx.env, need_cookie=False)
    found = doctor.run_doctor(ctx, (doctor.check_database, doctor.check_tables, doctor.check_runs))
    [last] = [f for f in found if f.name == "last_run:check-links"]
    assert last.status == "ok"
    ctx2 = doctor.Context(env_file=None, flags={}, now=lambda: datetime(2026, 11, 3, 21, 0, tzinfo=timezone.utc))
    ctx2.settings = ctx.settings
    [late] = [f for f in doctor.run_doctor(ctx2, (doctor.check_database, doctor.check_tables, doctor.check_runs))
              if f.name == "last_run:check-links"]
    assert late.status == "warn" and "has not run since" in late.message
    assert doctor.exit_code(late for _ in range(1)) == 0


def test_cron_entries_know_their_next_run() -> None:
    shanghai_morning = datetime(2026, 11, 29, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
    text = "CRON_TZ=Asia/Shanghai\n0 8,18,20 * * * /usr/local/bin/quarkctl autosave --config /etc/q.json\n@daily /usr/local/bin/quarkctl check-links\n"
    entries = {e.job: e for e in schedule_current.cron_entries(text, schedule_targets.JOBS.values(), where="x", system=False, now=shanghai_morning)}
    assert entries["autosave"].next_run == datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)  # 18:00 Shanghai
    assert entries["check-links"].next_run == datetime(2026, 11, 29, 16, 0, tzinfo=timezone.utc)  # midnight Shanghai
    assert schedule_nextrun.cron_next("@reboot", None) is None and schedule_nextrun.cron_next("61 * * * *", "Asia/Shanghai") is None
