"""The run, in process: real simulator, real SQLite and MariaDB, injected sleeper and clock."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select, text

from conftest import run_checks as run, ResourceDB, add_valid, pwd, share_url
from helpers.seed_table import create_seed_table
from quarkctl.db.database import Database
from quarkctl.db.schema import check_history, run_history
from quarkctl.errors import ExitCode
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.simulator import Fault, Share, Simulator



@pytest.fixture
def db(testdb: ResourceDB) -> ResourceDB:
    testdb.create_schema()
    return testdb


def test_keyset_batches_check_every_row_exactly_once_while_half_expire(db: ResourceDB, sim: Simulator) -> None:
    rows = []
    for n in range(250):
        pwd_id = pwd(n)
        if n % 2:
            sim.add_share(Share(pwd_id=pwd_id, title="dead", dead_code=41012, files=[]))
        else:
            add_valid(sim, pwd_id)
        rows.append({"drama_name": f"资源{n:03d}", "link": share_url(pwd_id)})
    ids = db.seed(rows)
    report, recorder = run(db, sim, batch_size=50)
    assert recorder.total == 250
    assert report.summary == {"total": 250, "valid": 125, "expired": 125, "needs_passcode": 0, "empty": 0, "errors": 0,
                              "skipped": 0, "same_share": 0}
    assert Counter(r.pwd_id for r in sim.requests(endpoint="token")) == {pwd(n): 1 for n in range(250)}
    assert sorted(o.row.id for o in recorder.outcomes) == ids
    stored = db.rows()
    assert [stored[i].is_expired for i in ids] == [n % 2 for n in range(250)]
    assert all(stored[i].update_time is not None for i in ids[1::2]) and all(stored[i].update_time is None for i in ids[::2])
    assert report.exit_code is ExitCode.OK


def test_only_expired_writes_is_expired(db: ResourceDB, sim: Simulator) -> None:
    add_valid(sim, "good00000001")
    add_valid(sim, "pass00000001", passcode="ab12")
    add_valid(sim, "flak00000001", faults=[Fault(kind="code", code=15000, endpoint="token")])
    add_valid(sim, "unkn00000001", faults=[Fault(kind="code", code=49999)])
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41004, files=[]))
    ids = db.seed([
        {"drama_name": "good", "link": share_url("good00000001")},
        {"drama_name": "passcode", "link": share_url("pass00000001")},
        {"drama_name": "flaky", "link": share_url("flak00000001")},
        {"drama_name": "unknown", "link": share_url("unkn00000001")},
        {"drama_name": "baidu", "link": "https://pan.baidu.com/s/1abc"},
        {"drama_name": "malformed", "link": "https://pan.quark.cn/list/all"},
        {"drama_name": "dead", "link": share_url("dead00000001")},
        {"drama_name": "no link", "link": None},
        {"drama_name": "empty link", "link": ""},
        {"drama_name": "already expired", "link": share_url("good00000001"), "is_expired": 1},
    ])
    report, recorder = run(db, sim)
    verdicts = {o.row.name: o.result.verdict.value for o in recorder.outcomes}
    assert verdicts == {"good": "valid", "passcode": "needs_passcode", "flaky": "error", "unknown": "error",
                        "baidu": "error", "malformed": "error", "dead": "expired"}  # Baidu's host, no Baidu link (issue 24)
    stored = db.rows()
    assert {stored[i].drama_name: stored[i].is_expired for i in ids} == {
        "good": 0, "passcode": 0, "flaky": 0, "unknown": 0, "baidu": 0, "malformed": 0, "dead": 1,
        "no link": 0, "empty link": 0, "already expired": 1}
    assert report.exit_code is ExitCode.LINK_ERRORS  # some links ended in error


def test_history_and_run_rows(db: ResourceDB, sim: Simulator) -> None:
    add_valid(sim, "good00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    good, dead = db.seed([{"drama_name": "good", "link": share_url("good00000001")},
                          {"drama_name": "dead", "link": share_url("dead00000001")}])
    report, _ = run(db, sim)
    engine = db.engine()
    with engine.connect() as conn:
        checks = {r.resource_id: r for r in conn.execute(select(check_history))}
        runs = list(conn.execute(select(run_history)))
    engine.dispose()
    assert (checks[good].verdict, checks[good].reason, checks[good].run_id) == ("valid", "ok", report.run_id)
    assert (checks[dead].verdict, checks[dead].reason, checks[dead].api_code, checks[dead].message) == ("expired", "share_cancelled", 41012, "好友已取消了分享")
    assert len(runs) == 1
    assert (runs[0].job, runs[0].status, runs[0].exit_code, runs[0].total, runs[0].expired) == ("check-links", "finished", 0, 2, 1)
    assert runs[0].finished_at > runs[0].started_at


def test_two_rows_with_the_same_dead_link_are_both_marked_with_one_request(db: ResourceDB, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41011, files=[]))
    ids = db.seed([{"drama_name": "A", "link": share_url("dead00000001")}, {"drama_name": "B", "link": share_url("dead00000001")}])
    report, recorder = run(db, sim)
    assert [db.rows()[i].is_expired for i in ids] == [1, 1]
    assert len(sim.requests(endpoint="token")) == 1
    assert [o.cached for o in recorder.outcomes] == [False, True]
    assert [i for i, _, _ in report.newly_expired] == ids


def test_limit_caps_the_run(db: ResourceDB, sim: Simulator) -> None:
    for n in range(30):
        add_valid(sim, pwd(n))
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(30)])
    report, recorder = run(db, sim, limit=12, batch_size=5)
    assert (recorder.total, report.summary["total"], len(sim.requests(endpoint="token"))) == (12, 12, 12)


def test_dry_run_writes_nothing(db: ResourceDB, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    ids = db.seed([{"drama_name": "dead", "link": share_url("dead00000001")}])
    report, _ = run(db, sim, dry_run=True)
    assert report.summary["expired"] == 1 and report.newly_expired
    assert db.rows()[ids[0]].is_expired == 0
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_check") == 0
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_run") == 0


def test_recheck_expired_revives_links_that_work_again(db: ResourceDB, sim: Simulator) -> None:
    add_valid(sim, "back00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    revived, still_dead = db.seed([
        {"drama_name": "back", "link": share_url("back00000001"), "is_expired": 1},
        {"drama_name": "dead", "link": share_url("dead00000001"), "is_expired": 1},
    ])
    assert run(db, sim)[0].summary["total"] == 0  # by default expired rows are not checked
    report, recorder = run(db, sim, recheck_expired=True)
    assert report.summary["total"] == 2
    rows = db.rows()
    assert (rows[revived].is_expired, rows[still_dead].is_expired) == (0, 1)
    assert [o.changed for o in recorder.outcomes] == [True, False]


def test_circuit_breaker_aborts_after_five_transient_errors_in_a_row(db: ResourceDB, sim: Simulator) -> None:
    for n in range(20):
        add_valid(sim, pwd(n), faults=[Fault(kind="code", code=14021, endpoint="token")])
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(20)])
    report, recorder = run(db, sim)
    assert (report.exit_code, report.abort_reason) == (ExitCode.ABORTED, "circuit_breaker")
    assert len(recorder.outcomes) == 5
    assert len({r.pwd_id for r in sim.requests(endpoint="token")}) == 5  # nothing more was asked
    assert all(r.is_expired == 0 for r in db.rows().values())


def test_a_success_resets_the_breaker(db: ResourceDB, sim: Simulator) -> None:
    for n in range(12):
        if n % 4 == 3:
            add_valid(sim, pwd(n))
        else:
            add_valid(sim, pwd(n), faults=[Fault(kind="code", code=15000, endpoint="token")])
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(12)])
    report, _ = run(db, sim, max_consecutive_errors=4)
    assert report.abort_reason is None
    assert report.summary["errors"] == 9 and report.exit_code is ExitCode.LINK_ERRORS


def _login_wall(db: ResourceDB, sim: Simulator) -> None:
    """Three shares; the middle one answers 31001 to every token request (with a cookie or without)."""
    add_valid(sim, "good00000001")
    add_valid(sim, "auth00000001", faults=[Fault(kind="code", code=31001, endpoint="token")])
    add_valid(sim, "good00000002")
    db.seed([{"drama_name": n, "link": share_url(p)} for n, p in [("a", "good00000001"), ("b", "auth00000001"), ("c", "good00000002")]])


def test_31001_on_one_share_of_a_run_without_cookie_is_that_links_error(db: ResourceDB, sim: Simulator) -> None:
    """Issue 21: one share that wants a login stopped every night's run at that row; now it is the
    link's `error` (login_required) and the links after it are checked."""
    _login_wall(db, sim)
    report, recorder = run(db, sim)
    assert report.abort_reason is None and report.exit_code is ExitCode.LINK_ERRORS
    results = {o.row.name: (o.result.verdict.value, o.result.reason) for o in recorder.outcomes}
    assert results == {"a": ("valid", "ok"), "b": ("error", "login_required"), "c": ("valid", "ok")}
    assert all(r.is_expired == 0 for r in db.rows().values())


