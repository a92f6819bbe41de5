"""check-links over every drive (issue 24), in process: one lane per drive with its own pacer and breaker, the
drives simulator behind QUARKCTL_API_BASE_<DRIVE>, an injected sleeper and clock."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Recorder, ResourceDB, run_checks as run
from helpers.mixed_drives import CHECKED, bases, link, seed_every_drive, share_id
from quarkctl.checker.lanes import COOL_DOWN_CAP, REST_STEP, Lane, cool_down, lane_policy, rest
from quarkctl.checker.options import CheckOptions, parse_drives, parse_paces, parse_trust
from quarkctl.errors import ConfigError, ExitCode
from quarkctl.providers.names import DRIVE_TYPES
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.simulator import Simulator
from quarkctl.simulator.drives_server import DrivesSimulator

ERRORS = ("unverified_dead", "rate_limited", "captcha", "html", "wrong_shape")


@pytest.fixture
def dsim(monkeypatch: pytest.MonkeyPatch) -> Iterator[DrivesSimulator]:
    with DrivesSimulator() as sim:
        for name, value in bases(sim).items():
            monkeypatch.setenv(name, value)
        yield sim


def test_every_drive_is_checked_and_only_seen_dead_answers_mark(testdb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    mixed = seed_every_drive(testdb, sim, dsim)
    report, recorder = run(testdb, sim, retries=0, max_consecutive_errors=0)
    rows = testdb.rows()
    assert {i for i, r in rows.items() if r.is_expired} == mixed.dead
    verdicts = {o.row.id: (o.result.verdict.value, o.result.reason) for o in recorder.outcomes}
    for drive in CHECKED:
        assert verdicts[mixed.ids[(drive, "alive")]] == ("valid", "ok"), drive
        assert verdicts[mixed.ids[(drive, "dead")]][0] == "expired", drive
        for state in ERRORS:
            assert verdicts[mixed.ids[(drive, state)]][0] == "error", (drive, state)
    assert verdicts[mixed.ids[("xunlei", "row0")]] == ("skipped", "unsupported_drive")
    assert not dsim.requests("xunlei")
    # the counts per drive add up to the run's, and each drive's are its own rows'
    drives = report.drives
    assert set(drives) == {*CHECKED, "quark", "xunlei"}
    assert sum(counts["total"] for counts in drives.values()) == report.summary["total"] == len(mixed.ids)
    assert drives["uc"] == {"total": 8, "valid": 1, "expired": 1, "needs_passcode": 1, "empty": 0, "errors": 5, "skipped": 0,
                            "same_share": 0, "unchecked": 0}
    assert drives["quark"]["expired"] == 1 and drives["xunlei"]["skipped"] == 1
    assert report.mismatched == []


def test_drives_limits_a_run_and_trust_changes_only_the_code_only_rules(testdb: ResourceDB, sim: Simulator,
                                                                        dsim: DrivesSimulator) -> None:
    mixed = seed_every_drive(testdb, sim, dsim, states=("alive", "dead", "unverified_dead"), drives=("uc", "baidu", "aliyun"))
    report, recorder = run(testdb, sim, drives=("quark", "uc", "aliyun"), trust_unverified=frozenset({"aliyun"}))
    verdicts = {o.row.id: (o.result.verdict.value, o.result.reason) for o in recorder.outcomes}
    assert not set(mixed.of("baidu")) & set(verdicts)  # not selected: neither reported nor recorded
    assert not dsim.requests("baidu")
    assert verdicts[mixed.ids[("aliyun", "unverified_dead")]] == ("expired", "share_expired")  # trusted
    assert verdicts[mixed.ids[("uc", "unverified_dead")]] == ("error", "unverified_files_deleted")  # not trusted
    expired = {i for i, r in testdb.rows().items() if r.is_expired}
    assert expired == {mixed.ids[k] for k in [("uc", "dead"), ("aliyun", "dead"), ("aliyun", "unverified_dead"), ("quark", "dead")]}
    assert report.summary["skipped"] == 0 and report.summary["total"] == 3 * 2 + 2  # Xunlei's row not selected either


def test_one_drives_outage_trips_its_own_breaker_only(testdb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    mixed = seed_every_drive(testdb, sim, dsim, states=("alive", "dead"), drives=("uc", "aliyun"), quark=2)
    for n in range(6):  # Baidu fails every request
        text = link("baidu", 50 + n)
        dsim.add("baidu", share_id(text), "server_error")
        testdb.seed([{"drama_name": f"down {n}", "link": text, "drive_type": "baidu"}])
    report, recorder = run(testdb, sim, retries=0, max_consecutive_errors=2)
    assert report.tripped == {"baidu": 2} and report.unchecked == {"baidu": 4}
    assert (report.abort_reason, report.exit_code) == ("circuit_breaker", ExitCode.ABORTED)
    assert {r.share_id for r in dsim.requests("baidu")} - {""} == {share_id(link("baidu", 50 + n)) for n in range(2)}  # nothing more was asked of Baidu
    checked = {o.row.id for o in recorder.outcomes}
    assert {i for drive in ("uc", "aliyun", "quark") for i in mixed.of(drive)} <= checked  # the others were all checked
    assert {i for i, r in testdb.rows().items() if r.is_expired} == mixed.dead
    assert report.drives["baidu"]["errors"] == 2 and report.drives["baidu"]["unchecked"] == 4


def test_each_drive_has_its_own_worker_and_pace(testdb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    seed_every_drive(testdb, sim, dsim, states=("alive", "dead", "locked"), drives=("uc", "baidu", "115"), quark=3, xunlei=0)
    sleeps: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()

    def sleep(seconds: float) -> bool:
        with lock:
            sleeps[threading.current_thread().name].append(seconds)
        return True

    options = dict(pacing=PacingPolicy(1.0, 3.0, 0, 0.0), paces={"uc": (0.5, 0.5)}, retries=0)
    report, _ = run(testdb, sim, sleep=sleep, drives=("quark", "uc", "baidu", "115"), **options)
    assert report.summary["total"] == 12
    # three links per drive, two pauses each, every pause on its drive's own worker in its drive's range
    assert sorted(sleeps) == ["check-115-0", "check-baidu-0", "check-quark-0", "check-uc-0"]
    spans = {"quark": (1.0, 3.0), "uc": (0.5, 0.5), "baidu": (3.0, 6.0), "115": (10.0, 15.0)}
    for name, pauses in sleeps.items():
        low, high = spans[name.split("-")[1]]
        # what is slept is the pause less the time since the last link ended (runtime/pacing.py's credit)
        assert len(pauses) == 2 and all(low - 0.25 <= s <= high for s in pauses), (name, pauses)


def test_a_back_off_answer_cools_its_drive_down() -> None:
    policy = PacingPolicy(3.0, 6.0, 10, 10.0)
    assert [cool_down(policy, n) for n in (1, 2, 3)] == [10.0, 20.0, 40.0]
    assert cool_down(policy, 20) == COOL_DOWN_CAP and cool_down(PacingPolicy.off(), 1) == 0.0


def test_a_rate_limited_drive_pauses_before_its_next_link(testdb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    seed_every_drive(testdb, sim, dsim, states=("rate_limited", "alive"), drives=("baidu",), quark=0, xunlei=0)
    report, recorder = run(testdb, sim, drives=("baidu",), retries=0, pacing=PacingPolicy(1.0, 1.0, 0, 4.0),
                           paces={"baidu": (1.0, 1.0)})
    assert report.summary["total"] == 2
    assert ("cool_down", 4.0) in recorder.waits  # baidu's -64 is risk control: back off (drives-api.md section 1)


def test_the_pace_of_each_drive() -> None:
    options = CheckOptions(pacing=PacingPolicy(1.0, 2.0, 10, 10.0), paces={"baidu": (5.0, 7.0)})
    assert lane_policy("quark", None, options) == PacingPolicy(1.0, 2.0, 10, 10.0)
    assert lane_policy("baidu", None, options) == PacingPolicy(5.0, 7.0, 10, 10.0)

    class Tianyi:
        pace = (3.0, 5.0)

    assert lane_policy("tianyi", Tianyi(), options) == PacingPolicy(3.0, 5.0, 10, 10.0)
    assert lane_policy("tianyi", Tianyi(), CheckOptions(no_pacing=True, pacing=PacingPolicy.off())) == PacingPolicy.off()


def test_the_drive_flags_parse_or_say_why() -> None:
    assert parse_drives("UC, quark,uc") == ("quark", "uc")  # the registry's order, once each
    assert parse_trust("baidu,aliyun") == frozenset({"baidu", "aliyun"})
    assert parse_paces(["baidu=3-6", "uc=2,115=10-12"]) == {"baidu": (3.0, 6.0), "uc": (2.0, 2.0), "115": (10.0, 12.0)}
    # every drive_type spelling `resources list --drive` takes names its drive in these flags too
    for drive, names in DRIVE_TYPES.items():
        for name in names:
            assert parse_drives(name.upper()) == (drive,), name
            assert parse_paces([f"{name}=1-2"]) == {drive: (1.0, 2.0)}, name
    assert parse_drives("百度,189,139") == ("baidu", "tianyi", "mobile") and parse_trust("阿里云盘") == frozenset({"aliyun"})
    for no_rules in ("xunlei", "迅雷", "quark,baidu"):  # nothing to trust: said, not accepted silently
        with pytest.raises(ConfigError, match="has no code-only dead rules to trust"):
            parse_trust(no_rules)
    for bad in (lambda: parse_drives("dropbox"), lambda: parse_drives(","), lambda: parse_trust("quark"),
                lambda: parse_paces(["baidu=6-3"]), lambda: parse_paces(["baidu"]), lambda: parse_paces(["nope=1-2"]),
                lambda: parse_paces(["baidu=x-2"]), lambda: parse_paces(["baidu=nan-nan"])):
        with pytest.raises(ConfigError):
            bad()


def test_a_drive_type_that_disagrees_with_the_host_is_a_warning_only(sqlitedb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    from quarkctl.render.check_words import mismatch_text

    sqlitedb.create_schema()
    text = link("uc", 7)
    dsim.add("uc", share_id(text), "dead")
    ids = sqlitedb.seed([{"drama_name": "says baidu", "link": text, "drive_type": "百度网盘"},
                         {"drama_name": "says uc", "link": link("uc", 8), "drive_type": "UC"},
                         {"drama_name": "no type", "link": link("uc", 9), "drive_type": ""}])
    report, recorder = run(sqlitedb, sim)
    assert report.mismatched == [ids[0]]
    assert sqlitedb.rows()[ids[0]].is_expired == 1  # checked and marked as its host says
    assert mismatch_text(report) == (f"1 row's drive_type names another drive than its link, which was checked as its host "
                                     f"says: #{ids[0]}")


def test_other_drives_answers_are_worded_in_their_own_name() -> None:
    from quarkctl.render.messages import reason_text, verdict_reason

    assert reason_text("risk_control") == "Quark's risk control refused the request (try later)"  # Quark's, as before
    assert reason_text("risk_control", "baidu") == "Baidu's risk control refused the request (try later)"
    assert reason_text("server_error", "115") == "115 server error"
    assert verdict_reason("error", "unverified_share_expired", "aliyun") == (
        "error: the share's time limit passed, but only other clients' code says so: left alone (--trust-unverified lets it mark)")
    assert reason_text("drive_not_selected") == "this drive was left out of the run (--drives)"


def test_same_share_marking_stays_quarks(sqlitedb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    sqlitedb.create_schema()
    text = link("uc", 11)
    dsim.add("uc", share_id(text), "dead")
    ids = sqlitedb.seed([{"drama_name": "a", "link": text, "drive_type": "quark"},
                         {"drama_name": "b", "link": f"{text}?pwd=ab12", "drive_type": "quark"}])
    report, recorder = run(sqlitedb, sim)
    assert report.summary["same_share"] == 0 and all(o.same_share_as is None for o in recorder.outcomes)
    assert len(dsim.requests("uc")) == 2  # each row checked on its own, and each marked by its own answer
    assert [sqlitedb.rows()[i].is_expired for i in ids] == [1, 1]


def test_a_tripped_lane_stops_its_cool_down_at_once(sqlitedb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    """An attacker's review of issue 24: after a drive's breaker tripped, its worker slept out its next (doubled)
    cool-down, up to COOL_DOWN_CAP, and the run waited on it. The injected sleeper holds the UC worker's
    first step, and Quark's pause before its second link (which keeps the run going), until the main thread
    has handled the cool-down's announcement, which comes after the tripping result: a worker that then
    keeps resting sleeps more than one step."""
    seed_every_drive(sqlitedb, sim, dsim, states=("rate_limited",), drives=("uc",), quark=2, xunlei=0)
    announced = threading.Event()
    slept: list[float] = []

    class Told(Recorder):
        def waiting(self, seconds: float, kind: str, cause: object = None, **kwargs: Any) -> None:
            super().waiting(seconds, kind, cause, **kwargs)
            if kind == "cool_down":
                announced.set()

    def sleep(seconds: float) -> bool:
        if seconds > 0:
            assert announced.wait(30)  # the main thread has tripped UC's lane by now
            if threading.current_thread().name.startswith("check-uc"):
                slept.append(seconds)
        return True

    report, _ = run(sqlitedb, sim, Told(), sleep=sleep, drives=("quark", "uc"), retries=0, max_consecutive_errors=1,
                    pacing=PacingPolicy(1.0, 1.0, 0, COOL_DOWN_CAP), paces={"uc": (0.0, 0.0)})
    assert report.tripped == {"uc": 1} and report.summary["total"] == 3
    assert sum(slept) <= REST_STEP, slept  # not the 600 s cool-down


def test_rest_ends_when_the_lane_trips_or_the_sleep_is_cut() -> None:
    lane = Lane("uc", 1, PacingPolicy.off())
    steps: list[float] = []

    def sleep(seconds: float) -> bool:
        steps.append(seconds)
        lane.tripped = len(steps) == 3
        return True

    assert rest(lane, 600.0, sleep) is False and steps == [REST_STEP] * 3
    assert rest(Lane("uc", 1, PacingPolicy.off()), 1.2, lambda s: True) is True
    assert rest(Lane("uc", 1, PacingPolicy.off()), 600.0, lambda s: False) is False  # a stop or the deadline
