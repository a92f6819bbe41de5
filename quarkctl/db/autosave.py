"""autosave's state: each task's result per run, the saved-files ledger, the clean-scan markers and
the bans. Tasks are keyed by the sha256 of their key, so long names fit any index."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, update

from quarkctl.db.engine import Store, resilient
from quarkctl.db.records import utc_naive
from quarkctl.redact import redact
from quarkctl.db.schema import (
    AUTOSAVE_TABLES,
    KEY_WIDTH,
    NAME_WIDTH,
    autosave_task_history,
    saved_ledger,
    scan_marker,
    task_bans,
)


def task_hash(task_key: str) -> str:
    return hashlib.sha256(task_key.encode()).hexdigest()


class Autosave(Store):
    def prepare_for_autosave(self, *, dry_run: bool) -> None:
        if not dry_run:
            self.create_missing(AUTOSAVE_TABLES)

    @resilient
    def add_task_results(self, run_id: int, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        values = [
            {**row, "run_id": run_id, "taskname": row["taskname"][:NAME_WIDTH], "reason": row["reason"][:KEY_WIDTH],
             "message": (row.get("message") or None) and redact(row["message"])[:NAME_WIDTH],  # as runs.py
             "detail": json.dumps(row.get("detail") or {}, ensure_ascii=False)}
            for row in rows
        ]
        with self.connection(commit=True) as conn:
            conn.execute(insert(autosave_task_history), values)

    @resilient
    def run_tasks(self, run_id: int) -> list[dict[str, Any]]:
        t = autosave_task_history.c
        with self.connection() as conn:
            rows = conn.execute(select(autosave_task_history).where(t.run_id == run_id).order_by(t.task_index))
            return [{**row._asdict(), "detail": json.loads(row.detail or "{}")} for row in rows]

    @resilient
    def ledger_fids(self, task_key: str) -> set[str]:
        c = saved_ledger.c
        with self.connection() as conn:
            return {r[0] for r in conn.execute(select(c.source_fid).where(c.task_hash == task_hash(task_key)))}

    @resilient
    def ledger_names(self, task_key: str) -> set[str]:
        """The names the task's saved files had in the share and were given in the drive (--replace-dead)."""
        c = saved_ledger.c
        with self.connection() as conn:
            rows = conn.execute(select(c.source_name, c.saved_name).where(c.task_hash == task_hash(task_key)))
            return {name for row in rows for name in row if name}

    @resilient
    def ledger_add(self, task_key: str, taskname: str, pwd_id: str, source_fid: str, source_name: str,
                   saved_name: str, now: datetime) -> None:
        values = {"task_hash": task_hash(task_key), "taskname": taskname[:NAME_WIDTH], "pwd_id": pwd_id[:KEY_WIDTH],
                  "source_fid": source_fid[:KEY_WIDTH], "source_name": source_name[:NAME_WIDTH],
                  "saved_name": saved_name[:NAME_WIDTH], "saved_at": utc_naive(now)}
        with self.connection(commit=True) as conn:
            conn.execute(insert(saved_ledger).values(**values))

    @resilient
    def clean_scan(self, task_key: str) -> str | None:
        """The filters hash of the task's last clean run; None when there is none (or it was not clean)."""
        c = scan_marker.c
        with self.connection() as conn:
            return conn.execute(select(c.filters_hash).where(c.task_hash == task_hash(task_key), c.clean == 1)).scalar()

    @resilient
    def mark_scan(self, task_key: str, taskname: str, filters_hash: str | None, now: datetime) -> None:
        """Record the task's run as clean for `filters_hash`, or (None) as not clean."""
        values = {"taskname": taskname[:NAME_WIDTH], "filters_hash": filters_hash or "", "clean": int(filters_hash is not None),
                  "updated_at": utc_naive(now)}
        self._put_by_task(scan_marker, task_hash(task_key), values)

    @resilient
    def ban_url(self, task_key: str) -> str | None:
        """The share URL the task had when quarkctl banned it; None when quarkctl did not ban it."""
        with self.connection() as conn:
            return conn.execute(select(task_bans.c.shareurl).where(task_bans.c.task_hash == task_hash(task_key))).scalar()

    @resilient
    def remember_ban(self, task_key: str, taskname: str, shareurl: str, message: str, now: datetime) -> None:
        values = {"taskname": taskname[:NAME_WIDTH], "shareurl": shareurl, "message": message[:NAME_WIDTH], "banned_at": utc_naive(now)}
        self._put_by_task(task_bans, task_hash(task_key), values)

    def _put_by_task(self, table: Table, key: str, values: dict[str, Any]) -> None:
        """The row of a per-task table (keyed by task_hash): updated, or inserted when there is none."""
        with self.connection(commit=True) as conn:
            if conn.execute(update(table).where(table.c.task_hash == key).values(**values)).rowcount == 0:
                conn.execute(insert(table).values(task_hash=key, **values))
