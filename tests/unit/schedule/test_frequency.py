"""How often a job of `quarkctl schedule run` runs (schedule/checks.py): check-links under 10 minutes refused,
under an hour warned, autosave left to its own times."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quarkctl.errors import ConfigError
from quarkctl.schedule.checks import check_frequency, shortest_gap
from quarkctl.schedule.plan import Entry

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("cron", "gap"), [("* * * * *", 1), ("*/5 * * * *", 5), ("*/15 * * * *", 15), ("0 * * * *", 60),
                                           ("0 8,18,20 * * *", 120), ("0 2 * * *", 1440), ("0 2 * * 1", 7 * 1440)])
def test_the_shortest_gap(cron: str, gap: int) -> None:
    assert shortest_gap(cron, ZONE) == timedelta(minutes=gap)


def test_check_links_every_few_minutes_is_refused_hourly_is_fine_and_autosave_is_not_judged() -> None:
    with pytest.raises(ConfigError, match="every 5 min: at most every 10 min"):
        check_frequency(Entry("check-links", "*/5 * * * *", ()), ZONE)
    assert "every 30 min" in (check_frequency(Entry("check-links", "*/30 * * * *", ()), ZONE) or "")
    assert check_frequency(Entry("check-links", "0 * * * *", ()), ZONE) is None
    assert check_frequency(Entry("autosave", "* * * * *", ()), ZONE) is None


@given(st.integers(1, 59))
def test_every_n_minutes_is_judged_by_its_n(n: int) -> None:
    entry = Entry("check-links", f"*/{n} * * * *", ())
    gap = min(n, 60 - (59 // n) * n)  # */n fires at 0, n, 2n ... up to 59, then again at the hour
    assert shortest_gap(entry.cron, ZONE) == timedelta(minutes=gap)
    if gap < 10:
        with pytest.raises(ConfigError):
            check_frequency(entry, ZONE)
    else:
        assert check_frequency(entry, ZONE) is not None
