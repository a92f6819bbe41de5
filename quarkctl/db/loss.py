"""A run whose database stopped answering mid-run (DB_TIMEOUT passed: errors.DatabaseLost), for both jobs.

The run takes no new work once the database is lost; each write it knows of and could not make is
kept here with what the report lists for it. At the end one quick last attempt (fresh connections,
no retry: Database.last_attempt) writes what it can, dead links' marks first, then the run's own row
(aborted); what still cannot be written is listed in the report, text and --json (issue 15).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from quarkctl.errors import DatabaseError, DatabaseLost
from quarkctl.runtime.stop import StopSignal

if TYPE_CHECKING:
    from quarkctl.db.database import Database
    from quarkctl.db.records import CheckRecord
    from quarkctl.quark.links import ShareLink

T = TypeVar("T")
LOST = "database_lost"  # the reports' abort_reason


@dataclass
class Unwritten:
    listed: dict[str, Any]  # what the report lists (machine keys, the same in every language)
    write: Callable[[], Any]  # the write again, for the last attempt
    first: bool = False  # tried before the others (a dead link's mark)


class DatabaseLoss:
    """The loss of one run's database: set once, the writes it kept, the last attempt at the end.

    `report` (any report with abort_reason and database_error) is told when the loss happens."""

    def __init__(self, db: Database, stop: StopSignal, report: Any = None) -> None:
        self.db, self.stop, self.report = db, stop, report
        self.lost: DatabaseLost | None = None
        self.unwritten: list[Unwritten] = []

    def lose(self, exc: DatabaseLost) -> None:
        if self.lost is None:
            self.lost = exc
            self.stop.set(reason=LOST)
            if self.report is not None:
                self.tell(self.report)

    def tell(self, report: Any) -> None:
        report.abort_reason, report.database_error = LOST, str(self.lost)

    def guard(self) -> None:
        """Once lost, no write is tried until the last attempt (each would wait DB_TIMEOUT again)."""
        if self.lost is not None:
            raise self.lost

    def call(self, work: Callable[[], T], default: T) -> T:
        """`work()`; `default` when the database is (or gets) lost."""
        if self.lost is not None:
            return default
        try:
            return work()
        except DatabaseLost as exc:
            self.lose(exc)
            return default

    def keep(self, listed: dict[str, Any], write: Callable[[], Any], *, first: bool = False) -> None:
        self.unwritten.append(Unwritten(listed, write, first))

    def attempt(self, write: Callable[[], Any], listed: dict[str, Any], *, first: bool = False) -> bool:
        """`write` now, or kept for the last attempt when the database is (or gets) lost; True when written."""
        if self.call(lambda: write() or True, False):
            return True
        self.keep(listed, write, first=first)
        return False

    def end(self, finish: Callable[[], None], on_lost: Callable[[], None] = lambda: None) -> None:
        """The run's own row: `finish` now; when the database is (or gets) lost, `on_lost`, then the last attempt."""
        if self.lost is None:
            try:
                finish()
                return
            except DatabaseLost as exc:
                self.lose(exc)
                on_lost()
        self.last_attempt(finish)

    def last_attempt(self, finish: Callable[[], None]) -> None:
        """One quick try: the kept writes (the first ones first), the history in memory, then `finish`
        (the run's own row). What still cannot be written stays kept, for the report."""
        with self.db.last_attempt():
            try:
                for entry in sorted(self.unwritten, key=lambda e: not e.first):
                    entry.write()
                    self.unwritten.remove(entry)
                self.db.flush_checks()
            except DatabaseError:
                pass  # still gone: the report lists what is left
            try:
                # tried even so: a run's end not stored is kept on this machine (jobs/unfinished.py), and only
                # the values of a finish tried are known there
                finish()
            except DatabaseError:
                pass

    def listed(self) -> list[dict[str, Any]]:
        return [entry.listed for entry in self.unwritten]


def check_entry(record: CheckRecord, mark: str | None) -> dict[str, Any]:
    """A check-links verdict not written; mark: the is_expired change not written ("expired" | "valid" | None)."""
    return {"id": record.resource_id, "link": record.link, "verdict": record.verdict, "reason": record.reason,
            "checked_at": record.checked_at.isoformat(), "mark": mark}


class CheckLoss(DatabaseLoss):
    """check-links: the verdicts kept are check records (and the marks that go with them); the
    history rows the database still holds in memory are listed too."""

    def keep_verdict(self, run_id: Callable[[], int | None], record: CheckRecord, dead: ShareLink | None, revive: bool,
                     same_share: Callable[[str | None, ShareLink], bool], *, already_expired: bool = False) -> None:
        """already_expired: the row was marked before (--recheck-expired), so its mark is not listed as missing."""
        db = self.db

        def write() -> None:
            if dead is not None:
                db.expire_share(run_id(), record, pwd_id=dead.pwd_id, same_share=lambda text: same_share(text, dead))
                return
            if revive:
                db.set_expired(record.resource_id, False, record.checked_at)
            db.add_check(run_id(), record)

        mark = "expired" if dead is not None and not already_expired else ("valid" if revive else None)
        self.keep(check_entry(record, mark), write, first=dead is not None)

    def listed(self) -> list[dict[str, Any]]:
        return super().listed() + [check_entry(record, None) for record in self.db.pending_checks()]


def signal_sleep(stop: StopSignal) -> Callable[[float], bool]:
    """The database retry's sleeper: only a signal cuts it short. The run's own stop (the circuit
    breaker, a lost database) must not, or its last writes would get no retry at all."""

    def sleep(seconds: float) -> bool:
        if not stop.is_set():
            stop.sleep(seconds)
        elif stop.signum is None:
            time.sleep(seconds)
        return stop.signum is None

    return sleep


class AutosaveLoss(DatabaseLoss):
    """autosave: the writes kept are ledger rows, scan markers, bans, the task results and the run's
    own row. A ledger the run cannot read fails the task (saving blind could bring deleted files back)."""

    def must_read(self, read: Callable[[], T]) -> T:
        self.guard()
        try:
            return read()
        except DatabaseLost as exc:
            self.lose(exc)
            raise

    def ledger_add(self, key: str, pwd_id: str, fid: str, source: str, saved: str, now: datetime) -> None:
        task = key.split("\x1f")[0]
        self.attempt(lambda: self.db.ledger_add(key, task, pwd_id, fid, source, saved, now),
                     {"kind": "ledger", "task": task, "name": saved, "source_fid": fid, "saved_at": now.isoformat()})

    def mark_scan(self, key: str, filters: str | None, now: datetime) -> None:
        task = key.split("\x1f")[0]
        self.attempt(lambda: self.db.mark_scan(key, task, filters, now), {"kind": "scan", "task": task, "clean": filters is not None})

    def remember_ban(self, key: str, name: str, shareurl: str, message: str, now: datetime) -> None:
        self.attempt(lambda: self.db.remember_ban(key, name, shareurl, message, now), {"kind": "ban", "task": name, "message": message})

    def task_results(self, run_id: int, rows: list[dict[str, Any]]) -> None:
        self.attempt(lambda: self.db.add_task_results(run_id, rows), {"kind": "task_results", "run": run_id, "tasks": len(rows)})

    def finish_run(self, run_id: int, finish: Callable[[], None], status: Callable[[], str], on_lost: Callable[[], None]) -> None:
        """The run's row: now, or at the last attempt; listed when even that fails."""
        done: list[bool] = []

        def write() -> None:
            finish()
            done.append(True)

        self.end(write, on_lost)
        if self.lost is not None and not done:
            self.keep({"kind": "run", "run": run_id, "status": status()}, write)
