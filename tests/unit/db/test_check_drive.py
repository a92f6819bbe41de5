"""Issue 24: each verdict's drive and the drive's own code, in quarkctl_check_drive beside quarkctl_check (which is
never altered). Real SQLite and MariaDB."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, inspect, select, text

from conftest import ResourceDB
from quarkctl.db.database import Database
from quarkctl.db.records import CheckRecord, utc_naive
from quarkctl.db.schema import check_drive, check_history, metadata
from quarkctl.errors import DatabaseError
from quarkctl.providers.names import DRIVE_NAMES

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)

# One verdict of each kind of drive row: Quark's (no row), another drive's code as a word and as a number,
# a link no drive claims (no row), a drive that checks nothing (Xunlei)
RECORDS = [
    CheckRecord(1, NOW, "valid", "ok", 0, 200, None, code="0"),
    CheckRecord(2, NOW, "expired", "share_cancelled", None, 404, "NotFound.ShareLink The resource share_link cannot be found",
                drive="aliyun", code="NotFound.ShareLink"),
    CheckRecord(3, NOW, "error", "passcode_state_unknown", -9, 200, None, drive="baidu", code="-9"),
    CheckRecord(4, NOW, "skipped", "unsupported_link", drive=None),
    CheckRecord(5, NOW, "skipped", "unsupported_drive", drive="xunlei"),
    CheckRecord(6, NOW, "expired", "share_cancelled", 41012, 200, "好友已取消了分享", code="41012"),
]
READ_BACK = [(1, "quark", "0"), (2, "aliyun", "NotFound.ShareLink"), (3, "baidu", "-9"), (4, None, None), (5, "xunlei", None),
             (6, "quark", "41012")]


def _drive_rows(db: ResourceDB) -> int:
    return int(db.scalar("SELECT COUNT(*) FROM quarkctl_check_drive"))


def _previous_schema(db: ResourceDB) -> None:
    """The tables as the previous quarkctl created them: every one but quarkctl_check_drive."""
    engine = db.engine()
    metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if t.name != check_drive.name])
    engine.dispose()


def test_each_verdict_reads_back_with_its_drive_and_code(testdb: ResourceDB) -> None:
    testdb.create_schema()
    db = Database(testdb.url)
    try:
        run = db.start_run("check-links", NOW, {})
        for record in RECORDS:
            db.add_check(run, record)
        db.flush_checks()
        assert [(r["resource_id"], r["drive"], r["code"]) for r in db.run_checks(run)] == READ_BACK
        assert _drive_rows(testdb) == 3  # Quark's verdicts and no drive's go without a row
        (baidu,) = db.checks_of(3)
        assert (baidu["drive"], baidu["code"], baidu["api_code"]) == ("baidu", "-9", -9)
        assert [(c["drive"], c["code"]) for c in db.checks_of(2)] == [("aliyun", "NotFound.ShareLink")]
    finally:
        db.close()


def test_a_dead_share_of_another_drive_commits_its_drive_row_with_its_mark(testdb: ResourceDB) -> None:
    testdb.create_schema()
    ids = testdb.seed([{"drama_name": "阿里", "link": "https://www.alipan.com/s/4F9AbCdEf001", "drive_type": "aliyun"}])
    db = Database(testdb.url)
    try:
        run = db.start_run("check-links", NOW, {})
        db.add_check(run, replace(RECORDS[2], resource_id=99))  # buffered: written with the mark
        dead = replace(RECORDS[1], resource_id=ids[0], link="https://www.alipan.com/s/4F9AbCdEf001")
        changed, others = db.expire_share(run, dead, pwd_id="4F9AbCdEf001", same_share=lambda _text: False)
        assert changed and others == [] and testdb.rows()[ids[0]].is_expired == 1
        assert [(r["resource_id"], r["drive"], r["code"]) for r in db.run_checks(run)] == [
            (99, "baidu", "-9"), (ids[0], "aliyun", "NotFound.ShareLink")]
    finally:
        db.close()


def test_the_check_rows_and_their_drive_rows_commit_together(testdb: ResourceDB) -> None:
    testdb.create_schema()
    engine = testdb.engine()
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE quarkctl_check_drive"))  # the drive rows' insert fails
    engine.dispose()
    db = Database(testdb.url)
    try:
        db.add_check(7, RECORDS[0])
        with pytest.raises(DatabaseError):
            db.add_check(7, RECORDS[1], flush=True)
        assert testdb.scalar("SELECT COUNT(*) FROM quarkctl_check") == 0  # rolled back with them
        assert db.pending_checks() == RECORDS[:2]  # kept for the next attempt
        db.create_missing([check_drive])
        db.flush_checks()
        assert [(r["resource_id"], r["drive"]) for r in db.run_checks(7)] == [(1, "quark"), (2, "aliyun")]
    finally:
        db.close()


def test_an_old_database_gets_the_table_on_the_next_run_and_keeps_its_history(testdb: ResourceDB) -> None:
    _previous_schema(testdb)
    testdb.seed([{"drama_name": "旧", "link": "https://pan.quark.cn/s/old000000001"}])
    engine = testdb.engine()
    with engine.begin() as conn:  # a verdict the previous version wrote
        conn.execute(insert(check_history).values(run_id=1, resource_id=1, checked_at=utc_naive(NOW), verdict="expired",
                                                  reason="share_cancelled", api_code=41012, message="好友已取消了分享"))
    engine.dispose()
    db = Database(testdb.url)
    try:
        # Read as it is: the history commands create nothing
        assert [(c["drive"], c["code"]) for c in db.checks_of(1)] == [("quark", "41012")]
        db.prepare_for_check(dry_run=True)  # a dry run writes nothing, tables neither
        assert check_drive.name not in db.existing_tables()
        db.prepare_for_check(dry_run=False)
        assert check_drive.name in db.existing_tables()
        db.add_check(2, RECORDS[2], flush=True)
        assert [(r["resource_id"], r["verdict"], r["drive"], r["code"]) for r in db.run_checks(1)] == [(1, "expired", "quark", "41012")]
        assert [(r["drive"], r["code"]) for r in db.run_checks(2)] == [("baidu", "-9")]
        with db.connection() as conn:
            assert {c["name"] for c in inspect(conn).get_columns("quarkctl_check")} == {c.name for c in check_history.columns}
    finally:
        db.close()


def test_deleting_a_resource_deletes_its_checks_drive_rows(sqlitedb: ResourceDB) -> None:
    """SQLite hands the largest id out again once its row is gone: a later Quark check must not inherit a drive row."""
    sqlitedb.create_schema()
    keep, gone = sqlitedb.seed([{"drama_name": "留", "link": "https://pan.quark.cn/s/keep00000001"},
                                {"drama_name": "百度", "link": "https://pan.baidu.com/s/1AbCdEf001", "drive_type": "baidu"}])
    db = Database(sqlitedb.url)
    try:
        db.add_check(1, replace(RECORDS[2], resource_id=gone), flush=True)
        freed = db.checks_of(gone)[0]["id"]
        assert db.delete_resources([gone], history=True) == ([gone], [])
        assert _drive_rows(sqlitedb) == 0
        db.add_check(2, replace(RECORDS[0], resource_id=keep), flush=True)
        (check,) = db.checks_of(keep)
        assert check["id"] == freed and (check["drive"], check["code"]) == ("quark", "0")
    finally:
        db.close()


_record = st.one_of(
    st.builds(lambda code: ("quark", code, str(code)), st.integers(-(2**31), 2**31 - 1)),
    st.builds(lambda drive, code: (drive, None, code), st.sampled_from([d for d in DRIVE_NAMES if d != "quark"]),
              st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",)), max_size=100))),
    st.just((None, None, None)),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_record, st.booleans()), max_size=60))
def test_every_verdict_reads_back_as_written_in_any_mix_and_flush(sqlitedb: ResourceDB, verdicts: list) -> None:
    """Whatever the drives and codes and wherever the flushes fall, the n-th verdict of a run reads back with its
    own drive and code: no verdict takes another's drive row."""
    db = Database(sqlitedb.url)
    try:
        db.create_missing(metadata.sorted_tables)
        run = db.start_run("check-links", NOW, {})
        for n, ((drive, api_code, code), flush) in enumerate(verdicts):
            reason = "unsupported_link" if drive is None else "ok"
            db.add_check(run, CheckRecord(n, NOW, "valid", reason, api_code, drive=drive, code=code), flush=flush)
        db.flush_checks()
        expected = [(n, drive if drive is not None else None, (code or None) and code[:80]) for n, ((drive, _a, code), _f) in enumerate(verdicts)]
        assert [(r["resource_id"], r["drive"], r["code"]) for r in db.run_checks(run)] == expected
        with db.connection() as conn:
            orphans = conn.execute(select(func.count()).select_from(check_drive).where(
                check_drive.c.check_id.not_in(select(check_history.c.id)))).scalar_one()
        assert orphans == 0
    finally:
        db.close()


def test_a_server_without_insert_returning_writes_them_a_row_at_a_time(mysqldb: ResourceDB) -> None:
    """MySQL (not MariaDB) has no INSERT ... RETURNING: the ids come one row at a time, the same rows result."""
    mysqldb.create_schema()
    db = Database(mysqldb.url)
    try:
        db.engine.dialect.insert_executemany_returning_sort_by_parameter_order = False  # as SQLAlchemy's MySQL dialect says
        for record in RECORDS:
            db.add_check(5, record)
        db.flush_checks()
        assert [(r["resource_id"], r["drive"], r["code"]) for r in db.run_checks(5)] == READ_BACK
    finally:
        db.close()
