"""Root's cron and the owner's own runs of one SQLite database or autosave config (issue 23): they
exclude each other, and neither is refused for the other's lock file; a file planted beside the
database by another user is still refused, unchanged (lock.py's docstring has the rule).

Root is this test; the owner is `nobody`, run through tests/helpers/as_user.py. The holder of a lock
is tests/helpers/hold_lock.py, waited for on its "ready" line; the second run is the installed command.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from conftest import QUARKCTL, Cli, ResourceDB
from e2e.test_lock_sqlite import FAST, HELPER, locked
from helpers import as_user
from helpers.victim import plant_victim, untouched
from unit.commands.test_autosave import write_config

pytestmark = pytest.mark.skipif(as_user.available() is not None, reason=str(as_user.available()))


@dataclass
class Side:
    """One user's side: the environment its runs get, and how its commands start."""

    env: dict[str, str]
    cwd: Path
    stage: Path | None = None  # set for the owner: its commands run through as_user

    def argv(self, argv: list[str]) -> list[str]:
        return as_user.command(argv, self.stage) if self.stage is not None else argv

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert QUARKCTL is not None
        return subprocess.run(self.argv([QUARKCTL, *args]), env=self.env, cwd=self.cwd, capture_output=True, text=True, timeout=60)

    @contextmanager
    def holding(self, job: str, *config: str) -> Iterator[subprocess.Popen[str]]:
        proc = subprocess.Popen(self.argv([sys.executable, HELPER, job, *config]), env=self.env, cwd=self.cwd,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None and proc.stderr is not None
            ready = proc.stdout.readline()  # blocks until the lock is held: no sleeping
            assert ready.startswith("ready"), ready + proc.stderr.read()
            yield proc
        finally:
            proc.communicate(timeout=30)  # stdin closed: the holder releases its lock and ends


@pytest.fixture
def world() -> Iterator[Path]:
    """A folder every user may pass through (pytest's own folder is root's alone)."""
    base = Path(tempfile.mkdtemp(prefix="quarkctl-users-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base)


def _side(cli: Cli, home: Path, stage: Path | None) -> Side:
    env = {**cli.env, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CACHE_HOME": str(home / "cache")}
    return Side(env, home, stage)


@pytest.fixture
def sides(cli: Cli, world: Path) -> tuple[Side, Side]:
    """(root, owner): each with a home of its own."""
    root_home = world / "root-home"
    root_home.mkdir(mode=0o700)
    owner_home = as_user.user_folder(world, "owner-home", 0o700)
    return _side(cli, root_home, None), _side(cli, owner_home, as_user.user_folder(world, "stage"))


def _owners_database(folder: Path, mode: int = 0o600) -> tuple[Path, str]:
    path = folder / "resources.db"
    db = ResourceDB(URL.create("sqlite", database=str(path)), "sqlite")
    path.touch()
    db.create_schema()
    os.chown(path, as_user.USER, as_user.GROUP)
    path.chmod(mode)
    return path, db.url_text


def _on(sides: tuple[Side, Side], url: str) -> None:
    for side in sides:
        side.env["DATABASE_URL"] = url


def test_root_and_the_owner_exclude_each_other_and_each_runs_alone(sides: tuple[Side, Side], world: Path) -> None:
    root, owner = sides
    path, url = _owners_database(as_user.user_folder(world, "site"))
    _on(sides, url)
    sidecar = path.with_name("resources.db.quarkctl-check-links.lock")
    with root.holding("check-links") as holder:  # root's cron first
        locked(owner.run("check-links", *FAST), f"pid {holder.pid}", "another check-links run", str(sidecar))
    info = sidecar.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (as_user.USER, as_user.GROUP, 0o600)  # the database's
    alone = owner.run("check-links", *FAST)
    assert alone.returncode == 0, alone.stderr
    with owner.holding("check-links") as holder:  # the owner's manual run first
        locked(root.run("check-links", *FAST), f"pid {holder.pid}", "another check-links run")
    alone = root.run("check-links", *FAST)
    assert alone.returncode == 0, alone.stderr
    assert sidecar.stat().st_uid == as_user.USER and sidecar.read_bytes() == b""  # released, still the owner's


def test_the_lock_keeps_the_databases_read_bits(sides: tuple[Side, Side], world: Path) -> None:
    root, _owner = sides
    path, url = _owners_database(as_user.user_folder(world, "site"), 0o640)
    _on(sides, url)
    assert root.run("check-links", *FAST).returncode == 0
    sidecar = path.with_name("resources.db.quarkctl-check-links.lock")
    assert stat.S_IMODE(sidecar.stat().st_mode) == 0o640  # readable as the database, writable by its owner alone


def test_a_user_who_may_only_read_the_lock_takes_it_too(sides: tuple[Side, Side], world: Path) -> None:
    """root's database, writable by all in a sticky folder: its lock is root's and 0644, which another user
    opens read-only; flock needs no more, so the two runs still exclude each other."""
    root, user = sides
    shared = _shared_folder(world)
    url = _roots_database(shared)
    (shared / "resources.db").chmod(0o666)
    _on(sides, url)
    sidecar = shared / "resources.db.quarkctl-check-links.lock"
    with root.holding("check-links") as holder:
        locked(user.run("check-links", *FAST), f"pid {holder.pid}")
    assert (sidecar.stat().st_uid, stat.S_IMODE(sidecar.stat().st_mode)) == (0, 0o644)
    with user.holding("check-links"):
        locked(root.run("check-links", *FAST), "holder unknown")  # a reader cannot write its name
    done = user.run("check-links", *FAST)
    assert done.returncode == 0, done.stderr
    assert sidecar.read_bytes() == b""


def test_an_older_root_lock_is_given_to_the_owner_by_roots_next_run(sides: tuple[Side, Side], world: Path) -> None:
    root, owner = sides
    path, url = _owners_database(as_user.user_folder(world, "site"))
    _on(sides, url)
    sidecar = path.with_name("resources.db.quarkctl-check-links.lock")
    sidecar.touch(mode=0o600)  # as an earlier quarkctl left it: root's own, 0600, empty
    refused = owner.run("check-links", *FAST)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert str(sidecar) in refused.stderr and "remove it" in refused.stderr
    assert root.run("check-links", *FAST).returncode == 0
    assert sidecar.stat().st_uid == as_user.USER
    done = owner.run("check-links", *FAST)
    assert done.returncode == 0, done.stderr


def test_root_and_the_owner_of_one_autosave_config_exclude_each_other(cli: Cli, sides: tuple[Side, Side], world: Path) -> None:
    root, owner = sides
    folder = as_user.user_folder(world, "configs")
    config = folder / "quark_config.json"
    shutil.copyfile(write_config(cli, []), config)
    os.chown(config, as_user.USER, as_user.GROUP)
    config.chmod(0o600)
    for side in sides:  # each its own database: the config alone is shared
        side.env["DATABASE_URL"] = URL.create("sqlite", database=str(Path(side.env["XDG_DATA_HOME"]) / "own.db")).render_as_string()
    for side in sides:
        assert side.run("db", "init").returncode == 0
    with root.holding("autosave", str(config)) as holder:
        locked(owner.run("autosave", "--config", str(config), "--no-pacing"), f"pid {holder.pid}", "another autosave run")
    with owner.holding("autosave", str(config)) as holder:
        locked(root.run("autosave", "--config", str(config), "--no-pacing"), f"pid {holder.pid}", "another autosave run")
    for side in sides:
        done = side.run("autosave", "--config", str(config), "--no-pacing")
        assert done.returncode == 0, done.stdout + done.stderr
    assert config.stat().st_uid == as_user.USER


def _shared_folder(world: Path) -> Path:
    shared = world / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp
    return shared


def _roots_database(folder: Path) -> str:
    path = folder / "resources.db"
    path.touch(mode=0o600)
    db = ResourceDB(URL.create("sqlite", database=str(path)), "sqlite")
    db.create_schema()
    return db.url_text


def test_a_link_planted_beside_roots_database_is_refused_and_the_victim_kept(sides: tuple[Side, Side], world: Path) -> None:
    root, _owner = sides
    shared = _shared_folder(world)
    root.env["DATABASE_URL"] = _roots_database(shared)
    victim = plant_victim(world)
    planted = shared / "resources.db.quarkctl-check-links.lock"
    planted.symlink_to(victim)
    os.lchown(planted, as_user.USER, as_user.GROUP)
    proc = root.run("check-links", *FAST)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert untouched(victim)


def test_a_file_of_another_user_beside_roots_database_is_refused_and_kept(sides: tuple[Side, Side], world: Path) -> None:
    root, _owner = sides
    shared = _shared_folder(world)
    root.env["DATABASE_URL"] = _roots_database(shared)
    planted = shared / "resources.db.quarkctl-check-links.lock"
    planted.write_bytes(b'{"pid": 1, "host": "\\u001b]0;owned\\u0007", "since": "never"}')
    os.chown(planted, as_user.USER, as_user.GROUP)  # nobody's, in a folder nobody may write to
    before = planted.read_bytes()
    proc = root.run("check-links", *FAST)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert str(planted) in proc.stderr and "not a lock file quarkctl made" in proc.stderr
    assert planted.read_bytes() == before and planted.stat().st_uid == as_user.USER


def test_a_link_planted_above_the_state_folder_is_not_followed(sides: tuple[Side, Side], world: Path) -> None:
    """An attacker's review: PrivateDir made its missing parents with mkdir(parents=True), through a link
    another user planted in a sticky folder, so root made quarkctl's folders wherever it pointed."""
    root, _owner = sides
    shared = _shared_folder(world)
    elsewhere = as_user.user_folder(world, "elsewhere")
    planted = shared / "state"
    planted.symlink_to(elsewhere)
    os.lchown(planted, as_user.USER, as_user.GROUP)
    root.env["DATABASE_URL"] = _roots_database(world)
    root.env["XDG_STATE_HOME"] = str(planted / "deeper")
    proc = root.run("check-links", *FAST)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "symbolic link in a folder others may write to" in proc.stderr and str(planted) in proc.stderr
    assert list(elsewhere.iterdir()) == []
