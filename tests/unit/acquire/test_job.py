"""Issue 25: the re-acquisition run in process, against the simulator, on SQLite and MariaDB, with a search
source and a ranking of the test's own (acquire/rank.py and the PanSou client have tests of their own):
what is saved, shared and written, what is passed over, and what a crash, a full drive or a changed row leave."""

from __future__ import annotations

import random
from dataclasses import dataclass

from quarkctl.acquire.run import SearchUnavailable, run_acquire
from sqlalchemy import update

from quarkctl.acquire.options import AcquireOptions
from quarkctl.db.acquire import WantedRow
from quarkctl.db.schema import cloud_resource
from quarkctl.errors import ExitCode
from quarkctl.quark.client import QuarkClient
from quarkctl.reports.acquire import AcquireListener
from quarkctl.runtime.stop import StopSignal
from quarkctl.simulator.model import Fault, Share
from tests.conftest import COOKIE, Clock, ResourceDB

EPISODE = 200_000_000  # an episode's size: a file below acquire/verify.py's MIN_VIDEO_BYTES is no video


@dataclass(frozen=True)
class Result:
    url: str
    password: str = ""
    note: str = ""
    source: str = "tg:test"


@dataclass(frozen=True)
class Choice:
    candidate: Result
    score: int = 0
    kept: bool = True
    reason: str = "ok"
    detail: str = ""


class Found:
    """A search source: the results per keyword, the keywords asked."""

    def __init__(self, results: dict[str, list[Result]], fail: str | None = None) -> None:
        self.results, self.fail, self.asked = results, fail, []
        self.where = "http://pansou.test"

    def search(self, keyword: str) -> list[Result]:
        self.asked.append(keyword)
        if self.fail:
            raise SearchUnavailable(self.fail, "connection refused")
        return self.results.get(keyword, [])


def keep_all(row: WantedRow, found) -> list[Choice]:
    return [Choice(r, kept="预告" not in r.note, reason="ok" if "预告" not in r.note else "trailer") for r in found]


class Heard(AcquireListener):
    def __init__(self) -> None:
        self.waits: list[tuple[str, float]] = []

    def waiting(self, seconds: float, kind: str, cause=None) -> None:
        self.waits.append((kind, seconds))


def _share(sim, pwd_id: str, files=("e01.mp4", "e02.mp4"), **kwargs) -> Share:
    return sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=[{"name": f, "size": EPISODE} for f in files], **kwargs))


def _run(sim, testdb: ResourceDB, search, options: AcquireOptions, sleeps: list[float] | None = None, rank=keep_all, stop=None,
         heard: Heard | None = None):
    db = testdb.database()
    db.prepare_for_acquire(dry_run=options.dry_run)
    sleeps = [] if sleeps is None else sleeps
    try:
        with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
            return run_acquire(db, client, search, rank, options, heard or Heard(), stop=stop or StopSignal(), clock=Clock(),
                               sleep=lambda s: sleeps.append(s) or True, rng=random.Random(3), source=search.where)
    finally:
        db.close()


def _dead_row(sim, testdb: ResourceDB, name: str = "电影A", pwd_id: str = "dead00000001") -> int:
    _share(sim, pwd_id, dead_code=41006)
    testdb.create_schema()
    return testdb.seed([{"drama_name": name, "link": f"https://pan.quark.cn/s/{pwd_id}", "is_expired": 1}])[0]


