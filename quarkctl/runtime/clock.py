"""The clock every run reads by default: aware UTC. Tests inject their own (each run takes a `clock`)."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
