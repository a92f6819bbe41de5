"""The jobs' history: one quarkctl_run row per run, one quarkctl_check row per verdict (and the drive of a verdict
of another drive than Quark in quarkctl_check_drive); written by the runs, read by `quarkctl history`,
`resources show`, `schedule` and `doctor`."""

from __future__ import annotations

import json
import time
import os
import socket
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.engine import URL, Connection

from quarkctl.db.engine import Store, inserted_id, resilient
from quarkctl.db.records import SAME_SHARE_REASON, CheckRecord, cell_text, utc_aware, utc_naive
from quarkctl.db.retry import DEFAULT_DB_TIMEOUT
from quarkctl.db.schema import CODE_WIDTH, KEY_WIDTH, NAME_WIDTH, SHARE_DRIVE, acquire_history, check_drive, check_history, check_link, cloud_resource, reshare_history, run_history
from quarkctl.redact import redact

HISTORY_FLUSH_EVERY = 50  # non-dead verdicts are buffered; dead ones commit at once
# ... and none waits longer than this: a run killed with SIGKILL (an OOM kill) loses at most the verdicts
# of its last second (issue 23); check-links' main loop calls flush_due() at least every 0.2 s.
HISTORY_FLUSH_AGE = 1.0


def check_values(run_id: int | None, record: CheckRecord) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "resource_id": record.resource_id,
        "checked_at": utc_naive(record.checked_at),
        "verdict": record.verdict,
        "reason": record.reason[:KEY_WIDTH],
        "api_code": record.api_code,
        "http_status": record.http_status,
        # Quark's words as stored: masked like every line we print (an attacker's review, issue 21: a server
        # that echoed the cookie had it stored, then shown by `history show` in a shell without the cookie)
        "message": (record.message or None) and redact(record.message)[:NAME_WIDTH],
    }


def _with_drive_row(record: CheckRecord) -> bool:
    # Quark's verdicts (most of a table) and those of links no drive claims go without: see drive_of()
    return record.drive is not None and record.drive != SHARE_DRIVE


def write_checks(conn: Connection, values: list[dict[str, Any]], records: Sequence[CheckRecord], *, links: bool = False) -> None:
    """check_values() rows and, in the same transaction, the quarkctl_check_drive row of each of `records`
    (the same verdicts, in order) of another drive than Quark and, with `links` (the database has
    quarkctl_check_link), the link each verdict was about. A batch of Quark's alone without links is one INSERT."""
    others = [n for n, record in enumerate(records) if _with_drive_row(record)]
    linked = [n for n, record in enumerate(records) if record.link is not None] if links else []
    if not others and not linked:
        if values:
            conn.execute(insert(check_history), values)
        return
    if conn.dialect.name == "sqlite":
        # One batch; its writer holds the file's write lock from its first row to the commit, and a new row's id
        # is the largest one plus one (SQLite's rowid rule), so the batch's ids are the newest, consecutive.
        # (SQLAlchemy's sorted RETURNING falls back to a statement per row on SQLite.)
        conn.execute(insert(check_history), values)
        last = int(conn.execute(select(func.max(check_history.c.id))).scalar_one())
        ids = list(range(last - len(values) + 1, last + 1))
    elif conn.dialect.insert_executemany_returning_sort_by_parameter_order:  # MariaDB >= 10.5: one batch
        ids = list(conn.execute(insert(check_history).returning(check_history.c.id, sort_by_parameter_order=True), values).scalars())
    else:  # MySQL has no INSERT ... RETURNING: the ids a row at a time
        ids = [inserted_id(conn.execute(insert(check_history).values(**row))) for row in values]
    if others:
        conn.execute(insert(check_drive), [{"check_id": ids[n], "drive": str(records[n].drive)[:16],
                                            "code": (records[n].code or None) and str(records[n].code)[:CODE_WIDTH]} for n in others])
    if linked:
        conn.execute(insert(check_link), [{"check_id": ids[n], "link": str(records[n].link)} for n in linked])


def drive_of(row: dict[str, Any]) -> None:
    """A check row read with its quarkctl_check_drive columns (None without a row) gets its `drive` and `code`:
    without a row, Quark's (api_code its code), or no drive's when no drive claimed the link (unsupported_link)."""
    if row.get("drive") is None:
        row["drive"] = None if row.get("reason") == "unsupported_link" else SHARE_DRIVE
        row["code"] = None if row.get("api_code") is None else str(row["api_code"])


