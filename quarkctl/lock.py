"""One run at a time: fcntl (flock) locks, released by the kernel when the holder dies.

A dead process therefore never leaves a stale lock behind. The holder writes who it is into the
file so a second run can name it. Two kinds of file carry such a lock:
- RunLock: a file in quarkctl's own per-user folder, named after what the job works on (the
  database's URL without its password, autosave's config path); `doctor` reads it;
- SidecarLock: a file beside a file two users or two spellings share (a SQLite database, autosave's
  config), named after that file's real path, so every spelling of it meets the same lock (issue 23).
Locks combines several, taken in order, all or none. jobs/frame.py decides which a job takes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import stat
import time
from pathlib import Path
from typing import Protocol

from quarkctl.errors import ConfigError, LockedError
from quarkctl.i18n import _
from quarkctl.safefs import NOFOLLOW, PrivateDir, refused


def lock_path(lock_dir: Path, job: str, resource: str) -> Path:
    """`resource` identifies what the job works on (the database URL without its password)."""
    digest = hashlib.sha256(resource.encode()).hexdigest()[:16]
    return lock_dir / f"{job}-{digest}.lock"


def sidecar_path(shared: Path, key: str) -> Path:
    """The lock beside `shared` (a real path): never `shared` itself, whose own locks (SQLite's fcntl
    locks) a lock of ours on the same file would disturb, and whose inode a rename may replace."""
    return shared.with_name(f"{shared.name}.quarkctl-{key}.lock")


class Lock(Protocol):
    def acquire(self) -> object: ...

    def release(self) -> None: ...


class RunLock:
    def __init__(self, path: Path, job: str) -> None:
        self.path = path
        self.job = job
        self._fd: int | None = None

    def _open(self) -> int:
        # The folder is quarkctl's own (0700, refused if others may write to it) and the file is never
        # opened through a symbolic link: as root, a planted link must not truncate a file (issue 23).
        with PrivateDir(self.path.parent) as folder:
            return folder.open(self.path.name, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self) -> RunLock:
        fd = self._open()
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


class SidecarLock(RunLock):
    """The lock file beside a shared file, in a folder that need not be private (the database's, the
    config's). Opened without following a link and checked before a byte is written: a regular file
    of this user with one link, so a planted link, hard link or device is refused, never written."""

    def __init__(self, shared: Path, job: str, key: str) -> None:
        super().__init__(sidecar_path(shared, key), job)

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | NOFOLLOW, 0o600)
        except OSError as exc:
            raise refused(self.path, exc) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink != 1:
            os.close(fd)
            raise ConfigError(_("{path}: {reason}").format(path=self.path, reason=_(
                "not a lock file of this user (a regular file of its own, with one link): remove it")))
        return fd


class Locks:
    """Several locks taken in order, all or none, released in reverse."""

    def __init__(self, *locks: Lock) -> None:
        self.locks = locks
        self._held: list[Lock] = []

    def acquire(self) -> Locks:
        try:
            for lock in self.locks:
                lock.acquire()
                self._held.append(lock)
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        while self._held:
            self._held.pop().release()

    def __enter__(self) -> Locks:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
