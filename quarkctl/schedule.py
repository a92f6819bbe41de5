"""Scheduling is cron's and systemd's job: this module writes their files and reads back what they hold.

`JOBS` is the one table of quarkctl's scheduled jobs; a new job is one more entry there, and the
units, the crontab lines, `quarkctl schedule` and `quarkctl doctor` follow. Every look at the
machine (systemctl, crontab) goes through a `Runner`, and degrades to "not available" where the
tool is missing or systemd is not PID 1.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from quarkctl import i18n
from quarkctl.errors import ConfigError, QuarkctlError
from quarkctl.i18n import _
from quarkctl.render.messages import N_
from quarkctl.config.settings import state_dir

DEFAULT_TIMEZONE = "Asia/Shanghai"  # the system quarkctl serves runs on Beijing time
CRON_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CRON_BLOCK_START = "# >>> quarkctl >>>"
CRON_BLOCK_END = "# <<< quarkctl <<<"
COMMAND_TIMEOUT = 15  # seconds for systemctl or crontab to answer


@dataclass(frozen=True)
class Job:
    """One scheduled job: what to run and when (times in the schedule's timezone)."""

    name: str
    description: str  # marked N_: `quarkctl schedule` translates it where shown; the unit files keep it English
    args: tuple[str, ...]  # after `quarkctl`; "{config_dir}" is replaced by the config folder
    cron: str  # minute hour day month weekday
    on_calendar: tuple[str, ...]  # systemd calendar events, without the timezone
    when: str  # the schedule in words, for the timer's Description=
    randomized_delay: str = "10min"
    timeout: str = "6h"  # a hung run is stopped (SIGTERM: partial report, exit 143) long before the next

    @property
    def unit(self) -> str:
        return f"quarkctl-{self.name}"

    @property
    def service(self) -> str:
        return f"{self.unit}.service"

    @property
    def timer(self) -> str:
        return f"{self.unit}.timer"


JOBS: dict[str, Job] = {
    "check-links": Job(
        name="check-links",
        description=N_("check Quark share links, mark the dead ones expired"),
        args=("check-links",),
        cron="0 2 * * *",
        on_calendar=("*-*-* 02:00:00",),
        when="daily at 02:00",
    ),
    "autosave": Job(
        name="autosave",
        description=N_("save what is new in followed share links (quark-auto-save)"),
        args=("autosave", "--config", "{config_dir}/quark_config.json"),
        cron="0 8,18,20 * * *",
        on_calendar=("*-*-* 08,18,20:00:00",),
        when="at 08:00, 18:00 and 20:00",
        timeout="90min",
    ),
}


class ScheduleError(QuarkctlError):
    """A unit or crontab file could not be written, or would overwrite a changed one."""


# -- where the files go ----------------------------------------------------------------------------


def quarkctl_command(argv0: str | None = None) -> tuple[str, ...]:
    """The absolute command that runs this quarkctl (cron and systemd need absolute paths)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name == "quarkctl" and Path(argv0).is_file():
        return (str(Path(argv0).absolute()),)
    found = shutil.which("quarkctl")
    return (str(Path(found).absolute()),) if found else (sys.executable, "-m", "quarkctl")


@dataclass(frozen=True)
class Target:
    """This machine's paths for one kind of installation (system-wide, or one user's)."""

    command: tuple[str, ...]
    config_dir: Path  # the .env (and any job's config file) live here
    log_dir: Path  # cron's --log-file folder
    user: bool
    timezone: str = DEFAULT_TIMEZONE
    env_file: Path | None = None  # default: config_dir/.env
    # The language the jobs speak: that of whoever installs them (cron and systemd run jobs with LANG=C).
    language: str = field(default_factory=i18n.language)

    def language_line(self, line: str, comment: str) -> str:
        """`line` active when installed in Chinese, else commented out as an example."""
        return line if self.language == "zh_CN" else comment + line

    @property
    def env_path(self) -> Path:
        return self.env_file or self.config_dir / ".env"

    def argv(self, job: Job) -> list[str]:
        return [*self.command, *(arg.format(config_dir=self.config_dir) for arg in job.args)]


# The paths of the repository's systemd/ units and crontab.example (a `pip install` as root).
EXAMPLE_TARGET = Target(("/usr/local/bin/quarkctl",), Path("/etc/quarkctl"), Path("/var/log/quarkctl"), user=False, language="en")
LANGUAGE_NOTE = "# {who} starts jobs with LANG=C, in which quarkctl speaks English; for Chinese (中文输出)\n# set QUARKCTL_LANG=zh_CN here or in the .env{wins}."


def config_home(env: Mapping[str, str]) -> Path:
    return Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def make_target(env: Mapping[str, str], *, user: bool, timezone_name: str = DEFAULT_TIMEZONE,
                env_file: Path | None = None, command: tuple[str, ...] | None = None) -> Target:
    check_timezone(timezone_name)
    if user:
        config_dir = config_home(env) / "quarkctl"
        log_dir = state_dir(env) / "logs"
    else:
        config_dir, log_dir = Path("/etc/quarkctl"), Path("/var/log/quarkctl")
    return Target(command or quarkctl_command(), config_dir, log_dir, user, timezone_name,
                  env_file.absolute() if env_file else None)


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(_("--timezone: unknown time zone {name!r} (e.g. Asia/Shanghai, UTC)").format(name=name)) from None


def systemd_dir(env: Mapping[str, str], *, user: bool) -> Path:
    return config_home(env) / "systemd" / "user" if user else Path("/etc/systemd/system")


def cron_file(env: Mapping[str, str], *, user: bool) -> Path:
    return config_home(env) / "quarkctl" / "crontab" if user else Path("/etc/cron.d/quarkctl")


# -- rendering -------------------------------------------------------------------------------------


def _join(argv: Iterable[str]) -> str:
    return shlex.join(argv)


def _systemd_quote(argv: Sequence[str]) -> str:
    # systemd splits ExecStart= like a shell, but "%" is its specifier character.
    return " ".join(shlex.quote(arg).replace("%", "%%") for arg in argv)


_SYSTEM_HARDENING = """\
# Hardening. quarkctl only reads its settings and talks HTTPS (Quark) and SQL (the database);
# each line says when to drop it.
# Drop never: quarkctl has no reason to gain privileges.
NoNewPrivileges=yes
# No capabilities, even as root; drop it when an SQLite DATABASE_URL or the log folder belongs
# to another user (root then needs CAP_DAC_OVERRIDE to write there).
CapabilityBoundingSet=
# The whole file system read-only except StateDirectory= and ReadWritePaths=; drop it only if
# you add an option that writes somewhere else and cannot list that place in ReadWritePaths=.
ProtectSystem=strict
# Writable on top of StateDirectory= ("-": fine if missing). Add the folder of a --log-file
# or of an SQLite DATABASE_URL here.
ReadWritePaths=-/var/log/quarkctl
# Homes read-only; drop it (or list the folder in ReadWritePaths=) when an SQLite
# DATABASE_URL or a --log-file lies under /home or /root.
ProtectHome=read-only
# A private /tmp; drop it only if you hand quarkctl files through /tmp.
PrivateTmp=yes
# No device nodes; drop it only if a database driver of yours needs one (the bundled ones do not).
PrivateDevices=yes
# Kernel settings, modules and logs out of reach; quarkctl never touches them.
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
# cgroups read-only, the clock and the host name untouchable, other processes invisible; drop never.
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
# Unix sockets (a local MySQL socket, the journal) and IPv4/IPv6; drop it if you reach the
# database or Quark through another kind of socket.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
# No new namespaces, realtime scheduling, SUID files or personality changes; drop never.
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
# Native system calls only; drop it on a multi-arch setup that runs a foreign-arch Python.
SystemCallArchitectures=native
# The system calls of an ordinary service; drop both lines if a database driver you added
# fails with "Operation not permitted".
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
# Files it creates (the embedded database, locks, logs) are private; drop it if another
# user must read them.
UMask=0077
"""

_USER_HARDENING = """\
# Hardening. quarkctl only reads its settings and talks HTTPS (Quark) and SQL (the database);
# each line says when to drop it. The file-system options of the system unit (ProtectSystem=,
# ProtectHome=, PrivateTmp=) need user namespaces in a user manager; add them where yours has them.
# Drop never: quarkctl has no reason to gain privileges.
NoNewPrivileges=yes
# Unix sockets (a local MySQL socket, the journal) and IPv4/IPv6; drop it if you reach the
# database or Quark through another kind of socket.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
# No personality changes, native system calls only; drop them on a multi-arch setup that
# runs a foreign-arch Python.
LockPersonality=yes
SystemCallArchitectures=native
# Files it creates (the embedded database, locks, logs) are private; drop it if another
# user must read them.
UMask=0077
"""


def render_service(job: Job, target: Target) -> str:
    scope = "--user " if target.user else ""
    state = "~/.local/state/quarkctl" if target.user else "/var/lib/quarkctl"
    lines = [
        f"# {job.service}: quarkctl {job.name}, started by {job.timer}.",
        f"# Written by `quarkctl schedule install --systemd{' --user' if target.user else ''}`; run it now with",
        f"# `systemctl {scope}start {job.unit}`, read its output with `journalctl {scope}-u {job.unit}`.",
        "[Unit]",
        f"Description=quarkctl {job.name}: {job.description}",
    ]
    if not target.user:  # a user manager has no network-online.target
        lines += ["Wants=network-online.target", "After=network-online.target"]
    lines += [
        "",
        "[Service]",
        "Type=oneshot",
        f"ExecStart={_systemd_quote(target.argv(job))}",
        "# QUARK_COOKIE, DB_* and the other settings (see README, Configuration); keep it chmod 600.",
        f"EnvironmentFile={str(target.env_path).replace('%', '%%')}",
        LANGUAGE_NOTE.format(who="systemd", wins=" (the .env wins over Environment=)"),
        target.language_line("Environment=QUARKCTL_LANG=zh_CN", "#"),
        f"# {state} holds the embedded SQLite database and the run locks (quarkctl reads $STATE_DIRECTORY).",
        "StateDirectory=quarkctl",
        "# 75: an earlier run still holds the lock. This run did nothing, which is not a failure.",
        "SuccessExitStatus=75",
        "# A hung run gets SIGTERM (partial report, exit 143) long before the next one is due.",
        f"TimeoutStartSec={job.timeout}",
        "# Stay out of the way of the machine's real work.",
        "Nice=10",
        "IOSchedulingClass=idle",
        "",
        (_USER_HARDENING if target.user else _SYSTEM_HARDENING).rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"


def render_timer(job: Job, target: Target) -> str:
    scope = "--user " if target.user else ""
    lines = [
        f"# {job.timer}: starts {job.service} {job.when} ({target.timezone}).",
        f"# Enable it with `systemctl {scope}enable --now {job.timer}`; see it with `quarkctl schedule`.",
        "[Unit]",
        f"Description=quarkctl {job.name}, {job.when} {target.timezone}",
        "",
        "[Timer]",
        *(f"OnCalendar={spec} {target.timezone}" for spec in job.on_calendar),
        "# Run a missed start after boot (the machine was off at the time).",
        "Persistent=true",
        "# Start up to this much later, so that many machines do not ask Quark in the same second.",
        f"RandomizedDelaySec={job.randomized_delay}",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]
    return "\n".join(lines) + "\n"


def cron_line(job: Job, target: Target, *, system: bool) -> str:
    log = target.log_dir / f"{job.name}.log"
    command = _join([*target.argv(job), "--env-file", str(target.env_path), "--log-file", str(log)])
    # Every line goes to the log file; cron mails only what reaches the console: an `Error:` line on
    # stderr, or the note below when the run ended worse than "some links could not be checked" (1).
    tail = f">/dev/null || [ $? -eq 1 ] || echo {shlex.quote(f'quarkctl {job.name} failed: see {log}')}"
    user = "root " if system else ""
    return f"{job.cron} {user}{command} {tail}"


def render_cron(jobs: Iterable[Job], target: Target, *, system: bool) -> str:
    """An /etc/cron.d file (system: with the user column) or a block for a user's crontab."""
    jobs = list(jobs)
    path_dirs = [str(Path(target.command[0]).parent)] if target.command else []
    path = ":".join(dict.fromkeys([*path_dirs, *CRON_PATH.split(":")]))
    head = [
        "# quarkctl's jobs for cron. Written by `quarkctl schedule install --cron`; see README, Scheduling.",
        "# Times are in CRON_TZ: cronie honours it; a cron that does not (check `man 5 crontab`) uses the",
        f"# machine's time zone, so there set the machine to {target.timezone} or shift the hours.",
        "# Keep it to these times: a check every few minutes looks like a bot to Quark, whose risk control",
        "# then refuses the account's requests (code 14021) or rate-limits it for hours.",
    ]
    if system:
        lines = [
            f"# /etc/cron.d/quarkctl ({', '.join(job.name for job in jobs)}).",
            *head,
            "# As a user crontab (`crontab -e`), drop the user column (`root`); or run",
            "# `quarkctl schedule install --cron --user`.",
            "SHELL=/bin/sh",
            f"PATH={path}",
            f"CRON_TZ={target.timezone}",
            LANGUAGE_NOTE.format(who="cron", wins=""),
            target.language_line("QUARKCTL_LANG=zh_CN", "# "),
            "# m h dom mon dow user command",
            *(cron_line(job, target, system=True) for job in jobs),
        ]
    else:
        lines = [
            CRON_BLOCK_START,
            *head,
            "# The settings below apply to the lines after them: keep this block at the end of your crontab.",
            "SHELL=/bin/sh",
            f"PATH={path}",
            f"CRON_TZ={target.timezone}",
            LANGUAGE_NOTE.format(who="cron", wins=""),
            target.language_line("QUARKCTL_LANG=zh_CN", "# "),
            "# m h dom mon dow command",
            *(cron_line(job, target, system=False) for job in jobs),
            CRON_BLOCK_END,
        ]
    return "\n".join(lines) + "\n"


