"""A crashed save's recovery (acquire/recover.py) counts the folder as the check counted the result, and keeps the
result's count for the row (an attacker's review, issue 25)."""

from __future__ import annotations

from sqlalchemy import update

from quarkctl.acquire.options import AcquireOptions
from quarkctl.db.acquire import WantedRow
from quarkctl.db.schema import cloud_resource
from tests.conftest import Clock, ResourceDB
from tests.unit.acquire.test_job import EPISODE, Found, Result, _dead_row, _run, _share

LINK = "https://pan.quark.cn/s/"


def _intent(testdb: ResourceDB, row: int, videos: int) -> None:
    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    db.acquire_intent(None, WantedRow(row, "电影A", "", LINK + "dead00000001", True), candidate_link=LINK + "good00000001",
                      note="电影A 全5集", source="tg:x", saved_path="/quarkctl/电影A", now=Clock()(), videos=videos)
    db.close()


def test_ad_clips_do_not_make_a_partial_save_complete(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    drive = sim.drive()
    drive.put_file("/quarkctl/电影A/第01集.mp4", size=EPISODE)  # 1 of the result's 5 episodes saved before the crash
    for n in range(4):
        drive.put_file(f"/quarkctl/电影A/广告{n}.mp4", size=EPISODE)  # ad clips that came along: not videos to the check
    drive.put_file("/quarkctl/电影A/sample.mp4", size=1000)  # below --min-video-mb
    _intent(testdb, row, videos=5)
    report = _run(sim, testdb, Found({}), AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("skipped", "save_pending")]
    assert not sim.requests("share_create") and testdb.rows()[row].is_expired == 1


def test_a_recovered_row_keeps_the_results_count(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    for n in range(1, 6):
        sim.drive().put_file(f"/quarkctl/电影A/第0{n}集.mp4", size=EPISODE)
    _intent(testdb, row, videos=5)
    report = _run(sim, testdb, Found({}), AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("replaced", "recovered")]
    assert testdb.database().known_videos(row) == 5
    # so a later replacement with fewer is passed over (fewer_videos), as after any other save (the row given
    # another account's dead link: its own share would be left to `resources reshare`)
    _share(sim, "good00000002", files=("第01集.mp4", "第02集.mp4"))
    _share(sim, "dead00000002", dead_code=41006)
    db = testdb.database()
    with db.connection(commit=True) as conn:
        conn.execute(update(cloud_resource).where(cloud_resource.c.id == row).values(is_expired=1, link=LINK + "dead00000002"))
    db.close()
    (again,) = _run(sim, testdb, Found({"电影A": [Result(LINK + "good00000002", note="电影A")]}), AcquireOptions(all_expired=True)).outcomes
    assert (again.action, again.reason) == ("left_dead", "none_passed"), again
    assert [c.reason for c in again.considered] == ["fewer_videos"]


class Killed(BaseException):
    """The process killed between Quark's share and the row's new link."""


def test_a_share_made_before_a_kill_is_given_not_made_again(sim, testdb: ResourceDB, monkeypatch) -> None:
    from quarkctl.db.acquire import Acquire

    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    search = Found({"电影A": [Result(LINK + "good00000001", note="电影A")]})
    real = Acquire.finish_acquire

    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(Acquire, "finish_acquire", killed)
    try:
        _run(sim, testdb, search, AcquireOptions(all_expired=True))
    except Killed:
        pass
    monkeypatch.setattr(Acquire, "finish_acquire", real)
    assert len(sim.requests("share_create")) == 1 and testdb.rows()[row].is_expired == 1
    (outcome,) = _run(sim, testdb, search, AcquireOptions(all_expired=True)).outcomes
    assert (outcome.action, outcome.reason) == ("replaced", "recovered")
    assert len(sim.requests("share_create")) == 1 and len(sim.requests("save")) == 1  # the one share, given to the row
    assert testdb.rows()[row].link == outcome.new_link and outcome.new_link.rsplit("/", 1)[-1] in sim.shares
