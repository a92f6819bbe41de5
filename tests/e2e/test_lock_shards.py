"""--shard's lock rule (quarkctl/lock.py, db/serverlock.py) between real processes, on SQLite and MariaDB, from one
lock folder (one machine) and another: shards 0/2 and 1/2 of one table run at once; a whole run is refused
(exit 75) while a shard runs and a shard while a whole run does; shards of another N are refused too.
Every wait is on a line the running process prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, pwd, share_url
from e2e.test_check_links import read_until
from e2e.test_lock_sqlite import FAST, HELPER, holding, locked
from quarkctl.simulator import Simulator


@pytest.fixture
def db(testdb: ResourceDB, cli: Cli) -> ResourceDB:
    return on_database(cli, testdb)


def seed(sim: Simulator, db: ResourceDB, n: int = 20) -> None:
    for k in range(n):
        add_valid(sim, pwd(k))
    db.seed([{"drama_name": f"r{k}", "link": share_url(pwd(k))} for k in range(n)])


def holder_named(db: ResourceDB, folder: str) -> str:
    """What the refusal names: the lock file's N of the shards holding it (the per-user file is met first from one
    lock folder), else on MariaDB the server's holder connection."""
    return "--shard runs of 2 parts" if db.url.get_backend_name() == "sqlite" or folder == "one lock folder" else "connection "


@pytest.mark.parametrize("folder", ["one lock folder", "another lock folder"])
def test_two_shards_run_at_once_and_exclude_a_whole_run_and_another_n(cli: Cli, sim: Simulator, db: ResourceDB,
                                                                      tmp_path: Path, folder: str) -> None:
    seed(sim, db)
    other = {} if folder == "one lock folder" else {"XDG_STATE_HOME": str(tmp_path / "host-b")}
    running = cli.popen("check-links", "--shard", "0/2", "--min-delay", "5", "--max-delay", "5")
    try:
        read_until(running, "[1/10]")  # shard 0/2 holds its locks and is pausing
        done = cli.run("check-links", *FAST, "--shard", "1/2", env=other)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "summary: total 10" in done.stdout
        locked(cli.run("check-links", *FAST, env=other), "another check-links run is in progress", holder_named(db, folder))
        locked(cli.run("resources", "revive", *FAST, env=other), "another check-links run")  # revive is a whole run too
        locked(cli.run("check-links", *FAST, "--shard", "1/3", env=other), "another check-links run", holder_named(db, folder))
        locked(cli.run("check-links", *FAST, "--shard", "0/2", env=other), "another check-links run")  # the same shard
    finally:
        running.terminate()
        out, err = running.communicate(timeout=30)
    assert running.returncode == 143, out + err
    done = cli.run("check-links", *FAST)  # every lock ended with its holders
    assert done.returncode == 0, done.stderr
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_run WHERE exit_code = 75") == 0  # a refused run writes no run


def test_a_shard_is_refused_while_a_whole_run_holds_the_table(cli: Cli, db: ResourceDB, tmp_path: Path) -> None:
    with holding(cli, "check-links") as (holder, ready):
        for env in ({}, {"XDG_STATE_HOME": str(tmp_path / "host-b")}):
            line = locked(cli.run("check-links", *FAST, "--shard", "1/2", env=env), "another check-links run is in progress")
            assert f"pid {holder.pid} on " in line or f"connection {ready.split()[-1]} from " in line, line
    with holding(cli, "check-links", "--shard", "0/3"):  # and a shard's lock held by a process of its own
        assert cli.run("check-links", *FAST, "--shard", "2/3").returncode == 0
        locked(cli.run("check-links", *FAST, "--shard", "1/2"), "another check-links run is in progress")


RACERS = [None, (0, 2), (1, 2), (0, 3), (1, 3), (2, 3), None, (1, 2)]


def conflict(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    """The rule on its own (tests/unit/jobs/test_shard_locks.py has the same)."""
    return a is None or b is None or a[1] != b[1] or a[0] == b[0]


@pytest.mark.parametrize("folders", ["one lock folder", "a lock folder each"])
def test_runs_that_try_at_the_same_moment_never_break_the_rule(cli: Cli, db: ResourceDB, tmp_path: Path, folders: str) -> None:
    """Processes opened and waiting, then told to take their locks at once: whoever holds at the end, no two
    conflict, and someone holds (a refusal is only ever for a holder). Each round a different mix starts first."""
    for round_ in range(2):
        specs = RACERS[round_:] + RACERS[:round_]
        procs = []
        try:
            for n, spec in enumerate(specs):
                args = ["check-links", "--on-go"] + (["--shard", f"{spec[0]}/{spec[1]}"] if spec else [])
                env = {**cli.env, **({"XDG_STATE_HOME": str(tmp_path / f"host{n}")} if folders != "one lock folder" else {})}
                procs.append(subprocess.Popen([sys.executable, HELPER, *args], env=env, cwd=cli.home, stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            for proc in procs:
                assert proc.stdout is not None and proc.stdout.readline() == "set\n", proc.stderr
            for proc in procs:  # as close together as the test can send them
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            answers = [proc.stdout.readline().split(" ")[0].strip() for proc in procs if proc.stdout is not None]
            assert set(answers) <= {"ready", "locked"}, answers
            holders = [spec for spec, answer in zip(specs, answers) if answer == "ready"]
            assert holders, answers
            assert not [(a, b) for i, a in enumerate(holders) for b in holders[i + 1:] if conflict(a, b)], holders
        finally:
            for proc in procs:
                try:
                    proc.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()
