"""Files quarkctl writes, written so that a planted symbolic link cannot redirect them.

quarkctl runs from root's crontab and from system units, sometimes with XDG folders or a `--dir`
that other users can write to (issue 23). So:
- quarkctl's own folders (locks, help pages) are created 0700 and refused, as ssh refuses its
  folder, when another user owns them or group or others may write to them; the folder is then
  held open and every file in it is opened relative to that descriptor, never through its path
  again, so the folder cannot be swapped once checked;
- a file is opened with O_NOFOLLOW: a symbolic link in its place is an error, never followed;
- a file replaced whole is written to a new temporary file (O_EXCL) in the same folder, its mode
  set on the descriptor, synced, and renamed over the target (rename replaces a link, it does
  not write through it).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from quarkctl.errors import ConfigError
from quarkctl.i18n import _

NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC


def _refuse(path: Path | str, reason: str) -> ConfigError:
    return ConfigError(_("{path}: {reason}").format(path=path, reason=reason))


def open_failure(exc: OSError) -> str:
    """Why a file could not be opened without following a link: ELOOP is a planted link, said so."""
    if exc.errno == errno.ELOOP:
        return _("a symbolic link; quarkctl does not follow it: remove it")
    return exc.strerror or str(exc)


def refused(path: Path | str, exc: OSError) -> ConfigError:
    return _refuse(path, open_failure(exc))


def _check_owned(path: Path | str, info: os.stat_result) -> None:
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse(path, _("not a folder"))
    if info.st_uid != os.geteuid():
        raise _refuse(path, _("owned by another user (uid {uid}); quarkctl uses only a folder of its own user").format(uid=info.st_uid))
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise _refuse(path, _("group or others may write to it; run chmod go-w on it"))


class PrivateDir:
    """quarkctl's own folder, created 0700 if missing, checked, and held open while in use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
            self.fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise _refuse(path, _("a symbolic link or a file, not a folder of quarkctl's; remove it")) from None
            raise _refuse(path, exc.strerror or str(exc)) from None
        try:
            _check_owned(path, os.fstat(self.fd))
        except ConfigError:
            os.close(self.fd)
            raise

    def open(self, name: str, flags: int, mode: int = 0o600) -> int:
        """os.open of a file in this folder, never through a symbolic link."""
        try:
            return os.open(name, flags | NOFOLLOW, mode, dir_fd=self.fd)
        except OSError as exc:
            raise refused(self.path / name, exc) from None

    def replace(self, name: str, data: bytes, mode: int = 0o600) -> None:
        """Write `name` whole or not at all (a reader never sees half of it)."""
        temp = f".{name}.{os.getpid()}.tmp"
        fd = self.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), mode)
                f.write(data)
            os.replace(temp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            try:
                os.unlink(temp, dir_fd=self.fd)
            except OSError:
                pass
            raise

    def names(self) -> list[str]:
        return os.listdir(self.fd)

    def mtime_ns(self, name: str) -> int:
        return os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mtime_ns

    def unlink(self, name: str) -> None:
        os.unlink(name, dir_fd=self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> PrivateDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def replace_file(path: Path, data: bytes, mode: int, *, owner: tuple[int, int] | None = None,
                 before_replace: Callable[[], None] | None = None) -> None:
    """Write `path` whole or not at all in a folder that need not be quarkctl's own (a unit in
    /etc/systemd/system, a capture, the autosave config): the temporary file is new (O_EXCL, a random
    name `.NAME.*.tmp`) and `path` is replaced by rename, so a symbolic link planted at either name is
    never written through. `owner` (uid, gid) is given to the new file first; `before_replace` runs once
    the new file is synced (the config keeps its .bak then). Raises OSError."""
    import tempfile  # only here: the help cache's start-up path needs none of it

    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if owner is not None:
                os.fchown(f.fileno(), *owner)
            os.fchmod(f.fileno(), mode)  # after the chown, which may clear mode bits
            os.fsync(f.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def open_append(path: Path, mode: int = 0o600) -> int:
    """A log file opened for appending, never through a symbolic link. Raises OSError (ELOOP for a link)."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | NOFOLLOW, mode)
