"""Runs a command as another user (`nobody`), for the tests of root's runs beside a user's (issue 23).

setpriv drops root to that user's uid and gid with no supplementary groups and no capabilities, so the
run has exactly that user's rights. This Python may live in a folder only root may enter (pyenv under
/root): the command then runs in a mount namespace of its own where a tmpfs (0755) covers that folder
and only the entries the run needs are mounted back, unchanged, so the user reaches the interpreter and
quarkctl and nothing else of root's (so for each such folder on the way). Nothing outside the namespace
changes. Only root can do this: `available()` says why not, for pytest.skip.
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

# Arguments: the stage folder, then for each closed folder: its path, the entries to mount back, "--";
# then "--" again and the command. Each closed folder is mounted on a stage of its own first, so its
# entries stay reachable once the tmpfs covers it.
_SCRIPT = r"""set -e
stage=$1; shift; n=0
while [ "$1" != "--" ]; do
    closed=$1; shift; n=$((n + 1)); mkdir -p "$stage/$n"
    mount --bind "$closed" "$stage/$n"
    mount -t tmpfs -o mode=0755 quarkctl-test "$closed"
    while [ "$1" != "--" ]; do
        if [ -d "$stage/$n/$1" ]; then mkdir "$closed/$1"; else touch "$closed/$1"; fi
        mount --bind "$stage/$n/$1" "$closed/$1"
        shift
    done
    shift
done
shift
exec "$@"
"""


def _needed() -> list[Path]:
    """The interpreter, quarkctl, and these helpers (a lock holder runs tests/helpers/hold_lock.py)."""
    return [Path(os.path.realpath(p)) for p in (sys.base_prefix, sys.prefix, Path(quarkctl.__file__).parent, Path(__file__).parent)]


def _closed_folders() -> list[Path]:
    """The folders on the way to this Python and quarkctl that others may not pass through."""
    closed = sorted({a for p in _needed() for a in p.parents if not a.stat().st_mode & stat.S_IXOTH})
    nested = [a for a in closed if any(b in a.parents for b in closed)]
    if nested:
        raise RuntimeError(f"a closed folder inside another: {nested}")
    return closed


def available() -> str | None:
    """None when commands can run as USER here, else why not."""
    if os.geteuid() != 0:
        return "needs root (to switch to another user)"
    for tool in ("setpriv", "unshare", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        _closed_folders()
    except RuntimeError as exc:
        return str(exc)
    return None


def command(argv: list[str], stage: Path) -> list[str]:
    """`argv` as USER. `stage` is an empty folder of the test's (the namespace mounts over it)."""
    drop = ["setpriv", f"--reuid={USER}", f"--regid={GROUP}", "--clear-groups", "--inh-caps=-all", "--"]
    closed = _closed_folders()
    if not closed:
        return [*drop, *argv]
    spec: list[str] = []
    for folder in closed:
        entries = sorted({p.relative_to(folder).parts[0] for p in _needed() if folder in p.parents})
        spec += [str(folder), *entries, "--"]
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", _SCRIPT, "sh", str(stage), *spec, "--", *drop, *argv]


def user_folder(base: Path, name: str, mode: int = 0o755) -> Path:
    """A folder of USER's under `base` (which USER must be able to pass through)."""
    folder = base / name
    folder.mkdir(mode=mode)
    os.chown(folder, USER, GROUP)
    folder.chmod(mode)
    return folder
