"""`quarkctl resources`: the only place rows of cloud_resource are added, edited or removed, at the
user's request; and the listings, with each row's last verdict from quarkctl_check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Table, Text, TypeDecorator, bindparam, case, delete, func, insert, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError

from quarkctl.db.engine import Store, driver_reason, inserted_id
from quarkctl.db.records import local_naive, utc_aware
from quarkctl.db.schema import OWN_TABLES, check_drive, check_history, check_link, cloud_resource
from quarkctl.errors import DatabaseError
from quarkctl.i18n import _


def _resource_where(t: Table, status: str, search: str | None, drive_type: str | None,
                    drive_types: Sequence[str] | None = None) -> list[Any]:
    c = t.c
    cond: list[Any] = []
    if status == "valid":
        cond.append(c.is_expired == 0)
    elif status == "expired":
        cond.append(c.is_expired == 1)
    elif status != "all":
        raise ValueError(f"unknown status {status!r}")
    if drive_type:
        cond.append(c.drive_type == drive_type)
    if drive_types:  # any of these, lower-cased and stripped (a drive's spellings: resources/drives.py)
        cond.append(func.lower(func.trim(c.drive_type)).in_(list(drive_types)))
    if search:
        searched = [c[name] for name in ("drama_name", "alias", "link") if name in c]
        cond.append(or_(*(col.contains(search, autoescape=True) for col in searched)))
    return cond


def _with_last_check(t: Table, history: bool) -> Any:
    """cloud_resource with its newest quarkctl_check row (max id: times tie within a second)."""
    if not history:
        return select(t)
    latest = check_history.alias("latest_check")
    last_id = select(func.max(latest.c.id)).where(latest.c.resource_id == t.c.id).correlate(t).scalar_subquery()
    h = check_history.c
    return select(
        t, h.verdict.label("last_verdict"), h.reason.label("last_reason"), h.checked_at.label("last_checked_at")
    ).select_from(t.outerjoin(check_history, h.id == last_id))


def _resource_dict(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    for key in ("last_verdict", "last_reason"):
        values.setdefault(key, None)
    values["last_checked_at"] = utc_aware(values.get("last_checked_at"))
    return values


def _grouped(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """executemany needs one set of columns per statement."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


