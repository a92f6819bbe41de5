"""The demo's re-acquisition (issue 25): a row whose share was taken down and whose files are gone from the
drive (no re-share heals it), and a fake PanSou beside the simulated Quark that finds two results for its
title: a trailer, passed over, and the whole season, which check-links --reacquire saves, shares as the
demo account's own link and gives the row."""

from __future__ import annotations

from quarkctl.simulator.model import Share
from quarkctl.simulator.pansou_server import FakePanSou

TITLE = "剧集G 第一季"
TAKEN_DOWN = Share(pwd_id="7a6e0d0e4a11", title=TITLE, files=[], dead_code=41010)  # a takedown: 41010
RESULTS = [
    (Share(pwd_id="7a6e0d0e4a12", title=f"{TITLE} 预告", files=[{"name": "预告片.mp4", "size": 30_000_000}]),
     f"{TITLE} 预告片 1080p"),
    (Share(pwd_id="7a6e0d0e4a13", title=TITLE, files=[{"name": f"第{n:02d}集.mp4", "size": 900_000_000 + n} for n in range(1, 5)]),
     f"{TITLE} 全4集 1080p"),
]


def add_taken_down(sim: object) -> None:
    """The dead row's share, before the table is seeded from the simulator's shares."""
    sim.add_share(TAKEN_DOWN)  # type: ignore[attr-defined]


def add_results(sim: object, pansou: FakePanSou) -> None:
    """The search results' shares (not rows of the table) and what the fake PanSou finds for the title."""
    for share, note in RESULTS:
        sim.add_share(share)  # type: ignore[attr-defined]
        pansou.add(TITLE, f"https://pan.quark.cn/s/{share.pwd_id}", note=note, datetime="2026-11-20T08:00:00Z")
