"""schedule/foreground.py and doctor's schedule check: a container whose PID 1 is `quarkctl schedule run`, or
a container without one, on a folder of the test's standing in for the root (tests/image/test_image.py asks
doctor inside the real image beside its scheduler)."""

from __future__ import annotations

from pathlib import Path

from quarkctl.ops.doctor_runs import check_schedule
from quarkctl.ops.findings import OK, WARN, Context
from quarkctl.schedule import current, foreground


def nothing_installed(argv: object) -> None:
    return None  # no systemctl, no crontab: as in a container


def pid_1(root: Path, *argv: str) -> None:
    (root / "proc" / "1").mkdir(parents=True, exist_ok=True)
    (root / "proc" / "1" / "cmdline").write_bytes("\0".join(argv).encode() + b"\0")


def test_pid_1_is_the_scheduler_only_when_it_runs_schedule_run(tmp_path: Path) -> None:
    assert not foreground.scheduler_is_pid_1(tmp_path)  # no /proc
    pid_1(tmp_path, "/opt/quarkctl/bin/python3", "-m", "quarkctl", "check-links", "schedule", "run")
    assert not foreground.scheduler_is_pid_1(tmp_path)  # a job whose arguments happen to read so
    pid_1(tmp_path, "/opt/quarkctl/bin/python3", "/opt/quarkctl/bin/quarkctl", "schedule", "run")
    assert foreground.scheduler_is_pid_1(tmp_path)


def test_doctor_in_a_container_says_schedule_run_not_only_systemd(tmp_path: Path) -> None:
    ctx = Context(env_file=None, flags={}, runner=nothing_installed, cron_files=[], root=tmp_path)
    (finding, *_rest) = check_schedule(ctx)
    assert finding.status == WARN and "schedule run" not in (finding.fix or "")  # not a container: as before
    (tmp_path / ".dockerenv").write_text("")
    (finding, *_rest) = check_schedule(ctx)
    assert finding.status == WARN and "`quarkctl schedule run`" in (finding.fix or "") and "deploy/kubernetes" in (finding.fix or "")
    pid_1(tmp_path, "/opt/quarkctl/bin/quarkctl", "schedule", "run")
    findings = list(check_schedule(ctx))
    assert [f.status for f in findings] == [OK] * len(current.JOBS)
    assert "`quarkctl schedule run` (PID 1 of this container)" in findings[0].message
