"""The database layer: the only module that knows SQL and its dialects.

`cloud_resource` belongs to the user's existing system: quarkctl maps it exactly, never alters it,
and only ever writes `is_expired` and `update_time`. quarkctl's own state lives in `quarkctl_*` tables.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
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
    UniqueConstraint,
    create_engine,
    func,
    inspect,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from quarkctl.errors import DatabaseError
from quarkctl.i18n import _
from quarkctl.redact import redact

metadata = MetaData()

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
    Column("is_expired", SmallInteger().with_variant(mysql.TINYINT(), "mysql", "mariadb"), nullable=False, server_default="1"),
    Column("view_count", Integer, nullable=False, server_default="0"),
    Column("share_count", Integer, nullable=False, server_default="0"),
    Column("hot", Integer, nullable=False, server_default="0"),
    Column("size", String(50), nullable=True),
    Column("tmdb_id", Integer, nullable=True),
    Column("last_share_time", DateTime, nullable=True),
    Column("create_time", DateTime, nullable=True),
    Column("update_time", DateTime, nullable=True),
    UniqueConstraint("drama_name", "drive_type", name="uk_drama_drive"),
    mysql_charset="utf8mb4",
    mysql_engine="InnoDB",
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
    mysql_charset="utf8mb4",
    mysql_engine="InnoDB",
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
    mysql_charset="utf8mb4",
    mysql_engine="InnoDB",
)

OWN_TABLES = (run_history, check_history)
HISTORY_FLUSH_EVERY = 50  # non-dead verdicts are buffered; dead ones commit at once


@dataclass(frozen=True)
class ResourceRow:
    id: int
    name: str
    link: str | None
    is_expired: bool


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


class Database:
    def __init__(self, url: URL, *, default_sqlite: bool = False) -> None:
        self.url = url
        self.default_sqlite = default_sqlite
        self.label = url.render_as_string(hide_password=True)
        self._pending: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if url.get_backend_name() == "sqlite":
            self._prepare_sqlite_file()
            kwargs = {"connect_args": {"timeout": 30}}
        elif url.get_backend_name() in ("mysql", "mariadb"):
            kwargs["connect_args"] = {"connect_timeout": 10, "read_timeout": 60, "write_timeout": 60}
            kwargs["pool_recycle"] = 3600
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise DatabaseError(_("database {url}: unsupported or invalid URL: {reason}").format(url=self.label, reason=_reason(exc))) from None

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
        return DatabaseError(_("database {url}: {reason}").format(url=self.label, reason=_reason(exc)))

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

    def _candidates(self, include_expired: bool) -> list[Any]:
        cond = [cloud_resource.c.link.is_not(None), cloud_resource.c.link != ""]
        if not include_expired:
            cond.append(cloud_resource.c.is_expired == 0)
        return cond

    def count_candidates(self, *, include_expired: bool = False) -> int:
        query = select(func.count()).select_from(cloud_resource).where(*self._candidates(include_expired))
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(query).scalar_one())
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def fetch_batch(self, after_id: int, size: int, *, include_expired: bool = False) -> list[ResourceRow]:
        """Keyset pagination: rows marked during the run cannot shift the window (OFFSET would)."""
        c = cloud_resource.c
        query = (
            select(c.id, c.drama_name, c.link, c.is_expired)
            .where(c.id > after_id, *self._candidates(include_expired))
            .order_by(c.id)
            .limit(size)
        )
        try:
            with self.engine.connect() as conn:
                return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired)) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

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

    # -- history --------------------------------------------------------------------------

    def add_check(self, run_id: int | None, record: CheckRecord, *, flush: bool = False) -> None:
        self._pending.append(
            {
                "run_id": run_id,
                "resource_id": record.resource_id,
                "checked_at": _utc_naive(record.checked_at),
                "verdict": record.verdict,
                "reason": record.reason[:64],
                "api_code": record.api_code,
                "http_status": record.http_status,
                "message": (record.message or None) and record.message[:255],
            }
        )
        if flush or len(self._pending) >= HISTORY_FLUSH_EVERY:
            self.flush_checks()

    def flush_checks(self) -> None:
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(check_history), rows)
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

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
