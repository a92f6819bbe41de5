"""One run per MariaDB database, whatever the spelling (issue 23): a named lock on the server (GET_LOCK),
held by the run's own connection. DATABASE_URL or DB_*, 127.0.0.1 or localhost, TCP or the server's
socket, one lock folder or another: the server knows the database, and the second run exits 75
naming the holder's connection.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from conftest import Cli, ResourceDB, add_valid, on_database, pwd, share_url
from quarkctl.db.serverlock import lock_name
from quarkctl.simulator import Simulator
from e2e.test_lock_sqlite import FAST, holding, locked


@pytest.fixture
def db(cli: Cli, mysqldb: ResourceDB) -> ResourceDB:
    return on_database(cli, mysqldb)  # DATABASE_URL: 127.0.0.1, TCP


def _db_vars(db: ResourceDB, host: str) -> dict[str, str]:
    url = db.url
    return {"DATABASE_URL": "", "DB_HOST": host, "DB_PORT": str(url.port or 3306), "DB_USERNAME": url.username or "",
            "DB_PASSWORD": str(url.password or ""), "DB_DATABASE": url.database or ""}


def _server_socket(db: ResourceDB) -> str | None:
    socket = db.scalar("SELECT @@socket")
    return socket if socket and Path(socket).exists() else None


def _per_user(cli: Cli, env: dict[str, str]) -> tuple[str, Path]:
    """What the per-user lock file is named after: the URL's text, in the lock folder."""
    from quarkctl.config import settings

    full = {**cli.env, **env}
    return settings.load(full, need_cookie=False).database_label, settings.state_dir(full)


def spellings(db: ResourceDB, tmp_path: Path) -> dict[str, dict[str, str]]:
    """The same database, spelt as people and units spell it."""
    local = db.url.set(host="localhost").render_as_string(hide_password=False)
    found = {
        "DB_* 127.0.0.1": _db_vars(db, "127.0.0.1"),
        "DB_* localhost": _db_vars(db, "localhost"),
        "URL localhost": {"DATABASE_URL": local},
        "another lock folder": {"XDG_STATE_HOME": str(tmp_path / "admin-state")},
        "the unit's STATE_DIRECTORY": {"STATE_DIRECTORY": str(tmp_path / "unit-state")},
    }
    socket = _server_socket(db)
    if socket:  # the CI server listens on a socket too: pymysql's `localhost` alone is TCP
        query = {**db.url.query, "unix_socket": socket}
        found["URL unix_socket"] = {"DATABASE_URL": db.url.set(host="localhost", query=query).render_as_string(hide_password=False)}
    return found


def test_every_spelling_of_one_database_meets_the_lock(cli: Cli, db: ResourceDB, tmp_path: Path) -> None:
    ways = spellings(db, tmp_path)
    for held_as, holder_env in (("URL 127.0.0.1", {}), ("DB_* localhost", ways["DB_* localhost"])):
        with holding(cli, "check-links", env=holder_env) as (holder, ready):
            conn_id = ready.split()[1]
            for name, env in ways.items():
                if env == holder_env:
                    continue
                line = locked(cli.run("check-links", *FAST, env=env), "another check-links run")
                # The server names the holder by its connection; a spelling with the holder's very text
                # in the same lock folder meets the per-user lock first, which names its pid.
                assert f"connection {conn_id} from " in line or f"pid {holder.pid} on " in line, (held_as, name, line)
                if _per_user(cli, env) != _per_user(cli, holder_env):
                    assert "named lock" in line, (held_as, name, line)
        assert cli.run("check-links", *FAST, env=ways["DB_* localhost"]).returncode == 0  # free again


def test_a_real_run_in_flight_excludes_another_spelling(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    for n in range(20):
        add_valid(sim, pwd(n))
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(20)])
    running = cli.popen("check-links", "--min-delay", "5", "--max-delay", "5")
    try:
        assert running.stdout is not None
        for line in running.stdout:  # blocks until the run prints: no sleeping
            if "[1/20]" in line:
                break
        locked(cli.run("check-links", *FAST, env=_db_vars(db, "localhost")), "connection ", "named lock")
        locked(cli.run("resources", "revive", *FAST, env=_db_vars(db, "localhost")), "connection ")  # revive is check-links' lock
    finally:
        running.terminate()
        running.wait(timeout=30)


