"""The run's deadline (check-links' --until, --max-runtime, handed on as AcquireOptions.deadline) holds between
the searches, the checks and the saves, not only before the first search (a review of issue 25), and
check-links --reacquire hands its deadline on."""

from __future__ import annotations

from datetime import timedelta

from quarkctl.acquire.options import AcquireOptions
from quarkctl.runtime.pacing import PacingPolicy
from tests.conftest import NOW, ResourceDB
from tests.unit.acquire.helpers import Found as Hit
from tests.unit.acquire.test_job import Found, Result, _run, _share


_OFF = PacingPolicy.off()


class LateFound(Found):
    """A search that lasts past the deadline: the clock moves on while PanSou answers."""

    def __init__(self, results, clock) -> None:
        super().__init__(results)
        self.clock = clock

    def search(self, keyword: str):
        self.clock.now += timedelta(hours=1)
        return super().search(keyword)


class Held:
    """A clock the test moves (each read returns the same time)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


def test_nothing_is_checked_or_saved_after_the_deadline_passed_during_a_search(sim, testdb: ResourceDB, monkeypatch) -> None:
    testdb.create_schema()
    for i in (1, 2):
        _share(sim, f"dead0000000{i}", dead_code=41010)
        _share(sim, f"good0000000{i}")
    ids = testdb.seed([{"drama_name": f"电影{i}", "link": f"https://pan.quark.cn/s/dead0000000{i}", "is_expired": 1} for i in (1, 2)])
    clock = Held()
    search = LateFound({f"电影{i}": [Result(f"https://pan.quark.cn/s/good0000000{i}", note=f"电影{i}")] for i in (1, 2)}, clock)
    import tests.unit.acquire.test_job as helpers

    monkeypatch.setattr(helpers, "Clock", lambda: clock)  # _run's clock: the one the search moves
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True, deadline=NOW + timedelta(minutes=30)))
    assert [(o.resource_id, o.action, o.reason) for o in report.outcomes] == [(ids[0], "skipped", "deadline"), (ids[1], "skipped", "deadline")]
    assert search.asked == ["电影1"] and not sim.requests("save") and not sim.requests("share_create")
    assert not sim.requests(pwd_id="good00000001") and not sim.requests(pwd_id="good00000002")  # no result was checked
    assert {testdb.rows()[i].is_expired for i in ids} == {1}


def test_check_links_hands_its_deadline_to_the_reacquisition(sim, testdb: ResourceDB, tmp_path) -> None:
    from quarkctl.checker.reacquire import Reacquire, reacquire
    from quarkctl.db.records import ResourceRow
    from quarkctl.quark.client import QuarkClient
    from quarkctl.quark.cookie import SessionCookie
    from quarkctl.reports.check import RunReport
    from quarkctl.runtime.stop import StopSignal
    from tests.conftest import COOKIE

    testdb.create_schema()
    _share(sim, "dead00000001", dead_code=41010)
    _share(sim, "good00000001")
    (row,) = testdb.seed([{"drama_name": "电影1", "link": "https://pan.quark.cn/s/dead00000001", "is_expired": 1}])
    clock = Held()
    search = LateFound({"电影1": [Hit("电影1", "https://pan.quark.cn/s/good00000001")]}, clock)  # ranked as PanSou's
    checked = RunReport(started_at=NOW, deadline_at=NOW + timedelta(minutes=30))  # not passed when the searches start
    db = testdb.database()
    try:
        report = reacquire(db, lambda: QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5),
                           [ResourceRow(row, "电影1", "https://pan.quark.cn/s/dead00000001", True)],
                           Reacquire(search, AcquireOptions(check_pacing=_OFF, search_pacing=_OFF, save_pacing=_OFF)), object(),
                           stop=StopSignal(), lock_dir=tmp_path, session=SessionCookie(COOKIE), clock=clock, checked=checked)
    finally:
        db.close()
    assert [(o.action, o.reason) for o in report.outcomes] == [("skipped", "deadline")]
    assert search.asked == ["电影1"] and not sim.requests(pwd_id="good00000001") and not sim.requests("save")