class Resources(Store):
    def prepare_for_resources(self) -> bool:
        """cloud_resource must be there (the embedded default is created whole).

        True when quarkctl's check history is there too, so listings can show the last verdict.
        """
        if self.default_sqlite:
            self.create_missing([cloud_resource, *OWN_TABLES])
        existing = self.existing_tables()
        self._need_resources(existing)
        self.need_resource_columns()
        return check_history.name in existing

    def table_columns(self) -> dict[str, tuple[str, int | None, int | None, bool]]:
        """resource_columns() of the table as it is: the seed columns it has and its own extra ones."""
        return self.resource_columns(self.resource_table())

    @staticmethod
    def resource_columns(table: Table = cloud_resource) -> dict[str, tuple[str, int | None, int | None, bool]]:
        """What each cloud_resource column takes, in table order: (kind "text" | "int" | "datetime" |
        "other" (a type of the user's own, passed as given), most characters, most UTF-8 bytes (MySQL's
        TEXT), nullable). Imports validate against it, so the database never truncates a value or
        refuses one half-way through."""
        spec: dict[str, tuple[str, int | None, int | None, bool]] = {}
        for column in table.columns:
            kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
            if isinstance(kind, Text):
                spec[column.name] = ("text", None, 65535, bool(column.nullable))
            elif isinstance(kind, String):
                spec[column.name] = ("text", kind.length, None, bool(column.nullable))
            elif isinstance(kind, Integer):
                spec[column.name] = ("int", None, None, bool(column.nullable))
            elif isinstance(kind, DateTime):
                spec[column.name] = ("datetime", None, None, bool(column.nullable))
            else:
                spec[column.name] = ("other", None, None, bool(column.nullable))
        return spec

    def resource_key(self, name: str, drive_type: str) -> tuple[str, str]:
        """The unique key (drama_name, drive_type) as the database compares it: MySQL's usual
        collations ignore case, SQLite's BINARY does not."""
        if self.is_sqlite:
            return name, drive_type
        return name.casefold(), drive_type.casefold()

    def list_resources(
        self,
        *,
        status: str = "all",
        search: str | None = None,
        drive_type: str | None = None,
        drive_types: Sequence[str] | None = None,
        sort: str = "id",
        descending: bool = False,
        limit: int | None = None,
        history: bool = True,
    ) -> list[dict[str, Any]]:
        """Rows (every cloud_resource column) and their last verdict, in one query."""
        t = self.resource_table()
        c = t.c
        dated = {"created": "create_time", "updated": "update_time"}
        if sort in dated:
            self.need_column(dated[sort])  # a table without it cannot sort by it
        sorts = {"id": c.id, "name": c.drama_name, "drive": c.drive_type, "status": c.is_expired}
        sorts.update({key: c[name] for key, name in dated.items() if name in c})
        if history:
            sorts["checked"] = check_history.c.checked_at
        column = sorts.get(sort, c.id)
        order = [column.desc() if descending else column.asc()]
        if column is not c.id:
            order.append(c.id.desc() if descending else c.id.asc())
        query = _with_last_check(t, history).where(*_resource_where(t, status, search, drive_type, drive_types)).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        with self.connection() as conn:
            return [_resource_dict(r) for r in conn.execute(query)]

    def iter_resources(
        self, *, status: str = "all", search: str | None = None, drive_type: str | None = None,
        drive_types: Sequence[str] | None = None, batch_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every matching row in id order, read in keyset batches (an export never holds the table)."""
        t = self.resource_table()
        c = t.c
        cond = _resource_where(t, status, search, drive_type, drive_types)
        after = 0
        while True:
            query = select(t).where(c.id > after, *cond).order_by(c.id).limit(batch_size)
            with self.connection() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
            yield from rows
            if len(rows) < batch_size:
                return
            after = rows[-1]["id"]

    def get_resources(self, ids: Sequence[int], *, history: bool = True) -> dict[int, dict[str, Any]]:
        t = self.resource_table()
        query = _with_last_check(t, history).where(t.c.id.in_(sorted(set(ids))))
        with self.connection() as conn:
            return {r.id: _resource_dict(r) for r in conn.execute(query)}

    def _existing_ids(self, conn: Any, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], int]:
        """Ids of the rows already stored under the given keys; the database compares, in chunks."""
        c = self.resource_table().c
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

    def _clash(self, exc: BaseException) -> DatabaseError:
        """A write's unique key taken after all: the database compared names its own way."""
        if not isinstance(exc, IntegrityError):
            return self._fail(exc)
        return DatabaseError(
            _("database {url}: a row clashes with one already stored (the database compares names its own way); nothing was written: {reason}").format(
                url=self.label, reason=driver_reason(exc)
            )
        )

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
        t = self.resource_table()
        c = t.c
        stamp = local_naive(now).replace(microsecond=0)  # as MySQL's DATETIME keeps it
        stamps = {name: stamp for name in ("create_time", "update_time") if name in c}  # where the table has them
        with self.connection(commit=True, fail=self._clash) as conn:
            found = self._existing_ids(conn, rows)
            ids = [found.get(self.resource_key(row["drama_name"], row["drive_type"])) for row in rows]
            taken = {"update": "update", "skip": "skip"}.get(on_existing, "conflict")
            actions: list[tuple[str, int | None]] = [(taken, i) if i is not None else ("insert", None) for i in ids]
            if dry_run or any(action == "conflict" for action, _id in actions):
                return actions
            inserts = [
                (n, {"is_expired": 0, **stamps, **row})
                for n, (row, (action, _id)) in enumerate(zip(rows, actions))
                if action == "insert"
            ]
            if len(inserts) == 1:  # `resources add`: the caller wants the new id
                n, values = inserts[0]
                actions[n] = ("insert", inserted_id(conn.execute(insert(t).values(**values))))
            else:
                for group in _grouped(values for _n, values in inserts).values():
                    conn.execute(insert(t), group)
            changes = []
            for row, (action, row_id) in zip(rows, actions):
                if action == "update":
                    values = {k: v for k, v in row.items() if k not in ("drama_name", "drive_type")}
                    changes.append({k: v for k, v in stamps.items() if k == "update_time"} | values | {"_id": row_id})
            for keys, group in _grouped(changes).items():
                assignments: list[tuple[Any, Any]] = []
                if "link" in keys and "is_expired" not in keys:  # before link: MySQL assigns left to right
                    assignments.append((c.is_expired, case((c.link == bindparam("v_link"), c.is_expired), else_=0)))
                assignments += [(c[k], bindparam(f"v_{k}")) for k in keys if k != "_id"]
                statement = update(t).where(c.id == bindparam("v__id")).ordered_values(*assignments)
                conn.execute(statement, [{f"v_{k}": v for k, v in change.items()} for change in group])
            return actions

    def set_resources_expired(self, ids: Sequence[int], *, expired: bool, now: datetime) -> tuple[list[int], list[int]]:
        """(changed ids, missing ids). When an id is missing nothing is written."""
        t = self.resource_table()
        c = t.c
        wanted = sorted(set(ids))
        target = 1 if expired else 0
        with self.connection(commit=True) as conn:
            current = {r.id: r.is_expired for r in conn.execute(select(c.id, c.is_expired).where(c.id.in_(wanted)))}
            missing = [i for i in wanted if i not in current]
            if missing:
                return [], missing
            changed = [i for i in wanted if current[i] != target]
            if changed:
                conn.execute(update(t).where(c.id.in_(changed)).values(self.mark_values(target, local_naive(now))))
            return changed, []

    def delete_resources(self, ids: Sequence[int], *, history: bool) -> tuple[list[int], list[int]]:
        """(deleted ids, missing ids), with their check history (SQLite may hand a freed id to a
        new row, which must not inherit it). When an id is missing nothing is deleted."""
        t = self.resource_table()
        c = t.c
        wanted = sorted(set(ids))
        with self.connection(commit=True) as conn:
            present = set(conn.execute(select(c.id).where(c.id.in_(wanted))).scalars())
            missing = [i for i in wanted if i not in present]
            if missing:
                return [], missing
            conn.execute(delete(t).where(c.id.in_(wanted)))
            if history:
                checks = select(check_history.c.id).where(check_history.c.resource_id.in_(wanted))
                tables = inspect(conn).get_table_names()
                for beside in (check_drive, check_link):  # first: SQLite may hand a freed check id out again
                    if beside.name in tables:
                        conn.execute(delete(beside).where(beside.c.check_id.in_(checks)))
                conn.execute(delete(check_history).where(check_history.c.resource_id.in_(wanted)))
            return wanted, []
