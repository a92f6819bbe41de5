"""check-links --reacquire's two rules that must never break (checker/reacquire.py): which dead rows are searched
for (with --reshare, only those the re-share positively could not heal), and how the acquire run's outcome folds
into check-links' exit code (never hides a worse one, never turns a row merely left dead into a failure)."""

from __future__ import annotations

from datetime import datetime, timezone

import signal

from hypothesis import given
from hypothesis import strategies as st

from quarkctl.checker.reacquire import REACQUIRABLE, DeadRows, with_reacquire
from quarkctl.db.records import ResourceRow
from quarkctl.errors import ExitCode
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict
from quarkctl.reports.acquire import ACTIONS, AcquireOutcome, AcquireReport
from quarkctl.reports.check import RunReport
from quarkctl.runtime.stop import StopSignal
from quarkctl.reports.reshare import ACTIONS as RESHARE_ACTIONS, ReshareOutcome, ReshareReport

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
ABORTS = (None, "search_unavailable", "drive_full", "cookie_rejected", "locked", "interrupted")
RESHARE_REASONS = (*sorted(REACQUIRABLE), "several_items", "share_expired", "create_failed", "interrupted", "not_dead")
DEAD = CheckResult(Verdict.EXPIRED, "content_violation", 41010)


@given(checked=st.sampled_from(list(ExitCode)), abort=st.sampled_from(ABORTS), actions=st.lists(st.sampled_from(ACTIONS), max_size=6),
       signum=st.sampled_from([None, signal.SIGINT, signal.SIGTERM]))
def test_the_exit_code_fold(checked: ExitCode, abort: str | None, actions: list[str], signum: int | None) -> None:
    report = RunReport(started_at=NOW, exit_code=checked,
                       abort_reason="interrupted" if checked in (ExitCode.SIGINT, ExitCode.SIGTERM) else None)
    acquired = AcquireReport(started_at=NOW, abort_reason=abort,
                             outcomes=[AcquireOutcome(i, f"r{i}", "", action, "x") for i, action in enumerate(actions)])
    stop = StopSignal()
    if signum is not None:
        stop.set(signum)
    code = with_reacquire(report, acquired, stop=stop).exit_code
    assert acquired.exit_code == code and report.reacquire is acquired
    if signum is not None and checked not in (ExitCode.SIGINT, ExitCode.SIGTERM):
        # a signal during the searches: the whole run says so, a signal's code first as every job's (runtime/stop.py)
        # (a new user's review: exit 143, JSON 0)
        assert (code, report.abort_reason) == (ExitCode.for_signal(signum), "interrupted")
        return
    codes = {"search_unavailable": ExitCode.SEARCH, "drive_full": ExitCode.ABORTED, "cookie_rejected": ExitCode.AUTH}
    if checked not in (ExitCode.OK, ExitCode.LINK_ERRORS):
        assert code == checked  # a signal, a lost database, a tripped breaker: said as the check said it
    elif abort in codes:
        assert code == codes[abort]
    elif checked == ExitCode.OK and "failed" in actions:
        assert code == ExitCode.LINK_ERRORS
    else:
        assert code == checked  # rows left dead, planned, skipped, locked: the check's own code


@given(st.lists(st.tuples(st.sampled_from(RESHARE_ACTIONS), st.sampled_from(RESHARE_REASONS)), min_size=1, max_size=6))
def test_with_reshare_only_rows_it_could_not_heal_are_wanted(said: list[tuple[str, str]]) -> None:
    rows = [ResourceRow(i, f"r{i}", f"https://pan.quark.cn/s/{i:012d}", False) for i in range(len(said))]
    dead = DeadRows()
    for row in rows:
        dead(row, DEAD)
    assert dead.wanted(None) == rows  # without --reshare: every row found dead
    reshare = ReshareReport(started_at=NOW, outcomes=[ReshareOutcome(row.id, row.name, row.link or "", action, reason)
                                                      for row, (action, reason) in zip(rows, said)])
    wanted = dead.wanted(reshare)
    for row, (action, reason) in zip(rows, said):
        assert (row in wanted) == (reason in REACQUIRABLE and action in ("refused", "skipped"))


def test_a_row_the_reshare_never_reached_is_not_searched_for() -> None:
    """The re-share was off (its lock held, the cookie refused): its rows wait, their files may be in the drive."""
    dead = DeadRows()
    dead(ResourceRow(1, "a", "https://pan.quark.cn/s/aaaaaaaaaaaa", False), DEAD)
    assert dead.wanted(ReshareReport(started_at=NOW)) == []


