"""The operations commands end to end where the process matters: a log file rotated under a running
check-links. The rest run in process: tests/unit/commands/test_ops.py."""

from __future__ import annotations


from conftest import Cli, ResourceDB, add_valid, pwd, share_url
from quarkctl.simulator import Simulator




def test_log_file_rotated_mid_run_gets_the_rest_of_the_run(ops: Cli, sim: Simulator, sdb: ResourceDB) -> None:
    for n in range(6):
        add_valid(sim, pwd(n))
    sdb.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(6)])
    log = ops.home / "logs" / "check-links.log"
    proc = ops.popen("check-links", "--min-delay", "0.2", "--max-delay", "0.2", "--log-file", str(log))
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # blocks until the run prints: no sleeping
            if "[2/6]" in line:
                break
        log.rename(log.with_suffix(".log.1"))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    rotated, current = log.with_suffix(".log.1").read_text(), log.read_text()
    assert "[1/6]" in rotated and "[6/6]" in current and "summary: total 6" in current
    assert "summary" not in rotated
    for n in range(1, 7):
        assert (rotated + current).count(f"[{n}/6]") == 1  # nothing lost, nothing twice
