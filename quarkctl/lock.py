"""One run at a time: fcntl (flock) locks, released by the kernel when the holder dies.

A dead process therefore never leaves a stale lock behind. The holder writes who it is into the
file so a second run can name it. Two kinds of file carry such a lock:
- RunLock: a file in quarkctl's own per-user folder, named after what the job works on (the
  database's URL without its password, autosave's config path); `doctor` reads it;
- SidecarLock: a file beside a file two users or two spellings share (a SQLite database, autosave's
  config), named after that file's real path, so every spelling of it meets the same lock (issue 23).
Locks combines several, taken in order, all or none. jobs/frame.py decides which a job takes.

The rule of --shard K/N (issue 26), for check-links on one table: a run of the whole table and any shard
exclude each other; two shards of the same N and different K run side by side; the same shard twice, or
shards of different N (whose rows overlap: 0/2 and 0/3 both take id 0), exclude each other. In files it
is the table's lock (the job's own file) held alone by a whole run and shared by the shards, which
write their N into it (RunLock._join), and each shard's own file held alone. db/serverlock.py keeps the
same rule with the server's named locks.

The sidecar's rule, for root's cron and a user's own runs of one database or config (issue 23).
Runs by different users of the same file exclude each other, and neither is refused for the other's
lock file; a user who can plant files beside it gains nothing from root's run:
- a missing sidecar is created (O_EXCL, never through a link) with the owner, group and read bits of
  the file it guards, writable by that owner alone: root's cron and the owner's manual run both open
  it read-write and name the holder; another user who may only read it still takes the lock, as
  flock works on a read-only descriptor (the holder is then "unknown"), and cannot rewrite it;
- an existing one is opened without following a link and checked before a byte is written: a
  regular file with one link (so no planted link, hard link, FIFO or device), owned by this user,
  root or the guarded file's owner; any other owner only in a folder others may not write to,
  where only trusted users could have made it. A planted file is refused (exit 2, one line), unchanged;
- an older quarkctl's lock, root's own, 0600 and empty, is given to the guarded file's owner by
  root's next run, so the owner's run is no longer refused for it.
The sidecar is never stronger than the folder it lives in: whoever may replace files there may also
replace the guarded file. safefs.open_lock_beside carries the rule out.
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

from quarkctl.errors import LockedError
from quarkctl.i18n import _
from quarkctl.safefs import PrivateDir, open_lock_beside


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


JOIN_PATIENCE = 2.0  # seconds a shard tries again to join its siblings (RunLock._join)
JOIN_PAUSE = 0.02


class RunLock:
    """The lock of one file. With `shards` (N of a --shard K/N run), the table's lock held shared with the
    other shards of N parts (the rule above), else held alone."""

    clock = staticmethod(time.monotonic)  # injected by the tests of _join's patience
    pause = staticmethod(time.sleep)

    def __init__(self, path: Path, job: str, *, shards: int | None = None) -> None:
        self.path = path
        self.job = job
        self.shards = shards
        self._fd: int | None = None
        self._writable = True  # a lock opened read-only is held all the same, but not written

    def _open(self) -> int:
        # The folder is quarkctl's own (0700, refused if others may write to it) and the file is never
        # opened through a symbolic link: as root, a planted link must not truncate a file (issue 23).
        with PrivateDir(self.path.parent) as folder:
            return folder.open(self.path.name, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self) -> RunLock:
        holder = self._take() if self.shards is None else self._join(self.shards)
        if holder is not None:
            raise LockedError(
                _("another {job} run is in progress ({holder}); lock: {path}").format(job=self.job, holder=holder, path=self.path))
        return self

    def _take(self) -> str | None:
        """Held alone, or who holds it."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._read_holder(fd)
            os.close(fd)
            return holder
        if self._writable:
            info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
            self._write(fd, info)
        self._fd = fd
        return None

    def _join(self, shards: int) -> str | None:
        """Held shared with the shards of `shards` parts, or who holds it (a run of the whole table, shards of
        another N). Whoever finds it free writes its N while holding it alone; a shard runs only if, once it
        holds the lock shared, the file names its N: no one can rewrite it then, so two shards holding it
        at once have read the same N.

        A sibling shard started at the same moment may hold it alone for the instant it writes N: a refusal
        that names no other holder (the file names this N, or nothing yet) is tried again for up to
        JOIN_PATIENCE seconds, so shards of one N started together all run."""
        give_up = self.clock() + JOIN_PATIENCE
        while True:
            holder, passing = self._join_once(shards)
            if holder is None or not passing or self.clock() >= give_up:
                return holder
            self.pause(JOIN_PAUSE)

    def _join_once(self, shards: int) -> tuple[str | None, bool]:
        """(None, _) when joined, else (the holder, whether it may be a sibling writing this N a moment)."""
        first = self._open()  # a description of its own: its exclusive lock tells whether anyone holds the file
        try:
            fcntl.flock(first, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if self._writable:
                self._write(first, {"shards": shards})
        except BlockingIOError:
            pass
        finally:
            os.close(first)  # and its lock with it
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        info = self._read_info(fd)
        if held and info.get("shards") == shards:
            self._fd = fd
            return None, False
        holder = self._read_holder(fd)
        os.close(fd)
        return holder, info.get("shards", shards) == shards and "pid" not in info

    @staticmethod
    def _write(fd: int, info: dict[str, object]) -> None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)

    @staticmethod
    def _read_info(fd: int) -> dict[str, object]:
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except (ValueError, OSError):
            return {}
        return info if isinstance(info, dict) else {}

    @classmethod
    def _read_holder(cls, fd: int) -> str:
        info = cls._read_info(fd)
        if "shards" in info:
            return _("--shard runs of {n} parts").format(n=info["shards"])
        try:
            return _("pid {pid} on {host}, since {since}").format(**info)
        except KeyError:
            return _("holder unknown")

    def release(self) -> None:
        if self._fd is not None:
            if self._writable and self.shards is None:  # a shard leaves the N to the others still running
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
    config's), by the rule in this module's docstring."""

    def __init__(self, shared: Path, job: str, key: str, *, shards: int | None = None, other_names: bool = True) -> None:
        super().__init__(sidecar_path(shared, key), job, shards=shards)
        self.shared = shared
        self.other_names = other_names  # the table's lock only: a shard's own lock beside it is not the file's

    def _open(self) -> int:
        try:
            guarded: os.stat_result | None = os.stat(self.shared)
        except OSError:
            guarded = None  # not there (yet): the lock is this user's own, 0600
        fd, self._writable = open_lock_beside(self.path, guarded)
        return fd

    def acquire(self) -> SidecarLock:
        super().acquire()
        if not self.other_names:
            return self
        try:
            _lock_other_names(self.shared, self.job, shared_mode=self.shards is not None)
        except BaseException:
            super().release()
            raise
        return self

    def release(self) -> None:
        if self.other_names:
            _unlock_other_names(self.shared)
        super().release()


# A file with a second name (a hard link: `ln db.sqlite other/db.sqlite`, a backup made with `cp -al`) has a
# sidecar beside each name, so two runs through two names would not meet (issue 23, an attacker's review).
# Such a file is also locked itself, with flock, which Linux keeps apart from SQLite's own fcntl locks
# (flock(2)). The descriptor stays open until the process ends: closing any descriptor of a file drops
# every fcntl lock this process holds on it (fcntl(2)), SQLite's included, so it is only unlocked.
_OTHER_NAMES: dict[str, int] = {}


def _lock_other_names(shared: Path, job: str, *, shared_mode: bool = False) -> None:
    key = str(shared)
    fd = _OTHER_NAMES.get(key)
    if fd is None:
        try:
            info = os.stat(shared, follow_symlinks=False)  # by name: a file of one name is never opened here
            if not stat.S_ISREG(info.st_mode) or info.st_nlink < 2:
                return
            fd = os.open(shared, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return  # not there yet, or not readable by this user: its sidecar is the lock
        _OTHER_NAMES[key] = fd
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared_mode else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        raise LockedError(_("another {job} run is in progress on {path} through another of its names (a hard link)").format(
            job=job, path=shared)) from None


def _unlock_other_names(shared: Path) -> None:
    fd = _OTHER_NAMES.get(str(shared))
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


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
