"""The connection to the database: the engine and what each new connection gets, the one way a query
reaches it (a driver error becomes DatabaseError), the retry of a run's calls, and the tables' set-up.

The query modules are mixins of `Store`; quarkctl.db.database composes them into `Database`.
"""

from __future__ import annotations

import functools
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, create_engine, event, func, inspect, select
from sqlalchemy.engine import URL, Connection, CursorResult, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from quarkctl.db.retry import DEFAULT_DB_TIMEOUT, LAST_ATTEMPT, DbRetry, GaveUp, is_lost
from quarkctl.db.schema import OWN_TABLES, cloud_resource, metadata
from quarkctl.db.sqlitefile import sqlite_file
from quarkctl.errors import DatabaseError, DatabaseLost
from quarkctl.i18n import _
from quarkctl.redact import redact

Fail = Callable[[BaseException], DatabaseError]

# What every command needs of cloud_resource; any other seed column may be missing (issue 23).
REQUIRED_COLUMNS = ("id", "drama_name", "link", "drive_type", "is_expired")
# Each seed column's definition for ALTER TABLE ... ADD COLUMN: (MySQL, SQLite). SQLite adds no
# PRIMARY KEY column, and a NOT NULL one only with a default.
_SEED_DDL = {
    "id": ("INT NOT NULL AUTO_INCREMENT PRIMARY KEY", "INTEGER"),
    "drama_name": ("VARCHAR(255) NOT NULL DEFAULT ''", "VARCHAR(255) NOT NULL DEFAULT ''"),
    "alias": ("VARCHAR(200) NOT NULL DEFAULT ''", "VARCHAR(200) NOT NULL DEFAULT ''"),
    "category1": ("VARCHAR(100) NOT NULL DEFAULT ''", "VARCHAR(100) NOT NULL DEFAULT ''"),
    "category2": ("VARCHAR(100) NULL", "VARCHAR(100)"),
    "drive_type": ("VARCHAR(50) NOT NULL DEFAULT 'quark'", "VARCHAR(50) NOT NULL DEFAULT 'quark'"),
    "link": ("TEXT NULL", "TEXT"),
    "is_expired": ("TINYINT NOT NULL DEFAULT 1", "TINYINT NOT NULL DEFAULT 1"),
    "view_count": ("INT NOT NULL DEFAULT 0", "INT NOT NULL DEFAULT 0"),
    "share_count": ("INT NOT NULL DEFAULT 0", "INT NOT NULL DEFAULT 0"),
    "hot": ("INT NOT NULL DEFAULT 0", "INT NOT NULL DEFAULT 0"),
    "size": ("VARCHAR(50) NULL", "VARCHAR(50)"),
    "tmdb_id": ("INT NULL", "INT"),
    "last_share_time": ("DATETIME NULL", "DATETIME"),
    "create_time": ("DATETIME NULL", "DATETIME"),
    "update_time": ("DATETIME NULL", "DATETIME"),
}


def driver_reason(exc: BaseException) -> str:
    """A short, password-free reason from a driver error."""
    orig = getattr(exc, "orig", None) or exc
    args: tuple[Any, ...] = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        text = f"({args[0]}) {args[1]}"
    else:
        text = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    return redact(text)


def inserted_id(result: CursorResult[Any]) -> int:
    """The id of the one row an INSERT added (SQLAlchemy types the key optional: other statements have none)."""
    key = result.inserted_primary_key
    assert key is not None, "an INSERT of one row has a primary key"
    return int(key[0])


