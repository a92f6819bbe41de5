""".ci/image.sh's own safety, run for real without building anything (issue 26, an attacker's review): run as root,
its logs never go into a folder another user could plant links in, and `stop PID` stops only a dockerd it
started. Each case ends at the check, before any apt-get, daemon or build."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from .conftest import ROOT

SCRIPT = ROOT / ".ci" / "image.sh"


def image_sh(*args: str, work: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"QUARKCTL_CI_IMAGE_DIR": str(work)} if work is not None else {})}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim"
    path.write_text("root's own\n")
    return path


def refused(proc: subprocess.CompletedProcess[str], why: str) -> None:
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and why in proc.stderr and "refused" in proc.stderr, proc.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="a folder of another user's is made by root")
def test_a_log_folder_of_another_users_is_refused_and_its_links_not_followed(tmp_path: Path, victim: Path) -> None:
    work = tmp_path / "quarkctl-ci-image"
    work.mkdir()
    (work / "wheels.log").symlink_to(victim)
    (work / "build.log").symlink_to(victim)
    os.chown(work, 65534, 65534)  # nobody's, as at the old fixed /var/tmp path
    refused(image_sh(work=work), "owned by uid 65534")
    assert victim.read_text() == "root's own\n"


def test_a_log_folder_others_may_write_to_is_refused(tmp_path: Path, victim: Path) -> None:
    work = tmp_path / "open"
    work.mkdir()
    work.chmod(0o777)
    (work / "wheels.log").symlink_to(victim)
    refused(image_sh(work=work), "mode 777")
    assert victim.read_text() == "root's own\n"


def test_a_log_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    refused(image_sh(work=link), "symbolic link")


def fake_dockerd(folder: Path, pidfile: Path) -> subprocess.Popen[bytes]:
    """A process whose executable is named dockerd and whose command line names `pidfile`; reaped in a thread, so it
    goes once killed (a zombie would still answer `kill -0`)."""
    exe = folder / "dockerd"
    shutil.copy("/bin/bash", exe)
    proc = subprocess.Popen([str(exe), "-c", "sleep 600; :", "--pidfile", str(pidfile)])
    threading.Thread(target=proc.wait, daemon=True).start()
    return proc


def test_stop_refuses_a_process_that_is_no_dockerd_of_its_own(tmp_path: Path) -> None:
    other = subprocess.Popen(["sleep", "600"])
    try:
        refused(image_sh("stop", str(other.pid)), f"pid {other.pid} is not a dockerd this script started")
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_stop_refuses_a_dockerd_whose_pid_file_is_not_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere"  # not a folder of image.sh's: another user's daemon on the machine
    folder.mkdir(mode=0o700)
    daemon = fake_dockerd(folder, folder / "dockerd.pid")
    (folder / "dockerd.pid").write_text(str(daemon.pid))
    try:
        refused(image_sh("stop", str(daemon.pid)), "is not a dockerd this script started")
        assert daemon.returncode is None
    finally:
        daemon.kill()


def test_stop_stops_the_dockerd_it_started(tmp_path: Path) -> None:
    folder = tmp_path / "quarkctl-ci-image.AbC123"  # as mktemp names it
    folder.mkdir(mode=0o700)
    daemon = fake_dockerd(folder, folder / "dockerd.pid")
    (folder / "dockerd.pid").write_text(str(daemon.pid))
    try:
        proc = image_sh("stop", str(daemon.pid))
        assert proc.returncode == 0, proc.stderr
        assert daemon.wait(timeout=30) == -15
    finally:
        if daemon.poll() is None:
            daemon.kill()
