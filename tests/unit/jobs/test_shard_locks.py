"""--shard's lock rule (quarkctl/lock.py, db/serverlock.py): a whole run and any shard of one table exclude each
other; shards of one N and different K run side by side; the same shard twice, or shards of different N, exclude
each other. Real lock files and a real MariaDB (each lock its own descriptor or connection, as separate
processes would have); tests/e2e/test_lock_shards.py runs the installed command against them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from quarkctl.db.database import Database
from quarkctl.db.serverlock import MAX_SHARDS as SERVER_SLOTS, ServerLock
from quarkctl.checker.options import MAX_SHARDS
from quarkctl.errors import DatabaseLost, LockedError
from quarkctl.jobs.frame import job_lock
from quarkctl.lock import Locks
from tests.conftest import ResourceDB

Spec = tuple[int, int] | None  # None: the whole table


def conflict(a: Spec, b: Spec) -> bool:
    """The rule, written out on its own: whole runs conflict with everything; shards when N differs or K is the same."""
    if a is None or b is None:
        return True
    return a[1] != b[1] or a[0] == b[0]


SPECS = st.sampled_from([None, (0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)])
TAKE = st.tuples(st.just("take"), SPECS)
STEPS = st.lists(st.one_of(TAKE, TAKE, TAKE, st.tuples(st.just("drop"), st.integers(0, 5))), min_size=2, max_size=16)
# The cases the rule is about, whatever the draw: two shards of one N; another N; the whole run both ways;
# a shard set that ends, then another N.
CASES = [
    [("take", (0, 2)), ("take", (1, 2)), ("take", None), ("take", (0, 3)), ("take", (0, 2))],
    [("take", (1, 3)), ("take", (0, 2)), ("take", (2, 3)), ("take", (1, 2))],
    [("take", None), ("take", (0, 2)), ("drop", 0), ("take", (0, 2)), ("take", (1, 2))],
    [("take", (0, 2)), ("take", (1, 2)), ("drop", 0), ("take", (0, 3)), ("drop", 0), ("take", (0, 3)), ("take", (1, 3))],
]


def with_cases(test):  # type: ignore[no-untyped-def]
    for case in CASES:
        test = example(steps=case)(test)
    return test


def play(db: Database, lock_dir: Path, steps: list[tuple[str, object]], *, hosts: bool) -> None:
    """Takes and drops locks in the given order; each take must succeed exactly when the rule allows it.
    `hosts`: each take from a lock folder of its own (another machine), so only the database's own lock decides."""
    held: list[tuple[Spec, Locks]] = []
    try:
        for n, (what, arg) in enumerate(steps):
            if what == "drop":
                if held:
                    held.pop(int(arg) % len(held))[1].release()  # type: ignore[call-overload]
                continue
            spec: Spec = arg  # type: ignore[assignment]
            allowed = not any(conflict(spec, other) for other, _ in held)
            lock = job_lock(lock_dir / (f"host{n}" if hosts else "host"), "check-links", db, spec)
            try:
                lock.acquire()
            except LockedError as exc:
                assert not allowed, (spec, [s for s, _ in held], str(exc))
                assert "another check-links run is in progress" in str(exc)
                continue
            assert allowed, (spec, [s for s, _ in held])
            held.append((spec, lock))
    finally:
        for _, lock in held:
            lock.release()


