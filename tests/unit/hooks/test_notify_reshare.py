"""The reshare notification names what the owner must do by hand (issue 17)."""

from __future__ import annotations

from datetime import datetime, timezone

from quarkctl.hooks.monitoring.notify import reshare_body
from quarkctl.reports.reshare import ReshareOutcome, ReshareReport

START = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
OLD = "https://pan.quark.cn/s/0123456789ab"


def test_a_share_of_several_items_to_re_share_by_hand_is_in_the_message() -> None:
    report = ReshareReport(START, START, outcomes=[ReshareOutcome(7, "多项", OLD, "skipped", "several_items", path="/多项")])
    body = reshare_body(report)
    assert body is not None and "several items; re-share by hand from /多项" in body


def test_rows_that_need_nothing_send_nothing() -> None:
    report = ReshareReport(START, START, outcomes=[ReshareOutcome(8, "活的", OLD, "skipped", "not_dead")])
    assert reshare_body(report) is None
