"""Root writing into a folder reached through a link another user planted, or into a path that is no plain file
(issue 23; an attacker's and a new user's review of this session). Through the installed command, as cron runs it.

O_NOFOLLOW guards only a path's last name: a link planted as a folder above it (`/tmp/shared/logs -> /root/x`)
made root create its log, its units or the autosave config where the planter chose; a FIFO as the log file hung
the run before its deadline started; `resources export -o /dev/full` replaced the device with a file.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from quarkctl.safefs import replace_file

from conftest import QUARKCTL, Cli
from helpers.victim import plant_victim, untouched
from unit.commands.test_autosave import write_config

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the attacks are on root's runs (CI runs as root)")


def _shared_folder(tmp_path: Path) -> Path:
    """A folder every user may write to, without the sticky bit: where the attacker plants links."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    return shared


def _secret_folder(tmp_path: Path) -> Path:
    secret = tmp_path / "secret"
    secret.mkdir(mode=0o700)
    return secret


def test_a_log_folder_planted_as_a_link_is_refused_and_nothing_is_written_there(sqlite_cli: Cli, tmp_path: Path) -> None:
    shared, secret = _shared_folder(tmp_path), _secret_folder(tmp_path)
    (shared / "logs").symlink_to(secret)
    proc = sqlite_cli.run("check-links", "--no-pacing", "--log-file", str(shared / "logs" / "check.log"))
    assert proc.returncode == 2, proc.stderr
    assert "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert list(secret.iterdir()) == []


