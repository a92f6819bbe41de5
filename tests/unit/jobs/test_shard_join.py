"""Shards of one N started at the same moment (a Kubernetes Indexed Job's pods, a crontab of N lines): the one
that finds the table's lock file free holds it alone while it writes N (quarkctl/lock.py RunLock._join), and a
sibling looking in that instant tries again rather than take it for another run. Real lock files; the patience's
clock and pause are injected, and the pause is where the sibling's write ends."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from quarkctl.errors import LockedError
from quarkctl.lock import JOIN_PATIENCE, RunLock


@pytest.fixture
def lock_file(tmp_path: Path) -> Path:
    folder = tmp_path / "locks"
    folder.mkdir(mode=0o700)
    return folder / "check-links.lock"


def hold_alone(path: Path, info: dict[str, object]) -> int:
    """Another process's description of the file, held alone, with `info` written: a sibling mid-write, or a whole run."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    return fd


def ticking(step: float) -> Iterator[float]:
    now = 0.0
    while True:
        yield now
        now += step


def shard(path: Path, step: float, on_pause: object) -> RunLock:
    lock = RunLock(path, "check-links", shards=2)
    clock = ticking(step)
    lock.clock = lambda: next(clock)  # type: ignore[method-assign]
    lock.pause = on_pause  # type: ignore[method-assign,assignment]
    return lock


def test_a_shard_waits_out_a_sibling_writing_its_n_and_runs_beside_it(lock_file: Path) -> None:
    sibling = hold_alone(lock_file, {"shards": 2})
    pauses: list[float] = []

    def sibling_done(seconds: float) -> None:  # its write ends: it holds the lock shared, as a running shard does
        pauses.append(seconds)
        fcntl.flock(sibling, fcntl.LOCK_SH)

    lock = shard(lock_file, 0.01, sibling_done)
    try:
        lock.acquire()
        assert len(pauses) == 1
    finally:
        lock.release()
        os.close(sibling)


def test_a_whole_run_is_not_waited_for(lock_file: Path) -> None:
    whole = hold_alone(lock_file, {"pid": 4242, "host": "h", "since": "2026-12-07 02:00:00"})
    pauses: list[float] = []
    try:
        with pytest.raises(LockedError, match="pid 4242 on h"):
            shard(lock_file, 0.01, pauses.append).acquire()
        assert pauses == []
    finally:
        os.close(whole)


def test_shards_of_another_n_are_not_waited_for(lock_file: Path) -> None:
    other = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    os.pwrite(other, json.dumps({"shards": 3}).encode(), 0)
    fcntl.flock(other, fcntl.LOCK_SH)
    pauses: list[float] = []
    try:
        with pytest.raises(LockedError, match="3"):
            shard(lock_file, 0.01, pauses.append).acquire()
        assert pauses == []
    finally:
        os.close(other)


def test_the_patience_is_bounded(lock_file: Path) -> None:
    stuck = hold_alone(lock_file, {"shards": 2})  # never done: refused once the patience is spent
    pauses: list[float] = []
    try:
        with pytest.raises(LockedError):
            shard(lock_file, 0.5, pauses.append).acquire()
        assert 1 <= len(pauses) <= JOIN_PATIENCE / 0.5
    finally:
        os.close(stuck)
