"""A link a re-acquisition made is given again, never saved twice (acquire/made.py, a review of issue 25): every row
of one dead share gets the one new link, also when check-links --reacquire hands the run only the first of them and
in a later run; one search result found for two rows (dead with different shares) is saved once, in the run and
across runs, and a made link that died since is not given."""

from __future__ import annotations

from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.run import run_acquire
from quarkctl.errors import ExitCode
from quarkctl.quark.client import QuarkClient
from quarkctl.runtime.stop import StopSignal
from tests.conftest import COOKIE, Clock, ResourceDB
from tests.unit.acquire.test_job import Found, Heard, Result, _run, _share, keep_all

DEAD = "https://pan.quark.cn/s/dead00000001"


def _saves(sim) -> tuple[int, int]:
    return len(sim.requests("save")), len(sim.requests("share_create"))


def test_check_links_rows_given_only_the_first_of_a_share_all_get_its_new_link(sim, testdb: ResourceDB) -> None:
    """check-links marks every row of a dead share together but hands --reacquire only the row it checked."""
    testdb.create_schema()
    _share(sim, "dead00000001", dead_code=41010)
    _share(sim, "good00000001")
    ids = testdb.seed([{"drama_name": n, "link": DEAD, "is_expired": 1} for n in ("X剧", "X剧 第一部", "X剧 合集")])
    search = Found({"X剧": [Result("https://pan.quark.cn/s/good00000001", note="X剧")]})
    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    first = db.acquire_rows(ids=[ids[0]])  # what checker/reacquire.py gives: the row check-links checked
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
        report = run_acquire(db, client, search, keep_all, AcquireOptions(), Heard(), stop=StopSignal(),
                             clock=Clock(), sleep=lambda s: True, rows=first)
    db.close()
    assert [(o.resource_id, o.action, o.reason) for o in report.outcomes] == [
        (ids[0], "replaced", "acquired"), (ids[1], "replaced", "same_share"), (ids[2], "replaced", "same_share")]
    rows = testdb.rows()
    assert {rows[i].link for i in ids} == {report.outcomes[0].new_link} and {rows[i].is_expired for i in ids} == {0}
    assert _saves(sim) == (1, 1)
    # a later run has nothing left to save
    later = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert later.outcomes == [] and _saves(sim) == (1, 1)


def test_a_later_row_of_a_share_replaced_by_an_earlier_run_gets_that_link_without_a_save(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    _share(sim, "dead00000001", dead_code=41010)
    _share(sim, "good00000001")
    (a,) = testdb.seed([{"drama_name": "X剧", "link": DEAD, "is_expired": 1}])
    search = Found({"X剧": [Result("https://pan.quark.cn/s/good00000001", note="X剧")],
                    "X剧 导演剪辑版": [Result("https://pan.quark.cn/s/good00000001", note="X剧")]})
    first = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [o.action for o in first.outcomes] == ["replaced"] and _saves(sim) == (1, 1)
    (b,) = testdb.seed([{"drama_name": "X剧 导演剪辑版", "link": DEAD, "is_expired": 1}])  # imported later, marked dead
    later = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.resource_id, o.action, o.reason) for o in later.outcomes] == [(b, "replaced", "same_share")]
    assert testdb.rows()[b].link == testdb.rows()[a].link == first.outcomes[0].new_link
    assert _saves(sim) == (1, 1) and search.asked == ["X剧"]  # no second search, save or share
    assert [c["status"] for c in testdb.database().acquires(resource_id=b)] == ["done"]


