"""--shard's lock rule (quarkctl/lock.py, db/serverlock.py) between real processes, on SQLite and MariaDB, from one
lock folder (one machine) and another: shards 0/2 and 1/2 of one table run at once; a whole run is refused
(exit 75) while a shard runs and a shard while a whole run does; shards of another N are refused too.
Every wait is on a line the running process prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, pwd, share_url
from e2e.test_check_links import read_until
from e2e.test_lock_sqlite import FAST, holding, locked
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
