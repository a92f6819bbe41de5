"""Run as root in folders others may write to (issue 23): a planted link never redirects a write.

Through the installed command, as cron runs it: the run lock (XDG_STATE_HOME), the help cache
(XDG_CACHE_HOME) and `schedule install --dir`. The victim file stands for /etc/shadow.
"""

from __future__ import annotations

import stat
from pathlib import Path

from quarkctl.lock import lock_path

from conftest import Cli
from helpers.victim import plant_victim, untouched

def test_a_link_planted_as_the_lock_file_is_refused_and_the_victim_kept(sqlite_cli: Cli, tmp_path: Path) -> None:
    victim = plant_victim(tmp_path)
    locks = sqlite_cli.home / "state" / "quarkctl" / "locks"
    locks.mkdir(parents=True, mode=0o700)
    (locks / _lock_name(sqlite_cli, "check-links")).symlink_to(victim)  # the name this run would open
    proc = sqlite_cli.run("check-links", "--no-pacing")
    assert proc.returncode == 2, proc.stderr
    assert "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert untouched(victim)


def _lock_name(cli: Cli, job: str) -> str:
    from quarkctl.config import settings

    return lock_path(Path("."), job, settings.load(cli.env, need_cookie=False).database_label).name


def test_a_state_folder_others_may_write_to_is_refused(sqlite_cli: Cli, tmp_path: Path) -> None:
    shared = tmp_path / "shared-state"
    shared.mkdir()
    (shared / "quarkctl").mkdir()
    (shared / "quarkctl" / "locks").mkdir()
    (shared / "quarkctl" / "locks").chmod(0o1777)  # as /tmp
    proc = sqlite_cli.run("check-links", "--no-pacing", env={"XDG_STATE_HOME": str(shared)})
    assert proc.returncode == 2, proc.stderr
    assert "chmod go-w" in proc.stderr and "Traceback" not in proc.stderr
    assert list((shared / "quarkctl" / "locks").iterdir()) == []


def test_a_help_page_planted_in_a_shared_cache_is_never_shown(cli: Cli, tmp_path: Path) -> None:
    cache = tmp_path / "shared-cache"
    env = {"XDG_CACHE_HOME": str(cache)}
    first = cli.run("--help", env=env)
    assert first.returncode == 0
    pages = cache / "quarkctl" / "help"
    assert stat.S_IMODE(pages.stat().st_mode) == 0o700
    kept = [p for p in pages.iterdir() if not p.name.startswith(".")]
    assert len(kept) == 1
    # another user makes the folder writable and swaps the kept page for escape sequences
    pages.chmod(0o777)
    kept[0].write_bytes(b"\x1b]0;owned\x07planted page\n")
    again = cli.run("--help", env=env)
    assert again.returncode == 0
    assert "planted page" not in again.stdout and "Usage" in again.stdout


def test_a_link_planted_at_the_help_page_is_not_written_through(cli: Cli, tmp_path: Path) -> None:
    victim = plant_victim(tmp_path)
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache)}
    assert cli.run("--help", env=env).returncode == 0
    pages = cache / "quarkctl" / "help"
    (page,) = [p for p in pages.iterdir() if not p.name.startswith(".")]
    page.unlink()
    page.symlink_to(victim)  # the same key: the next --help renders and keeps the page again
    again = cli.run("--help", env=env)
    assert again.returncode == 0 and "Usage" in again.stdout
    assert untouched(victim)


def test_schedule_install_replaces_a_planted_link_and_keeps_the_victim(cli: Cli, tmp_path: Path) -> None:
    victim = plant_victim(tmp_path)
    units = tmp_path / "units"
    units.mkdir()
    units.chmod(0o1777)
    first = cli.run("schedule", "install", "--systemd", "--dir", str(units))
    assert first.returncode == 0, first.stderr
    names = sorted(p.name for p in units.iterdir())
    assert names
    for name in names:  # another user swaps every unit, and the old fixed temporary name, for a link
        (units / name).unlink()
        (units / name).symlink_to(victim)
        (units / f".{name}.quarkctl-tmp").symlink_to(victim)
    proc = cli.run("schedule", "install", "--systemd", "--dir", str(units), "--force")
    assert proc.returncode == 0, proc.stderr
    assert untouched(victim)
    written = [p for p in units.iterdir() if p.suffix in (".service", ".timer") and not p.name.startswith(".")]
    assert written and all(not p.is_symlink() and stat.S_IMODE(p.stat().st_mode) == 0o644 for p in written)


def test_a_link_planted_as_the_log_file_is_refused_and_a_new_log_is_private(sqlite_cli: Cli, tmp_path: Path) -> None:
    """An attacker's review: root appended the run's lines (links, passcodes) to the file a planted link named."""
    victim = plant_victim(tmp_path)
    shared = tmp_path / "logs"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / "quarkctl.log").symlink_to(victim)
    proc = sqlite_cli.run("check-links", "--no-pacing", "--log-file", str(shared / "quarkctl.log"))
    assert proc.returncode == 2 and "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert untouched(victim)
    fresh = sqlite_cli.run("check-links", "--no-pacing", "--log-file", str(shared / "new.log"))
    assert fresh.returncode == 0, fresh.stderr
    assert stat.S_IMODE((shared / "new.log").stat().st_mode) == 0o600


def test_the_embedded_database_is_private_and_never_opened_through_a_link(cli: Cli, tmp_path: Path) -> None:
    """An attacker's review: a link planted as XDG_DATA_HOME/quarkctl/quarkctl.db made root create or overwrite
    the file it named, and the database was created 0644 (links and passcodes readable by every user)."""
    data = cli.home / "data" / "quarkctl"
    assert cli.run("resources", "list").returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "quarkctl.db").stat().st_mode) == 0o600
    victim = plant_victim(tmp_path)
    (data / "quarkctl.db").unlink()
    (data / "quarkctl.db").symlink_to(victim)
    proc = cli.run("resources", "list")
    assert proc.returncode == 2 and "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert untouched(victim)
    (data / "quarkctl.db").unlink()
    data.chmod(0o777)
    shared = cli.run("check-links", "--no-pacing")
    assert shared.returncode == 2 and "chmod go-w" in shared.stderr
    assert not (data / "quarkctl.db").exists()
