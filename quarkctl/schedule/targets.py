"""What is scheduled and where it goes: `JOBS`, the one table of quarkctl's scheduled jobs, and the
`Target` of an installation (system-wide or one user's: command, config and log folders, time zone,
language)."""

from __future__ import annotations

import getpass
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from quarkctl import i18n
from quarkctl.config.settings import state_dir
from quarkctl.errors import ConfigError
from quarkctl.i18n import N_, _

DEFAULT_TIMEZONE = "Asia/Shanghai"  # the system quarkctl serves runs on Beijing time


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
    writes_config: bool = False  # writes its config back (autosave's bans): the unit must let it write that folder

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
        writes_config=True,
    ),
}


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


def login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a container without /etc/passwd entry)
        return "$USER"
