"""Scheduling is cron's and systemd's job: this package writes their files and reads back what they hold.

`JOBS` is the one table of quarkctl's scheduled jobs; a new job is one more entry there, and the
units, the crontab lines, `quarkctl schedule` and `quarkctl doctor` follow. Every look at the
machine (systemctl, crontab) goes through a `Runner`, and degrades to "not available" where the
tool is missing or systemd is not PID 1.

The modules: targets (JOBS, Target), render (units and cron lines), install, current (reading what
systemd and cron hold), nextrun (when a cron line fires next).
"""

from .current import (
    COMMAND_TIMEOUT, Completed, Entry, Runner, Source, calendar_specs, cron_entries, inspect, inspect_cron,
    inspect_systemd, parse_list_timers, parse_show, run_command,
)
from .install import InstallPlan, PlannedFile, ScheduleError, plan_install, write_install
from .nextrun import cron_next
from .render import (
    CRON_BLOCK_END, CRON_BLOCK_START, CRON_PATH, LANGUAGE_NOTE, cron_line, render_cron, render_service, render_timer,
)
from .targets import (
    DEFAULT_TIMEZONE, EXAMPLE_TARGET, JOBS, Job, Target, check_timezone, config_home, cron_file, make_target,
    quarkctl_command, systemd_dir,
)

__all__ = [
    "COMMAND_TIMEOUT", "CRON_BLOCK_END", "CRON_BLOCK_START", "CRON_PATH", "DEFAULT_TIMEZONE", "EXAMPLE_TARGET", "JOBS",
    "LANGUAGE_NOTE", "Completed", "Entry", "InstallPlan", "Job", "PlannedFile", "Runner", "ScheduleError", "Source",
    "Target", "calendar_specs", "check_timezone", "config_home", "cron_entries", "cron_file", "cron_line", "cron_next",
    "inspect", "inspect_cron", "inspect_systemd", "make_target", "parse_list_timers", "parse_show", "plan_install",
    "quarkctl_command", "render_cron", "render_service", "render_timer", "run_command", "systemd_dir",
    "write_install",
]
