"""The run frame: what every job's execute() stands in, written once (issue 22).

A job opens its database with run_frame(): the database whose retry pauses end at a signal, the job's
lock (one run at a time per job and key), the tables the job needs, and the close whatever happens.
Inside, the job keeps what is its own: when its run counts as started (start_run), its loss handling
and when the database becomes resilient. Every job lock is taken by job_lock() here and nowhere else,
so the lock's rules live in one place (quarkctl/lock.py holds the lock itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from quarkctl.config.settings import Settings
from quarkctl.db.database import Database
from quarkctl.db.loss import signal_sleep
from quarkctl.lock import RunLock, lock_path
from quarkctl.runtime.stop import StopSignal


def job_lock(lock_dir: Path, job: str, key: str) -> RunLock:
    """The lock of `job` on `key` (what the job works on: the database's label, autosave's config path), not yet taken."""
    return RunLock(lock_path(lock_dir, job, key), job)


@contextmanager
def run_frame(settings: Settings, job: str, *, stop: StopSignal, lock_dir: Path, prepare: Callable[[Database], object],
              key: str | None = None) -> Iterator[Database]:
    """The job's database, under the job's lock on `key` (default: the database itself), with `prepare`
    done (the tables the job needs; a dry run creates none). Raises LockedError when another run holds
    the lock, and closes the database whatever happens."""
    db = Database(settings.database_url, default_sqlite=settings.default_sqlite, timeout=settings.db_timeout)
    # A lost database is retried until DB_TIMEOUT once a run is under way; only a signal ends that wait early
    db.retry.sleep = signal_sleep(stop)
    try:
        with job_lock(lock_dir, job, db.label if key is None else key):
            prepare(db)
            yield db
    finally:
        db.close()
