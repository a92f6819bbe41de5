"""The metrics file (issue 26): `--metrics-file PATH` or QUARKCTL_METRICS_FILE, written as a run ends,
for node_exporter's textfile collector (metrics.py has what it holds).

Written as root writes any file (safefs.py): the folder reached without following a link someone else
could have planted, the old file read without following one (a link, a FIFO, a device or a second name
is refused), the new one written beside it and renamed over it, so the collector never reads half a
file. Under a lock beside it (lock.py sidecar_path), so two runs that end at once each keep the other's
lines. Mode 0644: node_exporter runs as a user of its own.

Monitoring never stops the job (unlike --log-file): what can be seen before the run (a link at PATH, a
folder that cannot be written to, a read-only file system) is one warning line, and the run goes on; what
fails as the run ends is one more, and the run's exit code stands either way. A dry run writes none (it
pings and notifies nobody either).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.lock import sidecar_path
from quarkctl.safefs import NOFOLLOW, NotRegular, open_dir, open_failure, open_lock_beside, replace_file

METRICS_ENV = "QUARKCTL_METRICS_FILE"
MODE = 0o644
# The file is read whole as each run ends: a few KB a shard, so 4 MiB is hundreds of shards' worth. Larger
# is no file of ours (an attacker's review: a planted 100 MB file took 34 s and 1.4 GB at each run's end).
MAX_BYTES = 4 * 1024 * 1024
# The lock is held for one read and one rename; a holder that keeps it longer (a process of someone who
# may write the folder) must not hold the run (an attacker's review: root's run waited on it for ever).
LOCK_WAIT = 10.0
LOCK_POLL = 0.05
Figures = Callable[[Any], tuple[Any, ...]]  # the report (None: the run ended before it) -> metrics.Figure


class MetricsFile:
    """Where one run's figures go: its command and shard name its series in the shared file."""

    def __init__(self, path: Path, setting: str, *, command: str, shard: str, figures: Figures,
                 clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.path, self.setting, self.command, self.shard, self.figures = path, setting, command, shard, figures
        self.clock, self.monotonic, self.sleep = clock, monotonic, sleep
        self.started = monotonic()

    @classmethod
    def from_settings(cls, flag: Path | None, env: Mapping[str, str], *, dry_run: bool, command: str, shard: str,
                      figures: Figures) -> MetricsFile | None:
        """--metrics-file wins over QUARKCTL_METRICS_FILE (the environment, then .env); a dry run writes none."""
        raw = env.get(METRICS_ENV, "").strip()
        if dry_run or (flag is None and not raw):
            return None
        if flag is not None:
            return cls(flag, "--metrics-file", command=command, shard=shard, figures=figures)
        return cls(Path(raw), METRICS_ENV, command=command, shard=shard, figures=figures)

    def check(self) -> str | None:
        """Before the run: the folder can be reached and written to, and PATH is no link, FIFO or device.
        Returns the warning to show when not; the run goes on (the file may be fixed before it ends)."""
        try:
            with self._locked() as folder:
                self._read(folder)
        except (ConfigError, OSError) as exc:
            return _("warning: {problem}; the run goes on without metrics until this is fixed").format(problem=self._failure(exc))
        return None

    def write(self, report: Any, exit_code: int) -> str | None:
        """Replace this run's series in the file, keep the others'. Returns the warning to show, if any."""
        from quarkctl.hooks.monitoring import metrics

        run = metrics.RunFigures(self.command, self.shard, int(exit_code), max(0.0, self.monotonic() - self.started),
                                 self.clock(), self.figures(report))
        warning = None
        try:
            with self._locked() as folder:
                held = self._read(folder)
                try:
                    if len(held) > MAX_BYTES:
                        raise ValueError("larger than any file of quarkctl's")
                    families = metrics.read(held.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):  # a hand-edited or truncated file: this run starts it anew
                    families = []
                    warning = _("warning: {setting}: {path} held lines that are not Prometheus' text format; "
                                "only this run's figures are in it now").format(setting=self.setting, path=self.path)
                replace_file(self.path, metrics.merge(families, run), MODE, folder=folder)
        except (ConfigError, OSError) as exc:
            return _("warning: {problem}; this run's metrics were not written").format(problem=self._failure(exc))
        return warning

    def _failure(self, exc: Exception) -> str:
        if isinstance(exc, ConfigError):
            return _("{setting}: {error}").format(setting=self.setting, error=exc)
        reason = open_failure(exc) if isinstance(exc, OSError) else str(exc)
        return _("{setting}: cannot write {path}: {reason}").format(setting=self.setting, path=self.path, reason=reason)

    @contextmanager
    def _locked(self) -> Iterator[int]:
        """The folder's descriptor, under the lock beside PATH."""
        if self.path.name in ("", ".", ".."):  # "/", "." or "..": a folder, and no name to put a lock beside
            raise ConfigError(_("{path} names a folder, not a file").format(path=self.path))
        # A missing folder is not made: one made 0700 (as --log-file's) would be unreadable by node_exporter.
        folder = open_dir(self.path.parent, make=False)
        try:
            try:
                info: os.stat_result | None = os.stat(self.path.name, dir_fd=folder, follow_symlinks=False)
            except FileNotFoundError:
                info = None
            if info is not None and stat.S_ISDIR(info.st_mode):  # refused before a lock is left beside it
                raise ConfigError(_("{path} is a folder, not a file").format(path=self.path))
            guarded = info if info is not None and stat.S_ISREG(info.st_mode) else None
            lock, _writable = open_lock_beside(sidecar_path(self.path, "metrics"), guarded)
            try:
                self._take(lock)
                yield folder
            finally:
                os.close(lock)  # which releases the lock
        finally:
            os.close(folder)

    def _take(self, lock: int) -> None:
        """The lock, waited for LOCK_WAIT seconds at most: another run holds it for a moment only."""
        give_up: float | None = None
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                give_up = self.monotonic() + LOCK_WAIT if give_up is None else give_up
                if self.monotonic() >= give_up:
                    raise ConfigError(_("{path}: its lock {lock} was held by another process for {seconds:.0f} s").format(
                        path=self.path, lock=sidecar_path(self.path, "metrics"), seconds=LOCK_WAIT)) from None
                self.sleep(LOCK_POLL)

    def _read(self, folder: int) -> bytes:
        """The file as it is: b"" when there is none. Never through a link, never a FIFO, device or second name."""
        try:
            fd = os.open(self.path.name, os.O_RDONLY | os.O_NONBLOCK | NOFOLLOW, dir_fd=folder)
        except FileNotFoundError:
            return b""
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            os.close(fd)
            raise NotRegular(errno.EINVAL, _("not a plain file of its own (a folder, a FIFO, a device or a hard link); "
                                             "quarkctl does not write to it"))
        with os.fdopen(fd, "rb") as file:
            return file.read(MAX_BYTES + 1)  # more than MAX_BYTES: started anew (write)
