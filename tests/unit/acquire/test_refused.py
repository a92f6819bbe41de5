"""A search result whose saved files Quark refuses to share (41026, its review) is never saved again (an attacker's
review, issue 25: each run saved it once more, into "电影A (2)", "电影A (3)" ...): the intent ends `refused`, and
a later run, or a later row of this one, passes the result over (share_refused_before)."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given, settings, strategies as st
from sqlalchemy.engine import URL

from quarkctl.acquire.options import AcquireOptions
from quarkctl.simulator.model import Fault
from quarkctl.simulator.server import Simulator
from tests.conftest import COOKIE, ResourceDB
from tests.unit.acquire.test_job import Found, Result, _dead_row, _run, _share

LINK = "https://pan.quark.cn/s/"


def test_a_result_quark_refused_to_share_is_never_saved_again(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    sim.add_drive_fault(Fault(kind="code", endpoint="share_create", code=41026, times=None))
    search = Found({"电影A": [Result(LINK + "good00000001", note="电影A")]})
    nights = [_run(sim, testdb, search, AcquireOptions(all_expired=True)) for _ in range(3)]
    assert [(o.action, o.reason) for o in nights[0].outcomes] == [("failed", "share_refused")]
    for later in nights[1:]:
        (outcome,) = later.outcomes
        assert (outcome.action, outcome.reason) == ("left_dead", "none_passed")
        assert [c.reason for c in outcome.considered] == ["share_refused_before"]
    assert len(sim.requests("save")) == 1 and sim.drive().listdir("/quarkctl") == ["电影A"]
    assert [c["status"] for c in testdb.database().acquires(resource_id=row)] == ["refused"]
    assert testdb.rows()[row].is_expired == 1


def test_the_next_result_is_taken_instead(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    _share(sim, "good00000002")
    sim.add_drive_fault(Fault(kind="code", endpoint="share_create", code=41026, times=1))
    search = Found({"电影A": [Result(LINK + "good00000001", note="电影A"), Result(LINK + "good00000002", note="电影A")]})
    _run(sim, testdb, search, AcquireOptions(all_expired=True))
    (outcome,) = _run(sim, testdb, search, AcquireOptions(all_expired=True)).outcomes
    assert (outcome.action, outcome.taken.url[-12:], outcome.path) == ("replaced", "good00000002", "/quarkctl/电影A (2)")
    assert [r.pwd_id for r in sim.requests("save")] == ["good00000001", "good00000002"]
    assert testdb.rows()[row].link == outcome.new_link


# Never saved twice, whatever the nights bring: which results a search finds, in which order, and which shares
# Quark refuses (property; each example a simulator and a SQLite file of its own)
@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(st.permutations(["good00000001", "good00000002", "good00000003"]), st.integers(1, 3),
                          st.integers(0, 2)), min_size=1, max_size=4))
def test_no_result_is_saved_twice(nights: list[tuple[list[str], int, int]]) -> None:
    with Simulator(cookies=[COOKIE]) as sim, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "resources.db"
        path.touch()
        testdb = ResourceDB(URL.create("sqlite", database=str(path)), "sqlite")
        _dead_row(sim, testdb)
        for pwd_id in ("good00000001", "good00000002", "good00000003"):
            _share(sim, pwd_id)
        for order, found, refusals in nights:
            if refusals:
                sim.add_drive_fault(Fault(kind="code", endpoint="share_create", code=41026, times=refusals))
            search = Found({"电影A": [Result(LINK + p, note="电影A") for p in order[:found]]})
            _run(sim, testdb, search, AcquireOptions(all_expired=True, ids=()))
        saved = Counter(r.pwd_id for r in sim.requests("save"))
        assert all(n == 1 for n in saved.values()), saved