@pytest.mark.parametrize("hosts", [False, True], ids=["one host", "hosts"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
@with_cases
def test_files_keep_the_rule_in_any_order(sqlitedb: ResourceDB, tmp_path: Path, hosts: bool, steps: list[tuple[str, object]]) -> None:
    db = sqlitedb.database()
    try:
        play(db, tmp_path / "locks", steps, hosts=hosts)
    finally:
        db.close()


@pytest.mark.parametrize("hosts", [False, True], ids=["one host", "hosts"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
@with_cases
def test_the_server_keeps_the_rule_in_any_order(mysqldb: ResourceDB, tmp_path: Path, hosts: bool, steps: list[tuple[str, object]]) -> None:
    db = mysqldb.database()
    try:
        play(db, tmp_path / "locks", steps, hosts=hosts)
    finally:
        db.close()


def test_the_refusals_name_what_holds_the_table(sqlitedb: ResourceDB, tmp_path: Path) -> None:
    db = sqlitedb.database()
    try:
        with job_lock(tmp_path / "a", "check-links", db, (0, 2)):
            with pytest.raises(LockedError, match=r"--shard runs of 2 parts.*quarkctl-check-links\.lock"):
                job_lock(tmp_path / "b", "check-links", db).acquire()  # the whole table, from another lock folder
            with pytest.raises(LockedError, match=r"--shard runs of 2 parts"):
                job_lock(tmp_path / "b", "check-links", db, (1, 3)).acquire()
            with pytest.raises(LockedError, match=r"pid \d+ on .*quarkctl-check-links-shard-0-of-2\.lock"):
                job_lock(tmp_path / "b", "check-links", db, (0, 2)).acquire()
            job_lock(tmp_path / "b", "check-links", db, (1, 2)).acquire().release()
            job_lock(tmp_path / "b", "reshare", db, None).acquire().release()  # another job's lock is its own
        with job_lock(tmp_path / "a", "check-links", db):
            with pytest.raises(LockedError, match=r"pid \d+ on "):
                job_lock(tmp_path / "b", "check-links", db, (1, 2)).acquire()
        job_lock(tmp_path / "b", "check-links", db, (0, 3)).acquire().release()  # the last N is no hold of its own
    finally:
        db.close()


def test_the_server_names_the_holders_connection(mysqldb: ResourceDB, tmp_path: Path) -> None:
    db = mysqldb.database()
    try:
        with job_lock(tmp_path / "a", "check-links", db, (1, 2)):
            with pytest.raises(LockedError, match=r"connection \d+ from .*named lock"):
                job_lock(tmp_path / "b", "check-links", db).acquire()
            with pytest.raises(LockedError, match=r"connection \d+ from "):
                job_lock(tmp_path / "b", "check-links", db, (0, 3)).acquire()
        with job_lock(tmp_path / "a", "check-links", db):
            with pytest.raises(LockedError, match=r"connection \d+ from "):
                job_lock(tmp_path / "b", "check-links", db, (1, 2)).acquire()
    finally:
        db.close()


def test_every_n_the_options_allow_has_a_slot_on_the_server(mysqldb: ResourceDB, tmp_path: Path) -> None:
    assert MAX_SHARDS == SERVER_SLOTS
    db = mysqldb.database()
    try:
        with job_lock(tmp_path / "a", "check-links", db, (MAX_SHARDS - 1, MAX_SHARDS)):
            with pytest.raises(LockedError):  # the last slot is looked at too
                job_lock(tmp_path / "b", "check-links", db).acquire()
    finally:
        db.close()


def _kill(db: ResourceDB, conn_id: int) -> None:
    """KILL the connection, as a restarted server or a lost network path ends it; waits on the server until it is gone."""
    engine = db.engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f"KILL {int(conn_id)}"))
            deadline = time.monotonic() + 30
            while conn.execute(text("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = :id"), {"id": conn_id}).scalar():
                assert time.monotonic() < deadline, "the server kept the killed connection"
                conn.commit()
    finally:
        engine.dispose()


def test_a_shard_that_lost_its_connection_takes_its_locks_again_or_stops(mysqldb: ResourceDB) -> None:
    """db/serverlock.py relock() with a shard: the gate, the slot and the own name again; a whole run that took the
    table meanwhile ends the shard's run (DatabaseLost, exit 5)."""
    db = mysqldb.database()
    shard = ServerLock(db, "check-links", (1, 2)).acquire()
    try:
        assert shard._conn is not None
        _kill(mysqldb, shard._conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar())
        shard.relock()  # free meanwhile: taken again, on a new connection
        with pytest.raises(LockedError):
            ServerLock(db, "check-links").acquire()  # and it holds the table again
        ServerLock(db, "check-links", (0, 2)).acquire().release()  # the other shard still runs beside it
        assert shard._conn is not None
        _kill(mysqldb, shard._conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar())
        whole = ServerLock(db, "check-links").acquire()  # a whole run took the table while the shard was lost
        try:
            with pytest.raises(DatabaseLost, match="another run took it"):
                shard.relock()
        finally:
            whole.release()
    finally:
        shard.release()
        db.close()
