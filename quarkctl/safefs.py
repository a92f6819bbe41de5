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
  not write through it);
- the folders above quarkctl's own are walked one at a time from `/`, each opened relative to the
  one before (openat with O_NOFOLLOW), a missing one created 0700 there (mkdirat). A symbolic link
  on the way is followed only when the folder holding it may be written by root or this user alone:
  a link in a folder others may write to (a sticky /tmp, a shared XDG_STATE_HOME) could have been
  planted to make root create quarkctl's folders, and keep its files, wherever the planter chose;
- a lock beside a shared file (lock.py's SidecarLock) is opened by open_lock_beside(), below.
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


_STEP = os.O_PATH | os.O_DIRECTORY | NOFOLLOW  # O_PATH: a folder this user may only pass through (0711) is passed
_MAX_LINKS = 40  # as the kernel's own limit on links in one path


def _writable_by_others(info: os.stat_result) -> bool:
    """A folder someone other than root and this user may write to: a name in it may have been planted."""
    return info.st_uid not in (0, os.geteuid()) or bool(info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def walk_folder(folder: Path, *, make: bool = True) -> int:
    """An O_PATH descriptor of `folder`, reached one component at a time from `/` without letting the
    kernel follow a link, each missing component created 0700 (mkdirat). A symbolic link on the way is
    followed by hand, and only when the folder holding it is not writable by others (module docstring).
    Raises ConfigError for a refused link, OSError otherwise (ENOTDIR: a file where a folder should be)."""
    parts = list(reversed(Path(os.path.abspath(folder)).parts[1:]))
    fd = os.open("/", _STEP)
    here, links = Path("/"), 0
    try:
        while parts:
            name = parts.pop()
            if name in ("", "."):
                continue
            try:
                step = os.open(name, _STEP, dir_fd=fd)
            except FileNotFoundError:
                if not make:
                    raise
                try:
                    os.mkdir(name, 0o700, dir_fd=fd)
                except FileExistsError:
                    pass
                step = os.open(name, _STEP, dir_fd=fd)
            except NotADirectoryError:
                if not stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                    raise
                if _writable_by_others(os.fstat(fd)):
                    raise _refuse(here / name, _("a symbolic link in a folder others may write to; quarkctl does not follow it")) from None
                links += 1
                if links > _MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP)) from None
                try:
                    target = os.readlink(name, dir_fd=fd)
                except OSError:  # no longer a link: swapped while walked
                    raise _refuse(here / name, _("changed while quarkctl opened it; try again")) from None
                if os.path.isabs(target):
                    os.close(fd)
                    fd, here = os.open("/", _STEP), Path("/")
                parts.extend(reversed([p for p in Path(target).parts if p != "/"]))
                continue
            os.close(fd)
            fd, here = step, here / name
        return fd
    except BaseException:
        os.close(fd)
        raise


