"""Holds a job's lock in a process of its own, as a run in flight does: `python hold_lock.py JOB [CONFIG]`,
or `python hold_lock.py JOB --shard K/N` for a shard's lock on the database (quarkctl/lock.py's rule).
With `--on-go`, it prints "set" once the database is open and takes the lock at the first line on stdin,
so several holders try at the same moment; a lock held by another then prints "locked" (exit 75).

The database and the lock folder come from the environment exactly as the command reads them
(DATABASE_URL or DB_*, XDG_STATE_HOME or STATE_DIRECTORY); with CONFIG the lock is autosave's on
that config. Prints "ready" (and the MySQL lock's connection id) once the lock is held, then holds it
until stdin closes or the process is killed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from quarkctl.checker.options import parse_shard
from quarkctl.config import settings
from quarkctl.db.database import Database
from quarkctl.db.serverlock import ServerLock
from quarkctl.errors import LockedError
from quarkctl.jobs.frame import job_lock


def main() -> None:
    job, rest = sys.argv[1], sys.argv[2:]
    on_go = "--on-go" in rest
    rest = [arg for arg in rest if arg != "--on-go"]
    shard = parse_shard(rest[1]) if rest[:1] == ["--shard"] else None
    env = dict(os.environ)
    config = settings.load(env, need_cookie=False)
    db = Database(config.database_url, default_sqlite=config.default_sqlite)
    target = Path(rest[0]) if rest and shard is None else db
    lock = job_lock(settings.state_dir(env) / "locks", job, target, shard)
    if on_go:
        print("set", flush=True)
        sys.stdin.readline()
    try:
        lock.acquire()
    except LockedError:
        if not on_go:
            raise
        print("locked", flush=True)
        sys.exit(75)
    try:
        server = [one for one in lock.locks if isinstance(one, ServerLock)]
        conn = server[0]._conn if server else None
        conn_id = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar() if conn is not None else ""
        print(f"ready {conn_id}".strip(), flush=True)
        sys.stdin.read()
    finally:
        lock.release()


if __name__ == "__main__":
    main()
