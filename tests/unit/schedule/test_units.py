"""The repository's systemd units and crontab.example: parsed, compared with what `schedule install`
writes, and verified by systemd-analyze where it exists."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import QUARKCTL
from quarkctl.schedule import install as schedule_install
from quarkctl.schedule import render as schedule_render
from quarkctl.schedule import targets as schedule_targets
from quarkctl.schedule.current import cron_entries
from quarkctl.schedule.render import cron_line, render_cron, render_service, render_timer
from quarkctl.schedule.targets import EXAMPLE_TARGET, JOBS, Job

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "systemd"
CRONTAB = (ROOT / "crontab.example").read_text()
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")

# The jobs the repository's files cover; autosave's entry joins JOBS when its command lands.
JOB_NAMES = ("check-links", "autosave")
HARDENING = ("NoNewPrivileges", "ProtectSystem", "ReadWritePaths", "ProtectHome", "PrivateTmp", "CapabilityBoundingSet",
             "RestrictAddressFamilies", "SystemCallFilter", "UMask")


def parse_unit(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None, delimiters=("=",), comment_prefixes=("#", ";"),
                                          empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


def units(suffix: str) -> dict[str, configparser.RawConfigParser]:
    return {path.name: parse_unit(path.read_text()) for path in sorted(UNITS.glob(f"*.{suffix}"))}


def test_a_service_and_a_timer_per_job() -> None:
    assert sorted(p.name for p in UNITS.iterdir()) == sorted(
        f"quarkctl-{name}.{kind}" for name in JOB_NAMES for kind in ("service", "timer")
    )


@pytest.mark.parametrize("name", JOB_NAMES)
def test_service_units(name: str) -> None:
    unit = units("service")[f"quarkctl-{name}.service"]
    service = unit["Service"]
    assert unit["Unit"]["After"] == unit["Unit"]["Wants"] == "network-online.target"
    assert service["Type"] == "oneshot"
    assert service["ExecStart"].startswith(f"/usr/local/bin/quarkctl {name}")
    assert service["EnvironmentFile"] == "/etc/quarkctl/.env"
    assert service["StateDirectory"] == "quarkctl"
    assert service["SuccessExitStatus"] == "75"
    assert int(service["Nice"]) > 0
    assert service["NoNewPrivileges"] == "yes" and service["PrivateTmp"] == "yes"
    assert service["ProtectSystem"] == "strict" and service["ProtectHome"] == "read-only"
    assert service["ReadWritePaths"].startswith("-/")
    assert re.fullmatch(r"\d+(h|min)", service["TimeoutStartSec"])


@pytest.mark.parametrize("path", sorted(UNITS.glob("*.service")), ids=lambda p: p.name)
def test_every_hardening_line_says_when_to_drop_it(path: Path) -> None:
    lines = path.read_text().splitlines()
    start = lines.index("NoNewPrivileges=yes")
    block = lines[start - 1:]
    assert block[0].startswith("#")
    keys = [line.split("=", 1)[0] for line in block if line and not line.startswith("#")]
    assert set(HARDENING) <= set(keys)
    for n, line in enumerate(block):
        if line and not line.startswith("#"):
            above = next(prev for prev in reversed(block[:n]) if prev.startswith("#") or "=" not in prev)
            assert above.startswith("#"), line  # every key sits under a comment
    comments = " ".join(line for line in block if line.startswith("#"))
    assert comments.count("drop") >= 10


@pytest.mark.parametrize(("name", "times"), [("check-links", "02:00:00"), ("autosave", "08,18,20:00:00")])
def test_timer_units(name: str, times: str) -> None:
    timer = units("timer")[f"quarkctl-{name}.timer"]
    assert timer["Timer"]["OnCalendar"] == f"*-*-* {times} Asia/Shanghai"
    assert timer["Timer"]["Persistent"] == "true"
    assert re.fullmatch(r"\d+min", timer["Timer"]["RandomizedDelaySec"])
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.parametrize("job", JOBS.values(), ids=lambda j: j.name)
def test_repository_units_are_what_schedule_install_writes(job: Job) -> None:
    assert (UNITS / job.service).read_text() == render_service(job, EXAMPLE_TARGET)
    assert (UNITS / job.timer).read_text() == render_timer(job, EXAMPLE_TARGET)
    assert cron_line(job, EXAMPLE_TARGET, system=True) in CRONTAB.splitlines()


def test_crontab_example() -> None:
    lines = CRONTAB.splitlines()
    assert "CRON_TZ=Asia/Shanghai" in lines and "SHELL=/bin/sh" in lines
    path = next(line for line in lines if line.startswith("PATH="))
    assert "/usr/local/bin" in path.split("=", 1)[1].split(":")
    jobs = [line for line in lines if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert [line.split()[:6] for line in jobs] == [["0", "2", "*", "*", "*", "root"], ["0", "8,18,20", "*", "*", "*", "root"]]
    for line, name in zip(jobs, JOB_NAMES):
        command = line.split(None, 6)[6]
        assert command.startswith(f"/usr/local/bin/quarkctl {name} ")
        assert "--env-file /etc/quarkctl/.env" in command and f"--log-file /var/log/quarkctl/{name}.log >/dev/null" in command
        subprocess.run(["sh", "-n", "-c", command], check=True)  # valid shell, as cron runs it
    assert "autosave --config /etc/quarkctl/quark_config.json" in jobs[1]
    # the user-crontab variant and the reason for a low frequency are explained
    assert "user crontab" in CRONTAB and "drop the user column" in CRONTAB
    assert "risk control" in CRONTAB and "14021" in CRONTAB
    assert [e.job for e in cron_entries(CRONTAB, JOBS.values(), where="example", system=True)] == list(JOBS)


def test_cron_exit_status_mails_only_problems(tmp_path: Path) -> None:
    """The line's tail: exit 0 and 1 are quiet, anything else prints one line for cron to mail."""
    tail = cron_line(JOBS["check-links"], EXAMPLE_TARGET, system=False).split(">/dev/null", 1)[1]
    for code, mailed in ((0, False), (1, False), (2, True), (3, True), (75, True)):
        out = subprocess.run(["sh", "-c", f"(exit {code}) >/dev/null{tail}"], capture_output=True, text=True).stdout
        assert bool(out) is mailed, code