def _run_with_session(db: ResourceDB, sim: Simulator, cookie: str):
    import random

    from conftest import Clock, Recorder
    from quarkctl.checker.options import CheckOptions
    from quarkctl.checker.run import run_check
    from quarkctl.quark.client import QuarkClient
    from quarkctl.quark.cookie import SessionCookie

    session, recorder, database = SessionCookie(cookie), Recorder(), db.database()
    try:
        report = run_check(database, lambda: QuarkClient(cookie=session, api_base=sim.base_url, timeout=5),
                           CheckOptions(pacing=PacingPolicy.off(), backoff=0.0), recorder, clock=Clock(),
                           sleep=lambda s: True, rng_for_worker=lambda n: random.Random(n), session=session)
    finally:
        database.close()
    results = {o.row.name: (o.result.verdict.value, o.result.reason) for o in recorder.outcomes}
    return report, session, results


def test_31001_with_a_cookie_the_account_confirms_is_the_shares_login_wall(db: ResourceDB, sim: Simulator) -> None:
    """31001 is not always the cookie (quark-api.md 7): the account service, asked once, says it is a
    login, so the cookie is kept and only this link is `login_required` (a new user's review, issue 21)."""
    from conftest import COOKIE

    _login_wall(db, sim)
    report, session, results = _run_with_session(db, sim, COOKIE)
    assert session.active and not report.cookie_dropped_mid_run and report.exit_code is ExitCode.LINK_ERRORS
    assert results == {"a": ("valid", "ok"), "b": ("error", "login_required"), "c": ("valid", "ok")}
    assert len(sim.requests(endpoint="account")) == 1
    assert all(r.has_cookie for r in sim.requests(pwd_id="good00000002", endpoint="token"))


