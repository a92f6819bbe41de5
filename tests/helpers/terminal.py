"""Run a command with stdout and stderr on a pseudo-terminal, as a person at a shell sees it."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
from collections.abc import Sequence
from pathlib import Path


def on_pty(argv: Sequence[str], env: dict[str, str], cwd: Path, *, size: tuple[int, int] | None = None,
           timeout: float = 60) -> tuple[int, str]:
    """(exit code, everything written to the terminal); `size`: (rows, columns) of the terminal."""
    master, slave = pty.openpty()
    if size is not None:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    proc = subprocess.Popen(list(argv), env={**env, "TERM": "xterm"}, cwd=cwd, stdout=slave, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = proc.wait(timeout=timeout)
    os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")
