"""One duration format: a run's length reads the same in the check-links summary and in `history`,
in English and in Chinese (before, history printed `3m05s` even in Chinese)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import Cli, ResourceDB

from quarkctl import i18n
from quarkctl.render.check import summary_rows
from quarkctl.reports.check import JOB, RunReport

STARTED = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("lang", "seconds", "text"), [
    ("en", 185, "3m05s"),
    ("zh_CN", 185, "3分05秒"),
    ("en", 3 * 3600 + 125, "3h02m05s"),
    ("zh_CN", 3 * 3600 + 125, "3小时02分05秒"),
])
def test_a_duration_reads_the_same_in_the_summary_and_in_history(cli: Cli, sqlitedb: ResourceDB, monkeypatch: pytest.MonkeyPatch,
                                                                 lang: str, seconds: int, text: str) -> None:
    finished = STARTED + timedelta(seconds=seconds)
    sqlitedb.create_schema()
    database = sqlitedb.database()
    try:
        run_id = database.start_run(JOB, STARTED, {})
        database.finish_run(run_id, finished, status="finished", exit_code=0, counts={}, detail={})
    finally:
        database.close()

    proc = cli.run("history", env={"DATABASE_URL": sqlitedb.url_text, "QUARKCTL_LANG": lang})
    assert proc.returncode == 0, proc.stderr
    monkeypatch.setenv("LANGUAGE", "")  # set_language writes it: put back what this process had
    try:
        i18n.set_language(lang)
        summary = dict(summary_rows(RunReport(started_at=STARTED, finished_at=finished)))
        label = i18n._("duration")
    finally:
        i18n.set_language("en")
    assert summary[label] == text
    assert f" {text} " in proc.stdout.splitlines()[0]