# -- installing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    content: str
    state: str  # new | unchanged | changed

    @property
    def writes(self) -> bool:
        return self.state != "unchanged"


@dataclass(frozen=True)
class InstallPlan:
    kind: str  # systemd | cron
    user: bool
    files: list[PlannedFile]
    enable: str | None  # the one command that turns it on (None: nothing to do)
    notes: list[str] = field(default_factory=list)


def _planned(path: Path, content: str) -> PlannedFile:
    try:
        existing = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return PlannedFile(path, content, "new")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleError(_("cannot read {path}: {reason}").format(path=path, reason=getattr(exc, "strerror", None) or exc)) from None
    return PlannedFile(path, content, "unchanged" if existing == content else "changed")


def plan_install(kind: str, target: Target, folder: Path, jobs: Iterable[Job] | None = None) -> InstallPlan:
    """What `schedule install` would write into `folder` (systemd units, or one crontab file)."""
    jobs = list(JOBS.values() if jobs is None else jobs)
    scope = "--user " if target.user else ""
    if kind == "systemd":
        files = []
        for job in jobs:
            files.append(_planned(folder / job.service, render_service(job, target)))
            files.append(_planned(folder / job.timer, render_timer(job, target)))
        timers = " ".join(job.timer for job in jobs)
        enable = f"systemctl {scope}daemon-reload && systemctl {scope}enable --now {timers}"
        notes = [_("so that the timers run while you are logged out: loginctl enable-linger {user}").format(user=_login())] if target.user else []
        return InstallPlan(kind, target.user, files, enable, notes)
    name = "crontab" if target.user else "quarkctl"
    planned = _planned(folder / name, render_cron(jobs, target, system=not target.user))
    if target.user:
        quoted = shlex.quote(str(planned.path))
        enable = (f"(crontab -l 2>/dev/null | sed '/^{CRON_BLOCK_START}/,/^{CRON_BLOCK_END}/d'; cat {quoted}) | crontab -")
        return InstallPlan(kind, True, [planned], enable)
    return InstallPlan(kind, False, [planned], None, [_("cron reads {folder} by itself: nothing to enable").format(folder=folder)])


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a container without /etc/passwd entry)
        return "$USER"


