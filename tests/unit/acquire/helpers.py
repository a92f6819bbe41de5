"""A search result as rank() reads it (acquire/rank.py's Candidate protocol), without the PanSou client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LINK = "https://pan.quark.cn/s/"


@dataclass(frozen=True)
class Found:
    note: str
    url: str = LINK + "abc123def456"
    password: str = ""
    datetime: datetime | None = None
    drive: str = "quark"
    source: str = "tg:tgsearchers3"
