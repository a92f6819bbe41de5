"""Issue 12, check-links leftovers: a dead share marks all its rows, no pause after the last link, `empty`.

Real simulator, real SQLite and MariaDB; the clock and the sleeper are injected, nothing waits.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from conftest import run_checks as run, NOW, Cli, Recorder, ResourceDB, add_valid, pwd, share_url
from quarkctl.checker.options import parse_empty_grace
from quarkctl.reports.check import LinkOutcome
from quarkctl.db.schema import check_history
from quarkctl.errors import ConfigError, ExitCode
from quarkctl.ops.history import list_runs, show_run
from quarkctl.render.messages import reason_text
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.simulator import Fault, Share, Simulator

EMPTY_LIST = {"status": 200, "code": 0, "message": "ok", "data": {"list": []}}
FOLDER = "b" * 32



def checks(db: ResourceDB) -> list:
    engine = db.engine()
    with engine.connect() as conn:
        rows = list(conn.execute(select(check_history).order_by(check_history.c.id)))
    engine.dispose()
    return rows


@pytest.fixture
def db(testdb: ResourceDB) -> ResourceDB:
    testdb.create_schema()
    return testdb


# -- 1. a dead share marks every candidate row of it, in one transaction -------------------------------


def seed_share_rows(db: ResourceDB, sim: Simulator) -> dict[str, int]:
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    add_valid(sim, "dead000000012")  # a longer id that the LIKE on "/s/dead00000001" also finds
    add_valid(sim, "live00000001")
    names = ["checked", "twin", "with passcode", "pasted", "other folder", "longer id", "baidu", "already expired", "live"]
    links = [
        share_url("dead00000001"),
        share_url("dead00000001"),
        share_url("dead00000001", "ab12"),
        "电影 链接：https://pan.quark.cn/s/dead00000001 提取码：zz99",
        share_url("dead00000001") + "#/list/share/" + FOLDER,
        share_url("dead000000012"),
        share_url("dead00000001"),
        share_url("dead00000001"),
        share_url("live00000001"),
    ]
    extra = {"baidu": {"drive_type": "baidu"}, "already expired": {"is_expired": 1}}
    ids = db.seed([{"drama_name": n, "link": link, **extra.get(n, {})} for n, link in zip(names, links)])
    return dict(zip(names, ids))


SAME_SHARE = ("checked", "twin", "with passcode", "pasted")


def test_a_dead_link_marks_every_row_of_its_share_beyond_the_limit(db: ResourceDB, sim: Simulator) -> None:
    ids = seed_share_rows(db, sim)
    report, recorder = run(db, sim, limit=1)
    stored = db.rows()
    assert {n: stored[i].is_expired for n, i in ids.items()} == {
        "checked": 1, "twin": 1, "with passcode": 1, "pasted": 1,  # the same share, marked in one run
        "other folder": 0, "longer id": 0, "baidu": 0, "already expired": 1, "live": 0,  # untouched
    }
    assert all(stored[ids[n]].update_time is not None for n in SAME_SHARE)
    assert all(stored[ids[n]].update_time is None for n in ("other folder", "longer id", "baidu", "live"))
    assert len(sim.requests(endpoint="token")) == 1  # one request for the whole share
    history = {r.resource_id: (r.verdict, r.reason, r.api_code, r.run_id) for r in checks(db)}
    assert history == {
        ids["checked"]: ("expired", "share_cancelled", 41012, report.run_id),
        **{ids[n]: ("expired", "same_share", 41012, report.run_id) for n in ("twin", "with passcode", "pasted")},
    }
    assert [i for i, _, _ in report.newly_expired] == [ids[n] for n in SAME_SHARE]
    assert (report.summary["total"], report.summary["expired"], report.summary["same_share"]) == (4, 4, 3)
    assert [(o.row.id, o.same_share_as, o.changed) for o in recorder.outcomes] == (
        [(ids["checked"], None, True)] + [(ids[n], ids["checked"], True) for n in SAME_SHARE[1:]])
    assert report.exit_code is ExitCode.OK
    # a later run does not see them again: they are expired
    again, _ = run(db, sim)
    assert again.summary["total"] == 4  # other folder, longer id, baidu, live: each checked on its own
    assert again.summary["same_share"] == 0


def test_rows_of_the_share_in_another_shard_or_recently_checked_are_marked(db: ResourceDB, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="dead00000002", title="d", dead_code=41004, files=[]))
    ids = db.seed([{"drama_name": f"r{n}", "link": share_url("dead00000002")} for n in range(4)])
    shard = (ids[0] % 2, 2)
    report, _ = run(db, sim, shard=shard, max_age=timedelta(days=7))
    assert [db.rows()[i].is_expired for i in ids] == [1, 1, 1, 1]
    assert report.summary["same_share"] == 3  # every other row, in this shard or not, recently checked or not
    assert report.summary["total"] == 4
    assert len(sim.requests(endpoint="token")) == 1


def test_dry_run_marks_none_of_the_share_but_says_which(db: ResourceDB, sim: Simulator) -> None:
    ids = seed_share_rows(db, sim)
    report, recorder = run(db, sim, limit=1, dry_run=True)
    assert {i: r.is_expired for i, r in db.rows().items()} == {i: int(n == "already expired") for n, i in ids.items()}
    assert checks(db) == []
    assert [i for i, _, _ in report.newly_expired] == [ids[n] for n in SAME_SHARE]
    assert [o.changed for o in recorder.outcomes] == [False] * 4


def test_the_share_is_found_by_its_id_not_by_the_text_around_it(sqlitedb: ResourceDB, sim: Simulator) -> None:
    """The LIKE only finds candidates: a row that merely mentions the id elsewhere is not the share."""
    sqlitedb.create_schema()
    sim.add_share(Share(pwd_id="dead00000003", title="d", dead_code=41006, files=[]))
    ids = sqlitedb.seed([
        {"drama_name": "dead", "link": share_url("dead00000003")},
        {"drama_name": "mentions", "link": "https://pan.quark.cn/s/live00000009 see /s/dead00000003"},
        {"drama_name": "other host", "link": "https://example.com/s/dead00000003"},
    ])
    add_valid(sim, "live00000009")
    report, _ = run(sqlitedb, sim, limit=1)
    assert [sqlitedb.rows()[i].is_expired for i in ids] == [1, 0, 0]
    assert report.summary["same_share"] == 0


# -- 2. no pause after the last link -------------------------------------------------------------------


class Timeline(Recorder):
    """Every sleeper call and every finished link, in the order they happened, across threads."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.events: list[str] = []

    def sleep(self, seconds: float) -> bool:
        with self.lock:
            self.events.append("sleep")
        return True

    def link_done(self, outcome: LinkOutcome) -> None:
        super().link_done(outcome)
        with self.lock:
            self.events.append("done")