def write_install(plan: InstallPlan, *, force: bool = False) -> list[PlannedFile]:
    """Write the new and changed files; a changed one only with `force`. Returns what was written."""
    changed = [f for f in plan.files if f.state == "changed"]
    if changed and not force:
        raise ScheduleError(
            _("{path} exists and differs from what quarkctl would write; compare with --print, then use --force to replace it").format(
                path=changed[0].path
            )
        )
    written = []
    for planned in plan.files:
        if not planned.writes:
            continue
        try:
            planned.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = planned.path.with_name(f".{planned.path.name}.quarkctl-tmp")
            tmp.write_text(planned.content, encoding="utf-8")
            tmp.chmod(0o644)
            os.replace(tmp, planned.path)  # a reader never sees half a unit
        except OSError as exc:
            if isinstance(exc, PermissionError) and not plan.user:
                raise ScheduleError(_("cannot write {path}: {reason} (run as root, or use --user)").format(
                    path=planned.path, reason=exc.strerror)) from None
            raise ScheduleError(_("cannot write {path}: {reason}").format(path=planned.path, reason=exc.strerror)) from None
        written.append(planned)
    return written


# -- inspecting ------------------------------------------------------------------------------------


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


_CRON_NICKNAMES = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                   "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}


def cron_next(when: str, tz: str | None, now: datetime | None = None) -> datetime | None:
    """The next time a cron expression fires (cronsim), in its CRON_TZ; None when it cannot tell (@reboot, a typo)."""
    try:
        zone = ZoneInfo(tz) if tz else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
    start = now or datetime.now(timezone.utc)
    start = start.astimezone(zone) if zone else start.astimezone()
    try:
        return next(CronSim(_CRON_NICKNAMES.get(when, when), start))
    except (CronSimError, StopIteration):
        return None


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
        entries += cron_entries(listed.stdout, jobs, where=_("crontab of {user}").format(user=_login()), system=False)
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
