"""End to end: the installed `quarkctl` as a subprocess, the simulator as Quark, real databases: what
needs the process (signals, the lock between two runs, a terminal, start-up, .env at launch, the demo).
The rest of check-links' command tests run in process: tests/unit/commands/test_check.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import QUARKCTL, on_database, Cli, ResourceDB, add_valid, pwd, share_url
from quarkctl.simulator import Simulator
from unit.commands.test_check import ANSI, FAST, one_error_line, seed_mix


@pytest.fixture
def db(testdb: ResourceDB, cli: Cli) -> ResourceDB:
    return on_database(cli, testdb)


def test_settings_from_dotenv_never_override_the_environment(cli: Cli, sim: Simulator, tmp_path) -> None:
    (cli.home / ".env").write_text("QUARK_API_BASE=http://127.0.0.1:9\nQUARK_COOKIE=__uid=from-dotenv\nDB_PORT=abc\n")
    # the environment's QUARK_API_BASE and cookie win; DB_PORT comes from .env (and is wrong)
    env = {**cli.env}
    proc = subprocess.run([QUARKCTL, "check-links", *FAST], env={**env, "DB_HOST": "127.0.0.1"}, cwd=cli.home, capture_output=True, text=True)
    one_error_line(proc, 2, "DB_PORT")
    other = tmp_path / "other.env"
    other.write_text("QUARK_COOKIE=__uid=x\n")
    env.pop("QUARK_COOKIE")
    proc = subprocess.run([QUARKCTL, "check-links", *FAST, "--env-file", str(other)], env=env, cwd=cli.home, capture_output=True, text=True)
    assert proc.returncode == 3 and "QUARK_COOKIE" in proc.stdout  # the --env-file cookie was used (and rejected)
    assert sim.requests(endpoint="account")[-1].has_cookie


def read_until(proc: subprocess.Popen[str], needle: str) -> list[str]:
    lines = []
    for line in proc.stdout:  # blocks until the run prints: no sleeping
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} never printed: {lines} {proc.stderr.read()}")


@pytest.fixture
def slow_run(cli: Cli, sim: Simulator, db: ResourceDB):
    for n in range(20):
        add_valid(sim, pwd(n))
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(20)])
    proc = cli.popen("check-links", "--min-delay", "0.3", "--max-delay", "0.3")
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_exit_75_while_another_run_holds_the_lock(cli: Cli, slow_run: subprocess.Popen[str]) -> None:
    read_until(slow_run, "[1/20]")
    second = cli.run("check-links", *FAST)
    one_error_line(second, 75, f"pid {slow_run.pid}")
    slow_run.terminate()
    slow_run.wait()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_mid_run_stops_after_the_link_in_flight(cli: Cli, sim: Simulator, db: ResourceDB, slow_run: subprocess.Popen[str], signum: int, code: int) -> None:
    read_until(slow_run, "[2/20]")
    slow_run.send_signal(signum)
    out, err = slow_run.communicate(timeout=30)
    assert slow_run.returncode == code, err
    assert "Traceback" not in err
    assert "interrupted" in out and "summary: total" in out
    checked = len(sim.requests(endpoint="token"))
    assert 2 <= checked < 20
    assert db.scalar("SELECT status FROM quarkctl_run") == "interrupted"
    assert db.scalar("SELECT exit_code FROM quarkctl_run") == code
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_check") == checked  # every finished verdict was stored
    # the lock is free again, and a stale lock file never blocks
    proc = cli.run("check-links", *FAST, "--limit", "1")
    assert proc.returncode == 0, proc.stderr


def test_rich_progress_on_a_terminal_and_plain_with_no_color(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    seed_mix(sim, db)

    def run_on_pty(extra_env: dict[str, str]) -> str:
        code, screen = cli.on_terminal("check-links", *FAST, env=extra_env)
        assert code == 0
        return screen

    rich = run_on_pty({})
    assert ANSI.search(rich) and "check-links summary" in rich and "死链接" in rich
    plain = run_on_pty({"NO_COLOR": "1"})
    assert not ANSI.search(plain) and "summary: total 2" in plain  # the dead one was marked by the first run


def test_python_dash_m_and_version(cli: Cli) -> None:
    proc = subprocess.run([sys.executable, "-m", "quarkctl", "--version"], capture_output=True, text=True, env=cli.env)
    assert proc.returncode == 0 and proc.stdout.startswith("quarkctl ")


def test_demo_runs_both_jobs_without_an_account(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUARK", "DB_", "DATABASE_URL"))}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"))
    proc = subprocess.run([QUARKCTL, "demo", "--json", "--keep", str(tmp_path / "demo")], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    checked, plan, saved = (json.loads(line) for line in proc.stdout.splitlines())
    assert {r["verdict"] for r in checked["results"]} == {"valid", "expired", "needs_passcode", "empty", "skipped"}
    assert checked["summary"]["errors"] == 0 and checked["summary"]["total"] >= 20
    assert plan["dry_run"] and [t["status"] for t in plan["tasks"]] == ["planned"] * 3
    assert [t["status"] for t in saved["tasks"]] == ["saved"] * 3 and saved["summary"]["files_saved"] == 17
    assert (tmp_path / "demo" / "quark_config.json").is_file()  # --keep keeps the config and the database
    assert not (tmp_path / "data").exists()  # the demo touches nothing but its own folder
