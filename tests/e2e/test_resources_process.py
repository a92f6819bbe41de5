"""`quarkctl resources` end to end, where the process matters: a terminal, and the lock a running
check-links holds. The rest of the command tests run in process: tests/unit/commands/test_resources.py."""

from __future__ import annotations


from conftest import Cli, ResourceDB, add_valid, share_url
from quarkctl.simulator import Simulator
from unit.commands.test_resources import FAST, error_line




def test_list_draws_a_table_on_a_terminal(cli: Cli, sqlite_only: ResourceDB) -> None:
    sqlite_only.seed([{"drama_name": "终端里的电影", "link": share_url("aaaa00000001")}])
    code, screen = cli.on_terminal("resources", "list", env={"COLUMNS": "160"})
    assert code == 0
    assert "终端里的电影" in screen and "1 resources" in screen and "\t" not in screen
    assert "─" in screen or "━" in screen  # a drawn table, not tab-separated lines


def test_revive_shares_the_check_links_lock_and_exit_codes(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    for n in range(20):
        add_valid(sim, f"slow{n:08d}")
    db.seed([{"drama_name": f"r{n}", "link": share_url(f"slow{n:08d}")} for n in range(20)])
    running = cli.popen("check-links", "--min-delay", "0.3", "--max-delay", "0.3")
    try:
        for line in running.stdout:  # blocks until the run prints: no sleeping
            if "[1/20]" in line:
                break
        error_line(cli.run("resources", "revive", *FAST), 75, f"pid {running.pid}")
    finally:
        running.terminate()
        running.wait(timeout=30)
    error_line(cli.run("resources", "revive", "--min-delay", "5", "--max-delay", "1"), 2, "--min-delay")
