"""What `quarkctl schedule run` runs, and when: the jobs of `JOBS` (targets.py) with their times from the
options or the environment, each as a command line of this quarkctl. Nothing here waits or starts a process
(loop.py, child.py)."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from cronsim import CronSim, CronSimError

from quarkctl.errors import ConfigError
from quarkctl.i18n import _

from .targets import DEFAULT_TIMEZONE, JOBS, check_timezone

OFF = ("", "off", "none", "disabled")
# The settings each job's time and extra arguments come from (option over environment over .env).
TIME_VARS = {"check-links": "QUARKCTL_SCHEDULE_CHECK_LINKS", "autosave": "QUARKCTL_SCHEDULE_AUTOSAVE"}
ARGS_VARS = {"check-links": "QUARKCTL_SCHEDULE_CHECK_LINKS_ARGS", "autosave": "QUARKCTL_SCHEDULE_AUTOSAVE_ARGS"}
ZONE_VAR = "CRON_TZ"
# check-links' arguments when none are set: a rolling sweep that stops taking links at 07:50, before the first
# autosave at 08:00 (one job at a time: a check still running then would hold autosave back), each link at most
# once a week, the stalest first, so the next night goes on where this one stopped (README, Deadlines).
DEFAULT_ARGS = {"check-links": "--max-age 7d --until 07:50", "autosave": ""}


@dataclass(frozen=True)
class Entry:
    """One job of the schedule: its name, its cron expression (in `zone`) and its command line."""

    name: str
    cron: str
    argv: tuple[str, ...]
    needs: Path | None = None  # a file the job cannot run without (autosave's config): looked for at each due time

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first time after `moment` the expression fires, in `zone` (plan() made sure it fires at all)."""
        return next(CronSim(self.cron, moment.astimezone(zone)))


@dataclass(frozen=True)
class Plan:
    entries: tuple[Entry, ...]
    zone: ZoneInfo
    zone_name: str
    notes: tuple[str, ...]  # why a job is not in the schedule (turned off), or waits (no autosave config yet)


def this_quarkctl() -> tuple[str, ...]:
    """The jobs run with this interpreter's quarkctl: the same installation as the scheduler, whatever PATH holds."""
    return (sys.executable, "-m", "quarkctl")


def check_cron(name: str, expression: str, variable: str) -> str:
    """The expression, or a ConfigError naming the setting; five fields only (no @reboot: the loop has no boot)."""
    try:
        if len(expression.split()) != 5:
            raise CronSimError("five fields")
        next(CronSim(expression, datetime(2000, 1, 1)))
    except (CronSimError, StopIteration):
        raise ConfigError(_("{variable}: {value!r} is not a cron time for {job} (five fields, e.g. '0 2 * * *'; 'off' turns it off)")
                          .format(variable=variable, value=expression, job=name)) from None
    return expression


def extra_args(raw: str, variable: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(raw))
    except ValueError as exc:
        raise ConfigError(_("{variable}: cannot split {value!r} into arguments: {error}").format(variable=variable, value=raw, error=exc)) from None


def plan(env: Mapping[str, str], *, times: Mapping[str, str | None], args: Mapping[str, str | None], zone: str | None,
         env_file: Path | None, config: Path, command: tuple[str, ...] | None = None) -> Plan:
    """The schedule: `times` and `args` are the options by job name (None: the setting, else the default),
    `config` autosave's config (a run of autosave is skipped while it does not exist: Loop). Raises ConfigError."""
    zone_name = zone or env.get(ZONE_VAR, "").strip() or DEFAULT_TIMEZONE
    if zone is not None:
        check_timezone(zone_name)  # names --timezone
    elif zone_name not in available_timezones():
        raise ConfigError(_("{variable}: unknown time zone {name!r} (e.g. Asia/Shanghai, UTC)").format(variable=ZONE_VAR, name=zone_name))
    base = command or this_quarkctl()
    common = ("--env-file", str(env_file.absolute())) if env_file is not None else ()
    entries: list[Entry] = []
    notes: list[str] = []
    for name, job in JOBS.items():
        flag = times.get(name)
        expression = (flag if flag is not None else env.get(TIME_VARS[name], job.cron)).strip()
        source = f"--{name}" if flag is not None else TIME_VARS[name]
        if expression.lower() in OFF:
            notes.append(_("{job}: off ({setting})").format(job=name, setting=source))
            continue
        check_cron(name, expression, source)
        raw = args.get(name)
        more = extra_args(raw if raw is not None else env.get(ARGS_VARS[name], DEFAULT_ARGS[name]), ARGS_VARS[name])
        own: tuple[str, ...] = (name,)
        needs = None
        if name == "autosave":
            # Kept in the schedule without its config: one copied in later (README, Docker) is run at its next time.
            if not config.is_file():
                notes.append(_("autosave: no config at {path} yet (--config, QUARKCTL_CONFIG); looked for again at each of its times")
                             .format(path=config))
            own, needs = (name, "--config", str(config.absolute())), config
        entries.append(Entry(name, expression, (*base, *own, *common, *more), needs))
    if not entries:
        raise ConfigError(_("schedule run: every job is off: {why}").format(why="; ".join(notes)))
    return Plan(tuple(entries), ZoneInfo(zone_name), zone_name, tuple(notes))


def job_environment(environ: Mapping[str, str], zone_name: str) -> dict[str, str]:
    """The environment of the scheduler and its jobs: TZ is the schedule's zone unless TZ is set, so a job's
    `--until 07:50` and its log times are in the zone its start time was (a container has no TZ of its own)."""
    return {**environ, "TZ": environ.get("TZ") or zone_name}