def test_a_log_folder_that_is_missing_is_made_private(sqlite_cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "var" / "log" / "quarkctl" / "check.log"
    proc = sqlite_cli.run("check-links", "--no-pacing", "--log-file", str(log))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700 and stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "check-links" in log.read_text(encoding="utf-8")


def test_a_fifo_as_the_log_file_ends_the_run_at_once_instead_of_hanging(sqlite_cli: Cli, tmp_path: Path) -> None:
    """Opening a FIFO for writing waits for a reader: root's nightly run hung before its deadline started."""
    fifo = _shared_folder(tmp_path) / "fifo.log"
    os.mkfifo(fifo)
    proc = sqlite_cli.run("check-links", "--no-pacing", "--max-runtime", "5s", "--log-file", str(fifo), timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "--log-file" in proc.stderr and "Traceback" not in proc.stderr


def test_a_hard_link_as_the_log_file_is_refused_and_the_victim_kept(sqlite_cli: Cli, tmp_path: Path) -> None:
    """A second name of root's file, made in a shared folder, would have had root append its lines to the file."""
    victim = plant_victim(_secret_folder(tmp_path))
    shared = _shared_folder(tmp_path)
    os.link(victim, shared / "check.log")
    proc = sqlite_cli.run("check-links", "--no-pacing", "--log-file", str(shared / "check.log"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert untouched(victim)


def test_schedule_install_into_a_folder_planted_as_a_link_is_refused(cli: Cli, tmp_path: Path) -> None:
    shared, secret = _shared_folder(tmp_path), _secret_folder(tmp_path)
    (shared / "units").symlink_to(secret)
    proc = cli.run("schedule", "install", "--systemd", "--dir", str(shared / "units"))
    assert proc.returncode == 2, proc.stderr
    assert "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert list(secret.iterdir()) == []


def test_a_folder_swapped_for_a_link_before_a_replace_is_never_written_through(tmp_path: Path) -> None:
    """The autosave write-back's race: the config's real path is checked, then its folder is swapped for a link
    before the new file is written. replace_file reaches the folder afresh, refusing the planted link."""
    home = _shared_folder(tmp_path)
    secret = _secret_folder(tmp_path)
    config = home / "cfg" / "quark_config.json"
    config.parent.mkdir()
    config.write_text("{}\n", encoding="utf-8")
    (home / "cfg").rename(home / "cfg.real")
    (home / "cfg").symlink_to(secret)
    from quarkctl.errors import ConfigError

    with pytest.raises(ConfigError, match="symbolic link"):
        replace_file(config, b'{"planted": true}\n', 0o600)
    assert list(secret.iterdir()) == []
    assert (home / "cfg.real" / "quark_config.json").read_text(encoding="utf-8") == "{}\n"


@pytest.mark.parametrize("kind", ["device", "fifo", "link"])
def test_export_replaces_only_a_plain_file(cli: Cli, tmp_path: Path, kind: str) -> None:
    """A new user's review: `resources export -o /dev/full` said `exported 22 rows` and left a regular file in place
    of the device; a FIFO's reader got nothing; a link was replaced by a file."""
    assert cli.run("resources", "add", "电影A", "https://pan.quark.cn/s/acc30a3cf8d4").returncode == 0
    target = tmp_path / "out"
    if kind == "device":
        target = Path("/dev/full")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        (tmp_path / "real.csv").write_text("kept\n", encoding="utf-8")
        target.symlink_to(tmp_path / "real.csv")
    before = os.lstat(target)
    proc = cli.run("resources", "export", "-o", str(target))
    assert proc.returncode == 2 and proc.stderr.startswith("Error: --output"), proc.stderr
    after = os.lstat(target)
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode), before.st_ino)
    plain = cli.run("resources", "export", "-o", str(tmp_path / "plain.csv"))
    assert plain.returncode == 0 and "电影A" in (tmp_path / "plain.csv").read_text(encoding="utf-8")


def test_an_internal_error_is_one_line_and_exit_70(cli: Cli) -> None:
    """A new user's review: with stdout closed (or the log disk full) every internal error became a traceback and
    exit 1, as quarkctl's own error handler failed on typer 0.29 (no Abort in its click copy)."""
    proc = subprocess.run(["bash", "-c", f"'{QUARKCTL}' check-links --no-pacing >&-"], env=cli.env, cwd=cli.home,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 70, proc.stderr
    assert "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.strip()][-1].startswith("Error: internal error")


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_autosave_refuses_a_config_reached_through_a_planted_folder_link(cli: Cli, tmp_path: Path) -> None:
    """A second attacker's review: `ln -s /root/x ~/d`, then root's `autosave --config ~/d/quark_config.json`
    rewrote root's config there with a ban and left a .bak and a lock beside it (no race needed)."""
    shared, secret = _shared_folder(tmp_path), _secret_folder(tmp_path)
    root_config = write_config(cli, [{"taskname": "已取消", "shareurl": "https://pan.quark.cn/s/9373614e3dfe",
                                      "savepath": "/已取消"}]).rename(secret / "quark_config.json")
    (shared / "d").symlink_to(secret)
    before = _listing(secret)
    proc = cli.run("autosave", "--config", str(shared / "d" / "quark_config.json"), "--no-pacing")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert _listing(secret) == before and root_config.exists()


def test_autosave_writes_no_example_config_through_a_planted_folder_link(cli: Cli, tmp_path: Path) -> None:
    shared, secret = _shared_folder(tmp_path), _secret_folder(tmp_path)
    (shared / "d").symlink_to(secret)
    proc = cli.run("autosave", "--config", str(shared / "d" / "quark_config.json"), "--no-pacing")
    assert proc.returncode == 2 and "symbolic link" in proc.stderr, proc.stderr
    assert list(secret.iterdir()) == []


def test_a_sqlite_database_reached_through_a_planted_folder_link_is_refused(sqlite_cli: Cli, tmp_path: Path) -> None:
    """The same planted link in DATABASE_URL's path: SQLite would open (and make -wal, -shm and quarkctl's lock
    beside) the file in the folder the link chose."""
    shared, secret = _shared_folder(tmp_path), _secret_folder(tmp_path)
    (tmp_path / "resources.db").rename(secret / "resources.db")
    (shared / "lnk").symlink_to(secret)
    before = _listing(secret)
    proc = sqlite_cli.run("check-links", "--no-pacing", env={"DATABASE_URL": f"sqlite:///{shared}/lnk/resources.db"})
    assert proc.returncode == 2 and "symbolic link" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert _listing(secret) == before


def test_export_to_dash_writes_stdout(cli: Cli) -> None:
    assert cli.run("resources", "add", "电影A", "https://pan.quark.cn/s/acc30a3cf8d4").returncode == 0
    proc = cli.run("resources", "export", "-o", "-")
    assert proc.returncode == 0 and "电影A" in proc.stdout, proc.stderr
    assert not (cli.home / "-").exists()
