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
(a KILL of that one connection, a proxy's or firewall's idle timeout) is noticed by the same relock(),
run before a call of the run once every LOCK_CHECK_EVERY seconds (db/engine.py: one round trip a
minute, not one a call): the lock is taken again when it is free, else the run stops as above. TCP
keepalive on the lock's connection keeps an idle-connection cutter from ending it in the first place.
"""

from __future__ import annotations

import hashlib
import socket
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


# TCP keepalive on the lock's connection, which never speaks during the run: a probe after 60 s of silence,
# so a NAT or firewall that drops idle connections sees traffic; a dead peer is noticed after 3 unanswered.
_KEEPALIVE = (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 20), ("TCP_KEEPCNT", 3))


def _keep_alive(conn: Connection) -> None:
    """On the driver's socket (PyMySQL's `_sock`); a driver or platform without it is left as it is."""
    sock = getattr(conn.connection.dbapi_connection, "_sock", None)
    if not isinstance(sock, socket.socket) or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in _KEEPALIVE:
            if hasattr(socket, name):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    except OSError:
        pass


def lock_name(key: str, database: str) -> str:
    """Within GET_LOCK's 64 characters: the job's key (its name, and its shard: check-links and autosave
    on one database, or two hosts' shards, do not exclude each other), readable as far as it fits, and
    a digest of the key and the database's name as the server knows it."""
    digest = hashlib.sha256(f"{key}\0{database}".encode()).hexdigest()[:32]
    return f"quarkctl:{key[:20]}:{digest}"


MAX_SHARDS = 256  # checker/options.py's bound on --shard's N: a whole run looks at every shard's slot in one query
GATE_WAIT = 10  # seconds: the gate is held for a few queries


class _Names:
    """The job's named locks on one database: the whole run's (the job's key), a shard's own, its slot, the gate."""

    def __init__(self, job: str, database: str) -> None:
        self.job, self.database = job, database
        self.whole = lock_name(job, database)
        self.gate = lock_name(f"{job}-gate", database)

    def own(self, k: int, n: int) -> str:
        return lock_name(f"{self.job}-shard-{k}-of-{n}", self.database)

    def slot(self, k: int) -> str:
        return lock_name(f"{self.job}-slot-{k}", self.database)


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
    """The run's named lock (`shard`: lock.py's rule of --shard K/N). A whole run holds the job's name, a shard its
    own (the names older releases used) and slot K; the server has no shared lock, so each takes its locks
    and looks at the others' under a gate of the job's, held a moment: a whole run is refused while any slot
    is held, a shard while the whole run's name is, or a slot whose holder is no shard of its N."""

    def __init__(self, store: Store, job: str, shard: tuple[int, int] | None = None) -> None:
        self.store, self.job, self.shard = store, job, shard
        self._conn: Connection | None = None
        self._name = ""
        self._slot = ""

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
        """The locks on a connection of its own: (None, name, database) when taken and kept, else the holder."""
        try:
            conn = self.store.engine.connect()
        except SQLAlchemyError as exc:
            raise fail(exc) from None
        try:
            conn.detach()  # its own connection: closing it really closes it, and ends the lock
            _keep_alive(conn)
            conn.execute(text(_IDLE))
            database = str(conn.execute(text("SELECT DATABASE()")).scalar())
            names = _Names(self.job, database)
            holder: str | None
            if not self._get(conn, names.gate, GATE_WAIT):
                holder, name = _("another run taking its lock for more than {n} s").format(n=GATE_WAIT), names.gate
            else:
                try:
                    holder, name = self._take_under_gate(conn, names)
                finally:
                    conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": names.gate})
            if holder is None:
                conn.commit()  # no transaction stays open for the run; a named lock outlives it
                self._conn, self._name = conn, name
                self._slot = names.slot(self.shard[0]) if self.shard else ""
                return None, name, database
        except SQLAlchemyError as exc:
            conn.close()
            raise self.store._fail(exc) from None
        except BaseException:
            conn.close()
            raise
        conn.close()  # and every lock it took
        return holder, name, database

    def _take_under_gate(self, conn: Connection, names: _Names) -> tuple[str | None, str]:
        """(None, the run's own name) when its locks are taken, else (the holder, the name it holds)."""
        slots = conn.execute(text("SELECT " + ", ".join(f"IS_USED_LOCK(:s{i})" for i in range(MAX_SHARDS))),
                             {f"s{i}": names.slot(i) for i in range(MAX_SHARDS)}).one()
        if self.shard is None:
            if not self._get(conn, names.whole):
                return self._holder(conn, names.whole), names.whole
            held = next((i for i, who in enumerate(slots) if who is not None), None)
            return (None, names.whole) if held is None else (self._holder(conn, names.slot(held)), names.slot(held))
        k, n = self.shard
        own = names.own(k, n)
        if not self._get(conn, own):
            return self._holder(conn, own), own
        if (whole := _holder_of(conn, names.whole)) is not None:
            return whole, names.whole
        for i, who in enumerate(slots):  # another shard of this N holds slot i and its own name i/N
            if who is not None and (i >= n or conn.execute(text("SELECT IS_USED_LOCK(:name)"), {"name": names.own(i, n)}).scalar() != who):
                return self._holder(conn, names.slot(i)), names.slot(i)
        if not self._get(conn, names.slot(k)):  # free a moment ago, and every taker passes the gate
            return self._holder(conn, names.slot(k)), names.slot(k)
        return None, own

    def _get(self, conn: Connection, name: str, wait: int = 0) -> bool:
        got = conn.execute(text("SELECT GET_LOCK(:name, :wait)"), {"name": name, "wait": wait}).scalar()
        if got is None:
            raise DatabaseError(_("database {url}: {reason}").format(url=self.store.label, reason=f"GET_LOCK('{name}') failed"))
        return bool(got == 1)

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
                if self._slot:  # the slot first: while it is held, so is the shard's own name (_take_under_gate)
                    conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": self._slot})
                conn.close()  # the server releases the lock with the connection
            except Exception:  # noqa: BLE001 - a lost server has released it already
                pass
