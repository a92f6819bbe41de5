"""Runs a command as another user (`nobody`), for the tests of root's runs beside a user's (issue 23).

setpriv drops root to that user's uid and gid with no supplementary groups and no capabilities, so the
run has exactly that user's rights. This Python may live in a folder only root may enter (pyenv under
/root): the command then runs in a mount namespace of its own where a tmpfs (0755) covers that folder
and only the entries the run needs are mounted back, unchanged, so the user reaches the interpreter and
quarkctl and nothing else of root's. Nothing outside the namespace changes. Only root can do this:
`available()` says why not, for pytest.skip.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import quarkctl

USER = 65534  # nobody
GROUP = 65534  # nogroup

_SCRIPT = r"""set -e
stage=$1; closed=$2; shift 2
mount --bind "$closed" "$stage"
mount -t tmpfs -o mode=0755 quarkctl-test "$closed"
while [ "$1" != "--" ]; do
    if [ -d "$stage/$1" ]; then mkdir "$closed/$1"; else touch "$closed/$1"; fi
    mount --bind "$stage/$1" "$closed/$1"
    shift
done
shift
exec "$@"
"""


def _needed() -> list[Path]:
    return [Path(os.path.realpath(p)) for p in (sys.base_prefix, sys.prefix, Path(quarkctl.__file__).parent)]


def _closed_folder() -> Path | None:
    """The one folder on the way to this Python and quarkctl that others may not pass through, if any."""
    closed = {a for p in _needed() for a in reversed(p.parents) if not a.stat().st_mode & stat.S_IXOTH}
    if len(closed) > 1:
        raise RuntimeError(f"more than one closed folder on the way: {sorted(closed)}")
    return next(iter(closed), None)


def available() -> str | None:
    """None when commands can run as USER here, else why not."""
    if os.geteuid() != 0:
        return "needs root (to switch to another user)"
    for tool in ("setpriv", "unshare", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        _closed_folder()
    except RuntimeError as exc:
        return str(exc)
    return None


def command(argv: list[str], stage: Path) -> list[str]:
    """`argv` as USER. `stage` is an empty folder of the test's (the namespace mounts over it)."""
    drop = ["setpriv", f"--reuid={USER}", f"--regid={GROUP}", "--clear-groups", "--inh-caps=-all", "--"]
    closed = _closed_folder()
    if closed is None:
        return [*drop, *argv]
    entries = sorted({p.relative_to(closed).parts[0] for p in _needed() if closed in p.parents})
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", _SCRIPT, "sh",
            str(stage), str(closed), *entries, "--", *drop, *argv]


def user_folder(base: Path, name: str, mode: int = 0o755) -> Path:
    """A folder of USER's under `base` (which USER must be able to pass through)."""
    folder = base / name
    folder.mkdir(mode=mode)
    os.chown(folder, USER, GROUP)
    folder.chmod(mode)
    return folder
