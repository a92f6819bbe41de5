"""A MySQL run's lock connection cut alone (a KILL, a proxy's idle timeout) while the run's other connections live
(db/serverlock.py, db/engine.py): the run looks at its lock once every LOCK_CHECK_EVERY seconds before a call, takes
it again when it is free, else stops (DatabaseLost, exit 5). A real MariaDB; the look's clock is injected."""

from __future__ import annotations

import socket

import pytest

from quarkctl.db.engine import LOCK_CHECK_EVERY
from quarkctl.db.serverlock import ServerLock
from quarkctl.errors import DatabaseLost, LockedError
from tests.conftest import ResourceDB
from tests.unit.jobs.test_shard_locks import _kill


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def running(mysqldb: ResourceDB, clock: Clock):  # type: ignore[no-untyped-def]
    mysqldb.create_schema()
    db = mysqldb.database()
    db.lock_clock = clock
    lock = ServerLock(db, "check-links").acquire()
    db.resilient = True  # the run is under way
    db.count_candidates()  # its first call
    return db, lock


def test_a_lock_connection_killed_alone_is_taken_again_at_the_next_look(mysqldb: ResourceDB) -> None:
    clock = Clock()
    db, lock = running(mysqldb, clock)
    other = mysqldb.database()
    try:
        assert lock._conn is not None
        _kill(mysqldb, lock._conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar())
        clock.now += LOCK_CHECK_EVERY - 1
        db.count_candidates()  # not yet looked at
        assert lock._conn is not None and lock._conn.invalidated is False
        clock.now += 1
        db.count_candidates()  # looked at: taken again
        with pytest.raises(LockedError):
            ServerLock(other, "check-links").acquire()
    finally:
        lock.release()
        db.close()
        other.close()


def test_a_run_whose_lock_another_took_meanwhile_stops(mysqldb: ResourceDB) -> None:
    clock = Clock()
    db, lock = running(mysqldb, clock)
    other = mysqldb.database()
    try:
        assert lock._conn is not None
        _kill(mysqldb, lock._conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar())
        second = ServerLock(other, "check-links").acquire()  # in the window before the first run looks
        try:
            clock.now += LOCK_CHECK_EVERY
            with pytest.raises(DatabaseLost, match="another run took it"):
                db.count_candidates()
        finally:
            second.release()
    finally:
        lock.release()
        db.close()
        other.close()


def test_the_lock_connection_has_tcp_keepalive(mysqldb: ResourceDB) -> None:
    db = mysqldb.database()
    lock = ServerLock(db, "check-links").acquire()
    try:
        assert lock._conn is not None
        sock = lock._conn.connection.dbapi_connection._sock  # type: ignore[union-attr]
        if sock.family == socket.AF_UNIX:
            pytest.skip("the test server is reached through a Unix socket: no TCP")
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 60
    finally:
        lock.release()
        db.close()
