"""One run per SQLite database, whatever the spelling (issue 23): the lock is the database file's own
(its real path), not the URL's text, so a relative or absolute URL, a symlinked folder, the default
path, the systemd unit's STATE_DIRECTORY or an explicit DATABASE_URL to one file all meet it.

The holder is a process of its own (tests/helpers/hold_lock.py takes the job's lock as a run does);
the second run is the installed command. Every wait is on the holder's "ready" line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from conftest import Cli, ResourceDB, on_database

HELPER = str(Path(__file__).resolve().parents[1] / "helpers" / "hold_lock.py")
FAST = ["--no-pacing", "--retry-backoff", "0"]


@contextmanager
def holding(cli: Cli, job: str, *config: str, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A process holding `job`'s lock, with cli's environment and `env` over it: (process, its ready line)."""
    proc = subprocess.Popen([sys.executable, HELPER, job, *config], env={**cli.env, **(env or {})}, cwd=cli.home,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline()  # blocks until the lock is held: no sleeping
        assert ready.startswith("ready"), ready + proc.stderr.read()
        yield proc, ready
    finally:
        try:
            proc.communicate(timeout=30)  # stdin closed: the holder releases its lock and ends
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def locked(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 75 with one error line naming the holder."""
    assert proc.returncode == 75, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def db(cli: Cli, sqlitedb: ResourceDB) -> ResourceDB:
    return on_database(cli, sqlitedb)  # tmp_path/resources.db, the CLI's home is tmp_path/home


def test_a_relative_and_an_absolute_url_of_one_file_share_the_lock(cli: Cli, db: ResourceDB) -> None:
    with holding(cli, "check-links") as (holder, _):
        second = cli.run("check-links", *FAST, env={"DATABASE_URL": "sqlite:///../resources.db"})  # cwd is the home
    line = locked(second, f"pid {holder.pid}", "another check-links run")
    assert "resources.db.quarkctl-check-links.lock" in line


def test_a_symlinked_folder_leads_to_the_same_lock(cli: Cli, db: ResourceDB, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    via_link = URL.create("sqlite", database=str(tmp_path / "elsewhere" / "resources.db")).render_as_string()
    with holding(cli, "check-links", env={"DATABASE_URL": via_link}) as (holder, _):
        locked(cli.run("check-links", *FAST), f"pid {holder.pid}")


def test_a_hard_link_to_the_database_meets_the_same_run(cli: Cli, db: ResourceDB, tmp_path: Path) -> None:
    """An attacker's review: a second name of the file (`ln`, a `cp -al` backup) has its own sidecar, and two runs
    through two names ran at once. A file of several names is also locked itself (lock.py)."""
    (tmp_path / "other").mkdir()
    os.link(tmp_path / "resources.db", tmp_path / "other" / "resources.db")
    other = URL.create("sqlite", database=str(tmp_path / "other" / "resources.db")).render_as_string()
    with holding(cli, "check-links", env={"DATABASE_URL": other}):
        line = locked(cli.run("check-links", *FAST), "another check-links run")
    assert "hard link" in line
    with holding(cli, "check-links"):  # and the other way round
        locked(cli.run("check-links", *FAST, env={"DATABASE_URL": other}), "hard link")
    alone = cli.run("check-links", *FAST, env={"DATABASE_URL": other})
    assert alone.returncode in (0, 1), alone.stderr  # each name runs when the other is not held


def test_another_lock_folder_meets_the_same_lock(cli: Cli, db: ResourceDB, tmp_path: Path) -> None:
    with holding(cli, "check-links") as (holder, _):
        locked(cli.run("check-links", *FAST, env={"XDG_STATE_HOME": str(tmp_path / "admin-state")}), f"pid {holder.pid}")


def test_the_default_database_by_xdg_by_systemd_and_by_url_is_one(cli: Cli) -> None:
    env = {k: v for k, v in cli.env.items() if k != "DATABASE_URL"}
    cli.env = env
    assert cli.run("db", "init").returncode == 0  # the embedded default: XDG_DATA_HOME/quarkctl/quarkctl.db
    folder = cli.home / "data" / "quarkctl"
    unit = {"STATE_DIRECTORY": str(folder)}  # the systemd unit's StateDirectory= is that folder here
    url = {"DATABASE_URL": URL.create("sqlite", database=str(folder / "quarkctl.db")).render_as_string()}
    with holding(cli, "check-links") as (holder, _):
        locked(cli.run("check-links", *FAST, env=unit), f"pid {holder.pid}")
        locked(cli.run("check-links", *FAST, env=url), f"pid {holder.pid}")
    with holding(cli, "check-links", env=unit) as (holder, _):
        locked(cli.run("check-links", *FAST), f"pid {holder.pid}")
    assert cli.run("check-links", *FAST, env=unit).returncode == 0  # free again


@pytest.mark.parametrize("uri", ["file:{path}?mode=rw&uri=true", "file://{path}?uri=true", "file://localhost{path}?uri=1",
                                 "file:../resources%2Edb?uri=true&cache=private"])
def test_a_sqlite_file_uri_meets_the_plain_paths_lock(cli: Cli, db: ResourceDB, tmp_path: Path, uri: str) -> None:
    """SQLite's own `file:` URIs (`?uri=true`) name the same file: unwrapped before its real path is taken."""
    as_uri = {"DATABASE_URL": "sqlite:///" + uri.format(path=tmp_path / "resources.db")}
    with holding(cli, "check-links") as (holder, _):
        line = locked(cli.run("check-links", *FAST, env=as_uri), f"pid {holder.pid}")
    assert str(tmp_path / "resources.db.quarkctl-check-links.lock") in line
    with holding(cli, "check-links", env=as_uri) as (holder, _):
        locked(cli.run("check-links", *FAST), f"pid {holder.pid}")
    done = cli.run("check-links", *FAST, env=as_uri)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("resources")) == [
        "resources.db", "resources.db.quarkctl-check-links.lock"]  # no file named after the URI's text


def test_other_jobs_and_dry_runs(cli: Cli, db: ResourceDB) -> None:
    with holding(cli, "check-links") as (holder, _):
        locked(cli.run("check-links", *FAST, "--dry-run", env={"DATABASE_URL": "sqlite:///../resources.db"}), f"pid {holder.pid}")
        done = cli.run("resources", "reshare", "--all-expired", "--no-pacing", "--dry-run", env={"DATABASE_URL": "sqlite:///../resources.db"})
        assert done.returncode == 0, done.stdout + done.stderr  # another job's lock is its own


def test_the_lock_ends_with_its_holder(cli: Cli, db: ResourceDB) -> None:
    with holding(cli, "check-links") as (holder, _):
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)  # the kernel drops a dead process's flock with its descriptors
        done = cli.run("check-links", *FAST, env={"DATABASE_URL": "sqlite:///../resources.db"})
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("plant", ["symlink", "hardlink"])
def test_a_planted_lock_beside_the_database_is_refused_and_the_victim_kept(cli: Cli, db: ResourceDB, tmp_path: Path,
                                                                           plant: str) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me\n")
    victim.chmod(0o600)
    sidecar = tmp_path / "resources.db.quarkctl-check-links.lock"
    if plant == "symlink":
        sidecar.symlink_to(victim)
    else:
        os.link(victim, sidecar)
    proc = cli.run("check-links", *FAST)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert str(sidecar) in proc.stderr
    assert victim.read_bytes() == b"keep me\n" and (victim.stat().st_mode & 0o777) == 0o600


def _doctor_lock(cli: Cli) -> dict:
    proc = cli.run("doctor", "--json")
    return {f["name"]: f for f in json.loads(proc.stdout)["checks"]}["lock:check-links"]


def test_doctor_names_a_holder_from_another_lock_folder(cli: Cli, db: ResourceDB, tmp_path: Path) -> None:
    assert _doctor_lock(cli)["message"].startswith("free")
    with holding(cli, "check-links", env={"XDG_STATE_HOME": str(tmp_path / "unit-state")}) as (holder, _):
        line = _doctor_lock(cli)
    assert line["status"] == "ok" and f"held by pid {holder.pid}" in line["message"]
    assert _doctor_lock(cli)["message"].startswith("free")  # the run emptied its file