def test_the_reshare_hook_is_called_first_and_each_row_kept_once() -> None:
    calls: list[int] = []
    dead = DeadRows(lambda row, result: calls.append(row.id))
    row = ResourceRow(7, "a", "https://pan.quark.cn/s/aaaaaaaaaaaa", False)
    dead(row, DEAD)
    dead(row, DEAD)
    assert calls == [7, 7] and dead.wanted(None) == [row]


def test_no_search_starts_after_an_aborted_check_or_its_deadline() -> None:
    from datetime import timedelta

    from quarkctl.checker.reacquire import not_now

    assert not_now(RunReport(started_at=NOW), NOW) is None
    assert not_now(RunReport(started_at=NOW, abort_reason="circuit_breaker"), NOW) == "circuit_breaker"
    assert not_now(RunReport(started_at=NOW, abort_reason="database_lost"), NOW) == "database_lost"
    late = RunReport(started_at=NOW, deadline_at=NOW + timedelta(minutes=5))
    assert not_now(late, NOW + timedelta(minutes=4)) is None and not_now(late, NOW + timedelta(minutes=5)) == "deadline"


def test_the_notification_lists_each_replacement_and_each_row_left_dead() -> None:
    from quarkctl.hooks.monitoring.notify import check_links_body

    report = RunReport(started_at=NOW, finished_at=NOW, newly_expired=[(1, "剧集A", "https://pan.quark.cn/s/old000000001"),
                                                                      (2, "剧集B", "https://pan.quark.cn/s/old000000002")])
    acquired = AcquireReport(started_at=NOW, finished_at=NOW, abort_reason="drive_full", outcomes=[
        AcquireOutcome(1, "剧集A", "https://pan.quark.cn/s/old000000001", "replaced", "acquired", new_link="https://pan.quark.cn/s/new000000001"),
        AcquireOutcome(2, "剧集B", "https://pan.quark.cn/s/old000000002", "left_dead", "no_result")])
    body = check_links_body(with_reacquire(report, acquired)) or ""
    assert "- 剧集A https://pan.quark.cn/s/old000000001 -> https://pan.quark.cn/s/new000000001" in body
    assert "- 剧集B: left dead: searched «剧集B»: nothing found" in body and "the drive is full" in body
    assert body.rstrip().endswith("exit code 4")


def test_the_notification_says_how_many_video_files_a_taken_result_holds() -> None:
    from quarkctl.hooks.monitoring.notify import acquire_body
    from quarkctl.reports.acquire import Considered

    taken = Considered("https://pan.quark.cn/s/good00000001", "剧集A 全12集", "tg:x", 50, "ok", {"videos": 12})
    acquired = AcquireReport(started_at=NOW, finished_at=NOW, outcomes=[
        AcquireOutcome(1, "剧集A", "https://pan.quark.cn/s/old000000001", "replaced", "acquired", new_link="https://pan.quark.cn/s/new000000001",
                       taken=taken, path="/quarkctl/剧集A"),
        AcquireOutcome(2, "剧集C", "https://pan.quark.cn/s/old000000003", "unmarked", "alive_again")])
    body = acquire_body(acquired) or ""
    assert "- 剧集A https://pan.quark.cn/s/old000000001 -> https://pan.quark.cn/s/new000000001 [12 video files]" in body
    assert "- 剧集C https://pan.quark.cn/s/old000000003: link alive again, unmarked" in body and "unmarked 1" in body


def test_the_check_progress_bar_goes_on_through_the_searches() -> None:
    """check-links' progress display follows the re-acquisition too: the row searched for, its pauses, the rows done."""
    import io

    from quarkctl.render.check import RichReporter

    reporter = RichReporter(io.StringIO())
    reporter.started(5)
    reporter.acquire_started(2, source="http://pansou.test")
    (task,) = reporter.progress.tasks
    assert (task.completed, task.total, task.description) == (0, 2, "searching")
    reporter.searching("剧集A")
    assert reporter.progress.tasks[0].description == "searching: 剧集A"
    reporter.acquire_waiting(2.5, "delay")
    assert reporter.progress.tasks[0].description == "waiting 2.5 s"
    for i in (1, 2, 3):  # the third: a row of the same dead share, given the link with the first
        reporter.acquired(AcquireOutcome(i, f"r{i}", "", "replaced", "acquired", new_link="https://pan.quark.cn/s/new000000001"))
    assert (reporter.progress.tasks[0].completed, reporter.progress.tasks[0].total) == (3, 3)
    reporter.close()
