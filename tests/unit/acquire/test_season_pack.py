"""A row of one season passes over a pack of several seasons (acquire/rank.py, a second review of issue 25): «庆余年
第1-2季», 7 videos, was taken for 庆余年 第二季 over «庆余年 第二季 4K», 3 videos, and its count then held the exact
season back later (fewer_videos)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.rank import Wanted, judge
from quarkctl.acquire.rows import ranked
from tests.conftest import ResourceDB
from tests.unit.acquire.helpers import Found as Note
from tests.unit.acquire.test_job import Found, _run, _share
from tests.unit.acquire.test_rank_properties import CN, cjk_title


@dataclass(frozen=True)
class Result:  # a search result as acquire/pansou.py gives it, for the real ranking (acquire/rows.py ranked)
    url: str
    note: str
    password: str = ""
    source: str = "tg:test"
    datetime: datetime | None = None
    drive: str = "quark"


def test_a_season_row_takes_its_season_not_a_pack_holding_others(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    _share(sim, "dead00000001", dead_code=41010)
    _share(sim, "pack00000001", files=[f"S0{s}E0{e}.mp4" for s, n in ((1, 4), (2, 3)) for e in range(1, n + 1)])
    _share(sim, "good00000002", files=["S02E01.mp4", "S02E02.mp4", "S02E03.mp4"])
    (a,) = testdb.seed([{"drama_name": "庆余年 第二季", "link": "https://pan.quark.cn/s/dead00000001", "is_expired": 1}])
    search = Found({"庆余年 第二季": [Result("https://pan.quark.cn/s/pack00000001", "庆余年 第1-2季 4K 杜比"),
                             Result("https://pan.quark.cn/s/good00000002", "庆余年 第二季 4K")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True), rank=ranked)
    (outcome,) = report.outcomes
    assert (outcome.resource_id, outcome.action) == (a, "replaced"), outcome
    assert outcome.taken is not None and outcome.taken.url.endswith("good00000002")
    assert outcome.taken.detail.get("videos") == 3
    assert {c.url.rsplit("/", 1)[1]: c.reason for c in outcome.considered} == {"pack00000001": "other_season", "good00000002": "ok"}


@given(cjk_title, st.integers(1, 9), st.integers(1, 9), st.integers(0, 3))
def test_a_pack_of_several_seasons_is_never_kept_for_a_row_of_one(name: str, season: int, other: int, form: int) -> None:
    lo, hi = sorted((season, other))
    if lo == hi:
        hi += 1
    note = (f"{name} 第{lo}-{hi}季", f"{name} 第{CN[lo - 1]}至{CN[hi - 1]}季", f"{name} S{lo:02}-S{hi:02}", f"{name} 全{CN[hi - 1]}季")[form]
    row = f"{name} 第{CN[season - 1]}季"
    choice = judge(Wanted.of_row(row), Note(note))
    assert not choice.kept and choice.reason == "other_season", (row, note)
    # the whole show (a row naming no season) may take it when it holds the first season
    assert judge(Wanted.of_row(name), Note(note)).kept == (lo == 1 or form == 3), note