def resilient(method: Callable[..., Any]) -> Callable[..., Any]:
    """A run's database call (one whole transaction): once the run is under way (`resilient`), a
    lost connection is retried until DB_TIMEOUT, then DatabaseLost (exit 5). Before that, as at
    start-up, the first failure is the error (exit 2)."""

    @functools.wraps(method)
    def call(self: Store, *args: Any, **kwargs: Any) -> Any:
        if not self.resilient:
            return method(self, *args, **kwargs)
        after_loss = False

        def attempt() -> Any:
            nonlocal after_loss
            if self.relock is not None and (after_loss or self._lock_check_due()):
                # The run's server lock may have ended with a lost connection: the run's (after_loss), or the
                # lock's own alone (a KILL, an idle cutter), looked at every LOCK_CHECK_EVERY s (db/serverlock.py).
                self.relock()
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                after_loss = after_loss or bool(getattr(exc, "lost", False))
                raise

        try:
            return self.retry.run(attempt, lost=lambda exc: getattr(exc, "lost", False))
        except GaveUp as gave_up:
            raise DatabaseLost(_("database {url} did not answer within {seconds:g} s (DB_TIMEOUT): {reason}").format(
                url=self.label, seconds=self.timeout, reason=getattr(gave_up.cause, "reason", str(gave_up.cause)))) from None

    return call


LOCK_CHECK_EVERY = 60.0  # seconds between looks at the run's server lock (one round trip on its own connection)