def _run_dict(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    values["started_at"] = utc_aware(values["started_at"])
    values["finished_at"] = utc_aware(values["finished_at"])
    try:
        values["detail"] = json.loads(values["detail"]) if values["detail"] else {}
    except ValueError:
        values["detail"] = {}
    return values


class History(Store):
    def __init__(self, url: URL, *, default_sqlite: bool = False, timeout: float = DEFAULT_DB_TIMEOUT) -> None:
        super().__init__(url, default_sqlite=default_sqlite, timeout=timeout)
        self._pending: list[dict[str, Any]] = []
        self._pending_records: list[CheckRecord] = []  # the same rows, for a report when they cannot be written
        self._pending_since = 0.0  # time.monotonic() of the oldest row held
        self._drive_table = False  # quarkctl_check_drive seen (an older database has none until a job runs)
        self._link_table: bool | None = None  # quarkctl_check_link there (None: not asked yet)
        # The run's end while it is not stored: what finish_run() would write (jobs/unfinished.py keeps it on this
        # machine when the database stopped answering, so the run is not taken for one that was killed)
        self.finish_wanted: dict[str, Any] | None = None

    def link_table(self) -> bool:
        """quarkctl_check_link is there (a job creates it; `resources add` on an older database may run without)."""
        if not self._link_table:
            self._link_table = check_link.name in self.existing_tables()
        return self._link_table

    def pending_checks(self) -> list[CheckRecord]:
        """The check records held in memory, not yet written."""
        return list(self._pending_records)

    def add_check(self, run_id: int | None, record: CheckRecord, *, flush: bool = False) -> None:
        if not self._pending:
            self._pending_since = time.monotonic()
        self._pending.append(check_values(run_id, record))
        self._pending_records.append(record)
        if flush or len(self._pending) >= HISTORY_FLUSH_EVERY:
            self.flush_checks()

    def flush_due(self, age: float = HISTORY_FLUSH_AGE) -> None:
        """flush_checks() when the oldest verdict held has waited `age` seconds."""
        if self._pending and time.monotonic() - self._pending_since >= age:
            self.flush_checks()

    @resilient
    def flush_checks(self) -> None:
        if not self._pending:
            return
        with self.connection(commit=True) as conn:
            write_checks(conn, self._pending, self._pending_records, links=self.link_table())
        self._pending, self._pending_records = [], []  # only once committed: a failed write keeps them

    @resilient
    def start_run(self, job: str, started_at: datetime, detail: dict[str, Any]) -> int:
        values = {
            "job": job,
            "started_at": utc_naive(started_at),
            "status": "running",
            "host": socket.gethostname()[:NAME_WIDTH],
            "pid": os.getpid(),
            "detail": redact(json.dumps(detail, ensure_ascii=False)),
        }
        with self.connection(commit=True) as conn:
            return inserted_id(conn.execute(insert(run_history).values(**values)))

    @resilient
    def finish_run(self, run_id: int, finished_at: datetime, *, status: str, exit_code: int, counts: dict[str, int], detail: dict[str, Any]) -> None:
        values: dict[str, Any] = {
            "finished_at": utc_naive(finished_at),
            "status": status,
            "exit_code": exit_code,
            "detail": redact(json.dumps(detail, ensure_ascii=False)),
            **{k: counts.get(k, 0) for k in ("total", "valid", "expired", "needs_passcode", "errors", "skipped")},
        }
        self.finish_wanted = {"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname()[:NAME_WIDTH],
                              **values, "finished_at": utc_naive(finished_at).isoformat()}
        with self.connection(commit=True) as conn:
            conn.execute(update(run_history).where(run_history.c.id == run_id).values(**values))
        self.finish_wanted = None

    def settle_finish(self, note: dict[str, Any]) -> None:
        """Write a run's end kept on this machine (finish_wanted of a run whose database was gone); only onto
        that run's own row while it is still "running" (a row with an end keeps it)."""
        keys = ("status", "exit_code", "detail", "total", "valid", "expired", "needs_passcode", "errors", "skipped")
        values = {key: note[key] for key in keys if key in note}
        values["finished_at"] = datetime.fromisoformat(str(note["finished_at"]))
        r = run_history.c
        with self.connection(commit=True) as conn:
            conn.execute(update(run_history).where(r.id == int(note["run_id"]), r.status == "running", r.pid == int(note["pid"]),
                                                  r.host == str(note["host"])).values(**values))

    def set_run_exit_code(self, run_id: int, exit_code: int) -> None:
        """check-links --reshare: the run's stored exit code becomes the one the command returns."""
        with self.connection(commit=True) as conn:
            conn.execute(update(run_history).where(run_history.c.id == run_id).values(exit_code=exit_code))

    def set_run_interrupted(self, run_id: int, exit_code: int) -> None:
        """check-links stopped by a signal after its checks (during --reacquire): the finished run's row says
        `interrupted`, the exit code the command returns and the abort reason in its detail."""
        with self.connection(commit=True) as conn:
            stored = conn.execute(select(run_history.c.detail).where(run_history.c.id == run_id)).scalar()
            try:
                detail = json.loads(stored) if stored else {}
            except ValueError:
                detail = {}
            detail = {**(detail if isinstance(detail, dict) else {}), "abort_reason": "interrupted"}
            conn.execute(update(run_history).where(run_history.c.id == run_id).values(
                exit_code=exit_code, status="interrupted", detail=redact(json.dumps(detail, ensure_ascii=False))))

    # Reads only: `quarkctl history`, `resources show`, `schedule`, `doctor`.

    def recent_runs(self, *, job: str | None = None, limit: int | None = 20) -> list[dict[str, Any]]:
        """quarkctl_run rows (every column), newest first; times aware UTC, detail parsed."""
        query = select(run_history).order_by(run_history.c.id.desc())
        if job is not None:
            query = query.where(run_history.c.job == job)
        if limit is not None:
            query = query.limit(limit)
        with self.connection() as conn:
            return [_run_dict(r) for r in conn.execute(query)]

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        with self.connection() as conn:
            row = conn.execute(select(run_history).where(run_history.c.id == run_id)).first()
        return _run_dict(row) if row is not None else None

    def _with_drives(self, query: Select[Any], checks: Any) -> Select[Any]:
        """`query` of check rows (`checks`: quarkctl_check or a join from it) with each row's drive and code columns,
        where this database has quarkctl_check_drive."""
        if not self._drive_table:
            self._drive_table = check_drive.name in self.existing_tables()
        if not self._drive_table:
            return query.select_from(checks)
        d = check_drive.c
        return query.add_columns(d.drive, d.code).select_from(checks.outerjoin(check_drive, d.check_id == check_history.c.id))

    def _check_rows(self, query: Select[Any]) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["checked_at"] = utc_aware(row["checked_at"])
            drive_of(row)
        return rows

    def run_checks(self, run_id: int) -> list[dict[str, Any]]:
        """A check-links run's verdicts in the order they came, with the row's name (None when the row was deleted
        since), the link that was checked (link_known False and link None when that is not known: link_of) and the
        verdict's drive and code (drive_of)."""
        h, c = check_history.c, cloud_resource.c
        checks: Any = check_history.outerjoin(cloud_resource, c.id == h.resource_id)
        query = select(check_history, c.drama_name.label("name"), c.link.label("row_link"))
        if self.link_table():
            query = query.add_columns(check_link.c.link.label("checked_link"))
            checks = checks.outerjoin(check_link, check_link.c.check_id == h.id)
        rows = self._check_rows(self._with_drives(query, checks).where(h.run_id == run_id).order_by(h.id))
        self._link_of(rows)
        return rows

    def _link_of(self, rows: list[dict[str, Any]]) -> None:
        """Each check row's `link`: the one stored with it; for a check from before quarkctl_check_link, the row's
        link when no re-share or re-acquisition of the row finished after the check (their history tells), else
        None with link_known False: the row's link then is another share than the one checked."""
        older = [row for row in rows if row.get("checked_link") is None and row.get("row_link") is not None]
        changed: dict[int, Any] = {}
        if older:
            existing = self.existing_tables()
            ids = sorted({int(row["resource_id"]) for row in older})
            with self.connection() as conn:
                for table in (acquire_history, reshare_history):
                    if table.name not in existing:
                        continue
                    t = table.c
                    for start in range(0, len(ids), 500):
                        query = (select(t.resource_id, func.max(t.finished_at)).where(t.resource_id.in_(ids[start : start + 500]), t.status == "done")
                                 .group_by(t.resource_id))
                        for resource_id, finished in conn.execute(query):
                            if finished is not None and (resource_id not in changed or finished > changed[resource_id]):
                                changed[resource_id] = finished
        for row in rows:
            stored = cell_text(row.pop("checked_link", None))
            current = cell_text(row.pop("row_link", None))
            if stored is not None:
                row["link"], row["link_known"] = stored, True
                continue
            last_change = changed.get(row["resource_id"])
            checked = utc_naive(row["checked_at"]) if row.get("checked_at") else None
            known = current is not None and (last_change is None or (checked is not None and last_change < checked))
            row["link"], row["link_known"] = (current if known else None), known

    def verdict_counts(self, run_id: int) -> dict[str, int]:
        """A check-links run's counts from its recorded verdicts: for a run that never finished (killed), whose
        own row kept the zeros it started with, while each verdict reached the database within a second."""
        h = check_history.c
        same = (h.reason == SAME_SHARE_REASON).label("same")
        query = select(h.verdict, same, func.count()).where(h.run_id == run_id).group_by(h.verdict, same)
        with self.connection() as conn:
            rows = conn.execute(query).all()
        counts: dict[str, int] = {}
        for verdict, same_share, n in rows:
            key = {"error": "errors"}.get(verdict, verdict)
            counts[key] = counts.get(key, 0) + n
            counts["total"] = counts.get("total", 0) + n
            if same_share:
                counts["same_share"] = counts.get("same_share", 0) + n
        return counts

    def checks_of(self, resource_id: int, *, limit: int | None = None) -> list[dict[str, Any]]:
        """The resource's check history, newest first; checked_at is aware UTC; each check's drive and code (drive_of)."""
        h = check_history.c
        query = self._with_drives(select(check_history), check_history).where(h.resource_id == resource_id).order_by(h.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return self._check_rows(query)
