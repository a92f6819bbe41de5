"""The words of a run's lines (issue 23), in-process: the rules that must never break, as properties."""

from __future__ import annotations

import re

from hypothesis import given, strategies as st
from sqlalchemy.engine import URL

from quarkctl.quark.verdict import Classified, Outcome
from quarkctl.render.autosave import PLAN_LINES, plan_lines
from quarkctl.render.check_words import id_list, started_text
from quarkctl.render.messages import retry_text
from quarkctl.reports.autosave import SavedNode, TaskResult


@given(st.text(min_size=1, max_size=40))
def test_the_first_line_is_the_same_whatever_the_password(password: str) -> None:
    """The password never reaches the first line: the line does not depend on it at all."""
    def line(pw: str) -> str:
        url = URL.create("mysql+pymysql", username="pan", password=pw, host="db", database="pan_library")
        return started_text(24, url.render_as_string(hide_password=True))

    assert line(password) == line("another") == "check-links: 24 links to check in mysql+pymysql://pan:***@db/pan_library"


@given(st.integers(min_value=0, max_value=300))
def test_an_id_list_names_at_most_20_and_counts_the_rest(n: int) -> None:
    ids = [f"#{i}" for i in range(1, n + 1)]
    text = id_list(ids)
    shown = re.findall(r"#\d+", text)
    assert shown == ids[:20]
    hidden = re.search(r"\.\.\. and (\d+) more$", text)
    assert (int(hidden.group(1)) if hidden else 0) == max(0, n - 20)


@given(st.integers(min_value=0, max_value=200), st.sampled_from(["planned", "saved"]))
def test_a_dry_run_plan_is_cut_and_a_real_run_never(files: int, status: str) -> None:
    added = [SavedNode(f"E{n:03}.mp4", f"E{n:03}.mp4", False) for n in range(files)]
    lines = plan_lines(TaskResult(1, "t", status=status, savepath="/t", added=added))
    if status == "saved" or files <= PLAN_LINES:
        assert len(lines) == files and "more" not in "".join(lines)
    else:
        assert len(lines) == PLAN_LINES + 1
        assert lines[-1] == f"... and {files - PLAN_LINES} more"


def test_a_retry_says_what_failed_as_quark_said_it() -> None:
    code = Classified(Outcome.TRANSIENT, "risk_control", api_code=14021, http_status=200, message="风控")
    assert retry_text(2, code, "#6 剧 https://pan.quark.cn/s/abc") == (
        "#6 剧 https://pan.quark.cn/s/abc: Quark's risk control refused the request (try later) (14021 风控); retrying in 2 s")
    gateway = Classified(Outcome.TRANSIENT, "server_error", http_status=502)
    assert retry_text(0.5, gateway) == "Quark server error (HTTP 502); retrying in 0.5 s"
    limited = Classified(Outcome.TRANSIENT, "rate_limited", http_status=429)
    assert retry_text(1, limited, "t") == "t: rate limited by Quark (HTTP 429); retrying in 1 s"  # not said twice
    assert retry_text(1) == "transient failure, retrying in 1 s"