def test_two_hosts_shards_of_one_database_run_side_by_side(cli: Cli, sim: Simulator, db: ResourceDB, tmp_path: Path) -> None:
    for n in range(20):
        add_valid(sim, pwd(n))
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(20)])
    other_host = {**_db_vars(db, "localhost"), "XDG_STATE_HOME": str(tmp_path / "host-b")}  # its own lock folder, as on its own machine
    running = cli.popen("check-links", "--shard", "0/2", "--min-delay", "5", "--max-delay", "5")
    try:
        assert running.stdout is not None
        for line in running.stdout:  # blocks until the run prints: no sleeping
            if "/10]" in line:
                break
        done = cli.run("check-links", *FAST, "--shard", "1/2", env=other_host)
        assert done.returncode == 0, done.stdout + done.stderr
        locked(cli.run("check-links", *FAST, "--shard", "0/2", env=other_host), "connection ", "named lock")
    finally:
        running.terminate()
        running.wait(timeout=30)


def test_check_links_and_autosave_on_one_database_both_run(cli: Cli, db: ResourceDB) -> None:
    from unit.commands.test_autosave import write_config

    config = write_config(cli, [])
    with holding(cli, "check-links"):
        done = cli.run("autosave", "--config", str(config), "--no-pacing", env=_db_vars(db, "localhost"))
        assert done.returncode == 0, done.stdout + done.stderr
    with holding(cli, "autosave", str(config)):
        done = cli.run("check-links", *FAST)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_server_releases_the_lock_when_its_holder_dies(cli: Cli, db: ResourceDB) -> None:
    with holding(cli, "check-links") as (holder, ready):
        conn_id = int(ready.split()[1])
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        # The server ends the connection once it reads its end; wait for that, on the condition itself.
        engine = db.engine()
        deadline = time.monotonic() + 30
        with engine.connect() as conn:
            while conn.execute(text("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = :id"), {"id": conn_id}).scalar():
                assert time.monotonic() < deadline, "the server kept the dead holder's connection"
                conn.commit()
        engine.dispose()
        done = cli.run("check-links", *FAST, env=_db_vars(db, "localhost"))
    assert done.returncode == 0, done.stderr


def test_the_lock_name_fits_get_lock_and_names_its_job() -> None:
    keys = ("check-links", "autosave", "sign", "reshare", "check-links-shard-1-of-3", "check-links-shard-1-of-30")
    names = {lock_name(key, "x" * 64) for key in keys}
    assert len(names) == len(keys) and all(len(name) <= 64 for name in names)
    assert lock_name("check-links", "a") != lock_name("check-links", "b")


def test_doctor_names_the_servers_holder(cli: Cli, db: ResourceDB, tmp_path: Path) -> None:
    from e2e.test_lock_sqlite import _doctor_lock

    with holding(cli, "check-links", env={**_db_vars(db, "localhost"), "XDG_STATE_HOME": str(tmp_path / "unit-state")}) as (_, ready):
        line = _doctor_lock(cli)
    assert line["status"] == "ok" and f"held by connection {ready.split()[1]} from " in line["message"]
    assert _doctor_lock(cli)["message"].startswith("free")


def _after_first_verdict_is_written(running, db: ResourceDB) -> None:
    """Read the run's lines until its first link is done, then wait on the database until that verdict's row
    is written: the run is then in its pause before the next link (--min-delay), writing nothing."""
    assert running.stdout is not None
    for line in running.stdout:  # blocks until the run prints: no sleeping
        if "[1/" in line:
            break
    deadline = time.monotonic() + 30
    while not db.scalar("SELECT COUNT(*) FROM quarkctl_check"):
        assert time.monotonic() < deadline, "the run's first verdict never reached the database"


