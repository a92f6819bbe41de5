"""One run per MySQL/MariaDB database, whatever the spelling: a named lock (GET_LOCK) on the server.

The server knows which database a connection uses, whether it was reached as 127.0.0.1 or localhost,
through DATABASE_URL or DB_*, from a systemd unit or by hand (issue 23). The lock is held by a
connection of the run's own, taken out of the pool, so the server releases it when that connection
ends: the run's end, or its death (a killed process leaves no lock behind).

A connection lost mid-run (the server restarted, the network path gone) ends the lock with it, while
the run rides out the loss (db/retry.py). So before a run's call is tried again after a lost connection
(engine.resilient), relock() makes sure the run still holds its lock: its own connection still holds
it, or a new connection takes it again. If another run took it meanwhile, this run stops as a lost
run does (exit 5, one line naming the holder): it takes no new work and writes, in its last attempt,
only what it has already done (its verdicts, its saves, its own row as aborted), which is not work
the other run repeats. A lock connection that alone is cut while the run's other connections live
(a KILL of that one connection) is noticed at the run's next loss, not before: the lock's connection
never speaks during the run, and a check before every call would double the run's round trips.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from quarkctl.db.engine import Store
from quarkctl.errors import DatabaseError, DatabaseLost, LockedError
from quarkctl.i18n import _

# An idle connection is dropped after wait_timeout (8 hours by default), and its lock with it; the
# lock's connection never speaks during the run, so it asks for the longest wait the server allows.
_IDLE = "SET SESSION wait_timeout = 31536000"


def lock_name(key: str, database: str) -> str:
    """Within GET_LOCK's 64 characters: the job's key (its name, and its shard: check-links and autosave
    on one database, or two hosts' shards, do not exclude each other), readable as far as it fits, and
    a digest of the key and the database's name as the server knows it."""
    digest = hashlib.sha256(f"{key}\0{database}".encode()).hexdigest()[:32]
    return f"quarkctl:{key[:20]}:{digest}"


def _holder_of(conn: Connection, name: str) -> str | None:
    """The holder as the server knows it: its connection id, and the client host it came from
    (PROCESSLIST shows this user's own connections; a process id is not the server's to know).
    None when the lock is free."""
    holder_id: Any = conn.execute(text("SELECT IS_USED_LOCK(:name)"), {"name": name}).scalar()
    if holder_id is None:
        return None
    host = conn.execute(text("SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = :id"), {"id": holder_id}).scalar()
    if host is None:
        return _("connection {id}").format(id=holder_id)
    return _("connection {id} from {host}").format(id=holder_id, host=host)


def holder(store: Store, key: str) -> str | None:
    """Who holds the lock of `key` on this database now (`doctor`), or None; never takes it."""
    with store.connection() as conn:
        database = conn.execute(text("SELECT DATABASE()")).scalar()
        return _holder_of(conn, lock_name(key, str(database)))


class ServerLock:
    def __init__(self, store: Store, job: str, key: str) -> None:
        self.store, self.job, self.key = store, job, key
        self._conn: Connection | None = None
        self._name = ""

    def acquire(self) -> ServerLock:
        holder, name, database = self._take(self.store._cannot_connect)
        if holder is None:
            self.store.relock = self.relock
            return self
        raise LockedError(_("another {job} run is in progress ({holder}); lock: the server's named lock {name} on database {database}")
                          .format(job=self.job, holder=holder, name=name, database=database))

    def relock(self) -> None:
        """After a lost connection: the lock still held, or taken again (module docstring). Raises the
        store's lost DatabaseError while the server is still away (the call is retried), DatabaseLost
        when another run holds the lock now."""
        if self._conn is not None:
            try:
                mine = self._conn.execute(text("SELECT IS_USED_LOCK(:name) = CONNECTION_ID()"), {"name": self._name}).scalar()
                self._conn.commit()
                if mine == 1:
                    return
            except SQLAlchemyError:
                pass  # that connection is gone, and its lock with it
            self._drop()
        holder, _name, database = self._take(self.store._fail)
        if holder is not None:
            raise DatabaseLost(_("database {url}: the {job} lock ended with a lost connection and another run took it ({holder}): "
                                 "this run stops").format(url=self.store.label, job=self.job, holder=holder))

    def _take(self, fail: Callable[[BaseException], DatabaseError]) -> tuple[str | None, str, str]:
        """GET_LOCK on a connection of its own: (None, name, database) when taken and kept, else the holder."""
        try:
            conn = self.store.engine.connect()
        except SQLAlchemyError as exc:
            raise fail(exc) from None
        try:
            conn.detach()  # its own connection: closing it really closes it, and ends the lock
            conn.execute(text(_IDLE))
            database = str(conn.execute(text("SELECT DATABASE()")).scalar())
            name = lock_name(self.key, database)
            got = conn.execute(text("SELECT GET_LOCK(:name, 0)"), {"name": name}).scalar()
            if got == 1:
                conn.commit()  # no transaction stays open for the run; a named lock outlives it
                self._conn, self._name = conn, name
                return None, name, database
            if got is None:
                raise DatabaseError(_("database {url}: {reason}").format(url=self.store.label, reason=f"GET_LOCK('{name}') failed"))
            holder = self._holder(conn, name)
        except SQLAlchemyError as exc:
            conn.close()
            raise self.store._fail(exc) from None
        except BaseException:
            conn.close()
            raise
        conn.close()
        return holder, name, database

    @staticmethod
    def _holder(conn: Connection, name: str) -> str:
        return _holder_of(conn, name) or _("holder unknown")

    def release(self) -> None:
        if self.store.relock == self.relock:
            self.store.relock = None
        self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()  # the server releases the lock with the connection
            except Exception:  # noqa: BLE001 - a lost server has released it already
                pass
