"""The one retry policy: its waits pinned with an injected sleeper, and the same waits from each of
its three users (a link's check, a drive call, the account check) against the simulator."""

from __future__ import annotations

import pytest
from conftest import COOKIE, add_valid, share_url

from quarkctl.quark.account import AccountState, check_account
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.retry import MAX_WAIT, RetryPolicy
from quarkctl.quark.verdict import Verdict
from quarkctl.simulator import Fault, Simulator


class Sleeps:
    """The injected sleeper: records each wait, and what was announced before it."""

    def __init__(self, *, awake: bool = True) -> None:
        self.slept: list[float] = []
        self.announced: list[tuple[float, str]] = []
        self.causes: list[object] = []
        self.awake = awake

    def __call__(self, seconds: float) -> bool:
        self.slept.append(seconds)
        return self.awake

    def on_wait(self, seconds: float, kind: str, cause=None) -> None:
        self.announced.append((seconds, kind))
        self.causes.append(cause)


def waits(policy: RetryPolicy, retry_after: float | None = None) -> list[float]:
    for attempt in range(1, policy.attempts):
        assert policy.wait(attempt, retry_after)
    return policy.sleep.slept  # type: ignore[attr-defined]


def test_exponential_from_the_backoff() -> None:
    sleeps = Sleeps()
    assert waits(RetryPolicy(sleeps, retries=3, backoff=2.0, on_wait=sleeps.on_wait)) == [2.0, 4.0, 8.0]
    assert sleeps.announced == [(2.0, "backoff"), (4.0, "backoff"), (8.0, "backoff")]


@pytest.mark.parametrize(("retry_after", "expected"), [(30, [30.0, 30.0]), (3, [3.0, 4.0]), (500, [MAX_WAIT, MAX_WAIT])])
def test_retry_after_is_honoured_up_to_the_cap(retry_after: float, expected: list[float]) -> None:
    assert waits(RetryPolicy(Sleeps(), retries=2, backoff=2.0), retry_after) == expected


def test_every_wait_is_capped_even_without_retry_after() -> None:
    assert waits(RetryPolicy(Sleeps(), retries=3, backoff=40.0)) == [40.0, 60.0, 60.0]


def test_a_zero_wait_neither_sleeps_nor_announces() -> None:
    sleeps = Sleeps()
    assert waits(RetryPolicy(sleeps, retries=2, backoff=0.0, on_wait=sleeps.on_wait)) == []
    assert sleeps.announced == []


def test_a_cut_short_sleep_says_so() -> None:
    assert RetryPolicy(Sleeps(awake=False), retries=1, backoff=1.0).wait(1) is False


# -- its three users: the same waits for the same answers ---------------------------------------------


def test_a_link_check_waits_as_the_policy_says(sim: Simulator) -> None:
    add_valid(sim, "rate00000500", faults=[Fault(kind="rate_limit", endpoint="token", times=2, retry_after=500)])
    sleeps = Sleeps()
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=2) as client:
        result = LinkChecker(client, retries=2, backoff=2.0, sleep=sleeps, on_wait=sleeps.on_wait).check(share_url("rate00000500"))
    assert result.verdict is Verdict.VALID
    assert sleeps.slept == [60.0, 60.0] and sleeps.announced == [(60.0, "backoff"), (60.0, "backoff")]
    # each wait is told the failure it retries, so its line can say why (issue 23)
    assert [(c.reason, c.http_status) for c in sleeps.causes] == [("rate_limited", 429)] * 2


def test_a_drive_call_caps_its_exponential_wait_too(sim: Simulator) -> None:
    """Before the one policy a drive read waited backoff * 2**n uncapped: 100 s, then 200 s."""
    sim.add_drive_fault(Fault(kind="code", code=15000, endpoint="path_list", times=2))
    sleeps = Sleeps()
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=2) as client:
        session = DriveSession(client, sleep=sleeps, retries=2, backoff=100.0, on_wait=sleeps.on_wait)
        assert (session.path_fids(["/"]), session.requests) == ({"/": "0"}, 3)
    assert sleeps.slept == [60.0, 60.0] and sleeps.announced == [(60.0, "backoff"), (60.0, "backoff")]
    assert [(c.reason, c.api_code) for c in sleeps.causes] == [("server_error", 15000)] * 2


def test_a_drive_call_honours_retry_after_and_gives_up_after_the_retries(sim: Simulator) -> None:
    sim.add_drive_fault(Fault(kind="rate_limit", endpoint="path_list", retry_after=30))
    sleeps = Sleeps()
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=2) as client:
        session = DriveSession(client, sleep=sleeps, retries=2, backoff=2.0)
        with pytest.raises(ApiFailure):
            session.path_fids(["/"])
    assert (sleeps.slept, session.requests) == ([30.0, 30.0], 3)


def test_the_account_check_waits_and_announces_as_the_policy_says(sim: Simulator) -> None:
    sim.account_faults[:] = [Fault(kind="rate_limit", endpoint="account", times=2, retry_after=500)]
    sleeps = Sleeps()
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=2) as client:
        check = check_account(client, sleep=sleeps, retries=2, backoff=2.0, on_wait=sleeps.on_wait)
    assert check.state is AccountState.VERIFIED
    assert sleeps.slept == [60.0, 60.0] and sleeps.announced == [(60.0, "backoff"), (60.0, "backoff")]
    assert [c.reason for c in sleeps.causes] == ["rate_limited"] * 2
