"""The one rule for `expired` (issue 21) over every drive (issue 24), as a property of the whole run: a row is
marked only when its drive answered one of its seen-dead answers (drives-api.md section 1: `[seen]`,
`[seen-partial]`). Whatever else a drive answers (its code-only dead answers untrusted, rate limits, captchas,
locked shares, pages, any body at all) leaves every row as it was."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ResourceDB, run_checks as run
from helpers.mixed_drives import CHECKED, bases, link, share_id
from quarkctl.providers import aliyun, baidu, caiyun, pan115, pan123, tianyi, uc
from quarkctl.providers.evidence import Evidence, Rule
from quarkctl.quark.verdict import Verdict
from quarkctl.simulator import Simulator
from quarkctl.simulator.drive_replies import TABLES
from quarkctl.simulator.drives_server import DrivesSimulator

# Each drive's simulator states that are its seen-dead answers (tests/unit/providers/test_drive_checks.py)
SEEN_DEAD = {"uc": {"dead", "dead_403", "cancelled", "blocked"}, "baidu": {"dead"}, "aliyun": {"dead", "cancelled"},
             "123": {"dead"}, "tianyi": {"dead", "file_not_found"}, "mobile": {"dead"}, "115": {"dead", "expired"}}
# The endpoint each drive's check asks first (quarkctl/simulator/drives_server.py)
ENDPOINT = {"uc": "token", "baidu": "shorturlinfo", "aliyun": "share", "123": "share", "tianyi": "share", "mobile": "share",
            "115": "snap"}
TABLE_RULES: list[dict[Any, Rule]] = [uc.RULES, baidu.INFO_RULES, baidu.VERIFY_RULES, aliyun.RULES, caiyun.RULES,
                                      pan115.ERRNO_RULES, pan115.STATE_RULES, pan123.RULES, tianyi.RULES]


def _code(key: Any) -> Any:
    return key[0] if isinstance(key, tuple) else key


# Every code any drive reads as seen dead: a random body never carries one (it would be a dead answer)
SEEN_CODES = {str(_code(k)) for rules in TABLE_RULES for k, r in rules.items()
              if r.verdict is Verdict.EXPIRED and r.evidence is not Evidence.CODE}
CODE_ONLY = sorted({_code(k) for rules in TABLE_RULES for k, r in rules.items() if r.evidence is Evidence.CODE}, key=str)
KEYS = ["code", "errno", "status", "res_code", "res_message", "message", "state", "data", "success", "error"]
values = st.one_of(st.sampled_from(CODE_ONLY), st.integers(-70, 70), st.text(max_size=8), st.booleans(), st.none(),
                   st.dictionaries(st.sampled_from(KEYS), st.integers(-3, 3), max_size=3)).filter(lambda v: str(v) not in SEEN_CODES)
bodies = st.one_of(st.dictionaries(st.sampled_from(KEYS), values, max_size=5), st.text(max_size=30))
statuses = st.sampled_from([200, 400, 403, 404, 429, 500, 502])
# A row: a simulator state of its drive, or a body served verbatim on its check's endpoint
answers = st.one_of(st.tuples(st.just("state"), st.integers(0, 10_000)), st.tuples(st.just("body"), st.tuples(statuses, bodies)))
tables = st.lists(st.tuples(st.sampled_from(CHECKED), answers), min_size=1, max_size=12)


@pytest.fixture
def dsim() -> Any:
    with DrivesSimulator() as sim:
        yield sim


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables)
def test_only_a_drives_seen_dead_answers_ever_mark(sqlitedb: ResourceDB, sim: Simulator, dsim: DrivesSimulator,
                                                    monkeypatch: pytest.MonkeyPatch, table: list[tuple[str, tuple[str, Any]]]) -> None:
    for name, value in bases(dsim).items():
        monkeypatch.setenv(name, value)
    sqlitedb.create_schema()
    start = 1 + max(sqlitedb.rows(), default=0)  # the same database across examples: fresh ids, fresh shares
    rows, dead = [], set()
    for n, (drive, (kind, answer)) in enumerate(table, start=start):
        text = link(drive, n)
        if kind == "state":
            states = sorted(TABLES[drive])
            state = states[answer % len(states)]
            dsim.add(drive, share_id(text), state)
            if state in SEEN_DEAD[drive]:
                dead.add(n - start)
        else:
            status, body = answer
            dsim.serve(drive, share_id(text), ENDPOINT[drive], status, body)
        rows.append({"drama_name": f"{drive} {n}", "link": text, "drive_type": drive})
    ids = sqlitedb.seed(rows)
    run(sqlitedb, sim, retries=0, max_consecutive_errors=0)
    stored = sqlitedb.rows()
    assert {i for i in ids if stored[i].is_expired} == {ids[k] for k in dead}