def test_31001_with_a_cookie_the_account_rejects_drops_it_once_and_the_run_goes_on(db: ResourceDB, sim: Simulator) -> None:
    _login_wall(db, sim)
    report, session, results = _run_with_session(db, sim, "__uid=stranger; __puus=NotAKnownSession1")
    assert not session.active and report.cookie_dropped_mid_run and report.abort_reason is None
    assert report.exit_code is ExitCode.AUTH  # the links were checked without the cookie: renew it
    assert results == {"a": ("valid", "ok"), "b": ("error", "login_required"), "c": ("valid", "ok")}
    later = sim.requests(pwd_id="good00000002", endpoint="token")
    assert later and not any(r.has_cookie for r in later)  # asked anonymously


def test_pacing_in_a_run_errors_included(db: ResourceDB, sim: Simulator) -> None:
    for n in range(12):
        add_valid(sim, pwd(n)) if n != 4 else None  # pwd(4) is unknown: expired, paced all the same
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(12)] + [{"drama_name": "baidu", "link": "https://pan.baidu.com/s/x"}])
    _, recorder = run(db, sim, pacing=PacingPolicy(1.0, 3.0, 10, 10.0))
    kinds = [kind for kind, _ in recorder.waits]
    assert kinds.count("delay") == 11 and kinds.count("rest") == 1  # 12 requested links; the baidu row needs no pause
    assert all(1.0 <= s <= 3.0 for kind, s in recorder.waits if kind == "delay")


def test_concurrency_checks_each_row_once_and_paces_each_worker(db: ResourceDB, sim: Simulator) -> None:
    for n in range(40):
        add_valid(sim, pwd(n))
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(40)])
    report, recorder = run(db, sim, concurrency=4, batch_size=7, pacing=PacingPolicy(0.5, 0.5, 0, 0))
    assert report.summary["valid"] == 40
    assert Counter(r.pwd_id for r in sim.requests(endpoint="token")) == {pwd(n): 1 for n in range(40)}
    # each worker pauses between its own links: 40 links over 4 workers -> 36 pauses at least
    assert [k for k, _ in recorder.waits].count("delay") == 40 - 4


def test_existing_table_is_not_altered(testdb: ResourceDB, sim: Simulator) -> None:
    """A cloud_resource made by someone else: quarkctl adds its own tables and leaves that one alone."""
    create_seed_table(testdb)
    show = "SHOW CREATE TABLE cloud_resource" if testdb.kind == "mysql" else "SELECT sql FROM sqlite_master WHERE name = 'cloud_resource'"
    engine = testdb.engine()
    with engine.connect() as conn:
        before = conn.execute(text(show)).fetchone()[-1]
    engine.dispose()
    name = "长" * 255  # full column length, non-ASCII
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    ids = testdb.seed([{"drama_name": name, "link": share_url("dead00000001")}])
    database = Database(testdb.url)
    database.prepare_for_check(dry_run=False)
    database.close()
    report, _ = run(testdb, sim)
    engine = testdb.engine()
    with engine.connect() as conn:
        after = conn.execute(text(show)).fetchone()[-1]
    engine.dispose()
    assert re.sub(r" AUTO_INCREMENT=\d+", "", after) == before  # the counter moves with the seeded row
    row = testdb.rows()[ids[0]]
    assert (row.drama_name, row.is_expired) == (name, 1)
    assert report.newly_expired[0][1] == name
