"""A run's end that its database did not take, kept on this machine until the database does (issue 23).

A run whose database stopped answering ends with exit 5, and its own `quarkctl_run` row cannot be told:
it stayed "running", and `history` and `doctor` then took the run for one that was killed. The end the
run tried to write (History.finish_wanted) is kept as a small file beside the run locks, named after the
database, and written onto the run's row (only while that row is still "running") by the next run on that
database, or by `history`, once the database answers again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from quarkctl.db.database import Database
from quarkctl.errors import QuarkctlError
from quarkctl.safefs import PrivateDir

PREFIX = "unfinished-"


def _stem(db: Database) -> str:
    return PREFIX + hashlib.sha256(db.label.encode()).hexdigest()[:16] + "-"


def keep(lock_dir: Path, db: Database) -> bool:
    """The run's end not stored, kept in `lock_dir` (quarkctl's own folder); True when there was one to keep."""
    note = db.finish_wanted
    if note is None:
        return False
    try:
        with PrivateDir(lock_dir) as folder:
            folder.replace(f"{_stem(db)}{note['run_id']}.json", json.dumps(note, ensure_ascii=False).encode())
    except (OSError, QuarkctlError):
        return False  # a folder refused or full: the run stays "running", as before
    return True


def settle(lock_dir: Path, db: Database) -> int:
    """Write each end kept for `db` onto its run's row; those written are removed. How many were written.
    Nothing is created: no folder, no table (a database without quarkctl's tables keeps its notes)."""
    if not lock_dir.is_dir():
        return 0
    stem, done = _stem(db), 0
    try:
        with PrivateDir(lock_dir) as folder:
            for name in sorted(n for n in folder.names() if n.startswith(stem) and n.endswith(".json")):
                note = _read(folder, name)
                if note is not None:
                    try:
                        db.settle_finish(note)
                    except Exception:  # noqa: BLE001 - the database still away (or no history table yet): kept for later
                        return done
                    done += 1
                folder.unlink(name)
    except (OSError, QuarkctlError):
        pass  # another user's folder, or gone: nothing of ours to settle
    return done


def _read(folder: PrivateDir, name: str) -> dict[str, Any] | None:
    """A note as keep() wrote it; None for anything else (it is then removed)."""
    try:
        fd = folder.open(name, os.O_RDONLY)
    except QuarkctlError:
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            note = json.loads(f.read(1_000_000))
        except ValueError:
            return None
    needed = ("run_id", "pid", "host", "finished_at", "status")
    return note if isinstance(note, dict) and all(key in note for key in needed) else None
