"""A file that stands for /etc/shadow in the as-root tests: known content, mode 0600, checked unchanged."""

from __future__ import annotations

import stat
from pathlib import Path

SECRET = b"root:$6$secret:19000:0:99999:7:::\n"


def plant_victim(folder: Path) -> Path:
    victim = folder / "shadow"
    victim.write_bytes(SECRET)
    victim.chmod(0o600)
    return victim


def untouched(victim: Path) -> bool:
    return victim.read_bytes() == SECRET and stat.S_IMODE(victim.stat().st_mode) == 0o600
