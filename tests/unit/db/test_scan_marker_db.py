"""The scan marker in quarkctl's own tables (issue 16): per task, the filters hash of its last clean run.
Real SQLite and MariaDB."""

from __future__ import annotations

from datetime import datetime, timezone

from conftest import ResourceDB
from quarkctl.db.database import Database
from quarkctl.autosave.task import Ledger

NOW = datetime(2025, 10, 17, 8, 0, tzinfo=timezone.utc)


def test_clean_scan_round_trip(testdb: ResourceDB) -> None:
    db = Database(testdb.url)
    try:
        db.prepare_for_autosave(dry_run=False)
        key = "长" * 300 + "\x1f/剧集/S1"  # longer than any column: stored by its hash
        assert db.clean_scan(key) is None  # no run yet
        db.mark_scan(key, "长", "a" * 64, NOW)
        assert db.clean_scan(key) == "a" * 64
        assert db.clean_scan("other\x1f/x") is None
        db.mark_scan(key, "长", None, NOW)  # a failed save
        assert db.clean_scan(key) is None
        db.mark_scan(key, "长", "b" * 64, NOW)
        assert db.clean_scan(key) == "b" * 64

        ledger = Ledger(clean_scan=db.clean_scan, mark_scan=lambda k, f: db.mark_scan(k, "长", f, NOW))
        ledger.mark_scan(key, None)
        assert Ledger(clean_scan=db.clean_scan).clean_scan(key) is None  # a new run reads what the last wrote
    finally:
        db.close()