def trusted_path(path: Path, _hops: int = 0) -> Path:
    """`path` with its links resolved (os.path.realpath) by walk_folder's rule: a link is followed only
    from a folder no one else may write to, the last name included. A file root reads and writes back
    (the autosave config, issue 23: an attacker's planted `~/cfg -> /root/x` had root write there) is
    reached only as its user could have meant it. Raises ConfigError, or OSError (a missing folder)."""
    path = Path(os.path.abspath(path))
    folder = walk_folder(path.parent, make=False)
    try:
        here = Path(os.readlink(f"/proc/self/fd/{folder}"))  # where the walk arrived, links resolved
        try:
            info = os.stat(path.name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            return here / path.name
        if not stat.S_ISLNK(info.st_mode):
            return here / path.name
        if _writable_by_others(os.fstat(folder)):
            raise _refuse(path, _("a symbolic link in a folder others may write to; quarkctl does not follow it"))
        if _hops >= _MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
        return trusted_path(here / os.readlink(path.name, dir_fd=folder), _hops + 1)
    finally:
        os.close(folder)


class PrivateDir:
    """quarkctl's own folder, created 0700 if missing, checked, and held open while in use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            parent = walk_folder(path.parent)
            try:
                try:
                    os.mkdir(path.name, 0o700, dir_fd=parent)
                except FileExistsError:
                    pass
                self.fd = os.open(path.name, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW, dir_fd=parent)
            finally:
                os.close(parent)
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


def open_dir(folder: Path, *, make: bool = True) -> int:
    """A readable descriptor of `folder` (listdir, fsync, and dir_fd for the *at calls), reached by
    walk_folder: missing folders created 0700, a link followed only from a folder no one else may
    write to. A folder quarkctl writes into once, by name, could be swapped for a link between the
    check and the write; relative to this descriptor it cannot (issue 23, an attacker's review)."""
    step = walk_folder(folder, make=make)
    try:
        return os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=step)
    finally:
        os.close(step)


def new_temp(folder: int, name: str, suffix: str = ".tmp") -> tuple[int, str]:
    """A new file `.NAME.<random>SUFFIX` in `folder` (O_EXCL, never through a link), 0600."""
    import secrets  # only here: the help cache's start-up path needs none of it

    while True:
        temp = f".{name}.{secrets.token_hex(4)}{suffix}"
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600, dir_fd=folder), temp
        except FileExistsError:
            continue


