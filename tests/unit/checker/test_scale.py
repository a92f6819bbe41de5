"""Scale: --max-age (least recently checked first), --shard K/N (an exact partition), a 100,000-row run."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, event, insert, select

from conftest import COOKIE, NOW, Clock, Recorder, ResourceDB, pwd, share_url
from quarkctl.checker.options import CheckOptions, parse_max_age, parse_shard
from quarkctl.checker.run import run_check
from quarkctl.reports.check import Listener
from quarkctl.db.database import Database
from quarkctl.db.records import Selection
from quarkctl.db.schema import check_history, cloud_resource
from quarkctl.errors import ConfigError
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.quark.client import QuarkClient
from quarkctl.simulator import Share, Simulator

ANY = Share(pwd_id="any", title="any", files=[{"name": "e01.mp4", "size": 1024}])


def run(database: Database, sim: Simulator, **options) -> tuple:
    options.setdefault("pacing", PacingPolicy.off())
    options.setdefault("backoff", 0.0)
    recorder = Recorder()
    report = run_check(
        database,
        lambda: QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=10),
        CheckOptions(**options),
        recorder,
        clock=Clock(timedelta(milliseconds=10)),
        sleep=lambda s: True,
        rng_for_worker=lambda n: random.Random(n),
    )
    return report, recorder


def seed(db: ResourceDB, count: int, links: int | None = None, **extra) -> None:
    """count rows with ids 1..count in one executemany; `links` distinct share links among them."""
    links = links or count
    rows = [{"id": n, "drama_name": f"drama {n}", "drive_type": "quark", "is_expired": 0,
             "link": share_url(pwd(n % links)), **extra} for n in range(1, count + 1)]  # fmt: skip
    engine = db.engine()
    with engine.begin() as conn:
        conn.execute(insert(cloud_resource), rows)
    engine.dispose()


def add_history(db: ResourceDB, checks: dict[int, list[datetime]]) -> None:
    engine = db.engine()
    with engine.begin() as conn:
        conn.execute(insert(check_history), [
            {"resource_id": rid, "checked_at": at.astimezone(timezone.utc).replace(tzinfo=None), "verdict": "valid", "reason": "ok"}
            for rid, times in checks.items() for at in times
        ])  # fmt: skip
    engine.dispose()


@pytest.fixture
def db(testdb: ResourceDB) -> ResourceDB:
    testdb.create_schema()
    return testdb


@pytest.fixture
def any_sim() -> Simulator:
    with Simulator(cookies=[COOKIE], any_share=ANY, keep_log=False) as simulator:
        yield simulator


# -- option parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, seconds", [("7d", 7 * 86400), ("12h", 43200), ("30m", 1800), ("90s", 90), ("2w", 14 * 86400), (" 7D ", 7 * 86400)])
def test_max_age_parses_a_number_and_a_unit(text: str, seconds: int) -> None:
    assert parse_max_age(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "7", "d", "7x", "-1d", "0d", "1.5h", "7 d"])
def test_max_age_refuses_anything_else(text: str) -> None:
    with pytest.raises(ConfigError, match="--max-age"):
        parse_max_age(text)


@pytest.mark.parametrize("text, shard", [("0/1", (0, 1)), ("2/3", (2, 3)), ("9/10", (9, 10))])
def test_shard_parses_k_of_n(text: str, shard: tuple[int, int]) -> None:
    assert parse_shard(text) == shard


@pytest.mark.parametrize("text", ["3/3", "1/0", "0", "a/b", "-1/3", "1/3/5", "/3"])
def test_shard_refuses_anything_else(text: str) -> None:
    with pytest.raises(ConfigError, match="--shard"):
        parse_shard(text)


# -- --max-age --------------------------------------------------------------------------------------


def test_max_age_takes_never_checked_first_then_least_recently_checked_and_skips_the_fresh(db: ResourceDB) -> None:
    seed(db, 8)
    day = timedelta(days=1)
    add_history(db, {
        1: [NOW - 30 * day, NOW - 2 * day],  # newest check counts: fresh, skipped
        2: [NOW - 10 * day],
        3: [NOW - 20 * day],
        5: [NOW - 8 * day, NOW - 40 * day],
        6: [NOW - 1 * day],  # fresh, skipped
        8: [NOW - 20 * day],  # same time as 3: id decides
    })  # fmt: skip
    database = db.database()
    try:
        selection = Selection(checked_before=NOW - 7 * day)
        assert database.count_candidates(selection=selection) == 6
        # Pages of 2 walk the (last check, id) keyset: never checked (4, 7), then 3 and 8 (20 days), 2, 5.
        order, after_id, after_checked = [], 0, None
        while batch := database.fetch_batch(after_id, 2, selection=selection, after_checked=after_checked):
            order += [row.id for row in batch]
            after_id, after_checked = batch[-1].id, batch[-1].last_checked
        assert order == [4, 7, 3, 8, 2, 5]
    finally:
        database.close()


def test_a_max_age_run_checks_each_stale_row_once_while_marking_them(db: ResourceDB, any_sim: Simulator) -> None:
    """Rows checked during the run leave the selection: the keyset neither skips nor repeats one."""
    seed(db, 60)
    add_history(db, {n: [NOW - timedelta(days=n % 13 + 1)] for n in range(1, 61) if n % 4})  # fresh ones: 1-6 days ago
    database = db.database()
    try:
        report, recorder = run(database, any_sim, batch_size=7, concurrency=3, max_age=timedelta(days=7))
        engine = create_engine(db.url)
        with engine.connect() as conn:
            stale = {n for n in range(1, 61) if n % 4 == 0 or n % 13 + 1 >= 7}  # 7 days and 10 ms ago is stale
            checked = Counter(r.resource_id for r in conn.execute(select(check_history.c.resource_id).where(check_history.c.run_id == report.run_id)))
        engine.dispose()
    finally:
        database.close()
    assert recorder.total == len(stale)
    assert checked == Counter(stale)
    assert report.summary["valid"] == len(stale)
    # Never-checked rows go out first (concurrency 3 may finish them in any order, but all before the rest).
    never = {n for n in range(1, 61) if n % 4 == 0}
    assert {o.row.id for o in recorder.outcomes[: len(never) - 2]} <= never


def test_max_age_with_limit_is_a_rolling_sweep(db: ResourceDB, any_sim: Simulator) -> None:
    seed(db, 30)
    database = db.database()
    try:
        swept: list[set[int]] = []
        for night in range(3):
            report, recorder = run(database, any_sim, limit=10, max_age=timedelta(hours=12))
            swept.append({o.row.id for o in recorder.outcomes})
            assert report.summary["total"] == 10, night
        report, recorder = run(database, any_sim, limit=10, max_age=timedelta(hours=12))
    finally:
        database.close()
    assert swept == [set(range(1, 11)), set(range(11, 21)), set(range(21, 31))]
    assert report.summary["total"] == 0  # everything was checked within 12 hours (the clock is injected)


# -- --shard ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3, 4])
def test_shards_partition_the_table_exactly(db: ResourceDB, n: int) -> None:
    seed(db, 101)
    database = db.database()
    try:
        parts = []
        for k in range(n):
            selection = Selection(shard=(k, n))
            ids, after = [], 0
            while batch := database.fetch_batch(after, 16, selection=selection):
                ids += [row.id for row in batch]
                after = batch[-1].id
            assert database.count_candidates(selection=selection) == len(ids)
            assert all(i % n == k for i in ids)
            parts.append(ids)
    finally:
        database.close()
    every = [i for part in parts for i in part]
    assert sorted(every) == list(range(1, 102))  # every row in exactly one shard


def test_sharded_runs_with_max_age_split_the_work_without_overlap(db: ResourceDB, any_sim: Simulator) -> None:
    seed(db, 45)
    add_history(db, {n: [NOW - timedelta(hours=1)] for n in range(1, 46, 5)})  # fresh: skipped by every shard
    database = db.database()
    try:
        seen: Counter[int] = Counter()
        for k in range(3):
            _report, recorder = run(database, any_sim, batch_size=4, concurrency=2, shard=(k, 3), max_age=timedelta(days=1))
            seen.update(o.row.id for o in recorder.outcomes)
            assert all(o.row.id % 3 == k for o in recorder.outcomes)
    finally:
        database.close()
    assert seen == Counter(n for n in range(1, 46) if n % 5 != 1)


def test_cli_takes_max_age_and_shard(cli, sqlitedb: ResourceDB, any_sim: Simulator) -> None:
    sqlitedb.create_schema()
    seed(sqlitedb, 9)
    result = cli.run("check-links", "--no-pacing", "--shard", "1/3", "--max-age", "7d", "--json",
                     env={"DATABASE_URL": sqlitedb.url_text, "QUARK_API_BASE": any_sim.base_url})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["total"] == 3  # ids 1, 4, 7
    bad = cli.run("check-links", "--max-age", "soon", env={"DATABASE_URL": sqlitedb.url_text})
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == ["Error: --max-age: 'soon' is not a duration like 7d, 12h or 30m (units s, m, h, d, w)"]


# -- a big table --------------------------------------------------------------------------------------


def test_a_100000_row_run_reads_one_query_per_batch_and_finishes(sqlitedb: ResourceDB, any_sim: Simulator) -> None:
    """100,000 rows, 2,000 distinct links (a real table repeats links; the in-run cache answers the
    repeats): every row gets its verdict, one SELECT per batch, requests only for distinct links."""
    sqlitedb.create_schema()
    seed(sqlitedb, 100_000, links=2_000)
    database = sqlitedb.database()
    selects: list[str] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT") and "cloud_resource" in statement:
            selects.append(statement)

    try:
        report = run_check(
            database,
            lambda: QuarkClient(cookie=COOKIE, api_base=any_sim.base_url, timeout=10),
            CheckOptions(pacing=PacingPolicy.off(), backoff=0.0, batch_size=1000, concurrency=4),
            Listener(),
            sleep=lambda s: True,
        )
    finally:
        database.close()
    assert report.summary == {"total": 100_000, "valid": 100_000, "expired": 0, "needs_passcode": 0, "empty": 0, "errors": 0,
                              "skipped": 0, "same_share": 0}
    assert sqlitedb.scalar(f"SELECT count(DISTINCT resource_id) FROM quarkctl_check WHERE run_id = {report.run_id}") == 100_000
    assert len(selects) == 1 + 101  # the count, one query per batch of 1,000, and the empty one that ends the walk
    assert any_sim.connections <= 4 + 1  # one keep-alive connection per worker (+ the first probe)
