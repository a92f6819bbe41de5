"""The run frame: what every job's execute() stands in, written once (issue 22).

A job opens its database with run_frame(): the database whose retry pauses end at a signal, the job's
lock (one run at a time per job and key), the tables the job needs, and the close whatever happens.
Inside, the job keeps what is its own: when its run counts as started (start_run), its loss handling
and when the database becomes resilient. Every job lock is taken by job_lock() here and nowhere else,
so the lock's rules live in one place (quarkctl/lock.py and quarkctl/db/serverlock.py hold the locks).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from quarkctl.config.settings import Settings
from quarkctl.db.database import Database
from quarkctl.db.loss import signal_sleep
from quarkctl.db.serverlock import ServerLock
from quarkctl.db.sqlitefile import sqlite_file
from quarkctl.lock import Lock, Locks, RunLock, SidecarLock, lock_path
from quarkctl.runtime.stop import StopSignal

from . import unfinished


def job_lock(lock_dir: Path, job: str, target: Database | Path, shard: tuple[int, int] | None = None) -> Locks:
    """The lock of `job` on `target` (the database, or a file the job owns: autosave's config), not yet taken.

    First the per-user lock files named after the target's text (they name the holder's pid and host,
    and `doctor` reads them), then the lock of what is really shared, whatever its spelling (issue 23):
    a file's real path; a SQLite database's real path (a `file:` URI unwrapped); a MySQL database as its server knows it.
    `shard` is the share of the table the run takes (check-links' --shard K/N): lock.py's rule, in each of them."""
    if isinstance(target, Path):
        real = target.resolve()
        return Locks(RunLock(lock_path(lock_dir, job, str(real)), job), SidecarLock(real, job, job))
    parts = shard_parts(job, shard)
    locks: list[Lock] = [RunLock(lock_path(lock_dir, key, target.label), job, shards=shards) for key, shards in parts]
    file = sqlite_file(target.url) if target.is_sqlite else None
    if file is not None:
        real = Path(os.path.realpath(file))
        locks += [SidecarLock(real, job, key, shards=shards, other_names=key == job) for key, shards in parts]
    elif target.url.get_backend_name() in ("mysql", "mariadb"):
        locks.append(ServerLock(target, job, shard))
    return Locks(*locks)


def shard_parts(job: str, shard: tuple[int, int] | None) -> list[tuple[str, int | None]]:
    """The lock files of a run, as (key, N when held shared): a whole run holds the table's alone; a shard
    holds it shared with the shards of its N, and its own alone (the names older releases gave them)."""
    if shard is None:
        return [(job, None)]
    k, n = shard
    return [(job, n), (f"{job}-shard-{k}-of-{n}", None)]


@contextmanager
def run_frame(settings: Settings, job: str, *, stop: StopSignal, lock_dir: Path, prepare: Callable[[Database], object],
              key: Path | None = None, shard: tuple[int, int] | None = None, dry_run: bool = False) -> Iterator[Database]:
    """The job's database, under the job's lock on `key` (default: the database itself), with `prepare`
    done (the tables the job needs; a dry run creates none); `shard` as job_lock's. Raises LockedError when another run holds
    the lock, and closes the database whatever happens.

    The end of an earlier run that its database did not take is written first (not by a dry run, which writes
    nothing), and this run's own end is kept on this machine when the database did not take it (unfinished.py)."""
    db = Database(settings.database_url, default_sqlite=settings.default_sqlite, timeout=settings.db_timeout)
    # A lost database is retried until DB_TIMEOUT once a run is under way; only a signal ends that wait early
    db.retry.sleep = signal_sleep(stop)
    try:
        with job_lock(lock_dir, job, db if key is None else key, shard):
            prepare(db)
            if not dry_run:
                unfinished.settle(lock_dir, db)
            try:
                yield db
            finally:
                unfinished.keep(lock_dir, db)
    finally:
        db.close()
