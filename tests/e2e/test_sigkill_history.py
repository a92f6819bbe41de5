"""SIGKILL (an OOM kill) loses at most the verdicts of the last second (issue 23): a verdict's history row
reaches the database within a second, long before the next link (3 s of pacing away). Through the installed
command; the test waits for conditions (a line, a row), never for time to pass."""

from __future__ import annotations

import signal
import time

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, share_url
from quarkctl.simulator import Simulator

NEXT_LINK_AFTER = 3.0  # --min-delay/--max-delay below: the second verdict cannot come sooner


def test_a_verdict_is_in_the_history_before_the_next_link(cli: Cli, sim: Simulator, testdb: ResourceDB) -> None:
    on_database(cli, testdb)
    for n in range(3):
        add_valid(sim, f"aaaa0000000{n}")
    testdb.seed([{"drama_name": f"r{n}", "link": share_url(f"aaaa0000000{n}")} for n in range(3)])
    proc = cli.popen("check-links", "--min-delay", str(NEXT_LINK_AFTER), "--max-delay", str(NEXT_LINK_AFTER))
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # blocks until the first verdict is printed
            if "[1/3]" in line:
                seen_at = time.monotonic()
                break
        else:
            pytest.fail(proc.stderr.read() if proc.stderr else "no verdict line")
        rows = 0
        while rows == 0 and time.monotonic() - seen_at < NEXT_LINK_AFTER - 0.5:
            rows = testdb.scalar("SELECT COUNT(*) FROM quarkctl_check")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert rows == 1, "the first verdict's history row did not reach the database before the next link"
        assert testdb.scalar("SELECT COUNT(*) FROM quarkctl_check") == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
