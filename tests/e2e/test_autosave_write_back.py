"""When autosave cannot write its config back, the run is still reported whole (issue 23): its saves and bans
in --json, the history and the notification, the failure added, exit 6; a config the user made read-only is
left alone with a warning and the run's own exit code. Through the installed command."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COOKIE, QUARKCTL, Cli, share_url
from quarkctl.simulator import Share, Simulator

MS = 1_700_000_000_000


@pytest.fixture(autouse=True)
def quick_tasks(sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1


def config_with_a_ban_and_a_save(cli: Cli, sim: Simulator, padding: int = 0) -> Path:
    sim.add_share(Share(pwd_id="aaaa00000001", title="ok", files=[{"name": "ep01.mp4", "size": 1, "updated_at": MS}]))
    sim.add_share(Share(pwd_id="bbbb00000001", title="gone", dead_code=41012, files=[]))
    path = cli.home / "quark_config.json"
    data = {"cookie": COOKIE, "tasklist": [
        {"taskname": "A", "shareurl": share_url("aaaa00000001"), "savepath": "/A", "pattern": "", "replace": ""},
        {"taskname": "B", "shareurl": share_url("bbbb00000001"), "savepath": "/B", "pattern": "", "replace": ""}],
        "padding": "x" * padding}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run_limited(cli: Cli, config: Path, max_file_bytes: int) -> subprocess.CompletedProcess[str]:
    """autosave with files capped at max_file_bytes (RLIMIT_FSIZE): the config's new copy cannot be written,
    as on a full disk, while the small database and the pipes are not touched by the cap."""
    launcher = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]),) * 2); "
                "os.execv(sys.argv[2], sys.argv[2:])")
    return subprocess.run([sys.executable, "-c", launcher, str(max_file_bytes), QUARKCTL, "autosave", "--config", str(config),
                           "--no-pacing", "--retry-backoff", "0", "--json"],
                          env=cli.env, cwd=cli.home, capture_output=True, text=True, timeout=60)


def test_a_failed_write_back_is_added_to_the_report_and_exits_6(cli: Cli, sim: Simulator) -> None:
    config = config_with_a_ban_and_a_save(cli, sim, padding=3_000_000)
    before = config.read_bytes()
    proc = run_limited(cli, config, max_file_bytes=2_000_000)
    assert proc.returncode == 6, proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert [t["status"] for t in doc["tasks"]] == ["saved", "banned"]  # the run, reported whole
    assert doc["exit_code"] == 6 and "cannot write config" in doc["config_unsaved"]
    assert config.read_bytes() == before  # the previous version, unchanged
    assert [p.name for p in config.parent.iterdir() if p.name.startswith(".quark_config")] == []
    history = json.loads(cli.run("history", "--json").stdout)
    assert history["runs"][0]["job"] == "autosave" and history["runs"][0]["exit_code"] == 6
    assert history["runs"][0]["status"] == "finished"


def test_a_read_only_config_is_left_alone_with_a_warning(cli: Cli, sim: Simulator) -> None:
    config = config_with_a_ban_and_a_save(cli, sim)
    config.chmod(0o444)
    before = config.read_bytes()
    proc = cli.run("autosave", "--config", str(config), "--no-pacing", "--retry-backoff", "0")
    assert proc.returncode == 0, proc.stderr
    assert config.read_bytes() == before and stat.S_IMODE(config.stat().st_mode) == 0o444
    warning = [line for line in proc.stdout.splitlines() if "read-only" in line]
    assert len(warning) == 1 and " WARN " in warning[0] and "bans and fids were not saved" in warning[0]
    assert not Path(str(config) + ".bak").exists()


def test_root_keeps_the_users_config_theirs(cli: Cli, sim: Simulator) -> None:
    config = config_with_a_ban_and_a_save(cli, sim)
    config.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(config, 65534, 65534)
    owner = config.stat()
    proc = cli.run("autosave", "--config", str(config), "--no-pacing", "--retry-backoff", "0")
    assert proc.returncode == 0, proc.stderr
    after = config.stat()
    assert json.loads(config.read_text(encoding="utf-8"))["tasklist"][1]["shareurl_ban"]  # written back
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (owner.st_uid, owner.st_gid, 0o640)
