"""The logged-in side of the simulator around each Drive: one account per accepted cookie, with its
member level, capacity and sign-in state, and the async tasks that save and delete answer with.

Plain data and rules, no HTTP (server.py renders it). Fields follow docs/reference/quark-api.md 3.2-3.5.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote

from .codes import DriveError
from .drive import MiB, Drive, wall_ms
from .shapes import member_status, sign_rewards

TiB = 1024**4
# 41035 单次转存文件个数超出用户等级限制 (quark-api.md 4.1, 5; quark-replies.json task[4]): one save may
# hold at most this many files, counted inside the saved folders, by account level. Seen on the
# first save of a single folder. The real numbers are unknown (quark-api.md 6): these are ours.
SAVE_FILE_LIMITS = {"NORMAL": 500, "EXP_SVIP": 5000, "SUPER_VIP": 5000, "Z_VIP": 5000}
DEFAULT_SAVE_FILE_LIMIT = SAVE_FILE_LIMITS["NORMAL"]

# How growth/sign answers a well-formed request (Account.sign_answer; quark-api.md 7):
SIGN_REWARD = "reward"  # signs, answers data.sign_daily_reward (quark-replies.json growth_sign[0], captured)
# signs nothing, answers 200 + code 0 + data {} (growth_sign[3], parsed: the "fake success" a request
# without Content-Type gets; here for any request, so the real client meets it too)
SIGN_EMPTY = "empty"
# signs, but answers as growth_sign[3]: only growth info read again tells (inferred: the shape is seen,
# whether a real sign ever answers so is not; one public script reads it as "signed")
SIGN_EMPTY_SIGNED = "empty_signed"
SIGN_ANSWERS = (SIGN_REWARD, SIGN_EMPTY, SIGN_EMPTY_SIGNED)


@dataclass
class Account:
    """One accepted cookie: its drive, member level and sign-in state (change them freely in tests)."""

    cookie: str
    drive: Drive
    member_type: str = "NORMAL"
    save_file_limit: int | None = None  # files per save before 41035; None: by member_type (SAVE_FILE_LIMITS)
    base_capacity: int = 10 * TiB  # large, so saves only hit 32003 when a test lowers it
    sign_daily_reward: int = 20 * MiB
    sign_target: int = 7
    signed_today: bool = False
    sign_progress: int = 0
    signs: int = 0  # successful sign-ins so far
    sign_reward_total: int = 0
    sign_answer: str = SIGN_REWARD  # one of SIGN_ANSWERS: how growth/sign answers (change it in tests)

    @property
    def total_capacity(self) -> int:
        return self.base_capacity + self.sign_reward_total

    @property
    def save_limit(self) -> int:
        if self.save_file_limit is not None:
            return self.save_file_limit
        return SAVE_FILE_LIMITS.get(self.member_type, DEFAULT_SAVE_FILE_LIMIT)

    def matches_kps(self, kps: str) -> bool:
        """True when the cookie carries kps=<kps> (CP unescapes %25 in the values it sends)."""
        for part in self.cookie.split(";"):
            key, _, value = part.strip().partition("=")
            if key == "kps" and kps in (value, unquote(value), value.replace("%25", "%")):
                return True
        return False

    def growth_info(self) -> dict:
        """The shape of quark-replies.json growth_info[0] (captured)."""
        with self.drive.lock:
            return {
                "member_type": self.member_type, "use_capacity": self.drive.used,
                "cap_growth": {"lost_total_cap": 0, "cur_total_cap": self.sign_reward_total, "cur_total_sign_day": self.signs},
                "88VIP": False, "member_status": member_status(self.member_type),
                "cap_sign": {
                    "sign_daily": self.signed_today, "sign_target": self.sign_target,
                    "sign_daily_reward": self.sign_daily_reward, "sign_progress": self.sign_progress,
                    "sign_rewards": sign_rewards(self.sign_daily_reward, self.sign_target),
                },
                "cap_composition": {"other": 0, "member_own": self.base_capacity, "sign_reward": self.sign_reward_total},
                "total_capacity": self.total_capacity,
            }  # fmt: skip

    def sign(self, *, carried_out: bool = True) -> int | None:
        """Today's sign-in: its reward, or None when the answer carries none (sign_answer, or a request
        Quark does not carry out: carried_out=False signs nothing)."""
        with self.drive.lock:
            if self.sign_answer not in SIGN_ANSWERS:
                raise ValueError(f"sign_answer: one of {SIGN_ANSWERS}, not {self.sign_answer!r}")
            if self.signed_today:
                raise DriveError(44210)
            if not carried_out or self.sign_answer == SIGN_EMPTY:
                return None
            self.signed_today = True
            # sign_cyclic: a full cycle starts over at 1
            self.sign_progress = 1 if self.sign_progress >= self.sign_target else self.sign_progress + 1
            self.signs += 1
            self.sign_reward_total += self.sign_daily_reward
            return self.sign_daily_reward if self.sign_answer == SIGN_REWARD else None

    def sign_state(self) -> dict:
        with self.drive.lock:
            return {
                "signed_today": self.signed_today, "progress": self.sign_progress, "target": self.sign_target,
                "signs": self.signs, "daily_reward": self.sign_daily_reward, "reward_total": self.sign_reward_total,
                "total_capacity": self.total_capacity, "member_type": self.member_type,
            }  # fmt: skip


@dataclass
class Task:
    """An async job (save 17, delete 3): status 0 for `wait_polls` polls, then `run` happens once
    and every later poll answers its result, or its DriveError as an error envelope."""

    cookie: str
    task_type: int
    task_title: str
    wait_polls: int
    run: Callable[[], dict]
    pending: dict = field(default_factory=dict)  # what the task shows before it is done (shapes.SAVE_PENDING)
    task_id: str = field(default_factory=lambda: os.urandom(16).hex())
    event_id: str = field(default_factory=lambda: f"{os.urandom(3).hex()}-{os.urandom(8).hex()}")
    created_at: int = field(default_factory=wall_ms)
    polls: int = 0
    finished_at: int | None = None
    result: dict | None = None
    failure: DriveError | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def poll(self) -> dict:
        with self._lock:
            self.polls += 1
            data = {
                "task_id": self.task_id, "event_id": self.event_id, "task_type": self.task_type,
                "task_title": self.task_title, "status": 0, "created_at": self.created_at,
            }  # fmt: skip
            if self.polls <= self.wait_polls:
                return {**data, **self.pending}
            if self.finished_at is None:
                try:
                    self.result = self.run()
                except DriveError as exc:
                    self.failure = exc
                self.finished_at = wall_ms()
            if self.failure is not None:
                raise self.failure
            return {**data, "status": 2, "finished_at": self.finished_at, **(self.result or {})}