def test_one_result_found_for_two_rows_is_saved_once_in_a_run(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    for pwd_id in ("dead00000001", "dead00000002"):
        _share(sim, pwd_id, dead_code=41010)
    _share(sim, "good00000001", files=("e01.mp4", "e02.mp4", "e03.mp4"))
    ids = testdb.seed([{"drama_name": "X剧", "link": DEAD, "is_expired": 1},
                       {"drama_name": "X剧 国语", "link": "https://pan.quark.cn/s/dead00000002", "is_expired": 1}])
    result = Result("https://pan.quark.cn/s/good00000001", note="X剧 全3集")
    search = Found({"X剧": [result], "X剧 国语": [result]})
    planned = _run(sim, testdb, search, AcquireOptions(all_expired=True, dry_run=True))
    assert [(o.action, o.reason) for o in planned.outcomes] == [("planned", "acquired"), ("planned", "same_result")]
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("replaced", "acquired"), ("replaced", "same_result")]
    assert report.outcomes[1].taken.reason == "ok" and report.outcomes[1].taken.detail["videos"] == 3
    rows = testdb.rows()
    assert rows[ids[0]].link == rows[ids[1]].link == report.outcomes[0].new_link and _saves(sim) == (1, 1)
    assert [c["videos"] for c in testdb.database().acquires(resource_id=ids[1])] == [3]  # the next replacement needs as many


def test_a_result_taken_by_an_earlier_run_gives_its_link_and_a_dead_made_link_is_passed_over(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    for pwd_id in ("dead00000001", "dead00000002", "dead00000003"):
        _share(sim, pwd_id, dead_code=41010)
    _share(sim, "good00000001")
    (a,) = testdb.seed([{"drama_name": "X剧", "link": DEAD, "is_expired": 1}])
    result = Result("https://pan.quark.cn/s/good00000001", note="X剧")
    search = Found({"X剧": [result], "X剧 国语": [result], "X剧 粤语": [result]})
    first = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    (b,) = testdb.seed([{"drama_name": "X剧 国语", "link": "https://pan.quark.cn/s/dead00000002", "is_expired": 1}])
    later = _run(sim, testdb, search, AcquireOptions(ids=(b,)))
    assert [(o.action, o.reason, o.new_link) for o in later.outcomes] == [("replaced", "same_result", first.outcomes[0].new_link)]
    assert _saves(sim) == (1, 1) and testdb.rows()[b].link == testdb.rows()[a].link
    # the link made from it is taken down: a third row is not given a dead link, and the result is not saved again
    sim.own_shares.take_down(sim.own_shares.get(first.outcomes[0].new_link.rsplit("/", 1)[-1]))
    (c,) = testdb.seed([{"drama_name": "X剧 粤语", "link": "https://pan.quark.cn/s/dead00000003", "is_expired": 1}])
    third = _run(sim, testdb, search, AcquireOptions(ids=(c,)))
    (outcome,) = third.outcomes
    assert (outcome.action, [x.reason for x in outcome.considered], third.exit_code) == ("left_dead", ["made_link_dead"], ExitCode.LINK_ERRORS)
    assert _saves(sim) == (1, 1) and testdb.rows()[c].link == "https://pan.quark.cn/s/dead00000003"


def test_a_result_taken_before_with_fewer_videos_than_the_row_needs_is_passed_over(sim, testdb: ResourceDB) -> None:
    """The row's last replacement had 5 video files: a result taken for another row with 2 does not replace it."""
    testdb.create_schema()
    for pwd_id in ("dead00000001", "dead00000002"):
        _share(sim, pwd_id, dead_code=41010)
    _share(sim, "good00000001")  # two episodes
    ids = testdb.seed([{"drama_name": "X剧", "link": DEAD, "is_expired": 1},
                       {"drama_name": "X剧 国语", "link": "https://pan.quark.cn/s/dead00000002", "is_expired": 1}])
    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    (row,) = db.acquire_rows(ids=[ids[1]])
    intent = db.acquire_intent(None, row, candidate_link="https://pan.quark.cn/s/full00000001", note="", source="", saved_path="/x",
                               now=Clock()(), videos=5)
    db.finish_acquire(intent, row, new_link="https://pan.quark.cn/s/dead00000002", videos=5, now=Clock()())  # its last: 5 videos
    db.close()
    result = Result("https://pan.quark.cn/s/good00000001", note="X剧")
    report = _run(sim, testdb, Found({"X剧": [result], "X剧 国语": [result]}), AcquireOptions(ids=tuple(ids)))
    assert [(o.action, o.reason) for o in report.outcomes] == [("replaced", "acquired"), ("left_dead", "none_passed")]
    assert [c.reason for c in report.outcomes[1].considered] == ["fewer_videos"] and _saves(sim) == (1, 1)
