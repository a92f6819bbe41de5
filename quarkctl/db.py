"""The database layer: the only module that knows SQL and its dialects.

`cloud_resource` belongs to the user's existing system: quarkctl maps it exactly and never alters its
schema. The jobs only ever write `is_expired` and `update_time`; rows are added, edited or removed
only by `quarkctl resources`, at the user's request. quarkctl's own state lives in `quarkctl_*` tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    bindparam,
    case,
    create_engine,
    delete,
    event,
    func,
    inspect,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import URL, Engine, Dialect
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from quarkctl.dbretry import DEFAULT_DB_TIMEOUT, LAST_ATTEMPT, DbRetry, GaveUp, is_lost
from quarkctl.errors import DatabaseError, DatabaseLost
from quarkctl.i18n import _
from quarkctl.redact import redact

metadata = MetaData()


MYSQL_TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_engine": "InnoDB"}


@event.listens_for(metadata, "before_create")
def _mysql_table_options(target: MetaData, connection: Any, tables: Sequence[Table] = (), **_kw: Any) -> None:
    """utf8mb4 and InnoDB for every table quarkctl creates on MySQL/MariaDB, set as it is created:
    named in Table(...) they make SQLAlchemy load its mysql dialect package at import (~80 ms, all of
    its drivers) on every start, SQLite or not."""
    if connection.dialect.name in ("mysql", "mariadb"):
        for table in tables or target.sorted_tables:
            table.dialect_kwargs.update(MYSQL_TABLE_OPTIONS)


class TinyFlag(TypeDecorator):  # type: ignore[type-arg]
    """TINYINT on MySQL/MariaDB (the existing schema), SMALLINT elsewhere. Importing SQLAlchemy's mysql
    dialect package loads all its drivers (asyncio with aiomysql: ~50 ms), so only a MySQL run does."""

    impl = SmallInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            from sqlalchemy.dialects.mysql import TINYINT

            return dialect.type_descriptor(TINYINT())
        return dialect.type_descriptor(SmallInteger())


# Exactly the existing MySQL schema (the system quarkctl serves created it).
cloud_resource = Table(
    "cloud_resource",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("drama_name", String(255), nullable=False, server_default=""),
    Column("alias", String(200), nullable=False, server_default=""),
    Column("category1", String(100), nullable=False, server_default=""),
    Column("category2", String(100), nullable=True),
    Column("drive_type", String(50), nullable=False),
    Column("link", Text, nullable=True),
    Column("is_expired", TinyFlag(), nullable=False, server_default="1"),
    Column("view_count", Integer, nullable=False, server_default="0"),
    Column("share_count", Integer, nullable=False, server_default="0"),
    Column("hot", Integer, nullable=False, server_default="0"),
    Column("size", String(50), nullable=True),
    Column("tmdb_id", Integer, nullable=True),
    Column("last_share_time", DateTime, nullable=True),
    Column("create_time", DateTime, nullable=True),
    Column("update_time", DateTime, nullable=True),
    UniqueConstraint("drama_name", "drive_type", name="uk_drama_drive"),
)

_BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only

# One row per job run (times are UTC).
run_history = Table(
    "quarkctl_run",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("job", String(32), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(16), nullable=False),  # running | finished | aborted | interrupted
    Column("exit_code", Integer, nullable=True),
    Column("host", String(255), nullable=False, server_default=""),
    Column("pid", Integer, nullable=True),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("valid", Integer, nullable=False, server_default="0"),
    Column("expired", Integer, nullable=False, server_default="0"),
    Column("needs_passcode", Integer, nullable=False, server_default="0"),
    Column("errors", Integer, nullable=False, server_default="0"),
    Column("skipped", Integer, nullable=False, server_default="0"),
    Column("detail", Text, nullable=True),  # JSON: options, abort reason
    Index("ix_quarkctl_run_job_started", "job", "started_at"),
)

# One row per link check (times are UTC).
check_history = Table(
    "quarkctl_check",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=True),
    Column("resource_id", Integer, nullable=False),
    Column("checked_at", DateTime, nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("reason", String(64), nullable=False, server_default=""),
    Column("api_code", Integer, nullable=True),
    Column("http_status", Integer, nullable=True),
    Column("message", String(255), nullable=True),
    Index("ix_quarkctl_check_resource", "resource_id", "checked_at"),
    Index("ix_quarkctl_check_run", "run_id"),
)

# autosave: one row per task per run (times UTC); the saved-files ledger; the share URL each ban was for.
autosave_task_history = Table(
    "quarkctl_autosave_task",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=True),
    Column("task_index", Integer, nullable=False),
    Column("taskname", String(255), nullable=False, server_default=""),
    Column("status", String(20), nullable=False),
    Column("reason", String(64), nullable=False, server_default=""),
    Column("message", String(255), nullable=True),
    Column("files_saved", Integer, nullable=False, server_default="0"),
    Column("detail", Text, nullable=True),  # JSON: added tree, problems
    Index("ix_quarkctl_autosave_task_run", "run_id"),
)

saved_ledger = Table(
    "quarkctl_saved",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("task_hash", String(64), nullable=False),  # sha256 of the task key: long names fit any index
    Column("taskname", String(255), nullable=False, server_default=""),
    Column("pwd_id", String(64), nullable=False, server_default=""),
    Column("source_fid", String(64), nullable=False),
    Column("source_name", String(255), nullable=False, server_default=""),
    Column("saved_name", String(255), nullable=False, server_default=""),
    Column("saved_at", DateTime, nullable=False),
    Index("ix_quarkctl_saved_task", "task_hash", "source_fid"),
)

task_bans = Table(
    "quarkctl_ban",
    metadata,
    Column("task_hash", String(64), primary_key=True),
    Column("taskname", String(255), nullable=False, server_default=""),
    Column("shareurl", Text, nullable=False),
    Column("message", String(255), nullable=True),
    Column("banned_at", DateTime, nullable=False),
)

# Issue 16: a task's last run that listed its share, clean (every wanted file saved or present) for
# these filter settings; only then may its share listing stop paging early (transfer.py _enough).
scan_marker = Table(
    "quarkctl_scan",
    metadata,
    Column("task_hash", String(64), primary_key=True),
    Column("taskname", String(255), nullable=False, server_default=""),
    Column("filters_hash", String(64), nullable=False),
    Column("clean", SmallInteger, nullable=False, server_default="0"),
    Column("updated_at", DateTime, nullable=False),
)

AUTOSAVE_TABLES = (run_history, autosave_task_history, saved_ledger, task_bans, scan_marker)
OWN_TABLES = (run_history, check_history, autosave_task_history, saved_ledger, task_bans, scan_marker)
HISTORY_FLUSH_EVERY = 50  # non-dead verdicts are buffered; dead ones commit at once
SHARE_DRIVE = "quark"  # cloud_resource.drive_type of Quark rows (compared lower-cased)
SAME_SHARE_REASON = "same_share"  # the check record of a row marked because another row of its share was dead


@dataclass(frozen=True)
class ResourceRow:
    id: int
    name: str
    link: str | None
    is_expired: bool
    last_checked: datetime | None = None  # naive UTC; read only for --max-age runs (the keyset's first half)


@dataclass(frozen=True)
class Selection:
    """Which candidate rows a run takes beyond the scope: `--shard K/N` and `--max-age`."""

    shard: tuple[int, int] | None = None  # (K, N): only rows with id % N == K
    checked_before: datetime | None = None  # aware; only rows whose last check is older (or none)


# The last check of a row never checked: sorts first, and one value keeps the keyset simple.
NEVER_CHECKED = datetime(1970, 1, 1)


@dataclass(frozen=True)
class CheckRecord:
    """One verdict to store: what db.py needs of a check result, nothing more."""

    resource_id: int
    checked_at: datetime  # aware
    verdict: str
    reason: str
    api_code: int | None = None
    http_status: int | None = None
    message: str | None = None
    link: str | None = None  # not stored: names the row in a report of what could not be written


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _local_naive(moment: datetime) -> datetime:
    # cloud_resource.update_time is local wall time, as the system that owns the table writes it.
    return moment.astimezone().replace(tzinfo=None)


def _reason(exc: BaseException) -> str:
    """A short, password-free reason from a driver error."""
    orig = getattr(exc, "orig", None) or exc
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        text = f"({args[0]}) {args[1]}"
    else:
        text = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    return redact(text)


def _resilient(method: Callable[..., Any]) -> Callable[..., Any]:
    """A run's database call (one whole transaction): once the run is under way (`resilient`), a
    lost connection is retried until DB_TIMEOUT, then DatabaseLost (exit 5). Before that, as at
    start-up, the first failure is the error (exit 2)."""

    @functools.wraps(method)
    def call(self: Database, *args: Any, **kwargs: Any) -> Any:
        if not self.resilient:
            return method(self, *args, **kwargs)
        try:
            return self.retry.run(lambda: method(self, *args, **kwargs), lost=lambda exc: getattr(exc, "lost", False))
        except GaveUp as gave_up:
            raise DatabaseLost(_("database {url} did not answer within {seconds:g} s (DB_TIMEOUT): {reason}").format(
                url=self.label, seconds=self.timeout, reason=getattr(gave_up.cause, "reason", str(gave_up.cause)))) from None

    return call


class Database:
    def __init__(self, url: URL, *, default_sqlite: bool = False, timeout: float = DEFAULT_DB_TIMEOUT) -> None:
        self.url = url
        self.default_sqlite = default_sqlite
        self.label = url.render_as_string(hide_password=True)
        self.timeout = timeout  # DB_TIMEOUT: connect, read and write (MySQL), the busy wait (SQLite)
        self._budget = timeout  # what a new connection gets; shorter for the last attempt of a lost run
        self.retry = DbRetry(timeout)
        self.resilient = False  # set when a run starts: from then on a lost connection is retried
        self._pending: list[dict[str, Any]] = []
        self._pending_records: list[CheckRecord] = []  # the same rows, for a report when they cannot be written
        # No pre-ping: a run's calls retry a lost connection themselves, within DB_TIMEOUT (a pre-ping
        # would reconnect with a second full timeout against a frozen server).
        kwargs: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            self._prepare_sqlite_file()
        elif url.get_backend_name() in ("mysql", "mariadb"):
            kwargs["pool_recycle"] = 3600
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise DatabaseError(_("database {url}: unsupported or invalid URL: {reason}").format(url=self.label, reason=_reason(exc))) from None
        event.listen(self.engine, "do_connect", self._connect_params)
        if self.is_sqlite:
            event.listen(self.engine, "connect", self._sqlite_pragmas)

    def _connect_params(self, dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        """Every new connection gets the current budget (pymysql's own timeouts; sqlite3's busy wait)."""
        if self.is_sqlite:
            cparams["timeout"] = self._budget
        elif self.url.get_backend_name() in ("mysql", "mariadb"):
            cparams.update(connect_timeout=self._budget, read_timeout=self._budget, write_timeout=self._budget)

    def _sqlite_pragmas(self, dbapi_connection: Any, record: Any) -> None:
        """WAL: a reader (the user's site, `resources list`) and a run's writes never block each other;
        the busy timeout covers the short exclusive moments that remain (checkpoints, a second writer)."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(self._budget * 1000)}")
            if self.url.database and self.url.database != ":memory:":
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

    def pending_checks(self) -> list[CheckRecord]:
        """The check records held in memory, not yet written."""
        return list(self._pending_records)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def _prepare_sqlite_file(self) -> None:
        path = self.url.database
        if not path or path == ":memory:":
            return
        file = Path(path)
        if self.default_sqlite:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(_("database {path}: cannot create its folder: {reason}").format(path=file, reason=exc.strerror)) from None
        elif not file.exists():
            raise DatabaseError(_("DATABASE_URL: no such SQLite file: {path}").format(path=file))

    def _fail(self, exc: BaseException) -> DatabaseError:
        error = DatabaseError(_("database {url}: {reason}").format(url=self.label, reason=_reason(exc)))
        error.lost = is_lost(exc)  # type: ignore[attr-defined]  # _resilient retries these
        error.reason = _reason(exc)  # type: ignore[attr-defined]
        return error

    def close(self) -> None:
        self.engine.dispose()

    # -- schema ---------------------------------------------------------------------------

    def existing_tables(self) -> set[str]:
        try:
            with self.engine.connect() as conn:
                return set(inspect(conn).get_table_names())
        except SQLAlchemyError as exc:
            raise DatabaseError(
                _("database {url}: cannot connect: {reason}").format(url=self.label, reason=_reason(exc))
            ) from None

    def create_missing(self, tables: Iterable[Table]) -> list[str]:
        """Create the given tables where missing; never drop or alter. Returns the names created."""
        existing = self.existing_tables()
        missing = [t for t in tables if t.name not in existing]
        if missing:
            try:
                metadata.create_all(self.engine, tables=missing, checkfirst=True)
            except SQLAlchemyError as exc:
                raise self._fail(exc) from None
        return [t.name for t in missing]

    def init_schema(self) -> tuple[list[str], list[str]]:
        """`quarkctl db init`: (created, already present)."""
        tables = [cloud_resource, *OWN_TABLES]
        created = self.create_missing(tables)
        return created, [t.name for t in tables if t.name not in created]

    def prepare_for_check(self, *, dry_run: bool) -> None:
        """Make sure the tables a check run needs are there (the embedded default is created whole)."""
        tables = [cloud_resource, *OWN_TABLES] if self.default_sqlite else list(OWN_TABLES)
        if dry_run:
            existing = self.existing_tables()
        else:
            self.create_missing(tables)
            existing = {t.name for t in tables} | self.existing_tables()
        if cloud_resource.name not in existing:
            raise DatabaseError(
                _("database {url}: there is no cloud_resource table (run `quarkctl db init` to create it)").format(url=self.label)
            )

    # -- resources ------------------------------------------------------------------------

    def _candidates(self, scope: str) -> list[Any]:
        """scope: "active" (is_expired 0, check-links), "all" (--recheck-expired), "expired" (resources revive)."""
        cond = [cloud_resource.c.link.is_not(None), cloud_resource.c.link != ""]
        if scope == "active":
            cond.append(cloud_resource.c.is_expired == 0)
        elif scope == "expired":
            cond.append(cloud_resource.c.is_expired == 1)
        elif scope != "all":
            raise ValueError(f"unknown scope {scope!r}")
        return cond

    @staticmethod
    def _scope(include_expired: bool, scope: str | None) -> str:
        return scope or ("all" if include_expired else "active")

    @staticmethod
    def _last_checked() -> Any:
        """A row's newest quarkctl_check time, NEVER_CHECKED when none: one index seek per row
        (ix_quarkctl_check_resource), so quarkctl keeps no state of its own between runs."""
        h = check_history.c
        newest = select(func.max(h.checked_at)).where(h.resource_id == cloud_resource.c.id).correlate(cloud_resource).scalar_subquery()
        return func.coalesce(newest, NEVER_CHECKED, type_=DateTime)

    def _selected(self, include_expired: bool, scope: str | None, selection: Selection | None) -> list[Any]:
        cond = self._candidates(self._scope(include_expired, scope))
        if selection and selection.shard:
            k, n = selection.shard
            cond.append(cloud_resource.c.id % n == k)
        if selection and selection.checked_before:
            cond.append(self._last_checked() < _utc_naive(selection.checked_before))
        return cond

    @_resilient
    def count_candidates(self, *, include_expired: bool = False, scope: str | None = None, selection: Selection | None = None) -> int:
        query = select(func.count()).select_from(cloud_resource).where(*self._selected(include_expired, scope, selection))
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(query).scalar_one())
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def fetch_batch(
        self,
        after_id: int,
        size: int,
        *,
        include_expired: bool = False,
        scope: str | None = None,
        selection: Selection | None = None,
        after_checked: datetime | None = None,
    ) -> list[ResourceRow]:
        """Keyset pagination: rows marked during the run cannot shift the window (OFFSET would).

        With `selection.checked_before` (--max-age) rows come least recently checked first, never
        checked first of all, and the keyset is (last check, id): pass the last row's `last_checked`
        and id. A row checked during the run gets a time after the cutoff and leaves the selection,
        so no row is skipped or repeated.
        """
        c = cloud_resource.c
        cond = self._selected(include_expired, scope, selection)
        if selection and selection.checked_before:
            last = self._last_checked()
            inner = select(c.id, c.drama_name, c.link, c.is_expired, last.label("last_checked")).where(*cond).subquery("candidate")
            t = inner.c
            after = after_checked or NEVER_CHECKED
            query = (
                select(inner)
                .where(or_(t.last_checked > after, and_(t.last_checked == after, t.id > after_id)))
                .order_by(t.last_checked, t.id)
                .limit(size)
            )
        else:
            query = select(c.id, c.drama_name, c.link, c.is_expired).where(c.id > after_id, *cond).order_by(c.id).limit(size)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        if selection and selection.checked_before:
            return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired), r.last_checked) for r in rows]
        return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired)) for r in rows]

    @_resilient
    def set_expired(self, resource_id: int, expired: bool, now: datetime) -> bool:
        """Flip is_expired (and update_time) only if it is not already so; True when the row changed."""
        c = cloud_resource.c
        query = (
            update(cloud_resource)
            .where(c.id == resource_id, c.is_expired == (0 if expired else 1))
            .values(is_expired=1 if expired else 0, update_time=_local_naive(now))
        )
        try:
            with self.engine.begin() as conn:
                return conn.execute(query).rowcount > 0
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def expire_share(
        self, run_id: int | None, record: CheckRecord, *, pwd_id: str, same_share: Callable[[str | None], bool], dry_run: bool = False
    ) -> tuple[bool, list[ResourceRow]]:
        """Mark `record`'s row expired and, in the same transaction, every other candidate row that
        holds the same share: not yet expired, drive_type quark, a link naming `pwd_id`. The link is
        free text, so a LIKE finds the candidates and `same_share` confirms each (a LIKE alone never
        marks). Every row marked gets its check record, the others with reason "same_share" and the
        evidence of `record`. Returns (the row itself changed, the other rows marked); with `dry_run`
        the other rows are found and nothing is written."""
        c = cloud_resource.c
        found = (
            select(c.id, c.drama_name, c.link)
            .where(c.is_expired == 0, func.lower(c.drive_type) == SHARE_DRIVE, c.id != record.resource_id,
                   c.link.contains(f"/s/{pwd_id}", autoescape=True))
            .order_by(c.id)
        )
        stamp = _local_naive(record.checked_at)
        try:
            with self.engine.begin() as conn:
                others = [ResourceRow(r.id, r.drama_name, r.link, False) for r in conn.execute(found) if same_share(r.link)]
                if dry_run:
                    return False, others
                mark = update(cloud_resource).values(is_expired=1, update_time=stamp)
                # Only the link that was checked: a row whose link changed meanwhile (edited by its owner,
                # re-shared by this run) keeps its new link's state.
                same_link = [c.link == record.link] if record.link is not None else []
                changed = conn.execute(mark.where(c.id == record.resource_id, c.is_expired == 0, *same_link)).rowcount > 0
                ids = [row.id for row in others]
                for start in range(0, len(ids), 500):
                    conn.execute(mark.where(c.id.in_(ids[start : start + 500]), c.is_expired == 0))
                checks = [self._check_values(run_id, record)] + [
                    self._check_values(run_id, replace(record, resource_id=i, reason=SAME_SHARE_REASON)) for i in ids
                ]
                conn.execute(insert(check_history), self._pending + checks)
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        self._pending, self._pending_records = [], []  # only once committed: a failed write keeps them
        return changed, others

    @_resilient
    def empty_since(self, resource_id: int) -> datetime | None:
        """When the row's unbroken streak of `empty` sightings began (aware UTC), None when its last
        sighting was not empty. A check that saw nothing (error, skipped) neither extends nor breaks it."""
        h = check_history.c
        breaker = (select(func.max(h.id)).where(h.resource_id == resource_id, h.verdict.not_in(("empty", "error", "skipped")))
                   .scalar_subquery())
        query = select(func.min(h.checked_at)).where(h.resource_id == resource_id, h.verdict == "empty",
                                                     h.id > func.coalesce(breaker, 0))
        try:
            with self.engine.connect() as conn:
                first = conn.execute(query).scalar()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        return self._utc_aware(first)

    # -- resource management (`quarkctl resources`) ---------------------------------------

    def prepare_for_resources(self) -> bool:
        """cloud_resource must be there (the embedded default is created whole).

        True when quarkctl's check history is there too, so listings can show the last verdict.
        """
        if self.default_sqlite:
            self.create_missing([cloud_resource, *OWN_TABLES])
        existing = self.existing_tables()
        if cloud_resource.name not in existing:
            raise DatabaseError(
                _("database {url}: there is no cloud_resource table (run `quarkctl db init` to create it)").format(url=self.label)
            )
        return check_history.name in existing

    @staticmethod
    def resource_columns() -> dict[str, tuple[str, int | None, int | None, bool]]:
        """What each cloud_resource column takes, in table order: (kind "text" | "int" | "datetime",
        most characters, most UTF-8 bytes (MySQL's TEXT), nullable). Imports validate against it,
        so the database never truncates a value or refuses one half-way through."""
        spec: dict[str, tuple[str, int | None, int | None, bool]] = {}
        for column in cloud_resource.columns:
            kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
            if isinstance(kind, Text):
                spec[column.name] = ("text", None, 65535, bool(column.nullable))
            elif isinstance(kind, String):
                spec[column.name] = ("text", kind.length, None, bool(column.nullable))
            elif isinstance(kind, Integer):
                spec[column.name] = ("int", None, None, bool(column.nullable))
            elif isinstance(kind, DateTime):
                spec[column.name] = ("datetime", None, None, bool(column.nullable))
        return spec

    def resource_key(self, name: str, drive_type: str) -> tuple[str, str]:
        """The unique key (drama_name, drive_type) as the database compares it: MySQL's usual
        collations ignore case, SQLite's BINARY does not."""
        if self.is_sqlite:
            return name, drive_type
        return name.casefold(), drive_type.casefold()

    @staticmethod
    def _resource_where(status: str, search: str | None, drive_type: str | None) -> list[Any]:
        c = cloud_resource.c
        cond: list[Any] = []
        if status == "valid":
            cond.append(c.is_expired == 0)
        elif status == "expired":
            cond.append(c.is_expired == 1)
        elif status != "all":
            raise ValueError(f"unknown status {status!r}")
        if drive_type:
            cond.append(c.drive_type == drive_type)
        if search:
            cond.append(or_(*(col.contains(search, autoescape=True) for col in (c.drama_name, c.alias, c.link))))
        return cond

    @staticmethod
    def _with_last_check(history: bool) -> Any:
        """cloud_resource with its newest quarkctl_check row (max id: times tie within a second)."""
        if not history:
            return select(cloud_resource)
        latest = check_history.alias("latest_check")
        last_id = (
            select(func.max(latest.c.id)).where(latest.c.resource_id == cloud_resource.c.id).correlate(cloud_resource).scalar_subquery()
        )
        h = check_history.c
        return select(
            cloud_resource, h.verdict.label("last_verdict"), h.reason.label("last_reason"), h.checked_at.label("last_checked_at")
        ).select_from(cloud_resource.outerjoin(check_history, h.id == last_id))

    @staticmethod
    def _resource_dict(row: Any) -> dict[str, Any]:
        values = dict(row._mapping)
        for key in ("last_verdict", "last_reason"):
            values.setdefault(key, None)
        checked = values.get("last_checked_at")
        values["last_checked_at"] = checked.replace(tzinfo=timezone.utc) if checked else None
        return values

    def list_resources(
        self,
        *,
        status: str = "all",
        search: str | None = None,
        drive_type: str | None = None,
        sort: str = "id",
        descending: bool = False,
        limit: int | None = None,
        history: bool = True,
    ) -> list[dict[str, Any]]:
        """Rows (every cloud_resource column) and their last verdict, in one query."""
        c = cloud_resource.c
        sorts = {"id": c.id, "name": c.drama_name, "drive": c.drive_type, "status": c.is_expired,
                 "created": c.create_time, "updated": c.update_time}
        if history:
            sorts["checked"] = check_history.c.checked_at
        column = sorts.get(sort, c.id)
        order = [column.desc() if descending else column.asc()]
        if column is not c.id:
            order.append(c.id.desc() if descending else c.id.asc())
        query = self._with_last_check(history).where(*self._resource_where(status, search, drive_type)).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        try:
            with self.engine.connect() as conn:
                return [self._resource_dict(r) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def iter_resources(
        self, *, status: str = "all", search: str | None = None, drive_type: str | None = None, batch_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every matching row in id order, read in keyset batches (an export never holds the table)."""
        c = cloud_resource.c
        cond = self._resource_where(status, search, drive_type)
        after = 0
        while True:
            query = select(cloud_resource).where(c.id > after, *cond).order_by(c.id).limit(batch_size)
            try:
                with self.engine.connect() as conn:
                    rows = [dict(r._mapping) for r in conn.execute(query)]
            except SQLAlchemyError as exc:
                raise self._fail(exc) from None
            yield from rows
            if len(rows) < batch_size:
                return
            after = rows[-1]["id"]

    def get_resources(self, ids: Sequence[int], *, history: bool = True) -> dict[int, dict[str, Any]]:
        query = self._with_last_check(history).where(cloud_resource.c.id.in_(sorted(set(ids))))
        try:
            with self.engine.connect() as conn:
                return {r.id: self._resource_dict(r) for r in conn.execute(query)}
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def checks_of(self, resource_id: int, *, limit: int | None = None) -> list[dict[str, Any]]:
        """The resource's check history, newest first; checked_at is aware UTC."""
        h = check_history.c
        query = select(check_history).where(h.resource_id == resource_id).order_by(h.id.desc())
        if limit is not None:
            query = query.limit(limit)
        try:
            with self.engine.connect() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        for row in rows:
            row["checked_at"] = row["checked_at"].replace(tzinfo=timezone.utc)
        return rows

    def _existing_ids(self, conn: Any, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], int]:
        """Ids of the rows already stored under the given keys; the database compares, in chunks."""
        c = cloud_resource.c
        by_drive: dict[str, set[str]] = {}
        for row in rows:
            by_drive.setdefault(row["drive_type"], set()).add(row["drama_name"])
        found: dict[tuple[str, str], int] = {}
        for drive, names in by_drive.items():
            ordered = sorted(names)
            for start in range(0, len(ordered), 500):
                query = select(c.id, c.drama_name, c.drive_type).where(c.drive_type == drive, c.drama_name.in_(ordered[start : start + 500]))
                for r in conn.execute(query):
                    found[self.resource_key(r.drama_name, r.drive_type)] = r.id
        return found

    @staticmethod
    def _grouped(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
        """executemany needs one set of columns per statement."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(sorted(row)), []).append(row)
        return groups

    def write_resources(
        self, rows: Sequence[dict[str, Any]], *, on_existing: str, now: datetime, dry_run: bool = False
    ) -> list[tuple[str, int | None]]:
        """Insert rows, or update those whose (drama_name, drive_type) exists, in one transaction.

        Each row holds only the columns it gives, always drama_name and drive_type. A row whose key
        exists is updated (on_existing "update"), left alone ("skip"), or ("error") nothing at all is
        written. Returns (action, id) per row, action insert | update | skip | conflict (id None for
        rows inserted in bulk). New rows get is_expired 0 unless given (the column's default 1 would
        hide them from check-links) and create_time/update_time now; an update that changes the link
        sets is_expired 0 unless given, since the new link has not been checked.
        """
        c = cloud_resource.c
        stamp = _local_naive(now).replace(microsecond=0)  # as MySQL's DATETIME keeps it
        try:
            with self.engine.begin() as conn:
                found = self._existing_ids(conn, rows)
                ids = [found.get(self.resource_key(row["drama_name"], row["drive_type"])) for row in rows]
                taken = {"update": "update", "skip": "skip"}.get(on_existing, "conflict")
                actions: list[tuple[str, int | None]] = [(taken, i) if i is not None else ("insert", None) for i in ids]
                if dry_run or any(action == "conflict" for action, _id in actions):
                    return actions
                inserts = [
                    (n, {"is_expired": 0, "create_time": stamp, "update_time": stamp, **row})
                    for n, (row, (action, _id)) in enumerate(zip(rows, actions))
                    if action == "insert"
                ]
                if len(inserts) == 1:  # `resources add`: the caller wants the new id
                    n, values = inserts[0]
                    actions[n] = ("insert", int(conn.execute(insert(cloud_resource).values(**values)).inserted_primary_key[0]))
                else:
                    for group in self._grouped(values for _n, values in inserts).values():
                        conn.execute(insert(cloud_resource), group)
                changes = []
                for row, (action, row_id) in zip(rows, actions):
                    if action == "update":
                        values = {k: v for k, v in row.items() if k not in ("drama_name", "drive_type")}
                        changes.append({"update_time": stamp, **values, "_id": row_id})
                for keys, group in self._grouped(changes).items():
                    assignments: list[tuple[Any, Any]] = []
                    if "link" in keys and "is_expired" not in keys:  # before link: MySQL assigns left to right
                        assignments.append((c.is_expired, case((c.link == bindparam("v_link"), c.is_expired), else_=0)))
                    assignments += [(c[k], bindparam(f"v_{k}")) for k in keys if k != "_id"]
                    statement = update(cloud_resource).where(c.id == bindparam("v__id")).ordered_values(*assignments)
                    conn.execute(statement, [{f"v_{k}": v for k, v in change.items()} for change in group])
                return actions
        except IntegrityError as exc:
            raise DatabaseError(
                _("database {url}: a row clashes with one already stored (the database compares names its own way); nothing was written: {reason}").format(
                    url=self.label, reason=_reason(exc)
                )
            ) from None
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def set_resources_expired(self, ids: Sequence[int], *, expired: bool, now: datetime) -> tuple[list[int], list[int]]:
        """(changed ids, missing ids). When an id is missing nothing is written."""
        c = cloud_resource.c
        wanted = sorted(set(ids))
        target = 1 if expired else 0
        try:
            with self.engine.begin() as conn:
                current = {r.id: r.is_expired for r in conn.execute(select(c.id, c.is_expired).where(c.id.in_(wanted)))}
                missing = [i for i in wanted if i not in current]
                if missing:
                    return [], missing
                changed = [i for i in wanted if current[i] != target]
                if changed:
                    conn.execute(update(cloud_resource).where(c.id.in_(changed)).values(is_expired=target, update_time=_local_naive(now)))
                return changed, []
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def delete_resources(self, ids: Sequence[int], *, history: bool) -> tuple[list[int], list[int]]:
        """(deleted ids, missing ids), with their check history (SQLite may hand a freed id to a
        new row, which must not inherit it). When an id is missing nothing is deleted."""
        c = cloud_resource.c
        wanted = sorted(set(ids))
        try:
            with self.engine.begin() as conn:
                present = set(conn.execute(select(c.id).where(c.id.in_(wanted))).scalars())
                missing = [i for i in wanted if i not in present]
                if missing:
                    return [], missing
                conn.execute(delete(cloud_resource).where(c.id.in_(wanted)))
                if history:
                    conn.execute(delete(check_history).where(check_history.c.resource_id.in_(wanted)))
                return wanted, []
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    # -- history --------------------------------------------------------------------------

    @staticmethod
    def _check_values(run_id: int | None, record: CheckRecord) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "resource_id": record.resource_id,
            "checked_at": _utc_naive(record.checked_at),
            "verdict": record.verdict,
            "reason": record.reason[:64],
            "api_code": record.api_code,
            "http_status": record.http_status,
            "message": (record.message or None) and record.message[:255],
        }

    def add_check(self, run_id: int | None, record: CheckRecord, *, flush: bool = False) -> None:
        self._pending.append(self._check_values(run_id, record))
        self._pending_records.append(record)
        if flush or len(self._pending) >= HISTORY_FLUSH_EVERY:
            self.flush_checks()

    @_resilient
    def flush_checks(self) -> None:
        if not self._pending:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(check_history), self._pending)
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        self._pending, self._pending_records = [], []  # only once committed: a failed write keeps them

    @_resilient
    def start_run(self, job: str, started_at: datetime, detail: dict[str, Any]) -> int:
        values = {
            "job": job,
            "started_at": _utc_naive(started_at),
            "status": "running",
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "detail": json.dumps(detail, ensure_ascii=False),
        }
        try:
            with self.engine.begin() as conn:
                return int(conn.execute(insert(run_history).values(**values)).inserted_primary_key[0])
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def finish_run(self, run_id: int, finished_at: datetime, *, status: str, exit_code: int, counts: dict[str, int], detail: dict[str, Any]) -> None:
        values = {
            "finished_at": _utc_naive(finished_at),
            "status": status,
            "exit_code": exit_code,
            "detail": json.dumps(detail, ensure_ascii=False),
            **{k: counts.get(k, 0) for k in ("total", "valid", "expired", "needs_passcode", "errors", "skipped")},
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(update(run_history).where(run_history.c.id == run_id).values(**values))
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    # -- autosave: task results, the saved-files ledger, bans ------------------------------------

    def prepare_for_autosave(self, *, dry_run: bool) -> None:
        if not dry_run:
            self.create_missing(AUTOSAVE_TABLES)

    @staticmethod
    def _hash(task_key: str) -> str:
        return hashlib.sha256(task_key.encode()).hexdigest()

    @_resilient
    def add_task_results(self, run_id: int, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        values = [
            {**row, "run_id": run_id, "taskname": row["taskname"][:255], "reason": row["reason"][:64],
             "message": (row.get("message") or None) and row["message"][:255],
             "detail": json.dumps(row.get("detail") or {}, ensure_ascii=False)}
            for row in rows
        ]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(autosave_task_history), values)
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def run_tasks(self, run_id: int) -> list[dict[str, Any]]:
        t = autosave_task_history.c
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(select(autosave_task_history).where(t.run_id == run_id).order_by(t.task_index))
                return [{**row._asdict(), "detail": json.loads(row.detail or "{}")} for row in rows]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def ledger_fids(self, task_key: str) -> set[str]:
        c = saved_ledger.c
        try:
            with self.engine.connect() as conn:
                return {r[0] for r in conn.execute(select(c.source_fid).where(c.task_hash == self._hash(task_key)))}
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def ledger_add(self, task_key: str, taskname: str, pwd_id: str, source_fid: str, source_name: str,
                   saved_name: str, now: datetime) -> None:
        values = {"task_hash": self._hash(task_key), "taskname": taskname[:255], "pwd_id": pwd_id[:64],
                  "source_fid": source_fid[:64], "source_name": source_name[:255], "saved_name": saved_name[:255],
                  "saved_at": _utc_naive(now)}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(saved_ledger).values(**values))
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def clean_scan(self, task_key: str) -> str | None:
        """The filters hash of the task's last clean run; None when there is none (or it was not clean)."""
        c = scan_marker.c
        try:
            with self.engine.connect() as conn:
                return conn.execute(select(c.filters_hash).where(c.task_hash == self._hash(task_key), c.clean == 1)).scalar()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def mark_scan(self, task_key: str, taskname: str, filters_hash: str | None, now: datetime) -> None:
        """Record the task's run as clean for `filters_hash`, or (None) as not clean."""
        key = self._hash(task_key)
        values = {"taskname": taskname[:255], "filters_hash": filters_hash or "", "clean": int(filters_hash is not None),
                  "updated_at": _utc_naive(now)}
        self._put_by_task(scan_marker, key, values)

    @_resilient
    def ban_url(self, task_key: str) -> str | None:
        """The share URL the task had when quarkctl banned it; None when quarkctl did not ban it."""
        try:
            with self.engine.connect() as conn:
                return conn.execute(select(task_bans.c.shareurl).where(task_bans.c.task_hash == self._hash(task_key))).scalar()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @_resilient
    def remember_ban(self, task_key: str, taskname: str, shareurl: str, message: str, now: datetime) -> None:
        key = self._hash(task_key)
        values = {"taskname": taskname[:255], "shareurl": shareurl, "message": message[:255], "banned_at": _utc_naive(now)}
        self._put_by_task(task_bans, key, values)

    def _put_by_task(self, table: Table, key: str, values: dict[str, Any]) -> None:
        """The row of a per-task table (keyed by task_hash): updated, or inserted when there is none."""
        try:
            with self.engine.begin() as conn:
                if conn.execute(update(table).where(table.c.task_hash == key).values(**values)).rowcount == 0:
                    conn.execute(insert(table).values(task_hash=key, **values))
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    # -- operations (`quarkctl history`, `schedule`, `doctor`): reads only ------------------

    @staticmethod
    def _utc_aware(moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=timezone.utc) if moment else None

    def _run_dict(self, row: Any) -> dict[str, Any]:
        values = dict(row._mapping)
        values["started_at"] = self._utc_aware(values["started_at"])
        values["finished_at"] = self._utc_aware(values["finished_at"])
        try:
            values["detail"] = json.loads(values["detail"]) if values["detail"] else {}
        except ValueError:
            values["detail"] = {}
        return values

    def recent_runs(self, *, job: str | None = None, limit: int | None = 20) -> list[dict[str, Any]]:
        """quarkctl_run rows (every column), newest first; times aware UTC, detail parsed."""
        query = select(run_history).order_by(run_history.c.id.desc())
        if job is not None:
            query = query.where(run_history.c.job == job)
        if limit is not None:
            query = query.limit(limit)
        try:
            with self.engine.connect() as conn:
                return [self._run_dict(r) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(run_history).where(run_history.c.id == run_id)).first()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        return self._run_dict(row) if row is not None else None

    def run_checks(self, run_id: int) -> list[dict[str, Any]]:
        """A check-links run's verdicts in the order they came, with the row's name and link
        (None when the row was deleted since)."""
        h, c = check_history.c, cloud_resource.c
        query = (
            select(check_history, c.drama_name.label("name"), c.link)
            .select_from(check_history.outerjoin(cloud_resource, c.id == h.resource_id))
            .where(h.run_id == run_id)
            .order_by(h.id)
        )
        try:
            with self.engine.connect() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        for row in rows:
            row["checked_at"] = self._utc_aware(row["checked_at"])
        return rows

    def missing_columns(self, table: Table) -> list[str]:
        """Columns quarkctl maps that the database's table lacks (the table must exist)."""
        try:
            with self.engine.connect() as conn:
                present = {col["name"].lower() for col in inspect(conn).get_columns(table.name)}
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        return [col.name for col in table.columns if col.name.lower() not in present]

    # -- reshare (issue 17): the chain of re-created shares, in quarkctl_reshare ------------------

    def prepare_for_reshare(self, *, dry_run: bool) -> None:
        """cloud_resource must be there; quarkctl's own tables are created unless nothing is written."""
        if not dry_run:
            self.create_missing([cloud_resource, *OWN_TABLES] if self.default_sqlite else list(OWN_TABLES))
        if cloud_resource.name not in self.existing_tables():
            raise DatabaseError(
                _("database {url}: there is no cloud_resource table (run `quarkctl db init` to create it)").format(url=self.label)
            )

    def reshare_rows(self, *, ids: Sequence[int] | None = None, expired: bool | None = None) -> list[ResourceRow]:
        """Quark rows with a link: the given ids, or every row marked expired (True) / not (False)."""
        c = cloud_resource.c
        cond = [c.link.is_not(None), c.link != "", func.lower(c.drive_type) == SHARE_DRIVE]
        if ids is not None:
            cond.append(c.id.in_(sorted(set(ids))))
        if expired is not None:
            cond.append(c.is_expired == (1 if expired else 0))
        query = select(c.id, c.drama_name, c.link, c.is_expired).where(*cond).order_by(c.id)
        try:
            with self.engine.connect() as conn:
                return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired)) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @staticmethod
    def _reshare_dict(row: Any) -> dict[str, Any]:
        values = dict(row._mapping)
        try:
            values["fid_list"] = json.loads(values["fid_list"] or "[]")
        except ValueError:
            values["fid_list"] = []
        for key in ("created_at", "finished_at"):
            values[key] = values[key].replace(tzinfo=timezone.utc) if values.get(key) else None
        return values

    def reshare_intent(self, run_id: int | None, resource_id: int, old_link: str, fids: Sequence[str], title: str,
                       reason: str, now: datetime) -> int:
        """Record, before the share is created, what is about to be: a crash after the creation leaves
        this `pending` row, and the next run looks for the share by title and first fid."""
        values = {"run_id": run_id, "resource_id": resource_id, "old_link": old_link, "fid_list": json.dumps(list(fids)),
                  "title": title[:255], "reason": reason[:64], "status": "pending", "created_at": _utc_naive(now)}
        try:
            with self.engine.begin() as conn:
                return int(conn.execute(insert(reshare_history).values(**values)).inserted_primary_key[0])
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def pending_reshares(self) -> list[dict[str, Any]]:
        r = reshare_history.c
        try:
            with self.engine.connect() as conn:
                return [self._reshare_dict(x) for x in conn.execute(select(reshare_history).where(r.status == "pending").order_by(r.id))]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def share_rows(self, pwd_id: str, same_share: Callable[[str | None], bool]) -> list[ResourceRow]:
        """Every Quark row whose link is the share `pwd_id` (expired or not): a LIKE finds the candidates,
        `same_share` confirms each, as expire_share does. They all get the share's new link together."""
        c = cloud_resource.c
        query = (select(c.id, c.drama_name, c.link, c.is_expired)
                 .where(func.lower(c.drive_type) == SHARE_DRIVE, c.link.contains(f"/s/{pwd_id}", autoescape=True)).order_by(c.id))
        try:
            with self.engine.connect() as conn:
                return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired)) for r in conn.execute(query) if same_share(r.link)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def finish_reshare(self, intent_id: int, resource_id: int, *, new_link: str, share_id: str, pwd_id: str, now: datetime,
                       run_id: int | None = None, others: Sequence[ResourceRow] = ()) -> None:
        """One transaction: the row and `others` (rows of the same old share) get the new link (valid, shared
        once more, now), the intent is done and each of the others gets its own done entry (its chain)."""
        c, r = cloud_resource.c, reshare_history.c
        stamp = _local_naive(now).replace(microsecond=0)
        ids = [resource_id, *(row.id for row in others if row.id != resource_id)]
        try:
            with self.engine.begin() as conn:
                for start in range(0, len(ids), 500):
                    conn.execute(update(cloud_resource).where(c.id.in_(ids[start : start + 500])).values(
                        link=new_link, is_expired=0, last_share_time=stamp, share_count=func.coalesce(c.share_count, 0) + 1,
                        update_time=stamp))
                values = {"status": "done", "new_link": new_link, "share_id": share_id[:64], "pwd_id": pwd_id[:64],
                          "finished_at": _utc_naive(now)}
                if run_id is not None:
                    values["run_id"] = run_id
                conn.execute(update(reshare_history).where(r.id == intent_id).values(**values))
                intent = conn.execute(select(reshare_history).where(r.id == intent_id)).one()
                copies = [{"run_id": intent.run_id, "resource_id": row.id, "old_link": row.link or "", "new_link": new_link,
                           "share_id": share_id[:64], "pwd_id": pwd_id[:64], "fid_list": intent.fid_list, "title": intent.title,
                           "reason": intent.reason, "status": "done", "created_at": intent.created_at,
                           "finished_at": _utc_naive(now)} for row in others if row.id != resource_id]
                if copies:
                    conn.execute(insert(reshare_history), copies)
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def set_run_exit_code(self, run_id: int, exit_code: int) -> None:
        """check-links --reshare: the run's stored exit code becomes the one the command returns."""
        try:
            with self.engine.begin() as conn:
                conn.execute(update(run_history).where(run_history.c.id == run_id).values(exit_code=exit_code))
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def abandon_reshare(self, intent_id: int, now: datetime) -> None:
        """The share of a pending intent was never made: the row is planned again like any other."""
        r = reshare_history.c
        try:
            with self.engine.begin() as conn:
                conn.execute(update(reshare_history).where(r.id == intent_id).values(status="abandoned", finished_at=_utc_naive(now)))
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def record_share(self, resource_id: int, link: str, *, share_id: str, pwd_id: str, fids: Sequence[str], title: str,
                     now: datetime) -> None:
        """A share quarkctl made for `resources add --reshare-from`: its fid list, so it can be re-created."""
        values = {"resource_id": resource_id, "old_link": "", "new_link": link, "share_id": share_id[:64], "pwd_id": pwd_id[:64],
                  "fid_list": json.dumps(list(fids)), "title": title[:255], "reason": "added", "status": "done",
                  "created_at": _utc_naive(now), "finished_at": _utc_naive(now)}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(reshare_history).values(**values))
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def recorded_fids(self, pwd_id: str) -> list[str] | None:
        """The fid list of the share quarkctl made under this pwd_id, None when it made none."""
        r = reshare_history.c
        query = select(r.fid_list).where(r.pwd_id == pwd_id, r.status == "done").order_by(r.id.desc()).limit(1)
        try:
            with self.engine.connect() as conn:
                if reshare_history.name not in set(inspect(conn).get_table_names()):
                    return None
                text = conn.execute(query).scalar()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        return None if text is None else [str(fid) for fid in json.loads(text)]

    def reshares(self, *, resource_id: int | None = None, run_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """quarkctl_reshare rows (newest first; for a run, in order), with the row's name; [] without the table."""
        r, c = reshare_history.c, cloud_resource.c
        query = select(reshare_history, c.drama_name.label("name")).select_from(
            reshare_history.outerjoin(cloud_resource, c.id == r.resource_id))
        if resource_id is not None:
            query = query.where(r.resource_id == resource_id)
        if run_id is not None:
            query = query.where(r.run_id == run_id).order_by(r.id)
        else:
            query = query.order_by(r.id.desc())
        if limit is not None:
            query = query.limit(limit)
        try:
            with self.engine.connect() as conn:
                if reshare_history.name not in set(inspect(conn).get_table_names()):
                    return []
                return [self._reshare_dict(x) for x in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None


# Issue 17: one row per re-created share (and per share `resources add --reshare-from` made), times UTC.
reshare_history = Table(
    "quarkctl_reshare",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=True),
    Column("resource_id", Integer, nullable=False),
    Column("old_link", Text, nullable=False),
    Column("new_link", Text, nullable=True),
    Column("share_id", String(64), nullable=True),
    Column("pwd_id", String(64), nullable=True),  # of the new share
    Column("fid_list", Text, nullable=False),  # JSON list of the shared fids
    Column("title", String(255), nullable=False, server_default=""),
    Column("reason", String(64), nullable=False, server_default=""),  # why: share_expired, expiring, added ...
    Column("status", String(16), nullable=False),  # pending (intent recorded) | done | abandoned
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Index("ix_quarkctl_reshare_resource", "resource_id"),
    Index("ix_quarkctl_reshare_pwd", "pwd_id"),
)
OWN_TABLES = (*OWN_TABLES, reshare_history)  # `db init` and every job create it with the others
