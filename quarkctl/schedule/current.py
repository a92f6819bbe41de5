"""Reading the current schedule: what systemd (system and user) and cron hold for each job. Every look
at the machine goes through a `Runner`, and degrades to "not available" where the tool is missing or
systemd is not PID 1."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from quarkctl.i18n import _

from .nextrun import cron_next
from .targets import JOBS, Job, login_name

COMMAND_TIMEOUT = 15  # seconds for systemctl or crontab to answer


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


# Runs a command; None when the program is not installed.
Runner = Callable[[Sequence[str]], "Completed | None"]


def run_command(argv: Sequence[str]) -> Completed | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL,
                              env={**os.environ, "LC_ALL": "C", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"})
    except subprocess.TimeoutExpired:
        return Completed(124, "", _("{program}: no answer in {seconds} s").format(program=argv[0], seconds=COMMAND_TIMEOUT))
    except OSError as exc:
        return Completed(126, "", f"{argv[0]}: {exc.strerror}")
    return Completed(proc.returncode, proc.stdout, proc.stderr)


@dataclass(frozen=True)
class Entry:
    """One place where a job is scheduled."""

    job: str
    source: str  # systemd-system | systemd-user | cron
    where: str  # the timer unit, or the crontab it is in
    schedule: str  # OnCalendar= events, or the cron expression (with its CRON_TZ)
    next_run: datetime | None = None
    last_run: datetime | None = None
    enabled: bool | None = None  # systemd: the timer is enabled and active
    state: str | None = None  # systemd: "enabled/active", as systemctl says


@dataclass(frozen=True)
class Source:
    """systemd (system or user) or cron, as far as this machine lets us look."""

    name: str  # systemd-system | systemd-user | cron
    available: bool
    detail: str | None = None  # why not available
    entries: tuple[Entry, ...] = ()


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _usec(value: object) -> datetime | None:
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value / 1_000_000, timezone.utc)
    return None


def parse_list_timers(text: str) -> list[dict[str, object]]:
    """`systemctl list-timers --output=json`; an older systemctl prints its table instead."""
    try:
        rows = json.loads(text)
        if isinstance(rows, list):
            return [row for row in rows if isinstance(row, dict)]
    except ValueError:
        pass
    rows = []
    for line in text.splitlines():  # the table: ... UNIT ACTIVATES
        words = line.split()
        if len(words) >= 2 and words[-2].endswith(".timer"):
            rows.append({"unit": words[-2], "activates": words[-1], "next": None, "last": None})
    return rows


def parse_show(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


def calendar_specs(timers_calendar: str) -> str:
    """`{ OnCalendar=*-*-* 02:00:00 Asia/Shanghai ; next_elapse=... }` -> `*-*-* 02:00:00 Asia/Shanghai`."""
    return "; ".join(m.strip() for m in re.findall(r"OnCalendar=([^;}]+)", timers_calendar))


def inspect_systemd(jobs: Iterable[Job], *, user: bool, runner: Runner = run_command) -> Source:
    name = "systemd-user" if user else "systemd-system"
    scope = ["--user"] if user else []
    listed = runner(["systemctl", *scope, "list-timers", "--all", "--no-legend", "--no-pager", "--output=json"])
    if listed is None:
        return Source(name, False, _("systemctl is not installed"))
    if listed.returncode != 0:
        return Source(name, False, _first_line(listed.stderr) or _("systemctl exited with {code}").format(code=listed.returncode))
    rows = parse_list_timers(listed.stdout)
    entries = []
    for job in jobs:
        timers = [str(r.get("unit")) for r in rows if r.get("activates") == job.service or r.get("unit") == job.timer]
        if job.timer not in timers:
            timers.append(job.timer)  # installed but never started: list-timers does not show it
        for timer in timers:
            shown = runner(["systemctl", *scope, "show", timer, "--no-pager",
                            "--property=LoadState,UnitFileState,ActiveState,TimersCalendar"])
            props = parse_show(shown.stdout) if shown is not None and shown.returncode == 0 else {}
            if props.get("LoadState") != "loaded":
                continue
            row = next((r for r in rows if r.get("unit") == timer), {})
            file_state, active = props.get("UnitFileState", ""), props.get("ActiveState", "")
            entries.append(Entry(
                job=job.name, source=name, where=timer, schedule=calendar_specs(props.get("TimersCalendar", "")),
                next_run=_usec(row.get("next")), last_run=_usec(row.get("last")),
                enabled=file_state in ("enabled", "static", "linked") and active == "active",
                state=f"{file_state or '?'}/{active or '?'}",
            ))
    return Source(name, True, None, tuple(entries))


_CRON_ENV = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def cron_entries(text: str, jobs: Iterable[Job], *, where: str, system: bool, now: datetime | None = None) -> list[Entry]:
    """The lines of a crontab (user format, or system format with a user column) that run a job."""
    jobs = list(jobs)
    entries: list[Entry] = []
    tz = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        env = _CRON_ENV.match(line)
        if env:
            if env.group(1) in ("CRON_TZ", "TZ"):
                tz = env.group(2).strip().strip("\"'")
            continue
        words = line.split()
        when_count = 1 if words[0].startswith("@") else 5
        command = words[when_count + (1 if system else 0):]
        if not command:
            continue
        for job in jobs:
            if _runs(command, job):
                when = " ".join(words[:when_count])
                entries.append(Entry(job.name, "cron", where, f"{when} (CRON_TZ={tz})" if tz else when,
                                     next_run=cron_next(when, tz, now)))
    return entries


def _runs(command: list[str], job: Job) -> bool:
    """`.../quarkctl check-links ...` or `python -m quarkctl check-links ...`."""
    for i, word in enumerate(command):
        if word.rstrip(";").endswith("quarkctl"):
            return command[i + 1:i + 2] == [job.args[0]]
    return False


def inspect_cron(jobs: Iterable[Job], *, runner: Runner = run_command,
                 system_files: Iterable[Path] | None = None) -> Source:
    """The current user's crontab, and the system-wide /etc/crontab and /etc/cron.d files."""
    jobs = list(jobs)
    entries: list[Entry] = []
    if system_files is None:
        cron_d = Path("/etc/cron.d")
        system_files = [Path("/etc/crontab"), *(sorted(cron_d.iterdir()) if cron_d.is_dir() else [])]
    looked = False
    for path in system_files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        looked = True
        entries += cron_entries(text, jobs, where=str(path), system=True)
    listed = runner(["crontab", "-l"])
    detail = None
    if listed is None:
        detail = _("crontab is not installed")
    elif listed.returncode == 0:
        looked = True
        entries += cron_entries(listed.stdout, jobs, where=_("crontab of {user}").format(user=login_name()), system=False)
    elif "no crontab" in listed.stderr.lower():
        looked = True
    else:
        detail = _first_line(listed.stderr) or _("crontab -l exited with {code}").format(code=listed.returncode)
    return Source("cron", looked, None if looked else detail, tuple(entries))


def inspect(jobs: Iterable[Job] | None = None, *, runner: Runner = run_command,
            cron_files: Iterable[Path] | None = None) -> list[Source]:
    jobs = list(JOBS.values() if jobs is None else jobs)
    return [
        inspect_systemd(jobs, user=False, runner=runner),
        inspect_systemd(jobs, user=True, runner=runner),
        inspect_cron(jobs, runner=runner, system_files=cron_files),
    ]
