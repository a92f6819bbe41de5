"""runtime/stop.py's exit rule every job shares, runtime/clock.py's utcnow, and the pacing the shared flags build."""

from __future__ import annotations

import signal

import pytest

from quarkctl.errors import ConfigError, ExitCode
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.runtime.stop import StopSignal, exit_code

ABORTS = {"database_lost": ExitCode.DB_LOST, "circuit_breaker": ExitCode.ABORTED}


def test_a_signal_decides_the_exit_code_before_anything_else() -> None:
    stop = StopSignal()
    stop.set(signal.SIGTERM)
    assert exit_code(stop, "database_lost", ABORTS, failed=True) == ExitCode.for_signal(signal.SIGTERM)


def test_an_abort_reason_has_the_jobs_code_then_a_failure_is_1() -> None:
    stop = StopSignal()
    stop.set(reason="circuit_breaker")  # the run's own stop is no signal
    assert exit_code(stop, "circuit_breaker", ABORTS, failed=True) == ExitCode.ABORTED
    assert exit_code(stop, "database_lost", ABORTS, failed=False) == ExitCode.DB_LOST
    assert exit_code(stop, "locked", ABORTS, failed=True) == ExitCode.LINK_ERRORS  # a reason the job does not map
    assert exit_code(StopSignal(), None, ABORTS, failed=False) == ExitCode.OK


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.utcoffset() is not None and now.utcoffset().total_seconds() == 0


def test_pacing_from_the_shared_flags() -> None:
    assert PacingPolicy.from_flags(1.0, 3.0, 10, 10.0) == PacingPolicy()
    assert PacingPolicy.from_flags(3.0, 6.0) == PacingPolicy(3.0, 6.0, 0, 0.0)  # no rest flags: never rests
    assert PacingPolicy.from_flags(5.0, 1.0, off=True) == PacingPolicy.off()  # --no-pacing: nothing checked, nothing paced
    with pytest.raises(ConfigError):
        PacingPolicy.from_flags(5.0, 1.0)