def test_a_dead_row_gets_its_own_new_link_from_the_first_result_that_passes(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "gone00000001", dead_code=41004)
    _share(sim, "empty0000001", files=())
    _share(sim, "good00000001", files=("电影A.2160p.mkv",))
    search = Found({"电影A": [Result("https://pan.quark.cn/s/aaaa00000001", note="电影A 预告片"),
                             Result("https://pan.quark.cn/s/gone00000001", note="电影A 4K"),
                             Result("https://pan.quark.cn/s/empty0000001", note="电影A 1080p"),
                             Result("https://pan.quark.cn/s/good00000001", note="电影A 2160p")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    (outcome,) = report.outcomes
    assert (outcome.action, outcome.reason, report.exit_code) == ("replaced", "acquired", ExitCode.OK)
    assert [(c.url[-12:], c.reason) for c in outcome.considered] == [
        ("aaaa00000001", "trailer"), ("gone00000001", "dead"), ("empty0000001", "empty"), ("good00000001", "ok")]
    stored = testdb.rows()[row]
    assert stored.link == outcome.new_link and stored.is_expired == 0 and stored.share_count == 1
    # the new link is the owner's own share of the saved files, and it lives
    pwd_id = outcome.new_link.rsplit("/", 1)[-1]
    assert pwd_id not in ("good00000001",) and sim.shares[pwd_id].expected_state() == "alive"
    assert sim.drive().listdir("/quarkctl/电影A") == ["电影A.2160p.mkv"]
    chain = testdb.database().acquires(resource_id=row)
    assert [(c["status"], c["old_link"], c["candidate_link"], c["new_link"], c["videos"]) for c in chain] == [
        ("done", "https://pan.quark.cn/s/dead00000001", "https://pan.quark.cn/s/good00000001", outcome.new_link, 1)]


def test_a_dry_run_checks_and_explains_but_saves_shares_and_writes_nothing(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    before = testdb.rows()
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True, dry_run=True))
    assert [(o.action, o.path) for o in report.outcomes] == [("planned", "/quarkctl/电影A")]
    assert testdb.rows() == before and testdb.rows()[row].is_expired == 1
    assert not sim.requests("save") and not sim.requests("share_create") and not sim.drive().exists("/quarkctl")
    assert "quarkctl_acquire" not in testdb.database().existing_tables() or not testdb.database().acquires()


def test_a_full_drive_stops_the_run_and_the_row_keeps_its_link(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    for pwd_id in ("dead00000001", "dead00000002"):
        _share(sim, pwd_id, dead_code=41006)
    ids = testdb.seed([{"drama_name": n, "link": f"https://pan.quark.cn/s/{p}", "is_expired": 1}
                       for n, p in (("电影A", "dead00000001"), ("电影B", "dead00000002"))])
    _share(sim, "good00000001")
    _share(sim, "good00000002")
    sim.account().base_capacity = 10  # bytes: the first save is refused (32003)
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")],
                    "电影B": [Result("https://pan.quark.cn/s/good00000002", note="电影B")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert (report.abort_reason, report.exit_code) == ("drive_full", ExitCode.ABORTED)
    assert search.asked == ["电影A"]  # nothing more after the full drive
    assert [testdb.rows()[i].link for i in ids] == ["https://pan.quark.cn/s/dead00000001", "https://pan.quark.cn/s/dead00000002"]
    assert [c["status"] for c in testdb.database().acquires()] == ["abandoned"]


def test_a_search_service_that_cannot_be_asked_changes_nothing_and_says_so(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    report = _run(sim, testdb, Found({}, fail="unreachable"), AcquireOptions(all_expired=True))
    assert (report.abort_reason, report.exit_code) == ("search_unavailable", ExitCode.SEARCH)
    assert report.abort_detail == "the search service PanSou cannot be reached: connection refused"
    assert testdb.rows()[row].is_expired == 1 and not sim.requests("save")


def test_a_crash_after_the_save_is_finished_by_the_next_run_without_saving_again(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    sim.add_drive_fault(Fault(kind="http_error", endpoint="share_create", status=500, times=1))
    first = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in first.outcomes] == [("failed", "share_failed")]
    assert testdb.rows()[row].is_expired == 1 and len(sim.requests("save")) == 1
    second = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in second.outcomes] == [("replaced", "recovered")]
    assert len(sim.requests("save")) == 1 and search.asked == ["电影A"]  # the folder was shared, nothing saved twice
    assert testdb.rows()[row].link == second.outcomes[0].new_link


def test_a_named_live_row_keeps_its_link_and_a_new_name_becomes_a_row(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    _share(sim, "live00000001")
    (live,) = testdb.seed([{"drama_name": "电影L", "link": "https://pan.quark.cn/s/live00000001", "is_expired": 0}])
    _share(sim, "good00000002")
    search = Found({"电影N": [Result("https://pan.quark.cn/s/good00000002", note="电影N")]})
    report = _run(sim, testdb, search, AcquireOptions(ids=(live,), names=("电影N",)))
    assert [(o.name, o.action, o.reason) for o in report.outcomes] == [("电影L", "skipped", "not_dead"), ("电影N", "added", "acquired")]
    rows = testdb.rows()
    new = next(r for r in rows.values() if r.drama_name == "电影N")
    assert (new.link, new.is_expired, new.drive_type) == (report.outcomes[1].new_link, 0, "quark")
    assert rows[live].link == "https://pan.quark.cn/s/live00000001" and search.asked == ["电影N"]


def test_searches_checks_and_saves_are_paced_and_limit_stops_saving(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    names = ["电影A", "电影B", "电影C"]
    for i in range(len(names)):
        _share(sim, f"dead0000000{i}", dead_code=41006)
        _share(sim, f"good0000000{i}")
    testdb.seed([{"drama_name": n, "link": f"https://pan.quark.cn/s/dead0000000{i}", "is_expired": 1} for i, n in enumerate(names)])
    search = Found({n: [Result(f"https://pan.quark.cn/s/good0000000{i}", note=n)] for i, n in enumerate(names)})
    heard = Heard()
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True, limit=2), heard=heard)
    assert [o.action for o in report.outcomes] == ["replaced", "replaced", "skipped"]
    assert report.outcomes[2].reason == "limit" and report.exit_code == ExitCode.OK
    # one generator, in the order the pauses come: the first row's old link is checked at once, its result's check
    # 1-3 s after; the second row's old link 1-3 s, its search 2-4 s, its result's check 1-3 s, its save 3-6 s;
    # the third row's old link is checked 1-3 s and its search 2-4 s after (only saves count against --limit: a row
    # whose link lives, or whose search finds nothing, is still done; a new user's review), no result checked for a save
    rng = random.Random(3)
    expected = [rng.uniform(1.0, 3.0), rng.uniform(1.0, 3.0), rng.uniform(2.0, 4.0), rng.uniform(1.0, 3.0), rng.uniform(3.0, 6.0),
                rng.uniform(1.0, 3.0), rng.uniform(2.0, 4.0)]
    assert heard.waits == [("delay", x) for x in expected]
    assert search.asked == names


def test_a_row_marked_expired_whose_link_lives_keeps_it_and_is_unmarked(sim, testdb: ResourceDB) -> None:
    """A good link never stays marked dead (a review of issue 25): compare-and-set on that link, in the report and
    the chain; a dry run says so and writes nothing."""
    testdb.create_schema()
    _share(sim, "live00000001")
    (row,) = testdb.seed([{"drama_name": "电影A", "link": "https://pan.quark.cn/s/live00000001", "is_expired": 1}])
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    planned = _run(sim, testdb, search, AcquireOptions(all_expired=True, dry_run=True))
    assert [(o.action, o.reason) for o in planned.outcomes] == [("unmarked", "alive_again")] and testdb.rows()[row].is_expired == 1
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("unmarked", "alive_again")]
    assert report.summary["unmarked"] == 1 and report.as_dict()["summary"]["unmarked"] == 1 and report.exit_code == ExitCode.OK
    assert search.asked == [] and testdb.rows()[row].link == "https://pan.quark.cn/s/live00000001"
    assert testdb.rows()[row].is_expired == 0
    chain = testdb.database().acquires(resource_id=row)
    assert [(c["status"], c["old_link"], c["run_id"]) for c in chain] == [("unmarked", "https://pan.quark.cn/s/live00000001", report.run_id)]
    again = _run(sim, testdb, search, AcquireOptions(ids=(row,)))  # a live row not marked expired is left alone, as before
    assert [(o.action, o.reason) for o in again.outcomes] == [("skipped", "not_dead")]


def test_a_row_whose_link_changed_meanwhile_is_not_unmarked(sim, testdb: ResourceDB) -> None:
    """compare-and-set: the unmarking names the link that was checked."""
    testdb.create_schema()
    (row,) = testdb.seed([{"drama_name": "电影A", "link": "https://pan.quark.cn/s/live00000001", "is_expired": 1}])
    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    (wanted,) = db.acquire_rows(ids=[row])
    engine = testdb.engine()
    with engine.begin() as conn:  # a person (or another tool) gave the row another link meanwhile
        conn.execute(update(cloud_resource).where(cloud_resource.c.id == row).values(link="https://pan.quark.cn/s/other0000001"))
    engine.dispose()
    assert not db.unmark_alive(None, wanted, Clock()()) and testdb.rows()[row].is_expired == 1
    assert db.acquires(resource_id=row) == []


def test_rows_of_one_dead_share_get_one_save_and_the_same_new_link(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    _share(sim, "dead00000001", dead_code=41006)
    _share(sim, "good00000001")
    ids = testdb.seed([{"drama_name": n, "link": "https://pan.quark.cn/s/dead00000001", "is_expired": 1} for n in ("X剧", "X剧 (2023)")])
    search = Found({"X剧": [Result("https://pan.quark.cn/s/good00000001", note="X剧")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("replaced", "acquired"), ("replaced", "same_share")]
    rows = testdb.rows()
    assert rows[ids[0]].link == rows[ids[1]].link == report.outcomes[0].new_link
    assert len(sim.requests("save")) == 1 and len(sim.requests("share_create")) == 1 and search.asked == ["X剧"]


def test_a_row_whose_link_is_the_accounts_own_share_is_left_to_reshare(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    sim.drive().put_file("/追更/剧A/e01.mp4")
    own = sim.own_shares.share("/追更/剧A", title="剧A")
    sim.own_shares.take_down(own, 41010)
    (row,) = testdb.seed([{"drama_name": "剧A", "link": own.link, "is_expired": 1}])
    search = Found({"剧A": [Result("https://pan.quark.cn/s/good00000001", note="剧A")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("skipped", "own_share")] and search.asked == []
    assert testdb.rows()[row].link == own.link


def test_a_healthy_row_of_the_accounts_own_share_is_said_alive(sim, testdb: ResourceDB) -> None:
    """A new user's review: it said "left alone: one of your own shares (... a takedown is never worked around)"."""
    testdb.create_schema()
    sim.drive().put_file("/追更/剧A/e01.mp4")
    own = sim.own_shares.share("/追更/剧A", title="剧A")
    (alive, marked) = testdb.seed([{"drama_name": "剧A", "link": own.link, "is_expired": 0},
                                   {"drama_name": "剧B", "link": own.link, "is_expired": 1}])
    search = Found({})
    report = _run(sim, testdb, search, AcquireOptions(ids=(alive, marked)))
    assert [(o.resource_id, o.action, o.reason) for o in report.outcomes] == [
        (alive, "skipped", "not_dead"), (marked, "unmarked", "alive_again")] and search.asked == []


def test_a_share_that_still_fails_at_recovery_is_reported_not_a_crash(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    sim.add_drive_fault(Fault(kind="http_error", endpoint="share_create", status=500, times=2))
    first = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    second = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in first.outcomes + second.outcomes] == [("failed", "share_failed")] * 2
    assert second.exit_code == ExitCode.LINK_ERRORS and len(sim.requests("save")) == 1
    third = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in third.outcomes] == [("replaced", "recovered")]
    assert testdb.rows()[row].link == third.outcomes[0].new_link


def test_a_dry_run_names_the_folder_the_run_would_use_and_keeps_to_the_limit(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    sim.drive().put_file("/quarkctl/电影A/old.mp4")
    for i in range(2):
        _share(sim, f"dead0000000{i}", dead_code=41006)
        _share(sim, f"good0000000{i}")
    testdb.seed([{"drama_name": n, "link": f"https://pan.quark.cn/s/dead0000000{i}", "is_expired": 1} for i, n in enumerate(("电影A", "电影B"))])
    search = Found({n: [Result(f"https://pan.quark.cn/s/good0000000{i}", note=n)] for i, n in enumerate(("电影A", "电影B"))})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True, dry_run=True, limit=1))
    assert [(o.action, o.reason, o.path) for o in report.outcomes] == [("planned", "acquired", "/quarkctl/电影A (2)"),
                                                                      ("skipped", "limit", None)]


def test_a_result_of_more_than_100_items_is_shared_as_its_folder(sim, testdb: ResourceDB) -> None:
    row = _dead_row(sim, testdb)
    _share(sim, "long00000001", files=[f"第{i:03d}集.mp4" for i in range(1, 121)])
    search = Found({"电影A": [Result("https://pan.quark.cn/s/long00000001", note="电影A 全120集")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("replaced", "acquired")]
    (create,) = sim.requests("share_create")
    assert len(create.body["fid_list"]) == 1  # the folder, not its 120 items
    assert len(sim.drive().listdir("/quarkctl/电影A")) == 120 and testdb.rows()[row].link == report.outcomes[0].new_link


def test_the_owners_own_share_among_the_results_is_passed_over(sim, testdb: ResourceDB) -> None:
    _dead_row(sim, testdb)
    sim.drive().put_file("/我的/电影A/e01.mp4")
    own = sim.own_shares.share("/我的/电影A", title="电影A")
    _share(sim, "good00000001")
    search = Found({"电影A": [Result(own.link, note="电影A 4K"), Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    (outcome,) = report.outcomes
    assert outcome.action == "replaced" and [c.reason for c in outcome.considered] == ["own_share", "ok"]


def test_an_interrupted_save_whose_folder_is_still_empty_is_waited_for_not_saved_again(sim, testdb: ResourceDB) -> None:
    from quarkctl.db.acquire import WantedRow as Row

    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    sim.drive().mkdir("/quarkctl/电影A")
    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    db.acquire_intent(None, Row(row, "电影A", "", "https://pan.quark.cn/s/dead00000001", True), candidate_link="https://pan.quark.cn/s/good00000001",
                      note="电影A", source="tg:x", saved_path="/quarkctl/电影A", now=Clock()())
    db.close()
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("skipped", "save_pending")]
    assert search.asked == [] and not sim.requests("save")


def test_a_run_killed_before_its_save_was_sent_does_not_make_the_row_wait(sim, testdb: ResourceDB) -> None:
    """A new user's review: a kill -9 between the folder's mkdir and the save request made the row wait a day. The
    intent says no save was sent (`prepared`): it is dropped at once and the row saved into that same folder."""
    from quarkctl.db.acquire import WantedRow as Row

    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    sim.drive().mkdir("/quarkctl/电影A")
    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    db.acquire_intent(None, Row(row, "电影A", "", "https://pan.quark.cn/s/dead00000001", True), candidate_link="https://pan.quark.cn/s/good00000001",
                      note="电影A", source="tg:x", saved_path="/quarkctl/电影A", now=Clock()(), status="prepared")
    db.close()
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    (outcome,) = report.outcomes
    assert (outcome.action, outcome.path) == ("replaced", "/quarkctl/电影A") and len(sim.requests("save")) == 1
    assert sorted(c["status"] for c in testdb.database().acquires(resource_id=row)) == ["abandoned", "done"]
    assert sim.drive().listdir("/quarkctl") == ["电影A"]  # no "电影A (2)"


def test_an_intent_whose_save_was_sent_is_pending_for_the_recovery(sim, testdb: ResourceDB) -> None:
    """The intent is `prepared` until its save request goes out, then `pending`: a share that fails after the save
    leaves it pending, so the next run shares the folder (not `prepared`, which would be dropped and saved again)."""
    row = _dead_row(sim, testdb)
    _share(sim, "good00000001")
    sim.add_drive_fault(Fault(kind="http_error", endpoint="share_create", status=500))
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("failed", "share_failed")] and len(sim.requests("save")) == 1
    assert [c["status"] for c in testdb.database().acquires(resource_id=row)] == ["pending"]


def test_a_name_in_another_case_is_the_rows_title(sim, testdb: ResourceDB) -> None:
    testdb.create_schema()
    _share(sim, "live00000001")
    (row,) = testdb.seed([{"drama_name": "Dune", "link": "https://pan.quark.cn/s/live00000001", "is_expired": 0}])
    search = Found({"dune": [Result("https://pan.quark.cn/s/good00000001", note="dune")]})
    report = _run(sim, testdb, search, AcquireOptions(names=("dune",)))
    assert [(o.resource_id, o.action, o.reason) for o in report.outcomes] == [(row, "skipped", "not_dead")]


def test_a_named_row_of_another_drive_is_named_and_left_alone(sim, testdb: ResourceDB) -> None:
    """A new user's review of issue 24: `resources acquire 22` on a Baidu row said "#22  no such Quark resource"."""
    from quarkctl.render.acquire import outcome_lines

    testdb.create_schema()
    (baidu,) = testdb.seed([{"drama_name": "百度的剧", "link": "https://pan.baidu.com/s/1AbCdEfGh", "drive_type": "baidu",
                             "is_expired": 1}])
    search = Found({})
    report = _run(sim, testdb, search, AcquireOptions(ids=(baidu, 9999)))
    assert [(o.resource_id, o.name, o.reason) for o in report.outcomes] == [(baidu, "百度的剧", "not_quark_row"), (9999, "", "no_such_row")]
    assert outcome_lines(report.outcomes[0]) == [f"#{baidu} 百度的剧: not a Quark row (acquire re-acquires Quark links)"]
    assert search.asked == [] and testdb.rows()[baidu].link == "https://pan.baidu.com/s/1AbCdEfGh"


def test_a_recovery_never_shares_a_folder_holding_fewer_videos_than_the_result(sim, testdb: ResourceDB) -> None:
    """A review of issue 25: an interrupted save left 1 of 5 episodes; the next run shared it as the row's link."""
    from datetime import timedelta

    from quarkctl.db.acquire import WantedRow as Row

    row = _dead_row(sim, testdb)
    sim.drive().put_file("/quarkctl/电影A/第01集.mp4", size=EPISODE)
    db = testdb.database()
    db.prepare_for_acquire(dry_run=False)
    intent = Row(row, "电影A", "", "https://pan.quark.cn/s/dead00000001", True)
    db.acquire_intent(None, intent, candidate_link="https://pan.quark.cn/s/good00000001", note="电影A 全5集", source="tg:x",
                      saved_path="/quarkctl/电影A", now=Clock()(), videos=5)
    db.close()
    search = Found({})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.action, o.reason) for o in report.outcomes] == [("skipped", "save_pending")]
    assert not sim.requests("share_create") and testdb.rows()[row].is_expired == 1
    later = Clock()() + timedelta(days=2)  # a day on, still incomplete: the intent is dropped, the row tried again
    db = testdb.database()
    try:
        with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
            again = run_acquire(db, client, search, keep_all, AcquireOptions(all_expired=True), Heard(), stop=StopSignal(),
                                clock=lambda: later, sleep=lambda s: True, rng=random.Random(3), source=search.where)
    finally:
        db.close()
    assert not sim.requests("share_create") and [o.action for o in again.outcomes] == ["left_dead"]
    assert [c["status"] for c in testdb.database().acquires(resource_id=row)] == ["abandoned"]