def verify(folder: Path, *, user: bool, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYSTEMD_LOG_COLOR": "0"}
    if user:
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(runtime)  # a user manager needs one, even offline
    args = [ANALYZE, *(["--user"] if user else []), "verify", *(str(p) for p in sorted(folder.iterdir()))]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)


def installed_copy(tmp_path: Path) -> Path:
    """The repository's units with ExecStart pointing at the installed quarkctl (verify wants it to exist)."""
    assert QUARKCTL is not None
    folder = tmp_path / "units"
    folder.mkdir()
    for path in UNITS.iterdir():
        (folder / path.name).write_text(path.read_text().replace("/usr/local/bin/quarkctl", QUARKCTL))
    return folder


@needs_analyze
def test_systemd_analyze_verify_repository_units(tmp_path: Path) -> None:
    proc = verify(installed_copy(tmp_path), user=False, tmp_path=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # no warning either (unknown keys only warn)


@needs_analyze
def test_systemd_analyze_catches_a_broken_unit(tmp_path: Path) -> None:
    folder = installed_copy(tmp_path)
    timer = folder / "quarkctl-check-links.timer"
    timer.write_text(timer.read_text().replace("02:00:00", "25:00:00"))
    assert verify(folder, user=False, tmp_path=tmp_path).returncode != 0


@needs_analyze
@pytest.mark.parametrize("user", [False, True], ids=["system", "user"])
def test_systemd_analyze_verify_installed_units(tmp_path: Path, user: bool) -> None:
    """What `schedule install` writes on this machine (this quarkctl's path) passes verify too."""
    target = schedule_targets.make_target({"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")},
                                  user=user, command=(QUARKCTL or "",))
    folder = tmp_path / "installed"
    plan = schedule_install.plan_install("systemd", target, folder)
    schedule_install.write_install(plan)
    proc = verify(folder, user=user, tmp_path=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    service = parse_unit((folder / "quarkctl-check-links.service").read_text())["Service"]
    assert service["ExecStart"] == f"{QUARKCTL} check-links"
    if user:
        assert "After" not in parse_unit((folder / "quarkctl-check-links.service").read_text())["Unit"]


@needs_analyze
def test_calendar_specs_are_valid_for_systemd() -> None:
    for path in sorted(UNITS.glob("*.timer")):
        spec = parse_unit(path.read_text())["Timer"]["OnCalendar"]
        proc = subprocess.run([ANALYZE, "calendar", spec], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert f"Normalized form: {spec}" in proc.stdout


@needs_analyze
def test_hardening_exposure_is_low(tmp_path: Path) -> None:
    folder = installed_copy(tmp_path)
    proc = subprocess.run([ANALYZE, "security", "--offline=true", str(folder / "quarkctl-check-links.service")],
                          capture_output=True, text=True, env={**os.environ, "SYSTEMD_COLORS": "0"})
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", proc.stdout + proc.stderr)
    if match is None:
        pytest.skip(f"this systemd-analyze has no offline security review: {proc.stderr.strip()[:200]}")
    assert float(match.group(1)) < 3.0


def test_user_crontab_block_is_found_again(tmp_path: Path) -> None:
    target = schedule_targets.make_target({"XDG_CONFIG_HOME": str(tmp_path)}, user=True, command=("/opt/q/bin/quarkctl",))
    block = render_cron(JOBS.values(), target, system=False)
    assert block.startswith(schedule_render.CRON_BLOCK_START) and block.rstrip().endswith(schedule_render.CRON_BLOCK_END)
    entries = cron_entries(block, JOBS.values(), where="crontab", system=False)
    assert [e.job for e in entries] == list(JOBS)
    assert entries[0].schedule == "0 2 * * * (CRON_TZ=Asia/Shanghai)"
    assert "PATH=/opt/q/bin:" in block
