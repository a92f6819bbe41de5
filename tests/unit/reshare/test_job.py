"""Issue 17: the reshare run in process, against the simulator, on SQLite and MariaDB: the pauses
between share creations (an injected sleeper, exact values) and the rows of one share."""

from __future__ import annotations

import random

from quarkctl.reshare.options import ReshareOptions
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal
from quarkctl.quark.client import QuarkClient
from quarkctl.reports.reshare import ReshareListener
from quarkctl.reshare.job import run_reshare
from tests.conftest import COOKIE, Clock, ResourceDB


class Heard(ReshareListener):
    def __init__(self) -> None:
        self.waits: list[tuple[str, float]] = []

    def waiting(self, seconds: float, kind: str, cause=None) -> None:
        self.waits.append((kind, seconds))


def _dead_rows(sim, testdb: ResourceDB, n: int) -> list[int]:
    rows = []
    for i in range(n):
        sim.drive().put_file(f"/追更/剧{i}/e01.mp4")
        share = sim.own_shares.share(f"/追更/剧{i}", title=f"剧{i}")
        sim.own_shares.cancel(share)
        rows.append({"drama_name": f"剧{i}", "link": share.link, "is_expired": 1})
    testdb.create_schema()
    return testdb.seed(rows)


def _run(sim, testdb: ResourceDB, options: ReshareOptions, sleeps: list[float], heard: Heard, seed: int = 7):
    db = testdb.database()
    db.prepare_for_reshare(dry_run=False)
    try:
        with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
            return run_reshare(db, client, options, heard, stop=StopSignal(), clock=Clock(),
                               sleep=lambda s: sleeps.append(s) or True, rng=random.Random(seed))
    finally:
        db.close()


def test_a_pause_of_3_to_6_s_comes_between_share_creations_not_before_the_first(sim, testdb: ResourceDB) -> None:
    ids = _dead_rows(sim, testdb, 3)
    sleeps: list[float] = []
    heard = Heard()
    report = _run(sim, testdb, ReshareOptions(all_expired=True), sleeps, heard)
    assert [o.action for o in report.outcomes] == ["reshared"] * 3
    expected = random.Random(7)
    pauses = [expected.uniform(3.0, 6.0), expected.uniform(3.0, 6.0)]  # the default pacing, 3-6 s
    assert sleeps == pauses and heard.waits == [("delay", p) for p in pauses]
    assert sorted(testdb.rows()) == ids and len(sim.requests("share_create")) == 3


def test_the_pauses_follow_min_and_max_delay_and_limit_stops_creating(sim, testdb: ResourceDB) -> None:
    _dead_rows(sim, testdb, 3)
    sleeps: list[float] = []
    report = _run(sim, testdb, ReshareOptions(all_expired=True, limit=2, pacing=PacingPolicy(1.0, 1.0, 0, 0.0)), sleeps, Heard())
    assert sleeps == [1.0]  # two creations, one pause; the third row is not paced for
    assert [(o.action, o.reason) for o in report.outcomes][2] == ("skipped", "limit")


def test_rows_of_one_share_get_one_new_share_and_one_transaction(sim, testdb: ResourceDB) -> None:
    sim.drive().put_file("/追更/剧A/e01.mp4")
    old = sim.own_shares.share("/追更/剧A", title="剧A")
    sim.own_shares.cancel(old)
    testdb.create_schema()
    ids = testdb.seed([{"drama_name": "剧A", "link": old.link, "is_expired": 1},
                       {"drama_name": "剧A 2", "link": old.link, "is_expired": 1, "share_count": 5}])
    sleeps: list[float] = []
    report = _run(sim, testdb, ReshareOptions(all_expired=True), sleeps, Heard())
    assert [(o.resource_id, o.action) for o in report.outcomes] == [(ids[0], "reshared"), (ids[1], "reshared")]
    assert sleeps == [] and len(sim.requests("share_create")) == 1
    rows = testdb.rows()
    assert rows[ids[0]].link == rows[ids[1]].link != old.link
    assert (rows[ids[1]].is_expired, rows[ids[1]].share_count) == (0, 6)
    assert testdb.scalar("select count(*) from quarkctl_reshare where status = 'done'") == 2