def replace_file(path: Path, data: bytes, mode: int, *, owner: tuple[int, int] | None = None,
                 before_replace: Callable[[int], None] | None = None, make_folders: bool = True,
                 folder: int | None = None) -> None:
    """Write `path` whole or not at all in a folder that need not be quarkctl's own (a unit in
    /etc/systemd/system, a capture, the autosave config): the folder is opened once (open_dir), the
    temporary file is new (O_EXCL, a random name `.NAME.*.tmp`) and `path` is replaced by rename, all
    relative to that folder, so a symbolic link planted at either name, or in place of the folder, is
    never written through; missing folders are made 0700 unless `make_folders` is False. `owner` (uid,
    gid) is given to the new file first; `before_replace` runs with the folder's descriptor once the new
    file is synced (the config keeps its .bak then). Raises OSError, or ConfigError for a folder reached
    through a link others could have planted. `folder`: the folder's descriptor, already opened by the
    caller (open_dir), who also closes it."""
    held = folder
    folder = open_dir(path.parent, make=make_folders) if held is None else held
    try:
        fd, temp = new_temp(folder, path.name)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                if owner is not None:
                    os.fchown(f.fileno(), *owner)
                os.fchmod(f.fileno(), mode)  # after the chown, which may clear mode bits
                os.fsync(f.fileno())
            if before_replace is not None:
                before_replace(folder)
            os.replace(temp, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            try:
                os.unlink(temp, dir_fd=folder)
            except OSError:
                pass
            raise
        try:
            os.fsync(folder)
        except OSError:
            pass  # some file systems cannot sync a folder; the rename is still atomic
    finally:
        if held is None:
            os.close(folder)


class NotRegular(OSError):
    """A path quarkctl appends to that is not one plain file: a FIFO (opening it would wait for a
    reader forever), a device, a folder, or a file with a second name (a hard link to another file)."""


def open_append(path: Path, mode: int = 0o600) -> int:
    """A log file opened for appending: its folder reached by open_dir's walk, the file never through
    a symbolic link, never a FIFO or device (O_NONBLOCK: a FIFO without a reader fails at once instead
    of blocking the run), never a file with a second name. Raises OSError (ELOOP for a link)."""
    folder = open_dir(path.parent)
    try:
        fd = os.open(path.name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | NOFOLLOW, mode, dir_fd=folder)
    finally:
        os.close(folder)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise NotRegular(errno.EINVAL, _("not a plain file of its own (a FIFO, a device or a hard link); quarkctl does not write to it"))
    os.set_blocking(fd, True)
    return fd


def open_lock_beside(path: Path, guarded: os.stat_result | None) -> tuple[int, bool]:
    """The lock file `path` beside a file several users may run quarkctl on (a SQLite database, an
    autosave config; lock.py's docstring has the rule), as (descriptor, writable). flock works on a
    read-only descriptor, so a user who may only read it still takes the lock; only the holder's name
    is then not written. Never follows a link; refuses, before a byte is written, anything but a regular
    file with one link, and a file of another user than this one, root or the guarded file's owner in a
    folder others may write to. A missing lock is created with the guarded file's owner, group and
    read bits (writable by its owner alone), so both that owner and root can take it later."""
    try:
        # its folder reached by walk_folder's rule and held: a folder swapped for a link during the open does
        # not put root's lock, given to the guarded file's owner, into a folder of the swapper's choosing
        folder = walk_folder(path.parent, make=False)
    except OSError as exc:
        raise refused(path.parent, exc) from None
    try:
        return _open_lock_in(folder, path, guarded)
    finally:
        os.close(folder)


def _open_lock_in(folder: int, path: Path, guarded: os.stat_result | None) -> tuple[int, bool]:
    flags = os.O_NONBLOCK | NOFOLLOW  # O_NONBLOCK: a planted FIFO does not hang the open
    mode = 0o600 | (stat.S_IMODE(guarded.st_mode) & 0o044 if guarded is not None else 0)
    created, writable = False, True
    try:
        fd = os.open(path.name, os.O_RDWR | os.O_CREAT | os.O_EXCL | flags, mode, dir_fd=folder)
        created = True
    except (FileExistsError, PermissionError) as exc:  # there already; or a folder this user may not write to
        try:
            try:
                fd = os.open(path.name, os.O_RDWR | flags, dir_fd=folder)
            except PermissionError:
                fd, writable = os.open(path.name, os.O_RDONLY | flags, dir_fd=folder), False
        except PermissionError:
            raise _refuse(path, _("this user may not read it (left by another user's run): remove it")) from None
        except FileNotFoundError:  # not there, and this user may not make it: say who runs and what fixes it
            if isinstance(exc, PermissionError):
                raise _refuse(path, _("{reason}: this process runs as uid {uid}, which may not create files in {folder}; "
                                      "give it the folder: chown {uid} {folder} (with Docker, the host folder mounted there)")
                              .format(reason=open_failure(exc), uid=os.geteuid(), folder=path.parent)) from None
            raise refused(path, exc) from None
        except OSError as again:
            raise refused(path, again) from None
    except OSError as exc:
        raise refused(path, exc) from None
    try:
        info = os.fstat(fd)
        if not created and not (stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and _trusted_lock(path, info, guarded)):
            raise _refuse(path, _("not a lock file quarkctl made (a regular file of this user, root or the owner "
                                  "of the file it guards, with one link): remove it"))
        # An older quarkctl's lock, root's own and 0600, is given to the owner too; only when empty (a lock
        # left released), so no other file of root's that someone moved here changes hands.
        if created or (info.st_uid == 0 and os.geteuid() == 0 and info.st_size == 0):
            _give_to_owner(fd, guarded, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, writable


def _trusted_lock(path: Path, info: os.stat_result, guarded: os.stat_result | None) -> bool:
    """Made by quarkctl for a user who runs it on the guarded file, or in a folder only its owner may
    write to (everyone who could have made it there could also have changed the guarded file)."""
    if info.st_uid in (0, os.geteuid()) or (guarded is not None and info.st_uid == guarded.st_uid):
        return True
    try:
        return not os.stat(path.parent).st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    except OSError:
        return False


def _give_to_owner(fd: int, guarded: os.stat_result | None, mode: int) -> None:
    """The lock gets the guarded file's owner and group (root may give them; another user keeps its own,
    and the group where it belongs to it), and `mode` whatever the umask."""
    if guarded is not None:
        try:
            os.fchown(fd, guarded.st_uid if os.geteuid() == 0 else -1, guarded.st_gid)
        except PermissionError:
            pass  # not in that group: the lock stays in this user's
    os.fchmod(fd, mode)  # after the chown, which may clear mode bits
