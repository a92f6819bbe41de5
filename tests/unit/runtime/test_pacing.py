"""Pacing, exactly: an injected sleeper and a seeded random source, no real waiting."""

from __future__ import annotations

import random
import threading

import pytest

from quarkctl.errors import ConfigError
from quarkctl.runtime.pacing import Pacer, PacingPolicy
from quarkctl.runtime.stop import StopSignal


def waits_for(links: int, policy: PacingPolicy, seed: int = 7) -> list[tuple[str, float]]:
    waits: list[tuple[str, float]] = []
    pacer = Pacer(policy, sleep=lambda s: True, rng=random.Random(seed), on_wait=lambda s, kind: waits.append((kind, s)))
    for _ in range(links):
        assert pacer.before_link()
    return waits


def test_random_delay_between_links_and_a_rest_every_ten_never_after_the_last() -> None:
    waits = waits_for(25, PacingPolicy(1.0, 3.0, 10, 10.0))
    delays = [s for kind, s in waits if kind == "delay"]
    rests = [i for i, (kind, _) in enumerate(waits) if kind == "rest"]
    assert len(delays) == 24  # between 25 links
    assert all(1.0 <= s <= 3.0 for s in delays)
    assert len(set(delays)) > 20  # random, not constant
    # the rest follows the delay after link 10 and after link 20: positions in the wait list
    assert [waits[i] for i in rests] == [("rest", 10.0), ("rest", 10.0)]
    assert [sum(1 for kind, _ in waits[:i] if kind == "delay") for i in rests] == [10, 20]


def test_exactly_ten_links_get_no_rest() -> None:
    assert [kind for kind, _ in waits_for(10, PacingPolicy())].count("rest") == 0
    assert [kind for kind, _ in waits_for(11, PacingPolicy())].count("rest") == 1


def test_seeded_random_is_reproducible() -> None:
    assert waits_for(12, PacingPolicy()) == waits_for(12, PacingPolicy())


def test_pacing_off_never_waits() -> None:
    assert waits_for(50, PacingPolicy.off()) == []


def test_fractional_settings() -> None:
    waits = waits_for(5, PacingPolicy(0.05, 0.05, 2, 0.25))
    assert waits == [("delay", 0.05), ("delay", 0.05), ("rest", 0.25), ("delay", 0.05), ("delay", 0.05), ("rest", 0.25)]


@pytest.mark.parametrize("policy", [PacingPolicy(3.0, 1.0), PacingPolicy(-1.0, 1.0), PacingPolicy(1, 2, -1, 1)])
def test_bad_policies_are_config_errors(policy: PacingPolicy) -> None:
    with pytest.raises(ConfigError):
        policy.validate()


def test_stop_signal_cuts_a_sleep_short() -> None:
    stop = StopSignal()
    timer = threading.Timer(0.05, stop.set, kwargs={"signum": 15})
    timer.start()
    assert stop.sleep(30) is False  # returns at the signal, not after 30 s
    assert stop.signum == 15
    assert stop.sleep(30) is False  # and every later sleep returns at once


def test_interrupted_pacer_does_not_start_the_link() -> None:
    pacer = Pacer(PacingPolicy(1, 1, 0, 0), sleep=lambda s: False)
    assert pacer.before_link() is True  # the first link needs no wait
    assert pacer.before_link() is False


class FakeTime:
    """A monotonic clock that only the sleeps (and the test) move."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> bool:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        return True


def test_the_pause_counts_from_the_end_of_the_previous_link() -> None:
    """Time spent recording a result is part of the next pause; the gap between links never shrinks."""
    t = FakeTime()
    waits: list[tuple[str, float]] = []
    pacer = Pacer(PacingPolicy(1.0, 1.0, 2, 5.0), sleep=t.sleep, on_wait=lambda s, kind: waits.append((kind, s)),
                  monotonic=lambda: t.now)
    assert pacer.before_link()
    pacer.link_done()
    t.now += 0.3  # the main thread records the result
    start = t.now
    assert pacer.before_link()
    assert t.sleeps == [pytest.approx(0.7)] and t.now - start == pytest.approx(0.7)
    pacer.link_done()
    finished = t.now
    t.now += 1.5  # a slow write: longer than the whole delay, so it eats into the rest
    assert pacer.before_link()
    assert waits == [("delay", 1.0), ("delay", 1.0), ("rest", 5.0)]  # the listener hears the full pauses
    assert [s for s in t.sleeps[1:] if s] == [pytest.approx(4.5)]
    assert t.now - finished == pytest.approx(1.0 + 5.0)  # the gap is exactly the pauses, never less


def test_without_a_clock_every_pause_is_slept_whole() -> None:
    t = FakeTime()
    pacer = Pacer(PacingPolicy(1.0, 1.0, 0, 0), sleep=t.sleep)
    for _ in range(3):
        assert pacer.before_link()
        pacer.link_done()
        t.now += 0.5
    assert t.sleeps == [1.0, 1.0]