def _cut_the_runs_connections(conn, db: ResourceDB) -> int:
    """KILL every connection of the run (its lock's and its pool's), as a restarted server or a lost network
    path ends them; returns how many. The test's own connection is spared."""
    ids = conn.execute(text("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = :db AND ID <> CONNECTION_ID()"),
                       {"db": db.url.database}).scalars().all()
    for conn_id in ids:
        conn.execute(text(f"KILL {int(conn_id)}"))
    deadline = time.monotonic() + 30
    while ids and conn.execute(text("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID IN :ids"),
                               {"ids": tuple(ids)}).scalar():  # a KILL ends its connection, and the lock, a moment later
        assert time.monotonic() < deadline, "the server kept the killed connections"
        conn.commit()
    return len(ids)


def _paced_run(cli: Cli, sim: Simulator, db: ResourceDB, n: int = 4):
    for k in range(n):
        add_valid(sim, pwd(k))
    db.seed([{"drama_name": f"r{k}", "link": share_url(pwd(k))} for k in range(n)])
    return cli.popen("check-links", "--min-delay", "4", "--max-delay", "4", "--retry-backoff", "0", "--db-timeout", "20")


@contextmanager
def _lost_run(cli: Cli, sim: Simulator, db: ResourceDB) -> Iterator[tuple[subprocess.Popen[str], Any, str]]:
    """A paced run whose first verdict is in the database: (the run, an engine of the test's, the lock's name);
    the run is killed if a test leaves it running."""
    running = _paced_run(cli, sim, db)
    try:
        _after_first_verdict_is_written(running, db)
        engine = db.engine()
        yield running, engine, lock_name("check-links", str(db.url.database))
        engine.dispose()
    finally:
        if running.poll() is None:
            running.kill()
            running.wait(timeout=30)


def test_a_run_that_lost_its_connection_takes_its_lock_again(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """The server ended the lock with the connection; no one took it meanwhile: the run takes it again at its
    next call and goes on, and a second run is refused as before."""
    with _lost_run(cli, sim, db) as (running, engine, name):
        with engine.connect() as conn:
            assert _cut_the_runs_connections(conn, db) >= 2  # the lock's own and at least one of the pool
            deadline = time.monotonic() + 30
            while conn.execute(text("SELECT IS_USED_LOCK(:n)"), {"n": name}).scalar() is None:  # until the run's next call
                assert time.monotonic() < deadline and running.poll() is None, "the run did not take its lock again"
                conn.commit()
        locked(cli.run("check-links", *FAST, env=_db_vars(db, "localhost")), "connection ", "named lock")
        out, err = running.communicate(timeout=60)
        assert running.returncode == 0, out + err


def test_a_run_whose_lock_another_run_took_while_it_was_lost_stops(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """Another run took the lock while this run's connection was lost: this run stops as a lost run does
    (exit 5, its report's error line naming the holder), checks no further link and records itself aborted;
    the other run keeps its lock."""
    with _lost_run(cli, sim, db) as (running, engine, name):
        with engine.connect() as other:
            _cut_the_runs_connections(other, db)
            assert other.execute(text("SELECT GET_LOCK(:n, 0)"), {"n": name}).scalar() == 1  # the other run
            other_id = other.execute(text("SELECT CONNECTION_ID()")).scalar()
            out, err = running.communicate(timeout=60)
            assert running.returncode == 5, out + err
            lines = [line for line in (out + err).splitlines() if "another run took it" in line]  # the report's lost-database line
            assert len(lines) == 1 and f"connection {other_id} from " in lines[0] and " ERROR " in lines[0], out + err
            assert "Traceback" not in err
            assert other.execute(text("SELECT IS_USED_LOCK(:n) = CONNECTION_ID()"), {"n": name}).scalar() == 1
        assert "[3/" not in out + err  # no new work once the lock was gone
        assert db.scalar("SELECT status FROM quarkctl_run ORDER BY id DESC LIMIT 1") == "aborted"
