"""The folder a save goes into is made, and empty, just before the save (acquire/take.py ready_folder), and shared
only when it holds nothing but what was saved: a folder another tool or a person made at the chosen path, or files put
into it during the save, never become part of the row's public link (an attacker's review, issue 25)."""

from __future__ import annotations

import random

from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.run import run_acquire
from quarkctl.acquire.take import ready_folder
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import DriveSession
from quarkctl.runtime.stop import StopSignal
from tests.conftest import COOKIE, Clock, ResourceDB
from tests.unit.acquire.test_job import Found, Heard, Result, _dead_row, _share, keep_all

PRIVATE = "someone_elses_private.mkv"


def test_a_folder_made_at_the_path_since_it_was_chosen_is_left_alone(sim) -> None:
    sim.drive().put_file(f"/quarkctl/电影A/{PRIVATE}", size=300_000_000)
    sim.drive().put_file("/quarkctl/电影A (2)/x.mkv")
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
        session = DriveSession(client, sleep=lambda s: True)
        path, fid = ready_folder(session, "/quarkctl/电影A", "/quarkctl/电影A")
        assert path == "/quarkctl/电影A (3)" and session.list_dir(fid) == []
        sim.drive().mkdir("/quarkctl/空")  # an empty one made meanwhile holds nothing to share by mistake: used
        assert ready_folder(session, "/quarkctl/空", "/quarkctl/空")[0] == "/quarkctl/空"
    assert sim.drive().listdir("/quarkctl/电影A") == [PRIVATE]


def test_files_put_into_the_folder_during_the_save_are_never_shared(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    planted: list[float] = []

    def sleep(seconds: float) -> bool:  # the save task's polls: the folder is made, the save under way
        if sim.requests("save") and not planted:
            sim.drive().put_file(f"/quarkctl/电影A/{PRIVATE}", size=300_000_000)
            planted.append(seconds)
        return True

    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    try:
        with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
            report = run_acquire(db, client, search, keep_all, AcquireOptions(all_expired=True), Heard(), stop=StopSignal(),
                                 clock=Clock(), sleep=sleep, rng=random.Random(3), source=search.where)
    finally:
        db.close()
    assert planted, "the test planted nothing"
    assert [(o.action, o.reason) for o in report.outcomes] == [("failed", "folder_changed")]
    assert not sim.requests("share_create") and testdb.rows()[row].is_expired == 1
    assert [c["status"] for c in testdb.database().acquires(resource_id=row)] == ["abandoned"]