class Store:
    """The engine and its mode (resilient or not, the connection budget), shared by every query mixin."""

    def __init__(self, url: URL, *, default_sqlite: bool = False, timeout: float = DEFAULT_DB_TIMEOUT) -> None:
        self.url = url
        self.default_sqlite = default_sqlite
        self.label = url.render_as_string(hide_password=True)
        self.timeout = timeout  # DB_TIMEOUT: connect, read and write (MySQL), the busy wait (SQLite)
        self._budget = timeout  # what a new connection gets; shorter for the last attempt of a lost run
        self.retry = DbRetry(timeout)
        self.resilient = False  # set when a run starts: from then on a lost connection is retried
        # A dry run on a database that holds only cloud_resource (before `db init`): quarkctl's own
        # tables are not created, and their reads answer as an empty history (issue 23).
        self.history_missing = False
        self._resource_table: Table | None = None  # cloud_resource as this database has it, read once
        # Set by the run's server lock while held: called before a call is tried again after a lost connection,
        # and before a call once every LOCK_CHECK_EVERY seconds of `lock_clock`.
        self.relock: Callable[[], None] | None = None
        self.lock_clock: Callable[[], float] = time.monotonic
        self._lock_checked: float | None = None
        # No pre-ping: a run's calls retry a lost connection themselves, within DB_TIMEOUT (a pre-ping
        # would reconnect with a second full timeout against a frozen server).
        kwargs: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            self._prepare_sqlite_file()
        elif url.get_backend_name() in ("mysql", "mariadb"):
            kwargs["pool_recycle"] = 3600
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except (ArgumentError, NoSuchModuleError, ImportError, ValueError, TypeError) as exc:  # ?read_timeout=abc: int()
            raise DatabaseError(_("database {url}: unsupported or invalid URL: {reason}").format(url=self.label, reason=driver_reason(exc))) from None
        event.listen(self.engine, "do_connect", self._connect_params)
        if self.is_sqlite:
            event.listen(self.engine, "connect", self._sqlite_pragmas)

    def _connect_params(self, dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        """Every new connection gets the current budget (pymysql's own timeouts; sqlite3's busy wait).

        It also makes the connection: a URL's query arguments reach the driver as keyword arguments, and
        a bogus one (`?foo=bar`, `?charset=bogus`, an `ssl_ca` file that is missing) fails there with a
        TypeError, LookupError or OSError that is no SQLAlchemy error: one line and exit 2 (issue 23)."""
        if self.is_sqlite:
            cparams["timeout"] = self._budget
        elif self.url.get_backend_name() in ("mysql", "mariadb"):
            cparams.update(connect_timeout=self._budget, read_timeout=self._budget, write_timeout=self._budget)
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.Error:
            raise  # the driver's own errors: SQLAlchemy wraps them, connection() maps them
        except (TypeError, ValueError, LookupError, AttributeError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise DatabaseError(_("database {url}: the URL's options are not accepted by the driver: {reason}").format(
                url=self.label, reason=redact(reason))) from None

    def _sqlite_pragmas(self, dbapi_connection: Any, record: Any) -> None:
        """WAL: a reader (the user's site, `resources list`) and a run's writes never block each other;
        the busy timeout covers the short exclusive moments that remain (checkpoints, a second writer)."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(self._budget * 1000)}")
            if sqlite_file(self.url) is not None:
                cursor.execute("PRAGMA journal_mode = WAL")  # kept in the file; a no-op once set
        except Exception:  # noqa: BLE001 - a read-only or locked file: the busy timeout still applies
            pass
        finally:
            cursor.close()

    @contextmanager
    def last_attempt(self) -> Iterator[None]:
        """One quick try on fresh connections, no retry: what a lost run still records when the database is back."""
        saved = self.resilient, self._budget
        self.resilient, self._budget = False, min(self.timeout, LAST_ATTEMPT)
        self.engine.dispose()
        try:
            yield
        finally:
            self.resilient, self._budget = saved

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def _prepare_sqlite_file(self) -> None:
        file = sqlite_file(self.url)  # a `file:` URI's own path (issue 23)
        if file is None:
            return
        if self.default_sqlite:
            self._own_sqlite_file(file)
            return
        from quarkctl.safefs import trusted_path

        try:
            # SQLite opens the path as given: a link on the way that another user could have planted (root's
            # cron on a database under a user's folder) is refused before SQLite follows it (issue 23)
            trusted_path(file)
        except OSError:
            pass  # a missing folder: said just below
        if not file.exists():
            raise DatabaseError(_("DATABASE_URL: no such SQLite file: {path}").format(path=file))

    @staticmethod
    def _own_sqlite_file(file: Path) -> None:
        """The embedded database lives in quarkctl's own folder (0700, refused when others may write to it) and
        is created 0600 by quarkctl, never through a planted link: as root, a link there made root create or
        overwrite a file of another user's choosing, and a 0644 file let every user read the links (issue 23)."""
        from quarkctl.safefs import PrivateDir

        with PrivateDir(file.parent) as folder:
            fd = folder.open(file.name, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o600)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise DatabaseError(_("database {path}: not a regular file").format(path=file))
            finally:
                os.close(fd)

    def clock(self) -> datetime | None:
        """The database server's own clock (its NOW(), naive, in its time zone); None for SQLite, which
        keeps this machine's. update_time is written in this machine's local time (db/marking.py)."""
        if self.is_sqlite:
            return None
        with self.connection() as conn:
            value = conn.execute(select(func.now())).scalar()
        return value if isinstance(value, datetime) else None

    def _lock_check_due(self) -> bool:
        now = self.lock_clock()
        if self._lock_checked is not None and now - self._lock_checked < LOCK_CHECK_EVERY:
            return False
        first, self._lock_checked = self._lock_checked is None, now
        return not first  # the lock was taken just before the run's first call

    def _fail(self, exc: BaseException) -> DatabaseError:
        error = DatabaseError(_("database {url}: {reason}").format(url=self.label, reason=driver_reason(exc)))
        error.lost = is_lost(exc)  # type: ignore[attr-defined]  # @resilient retries these
        error.reason = driver_reason(exc)  # type: ignore[attr-defined]
        return error

    @contextmanager
    def connection(self, *, commit: bool = False, fail: Fail | None = None) -> Iterator[Connection]:
        """The one way to the database: a connection, or with `commit` a transaction committed when the
        block ends. Any SQLAlchemy error in the block becomes `fail(exc)` (by default `_fail`: the
        reason, and whether the connection was lost)."""
        try:
            with (self.engine.begin() if commit else self.engine.connect()) as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise (fail or self._fail)(exc) from None

    def close(self) -> None:
        self.engine.dispose()

    # The tables: created where missing, never dropped or altered.

    def _cannot_connect(self, exc: BaseException) -> DatabaseError:
        # The first contact of most commands: not marked lost, so never retried.
        return DatabaseError(_("database {url}: cannot connect: {reason}").format(url=self.label, reason=driver_reason(exc)))

    def existing_tables(self) -> set[str]:
        with self.connection(fail=self._cannot_connect) as conn:
            return set(inspect(conn).get_table_names())

    def create_missing(self, tables: Iterable[Table]) -> list[str]:
        """Create the given tables where missing; never drop or alter. Returns the names created."""
        existing = self.existing_tables()
        missing = [t for t in tables if t.name not in existing]
        if missing:
            with self.connection(commit=True) as conn:
                metadata.create_all(conn, tables=missing, checkfirst=True)
        return [t.name for t in missing]

    def init_schema(self) -> tuple[list[str], list[str]]:
        """`quarkctl db init`: (created, already present)."""
        tables = [cloud_resource, *OWN_TABLES]
        created = self.create_missing(tables)
        return created, [t.name for t in tables if t.name not in created]

    def _job_tables(self) -> list[Table]:
        """What a job creates: its own tables, and cloud_resource too in the embedded default."""
        return [cloud_resource, *OWN_TABLES] if self.default_sqlite else list(OWN_TABLES)

    def _need_resources(self, existing: set[str]) -> None:
        if cloud_resource.name not in existing:
            raise DatabaseError(
                _("database {url}: there is no cloud_resource table (run `quarkctl db init` to create it)").format(url=self.label)
            )

    def resource_table(self) -> Table:
        """cloud_resource as this database has it (issue 23: a user's table often lacks optional seed
        columns, or has its own): quarkctl's mapping of each column present, and the table's own extra
        columns as reflected, in the table's order. Every cloud_resource query is built from it."""
        if self._resource_table is None:
            with self.connection() as conn:  # a lost connection is retried in a run, as any of its reads
                inspector = inspect(conn)
                self._need_resources(set(inspector.get_table_names()))
                found = inspector.get_columns(cloud_resource.name)
            ours = {column.name.lower(): column for column in cloud_resource.columns}
            columns = [
                ours[col["name"].lower()]._copy() if col["name"].lower() in ours
                else Column(col["name"], col["type"], nullable=bool(col.get("nullable", True)))
                for col in found
            ]
            self._resource_table = Table(cloud_resource.name, MetaData(), *columns)
        return self._resource_table

    def need_resource_columns(self) -> Table:
        """The live cloud_resource, or (exit 2) one line naming the first required column it lacks
        and the ALTER TABLE line that adds it, in this database's dialect."""
        for name in REQUIRED_COLUMNS:
            self.need_column(name)
        return self.resource_table()

    def need_column(self, name: str) -> None:
        """Exit 2 naming `name` and its ALTER TABLE line when cloud_resource lacks it."""
        if name not in self.resource_table().c:
            raise DatabaseError(_("database {url}: cloud_resource has no {column} column, which quarkctl needs; add it: {alter}").format(
                url=self.label, column=name, alter=self.add_column_sql(name)))

    def mark_values(self, expired: int, stamp: Any) -> dict[str, Any]:
        """What a mark writes: is_expired, and update_time where the table has one."""
        values: dict[str, Any] = {"is_expired": expired}
        if "update_time" in self.resource_table().c:
            values["update_time"] = stamp
        return values

    def add_column_sql(self, name: str) -> str:
        """The ALTER TABLE line that adds a seed column, as the seed DDL has it (tests/helpers/seed_table.py)."""
        mysql, sqlite = _SEED_DDL[name]
        return f"ALTER TABLE cloud_resource ADD COLUMN {name} {sqlite if self.is_sqlite else mysql};"

    def missing_columns(self, table: Table) -> list[str]:
        """Columns quarkctl maps that the database's table lacks (the table must exist)."""
        with self.connection() as conn:
            present = {col["name"].lower() for col in inspect(conn).get_columns(table.name)}
        return [col.name for col in table.columns if col.name.lower() not in present]
