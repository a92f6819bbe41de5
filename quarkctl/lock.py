"""One run at a time per job and database: an fcntl lock, released by the kernel when the holder dies.

A dead process therefore never leaves a stale lock behind. The holder writes who it is into the
file so a second run can name it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import time
from pathlib import Path

from quarkctl.errors import LockedError
from quarkctl.i18n import _
from quarkctl.safefs import PrivateDir


def lock_path(lock_dir: Path, job: str, resource: str) -> Path:
    """`resource` identifies what the job works on (the database URL without its password)."""
    digest = hashlib.sha256(resource.encode()).hexdigest()[:16]
    return lock_dir / f"{job}-{digest}.lock"


class RunLock:
    def __init__(self, path: Path, job: str) -> None:
        self.path = path
        self.job = job
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        # The folder is quarkctl's own (0700, refused if others may write to it) and the file is never
        # opened through a symbolic link: as root, a planted link must not truncate a file (issue 23).
        with PrivateDir(self.path.parent) as folder:
            fd = folder.open(self.path.name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._read_holder(fd)
            os.close(fd)
            raise LockedError(
                _("another {job} run is in progress ({holder}); lock: {path}").format(job=self.job, holder=holder, path=self.path)
            ) from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode())
        self._fd = fd
        return self

    @staticmethod
    def _read_holder(fd: int) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
            return _("pid {pid} on {host}, since {since}").format(**info)
        except (ValueError, KeyError, OSError):
            return _("holder unknown")

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
