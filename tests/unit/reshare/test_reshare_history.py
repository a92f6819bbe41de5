"""A re-share run's row in quarkctl_run: its own counts in the detail, none in check-links' valid/errors
columns, and `history` reads it as before."""

from __future__ import annotations

from quarkctl.ops.history import get_run
from quarkctl.reshare.options import ReshareOptions
from quarkctl.runtime.pacing import PacingPolicy
from tests.conftest import ResourceDB
from tests.unit.reshare.test_job import Heard, _dead_rows, _run


def test_a_reshare_run_keeps_its_counts_as_its_own(sim, testdb: ResourceDB) -> None:
    _dead_rows(sim, testdb, 2)
    report = _run(sim, testdb, ReshareOptions(all_expired=True, pacing=PacingPolicy.off()), [], Heard())
    assert [o.action for o in report.outcomes] == ["reshared"] * 2
    columns = testdb.scalar("SELECT total || '/' || valid || '/' || errors || '/' || skipped FROM quarkctl_run") if testdb.kind == "sqlite" \
        else testdb.scalar("SELECT CONCAT(total, '/', valid, '/', errors, '/', skipped) FROM quarkctl_run")
    assert columns == "2/0/0/0"
    db = testdb.database()
    try:
        run = get_run(db, report.run_id)
    finally:
        db.close()
    assert run.counts == {"total": 2, "reshared": 2, "recovered": 0, "planned": 0, "refused": 0, "skipped": 0, "failed": 0}
