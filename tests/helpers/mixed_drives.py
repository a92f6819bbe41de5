"""A cloud_resource table of every drive (issue 24): for each drive a row per share state the drives simulator
knows, and what check-links must make of it. Shared by the in-process lane tests and the end-to-end run."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import ResourceDB, add_valid, share_url
from quarkctl.providers.base import DriveSetup, Link
from quarkctl.providers.registry import PROVIDERS, open_drives
from quarkctl.simulator import Share, Simulator
from quarkctl.simulator.drives_server import DrivesSimulator

# A link of each drive but Quark, numbered
TEMPLATES = {
    "uc": "https://drive.uc.cn/s/d60d7221{:05d}",
    "baidu": "https://pan.baidu.com/s/1AbCdEf{:03d}",
    "aliyun": "https://www.alipan.com/s/4F9AbCdE{:03d}",
    "123": "https://www.123pan.com/s/yXg6Vv-en{:03d}",
    "tianyi": "https://cloud.189.cn/t/AbCdEf{:06d}",
    "mobile": "https://caiyun.139.com/w/i/2rJV89vKp{:04d}",
    "115": "https://115.com/s/swfsfjg3{:03d}",
    "xunlei": "https://pan.xunlei.com/s/VOgB-u2O5Nac{:04d}",
}
ENV_KEYS = {"uc": "UC", "baidu": "BAIDU", "aliyun": "ALIYUN", "123": "123", "tianyi": "TIANYI", "mobile": "MOBILE",
            "115": "115", "xunlei": "XUNLEI"}
# The states every drive's simulator answers; only "dead" is an answer drives-api.md saw on dead shares
# (the drives-simulator's `dead` of each drive is its [seen] one: tests/unit/providers/test_drive_checks.py)
STATES = ("alive", "dead", "unverified_dead", "locked", "rate_limited", "captcha", "html", "wrong_shape")
CHECKED = ("uc", "baidu", "aliyun", "123", "tianyi", "mobile", "115")
READ = open_drives(DriveSetup(lambda: None), list(PROVIDERS))


@dataclass
class Mixed:
    ids: dict[tuple[str, str], int]  # (drive, state) -> row id
    dead: set[int]  # the rows a run must mark: each drive's seen-dead answer, and Quark's dead share

    def of(self, drive: str) -> list[int]:
        return [i for (d, _), i in self.ids.items() if d == drive]


def link(drive: str, n: int) -> str:
    return TEMPLATES[drive].format(n)


def share_id(text: str) -> str:
    found = READ.read(text)
    assert isinstance(found, Link), text
    return found.share_id


def bases(dsim: DrivesSimulator) -> dict[str, str]:
    """The environment that sends every drive's requests to `dsim`."""
    return {f"QUARKCTL_API_BASE_{key}": dsim.base_url or "" for key in ENV_KEYS.values()}


def seed_every_drive(db: ResourceDB, sim: Simulator, dsim: DrivesSimulator, *, states: tuple[str, ...] = STATES,
                     drives: tuple[str, ...] = CHECKED, quark: int = 2, xunlei: int = 1) -> Mixed:
    """Each drive's rows in `states` (drive_type its name), Quark's `quark` rows (alive, then a dead one),
    `xunlei` Xunlei rows; interleaved as a real table is, drive after drive per state."""
    rows: list[dict[str, object]] = []
    keys: list[tuple[str, str]] = []
    for n, state in enumerate(states):
        for drive in drives:
            text = link(drive, n)
            dsim.add(drive, share_id(text), "unverified_dead" if state == "unverified_dead" else state)
            rows.append({"drama_name": f"{drive} {state}", "link": text, "drive_type": drive})
            keys.append((drive, state))
    for n in range(quark):
        pwd_id = f"mixq{n:08d}"
        if n == quark - 1:
            sim.add_share(Share(pwd_id=pwd_id, title="dead", dead_code=41012, files=[]))
        else:
            add_valid(sim, pwd_id)
        rows.append({"drama_name": f"quark {n}", "link": share_url(pwd_id), "drive_type": "quark"})
        keys.append(("quark", "dead" if n == quark - 1 else f"alive{n}"))
    for n in range(xunlei):
        rows.append({"drama_name": f"xunlei {n}", "link": link("xunlei", n), "drive_type": "xunlei"})
        keys.append(("xunlei", f"row{n}"))
    db.create_schema()
    ids = dict(zip(keys, db.seed(rows)))
    return Mixed(ids, {i for (_, state), i in ids.items() if state == "dead"})
