"""render/schedule.py: `quarkctl schedule`'s text and JSON from one report, pinned line by line."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from quarkctl.ops.history import RunRecord
from quarkctl.render.schedule import ScheduleReport, schedule_json, schedule_lines
from quarkctl.schedule.current import Entry, Source
from quarkctl.schedule.targets import JOBS


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def report(**changes) -> ScheduleReport:
    timer = Entry(job="check-links", source="systemd-system", where="quarkctl-check-links.timer",
                  schedule="*-*-* 02:00:00 Asia/Shanghai", next_run=utc(2026, 5, 1, 18), last_run=utc(2026, 4, 30, 18, 0, 5),
                  enabled=True, state="enabled/active")
    run = RunRecord(id=12, job="check-links", started_at=utc(2026, 4, 30, 18, 0, 5), finished_at=utc(2026, 4, 30, 18, 3, 10),
                    status="finished", exit_code=0, host="h", pid=1, counts={"total": 2, "valid": 1}, detail={})
    values = dict(
        sources=[Source("systemd-system", True, None, (timer,)), Source("systemd-user", False, "Failed to connect to bus"),
                 Source("cron", True)],
        jobs=list(JOBS.values()), zone="Asia/Shanghai", runs={"check-links": [run], "autosave": []}, runs_shown=3,
    )
    return ScheduleReport(**{**values, **changes})


def test_the_text_of_a_timer_its_runs_and_a_job_never_scheduled(shanghai: None) -> None:
    assert schedule_lines(report(), now=utc(2026, 5, 1, 12)) == [
        "systemd (user): not available (Failed to connect to bus)",
        "",
        "check-links: check Quark share links, mark the dead ones expired",
        "  systemd (system): quarkctl-check-links.timer  *-*-* 02:00:00 Asia/Shanghai  [enabled/active]"
        "  next 2026-05-02 02:00:00 (in 6h00m00s)  last 2026-05-01 02:00:05",
        "  last runs:",
        "    #12    check-links  2026-05-01 02:00:05     3m05s  exit 0   finished    total 2, valid 1",
        "",
        "autosave: save what is new in followed share links (quark-auto-save)",
        "  not scheduled: `quarkctl schedule install --systemd` or `--cron` (default: 0 8,18,20 * * *, Asia/Shanghai)",
        "  no runs recorded yet",
    ]


def test_a_timer_not_yet_rearmed_and_runs_that_could_not_be_read(shanghai: None) -> None:
    lines = schedule_lines(report(runs={}, runs_error="no such SQLite file"), now=utc(2026, 5, 1, 18, 1))
    assert "next 2026-05-02 02:00:00 (1m00s ago)" in lines[3]
    assert lines[4] == "  runs: no such SQLite file" and lines[-1] == "  runs: no such SQLite file"
    assert "  last runs:" not in schedule_lines(report(runs_shown=0), now=utc(2026, 5, 1, 12))


def test_the_json_document() -> None:
    document = schedule_json(report())
    assert document["sources"][1] == {"name": "systemd-user", "available": False, "detail": "Failed to connect to bus"}
    check_links = document["jobs"][0]
    assert check_links["default_schedule"] == {"cron": "0 2 * * *", "on_calendar": ["*-*-* 02:00:00 Asia/Shanghai"]}
    assert check_links["scheduled"] == [{
        "source": "systemd-system", "where": "quarkctl-check-links.timer", "schedule": "*-*-* 02:00:00 Asia/Shanghai",
        "next_run": "2026-05-01T18:00:00+00:00", "last_run": "2026-04-30T18:00:05+00:00", "active": True, "state": "enabled/active",
    }]
    assert [r["id"] for r in check_links["runs"]] == [12] and document["runs_error"] is None