def pacing_rows(db: ResourceDB, sim: Simulator, links: int) -> None:
    for n in range(links):
        add_valid(sim, pwd(n)) if n != 3 else add_valid(sim, pwd(n), faults=[Fault(kind="code", code=15000, endpoint="token")])
    rows = [{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(links)]
    # rows that need no request come last: a repeat of a link, another drive, a malformed link
    rows += [{"drama_name": "repeat", "link": share_url(pwd(0))}, {"drama_name": "baidu", "link": "https://pan.baidu.com/s/x"},
             {"drama_name": "malformed", "link": "https://pan.quark.cn/list/all"}]
    db.seed(rows)


@pytest.mark.parametrize("links", [1, 2, 10, 11, 23])
def test_a_run_of_n_links_pauses_n_minus_1_times_and_never_after_the_last(sqlitedb: ResourceDB, sim: Simulator, links: int) -> None:
    sqlitedb.create_schema()
    pacing_rows(sqlitedb, sim, links)
    timeline = Timeline()
    report, _ = run(sqlitedb, sim, timeline, sleep=timeline.sleep, retries=0, pacing=PacingPolicy(1.0, 3.0, 10, 10.0))
    assert report.summary["total"] == links + 3
    rests = (links - 1) // 10  # after every 10th link, strictly before the next one
    kinds = [kind for kind, _ in timeline.waits]
    assert (kinds.count("delay"), kinds.count("rest")) == (links - 1, rests)
    assert timeline.events.count("sleep") == links - 1 + rests
    last_done = len(timeline.events) - 1 - timeline.events[::-1].index("done")
    assert "sleep" not in timeline.events[last_done:]
    requested = [i for i, e in enumerate(timeline.events) if e == "done"][:links]
    assert "sleep" not in timeline.events[requested[-1]:]  # nor after the last link that made a request


def test_with_concurrency_no_worker_sleeps_after_the_last_link_nor_asks_twice(sqlitedb: ResourceDB, sim: Simulator) -> None:
    sqlitedb.create_schema()
    for n in range(9):
        add_valid(sim, pwd(n))
    # each link twice in a row: with 3 workers the repeat would go out while the first is in flight
    sqlitedb.seed([{"drama_name": f"r{n}{k}", "link": share_url(pwd(n))} for n in range(9) for k in "ab"])
    timeline = Timeline()
    report, _ = run(sqlitedb, sim, timeline, sleep=timeline.sleep, concurrency=3, pacing=PacingPolicy(0.5, 0.5, 0, 0))
    assert report.summary["valid"] == 18
    assert sorted(r.pwd_id for r in sim.requests(endpoint="token")) == [pwd(n) for n in range(9)]  # once each
    assert sum(o.cached for o in timeline.outcomes) == 9
    assert timeline.events[-1] == "done"
    assert 9 - 3 <= timeline.events.count("sleep") <= 9 - 1  # each worker's first link needs no pause


# -- 3. `empty`: marked only when still empty --empty-grace after the first empty sighting ------------


class At:
    """A clock the test sets: every run reads the same moment."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def test_a_link_changed_mid_streak_starts_a_new_one(db: ResourceDB, sim: Simulator) -> None:
    """An attacker's review (issue 21): a row seen empty, its link then swapped for a fresh share that
    lists nothing for a while (under review): the fresh share was marked at its first sighting."""
    from sqlalchemy import text as sql

    sim.add_share(Share(pwd_id="empt00000011", title="e", files=[]))
    sim.add_share(Share(pwd_id="empt00000012", title="e", files=[]))
    [row] = db.seed([{"drama_name": "swapped", "link": share_url("empt00000011")}])
    clock = At()

    def at(hours: float) -> tuple[str, str]:
        clock.now = NOW + timedelta(hours=hours)
        _report, recorder = run(db, sim, clock=clock)
        [outcome] = recorder.outcomes
        return outcome.result.verdict.value, outcome.result.reason

    assert at(0) == ("empty", "empty_share")
    with db.engine().begin() as conn:  # the owner pastes a new share into the row, as a site's admin page does
        conn.execute(sql("UPDATE cloud_resource SET link = :link WHERE id = :id"), {"link": share_url("empt00000012"), "id": row})
    assert at(13) == ("empty", "empty_share")  # the new share's first sighting: its grace starts now
    assert at(20) == ("empty", "empty_share")
    assert at(26) == ("expired", "still_empty")  # 13 h after the new share was first seen empty
    assert db.rows()[row].is_expired == 1


def test_empty_then_still_empty_then_expired_after_the_grace(db: ResourceDB, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="empt00000001", title="e", files=[]))
    sim.add_share(Share(pwd_id="empt00000002", title="e", files=[]))
    sim.add_share(Share(pwd_id="empt00000003", title="e", files=[]))
    ids = db.seed([{"drama_name": "empty", "link": share_url("empt00000001")},
                   {"drama_name": "refilled", "link": share_url("empt00000002")},
                   {"drama_name": "folder", "link": share_url("empt00000003") + "#/list/share/" + FOLDER}])
    sim.add_fault("empt00000003", Fault(kind="body", endpoint="detail", body=EMPTY_LIST))
    clock = At()

    def at(hours: float):
        clock.now = NOW + timedelta(hours=hours)
        report, recorder = run(db, sim, clock=clock)
        return report, {o.row.name: (o.result.verdict.value, o.result.reason) for o in recorder.outcomes}

    report, verdicts = at(0)
    assert verdicts == {"empty": ("empty", "empty_share"), "refilled": ("empty", "empty_share"), "folder": ("empty", "empty_folder")}
    assert (report.summary["empty"], report.summary["expired"], report.exit_code) == (3, 0, ExitCode.OK)
    assert report.newly_expired == []
    # six hours later the review still lists nothing; "refilled" lists its files again
    add_valid(sim, "empt00000002")
    report, verdicts = at(6)
    assert verdicts["empty"] == ("empty", "empty_share") and verdicts["refilled"] == ("valid", "ok")
    assert [db.rows()[i].is_expired for i in ids] == [0, 0, 0]
    sim.add_share(Share(pwd_id="empt00000002", title="e", files=[]))  # and empty again
    # 13 hours after the first empty sighting: marked; the refilled one restarted its streak at 13 h
    report, verdicts = at(13)
    assert verdicts == {"empty": ("expired", "still_empty"), "refilled": ("empty", "empty_share"), "folder": ("empty", "empty_folder")}
    assert [db.rows()[i].is_expired for i in ids] == [1, 0, 0]
    assert [i for i, _, _ in report.newly_expired] == [ids[0]]
    assert (report.summary["empty"], report.summary["expired"], report.exit_code) == (2, 1, ExitCode.OK)
    assert at(20)[1]["refilled"] == ("empty", "empty_share")  # 7 h into its new streak
    report, verdicts = at(25)
    assert verdicts == {"refilled": ("expired", "still_empty"), "folder": ("empty", "empty_folder")}  # a folder: never
    assert [db.rows()[i].is_expired for i in ids] == [1, 1, 0]
    history = [(r.resource_id, r.verdict) for r in checks(db) if r.resource_id == ids[1]]
    assert [v for _, v in history] == ["empty", "valid", "empty", "empty", "expired"]


def test_an_error_between_empty_sightings_does_not_restart_the_streak(sqlitedb: ResourceDB, sim: Simulator) -> None:
    sqlitedb.create_schema()
    share = sim.add_share(Share(pwd_id="empt00000004", title="e", files=[]))
    ids = sqlitedb.seed([{"drama_name": "empty", "link": share_url("empt00000004")}])
    clock = At()
    assert run(sqlitedb, sim, clock=clock)[1].outcomes[0].result.verdict.value == "empty"
    share.faults.append(Fault(kind="code", code=15000, endpoint="token"))
    clock.now = NOW + timedelta(hours=6)
    assert run(sqlitedb, sim, clock=clock, retries=0)[1].outcomes[0].result.verdict.value == "error"
    share.faults.clear()
    clock.now = NOW + timedelta(hours=12)
    assert run(sqlitedb, sim, clock=clock)[1].outcomes[0].result.reason == "still_empty"
    assert sqlitedb.rows()[ids[0]].is_expired == 1


def test_empty_grace_zero_marks_at_once_and_dry_run_only_tells(sqlitedb: ResourceDB, sim: Simulator) -> None:
    sqlitedb.create_schema()
    sim.add_share(Share(pwd_id="empt00000005", title="e", files=[]))
    ids = sqlitedb.seed([{"drama_name": "empty", "link": share_url("empt00000005")}])
    report, recorder = run(sqlitedb, sim, empty_grace=timedelta(0), dry_run=True)
    assert (recorder.outcomes[0].result.verdict.value, recorder.outcomes[0].result.reason) == ("expired", "empty_share")
    assert sqlitedb.rows()[ids[0]].is_expired == 0 and len(report.newly_expired) == 1
    report, _ = run(sqlitedb, sim, empty_grace=timedelta(0))
    assert sqlitedb.rows()[ids[0]].is_expired == 1 and report.summary["expired"] == 1


@pytest.mark.parametrize("text, seconds", [("12h", 43200), ("0", 0), ("0h", 0), ("30m", 1800), ("1d", 86400)])
def test_empty_grace_parses_durations_and_zero(text: str, seconds: int) -> None:
    assert parse_empty_grace(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "12", "-1h", "h", "1.5h", "soon"])
def test_a_bad_empty_grace_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="--empty-grace"):
        parse_empty_grace(text)


def test_history_keeps_the_empty_count_and_the_reason(sqlitedb: ResourceDB, sim: Simulator) -> None:
    sqlitedb.create_schema()
    sim.add_share(Share(pwd_id="empt00000006", title="e", files=[]))
    sim.add_share(Share(pwd_id="dead00000006", title="d", dead_code=41012, files=[]))
    sqlitedb.seed([{"drama_name": "empty", "link": share_url("empt00000006")},
                   {"drama_name": "dead", "link": share_url("dead00000006")},
                   {"drama_name": "dead twin", "link": share_url("dead00000006", "ab12")}])
    report, _ = run(sqlitedb, sim, limit=2)
    database = sqlitedb.database()
    try:
        (record,) = list_runs(database)
        detail = show_run(database, report.run_id)
    finally:
        database.close()
    assert record.counts == {"total": 3, "valid": 0, "expired": 2, "needs_passcode": 0, "empty": 1, "errors": 0,
                             "skipped": 0, "same_share": 1}
    assert [(i["name"], i["verdict"], i["reason"]) for i in detail.items] == [
        ("empty", "empty", "empty_share"), ("dead", "expired", "share_cancelled"), ("dead twin", "expired", "same_share")]
    assert reason_text("same_share") in detail.lines[2]


# -- the command line: --empty-grace, the JSON keys, the exit code ------------------------------------


def test_cli_reports_empty_under_its_own_key_and_exits_0(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="empt00000007", title="e", files=[]))
    sim.add_share(Share(pwd_id="dead00000007", title="d", dead_code=41012, files=[]))
    add_valid(sim, "good00000007")
    assert cli.run("db", "init").returncode == 0
    db_path = cli.home / "data" / "quarkctl" / "quarkctl.db"
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        conn.executemany("INSERT INTO cloud_resource (drama_name, drive_type, link, is_expired) VALUES (?, 'quark', ?, 0)", [
            ("空", share_url("empt00000007")), ("好", share_url("good00000007")),
            ("死", share_url("dead00000007")), ("死2", share_url("dead00000007", "x1y2"))])
    proc = cli.run("check-links", "--anonymous", "--json", "--no-pacing", "--limit", "3")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"] == {"total": 4, "valid": 1, "expired": 2, "needs_passcode": 0, "empty": 1, "errors": 0,
                              "skipped": 0, "same_share": 1}
    assert [(r["name"], r["verdict"], r["reason"], r["marked"], r["same_share_as"]) for r in doc["results"]] == [
        ("空", "empty", "empty_share", False, None), ("好", "valid", "ok", False, None),
        ("死", "expired", "share_cancelled", True, None), ("死2", "expired", "same_share", True, doc["results"][2]["id"])]
    assert "empty" in proc.stderr and "[same share as #" in proc.stderr
    proc = cli.run("check-links", "--anonymous", "--json", "--no-pacing", "--empty-grace", "0")
    assert proc.returncode == 0
    assert [(r["verdict"], r["reason"], r["marked"]) for r in json.loads(proc.stdout)["results"]] == [
        ("expired", "empty_share", True), ("valid", "ok", False)]
    proc = cli.run("check-links", "--anonymous", "--empty-grace", "soon")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["Error: --empty-grace: 'soon' is not a duration like 12h, 30m or 0 (units s, m, h, d, w)"]


def test_the_notification_counts_empty_links_and_lists_the_rows_of_a_dead_share(sqlitedb: ResourceDB, sim: Simulator) -> None:
    from quarkctl.hooks.monitoring import notify

    sqlitedb.create_schema()
    sim.add_share(Share(pwd_id="empt00000008", title="e", files=[]))
    sim.add_share(Share(pwd_id="dead00000008", title="d", dead_code=41011, files=[]))
    sqlitedb.seed([{"drama_name": "空的", "link": share_url("empt00000008")},
                   {"drama_name": "死的", "link": share_url("dead00000008")},
                   {"drama_name": "死的副本", "link": share_url("dead00000008") + "?pwd=x1y2"}])
    report, _ = run(sqlitedb, sim, limit=2)
    body = notify.check_links_body(report, "changes")
    assert body is not None
    assert "2 links newly marked expired" in body and "- 死的副本 " in body
    assert "empty 1" in body and "marked with their share 1" in body
    assert report.exit_code is ExitCode.OK


def test_a_row_whose_link_changed_since_it_was_read_is_not_marked(db: ResourceDB) -> None:
    """The owner (or `check-links --reshare`) gave the row a new link while its old one was checked."""
    from quarkctl.db.records import CheckRecord

    (row_id,) = db.seed([{"drama_name": "edited", "link": share_url("new000000001")}])
    database = db.database()
    try:
        record = CheckRecord(row_id, NOW, "expired", "share_cancelled", 41012, 400, "gone", link=share_url("old000000001"))
        changed, others = database.expire_share(None, record, pwd_id="old000000001", same_share=lambda text: False)
        current = CheckRecord(row_id, NOW, "expired", "share_cancelled", 41012, 400, "gone", link=share_url("new000000001"))
        assert db.rows()[row_id].is_expired == 0 and (changed, others) == (False, [])
        assert database.expire_share(None, current, pwd_id="new000000001", same_share=lambda text: False)[0] is True
    finally:
        database.close()
    assert db.rows()[row_id].is_expired == 1
