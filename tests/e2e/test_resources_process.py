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


def test_the_drive_type_warnings_speak_chinese(cli: Cli, sqlite_only: ResourceDB) -> None:
    """The new lines of issue 24 in the installed command's zh_CN: add's warning and refusal, import's warning."""
    baidu = "https://pan.baidu.com/s/1AbCdEfGh"
    proc = cli.run("--lang", "zh_CN", "resources", "add", "错标", baidu, "--drive-type", "quark")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "警告：drive_type 'quark' 与链接所属的网盘（baidu）不符；已按给定值保存，check-links 以链接为准"
    proc = cli.run("--lang", "zh_CN", "resources", "add", "书", "https://example.com/book/1")
    assert proc.returncode == 2 and "不是已知网盘的分享链接" in proc.stderr
    text = cli.home / "in.txt"
    text.write_text(f"二 {baidu}\n", encoding="utf-8")
    proc = cli.run("--lang", "zh_CN", "resources", "import", str(text), "--drive-type", "uc")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith(f"{text}:1: 警告：drive_type 'uc' 与链接所属的网盘（baidu）不符")
    assert {r.drama_name: r.drive_type for r in sqlite_only.rows().values()} == {"错标": "quark", "二": "uc"}
