"""Healthchecks-style pings against a loopback receiver: the right URLs, and a failure is only a warning."""

from __future__ import annotations

import time

import pytest
from helpers.loopback import HANG, Receiver

from quarkctl.hooks.monitoring.pings import Pinger


@pytest.fixture
def receiver():
    with Receiver(default=(200, "OK")) as r:
        yield r


def test_start_success_and_fail_urls(receiver: Receiver) -> None:
    warnings: list[str] = []
    pinger = Pinger(f"{receiver.url}/ping/uuid-1/", warn=warnings.append)
    assert pinger.start() and pinger.finish(0) and pinger.finish(3)
    assert receiver.paths() == ["/ping/uuid-1/start", "/ping/uuid-1", "/ping/uuid-1/fail"]
    assert {r.method for r in receiver.requests} == {"GET"}
    assert warnings == []


def test_flag_wins_over_environment_and_dry_run_never_pings(receiver: Receiver) -> None:
    env = {"QUARKCTL_PING_URL": f"{receiver.url}/from-env"}
    Pinger.from_settings(None, env, dry_run=False, warn=print).start()
    Pinger.from_settings(f"{receiver.url}/from-flag", env, dry_run=False, warn=print).start()
    Pinger.from_settings(f"{receiver.url}/from-flag", env, dry_run=True, warn=print).start()
    assert receiver.paths() == ["/from-env/start", "/from-flag/start"]
    assert Pinger.from_settings(None, {}, dry_run=False, warn=print).start() is False  # no URL: no request


def test_a_500_is_a_warning_without_the_url(receiver: Receiver) -> None:
    receiver.default = (500, "down")
    warnings: list[str] = []
    assert Pinger(f"{receiver.url}/secret-uuid", warn=warnings.append).finish(1) is False
    assert warnings == ["warning: monitoring ping (fail) failed: HTTP 500"]


def test_a_hanging_monitor_is_given_up_after_the_timeout(receiver: Receiver) -> None:
    receiver.answers[("GET", "/slow/start")] = HANG
    warnings: list[str] = []
    started = time.monotonic()
    assert Pinger(f"{receiver.url}/slow", warn=warnings.append, timeout=0.3).start() is False
    assert time.monotonic() - started < 5
    assert warnings == ["warning: monitoring ping (start) failed: no answer within 0.3 s"]


def test_an_unreachable_monitor_is_a_warning() -> None:
    with Receiver() as gone:
        url = gone.url
    warnings: list[str] = []
    assert Pinger(url, warn=warnings.append, timeout=1).start() is False
    assert warnings == ["warning: monitoring ping (start) failed: ConnectionError"]
