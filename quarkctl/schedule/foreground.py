"""Is this a container whose scheduler is `quarkctl schedule run` (loop.py)? It shows in no timer or crontab
(current.py), so doctor looks at the process itself: PID 1, as the image's default command makes it (Dockerfile
CMD; `docker exec CONTAINER quarkctl doctor` runs beside it). Other processes are not looked at: another user's
or another test's `schedule run` elsewhere on the machine does not schedule this one's jobs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def scheduler_is_pid_1(root: Path = Path("/")) -> bool:
    """PID 1 is `quarkctl schedule run` (or `python -m quarkctl schedule run`)."""
    try:
        raw = (root / "proc" / "1" / "cmdline").read_bytes()
    except OSError:  # no /proc, or not readable here
        return False
    argv = [os.path.basename(word) for word in raw.decode("utf-8", "replace").split("\0")]
    return any(word == "quarkctl" and argv[i + 1:i + 3] == ["schedule", "run"] for i, word in enumerate(argv))


def in_container(env: Mapping[str, str], root: Path = Path("/")) -> bool:
    """Docker's and Podman's marker files, or the variable Kubernetes gives every pod."""
    return (root / ".dockerenv").exists() or (root / "run/.containerenv").exists() or "KUBERNETES_SERVICE_HOST" in env
