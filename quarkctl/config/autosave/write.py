"""The atomic write-back: temp file, fsync, rename, the previous version kept as .bak; a file edited
during the run gets this run's changes re-applied instead of being overwritten."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.safefs import new_temp, open_dir, replace_file, trusted_path

from .model import DELETE, AutosaveConfig, Change, dumps, parse
from .loading import read_text

STALE_TEMP_SECONDS = 3600


def _merge_into(fresh: dict[str, Any], changes: list[Change]) -> dict[str, Any]:
    """Re-apply this run's changes to a file the user edited meanwhile; a task is found by name and URL."""
    found = fresh.get("tasklist")
    tasklist: list[Any] = found if isinstance(found, list) else []
    for change in changes:
        if change.index < 0:
            fresh[change.key] = change.value
            continue

        def same(item: Any) -> bool:
            return (isinstance(item, dict) and item.get("taskname") == change.taskname
                    and item.get("shareurl") == change.shareurl)

        candidates = [change.index] if change.index < len(tasklist) and same(tasklist[change.index]) else []
        candidates = candidates or [i for i, item in enumerate(tasklist) if same(item)][:1]
        for i in candidates:  # none: the task was removed or its link changed; the change no longer applies
            if change.value is DELETE:
                tasklist[i].pop(change.key, None)
            else:
                tasklist[i][change.key] = change.value
    return fresh


def _remove_stale_temps(folder: int, name: str) -> None:
    """Temp files left by a save that was killed (older than an hour, so a save under way is never touched)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in os.listdir(folder):
        if not (leftover.startswith(f".{name}.") and leftover.endswith(".tmp")):
            continue
        try:
            if os.stat(leftover, dir_fd=folder, follow_symlinks=False).st_mtime < cutoff:
                os.unlink(leftover, dir_fd=folder)
        except OSError:
            pass


def _keep_backup(folder: int, name: str) -> None:
    """NAME -> NAME.bak in `folder` (a descriptor, safefs.replace_file's), replaced atomically: a hard
    link when the file system allows, else a copy; never through a symbolic link (issue 23)."""
    fd, staging = new_temp(folder, name, ".bak.tmp")
    os.close(fd)
    os.unlink(staging, dir_fd=folder)
    try:
        os.link(name, staging, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
    except OSError:
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        try:
            target = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
            with os.fdopen(source, "rb", closefd=False) as src, os.fdopen(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
                os.fchmod(dst.fileno(), stat.S_IMODE(os.fstat(source).st_mode))
        finally:
            os.close(source)
    os.replace(staging, name + ".bak", src_dir_fd=folder, dst_dir_fd=folder)


class ConfigReadOnly(ConfigError):
    """The user made the config read-only: it is left as it is (the run says what was not saved)."""


def _atomic_write(path: Path, text: str, folder: int) -> None:
    """`folder`: the config folder's descriptor, opened once by save(): the file is stat'ed, read and replaced
    there, never through a folder swapped for a link meanwhile (issue 23, an attacker's review)."""
    try:
        info: os.stat_result | None = os.stat(path.name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        info = None
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o600
    if info is not None and not mode & stat.S_IWUSR:
        raise ConfigReadOnly(_("{path} is read-only (mode {mode:o}); left as it is, so this run's bans and fids were "
                               "not saved").format(path=path, mode=mode))
    # root writing a user's config back: the new file keeps its owner and group (issue 23)
    owner = (info.st_uid, info.st_gid) if info is not None and os.geteuid() == 0 else None

    def before_replace(folder: int) -> None:
        _remove_stale_temps(folder, path.name)
        if info is not None:
            _keep_backup(folder, path.name)

    replace_file(path, text.encode("utf-8"), mode, owner=owner, before_replace=before_replace, folder=folder)


def save(config: AutosaveConfig) -> bool:
    """Write the config back atomically (temp file, fsync, rename; the previous version kept as .bak).

    Returns False when there was nothing to write. A symlinked config is written where the link
    points, unless the link lies in a folder others may write to (safefs.trusted_path). When the file
    changed on disk since it was loaded, this run's changes (bans, save-path fids, plugin defaults) are
    applied to that newer version instead of overwriting it.
    """
    try:
        path = trusted_path(config.path)
        folder = open_dir(path.parent, make=False)
    except OSError as exc:
        raise ConfigError(_("cannot write config {path}: {reason}; the previous version is unchanged").format(
            path=config.path, reason=exc.strerror or exc)) from None
    try:
        return _save_in(config, path, folder)
    finally:
        os.close(folder)


def _save_in(config: AutosaveConfig, path: Path, folder: int) -> bool:
    if config._real_path is not None and str(path) != config._real_path:
        # the path leads elsewhere than when it was read: a link swapped in during the run (an attacker's review)
        raise ConfigError(_("{path} now leads to {now}, not to the file read at the start ({then}); left as it is, so "
                            "this run's bans and fids were not saved").format(path=config.path, now=path, then=config._real_path))
    try:
        on_disk: str | None = read_text(path, folder)  # never a FIFO swapped in (loading.read_text)
    except FileNotFoundError:
        on_disk = None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("not UTF-8 text")
        raise ConfigError(_("cannot read config {path}: {reason}").format(path=path, reason=reason)) from None
    data = config.data
    if on_disk is not None and config._loaded_text is not None and on_disk != config._loaded_text:
        if not config._changes:
            return False
        try:
            data = _merge_into(parse(on_disk, path), config._changes)
        except ConfigError:
            raise ConfigError(_(
                "{path} was changed during the run and is not valid JSON now; left as it is "
                "(this run's bans and fids were not written)").format(path=path)) from None
    elif config._loaded_text is not None and data == parse(config._loaded_text, path):
        return False
    text = dumps(data)
    if text == on_disk:
        return False
    try:
        _atomic_write(path, text, folder)
    except OSError as exc:
        raise ConfigError(_("cannot write config {path}: {reason}; the previous version is unchanged").format(
            path=path, reason=exc.strerror or exc)) from None
    config.data, config._loaded_text, config._changes = data, text, []
    return True
