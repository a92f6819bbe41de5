"""A link quarkctl cannot read is said so, not "not dead" (acquire/job.py alive, a second review of issue 25): the
person fixes or clears it, as README's re-acquire section says."""

from __future__ import annotations

import pytest

from quarkctl import i18n
from quarkctl.acquire.options import AcquireOptions
from quarkctl.render.acquire import OUTCOMES
from tests.conftest import ResourceDB
from tests.unit.acquire.test_job import Found, Result, _run


@pytest.mark.parametrize("link", ["https://example.com/notquark", "not a link", "https://pan.quark.cn/s/"])
def test_an_unreadable_link_is_left_alone_as_unreadable(sim, testdb: ResourceDB, link: str) -> None:
    testdb.create_schema()
    (row,) = testdb.seed([{"drama_name": "电影A", "link": link, "is_expired": 1}])
    search = Found({"电影A": [Result("https://pan.quark.cn/s/good00000001", note="电影A")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.resource_id, o.action, o.reason) for o in report.outcomes] == [(row, "skipped", "unreadable_link")]
    assert search.asked == [] and testdb.rows()[row].link == link
    assert "cannot read" in i18n._(OUTCOMES["unreadable_link"])
