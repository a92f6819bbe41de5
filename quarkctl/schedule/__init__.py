"""Scheduling is cron's and systemd's job: this package writes their files and reads back what they hold.

`JOBS` is the one table of quarkctl's scheduled jobs; a new job is one more entry there, and the
units, the crontab lines, `quarkctl schedule` and `quarkctl doctor` follow. Every look at the
machine (systemctl, crontab) goes through a `Runner`, and degrades to "not available" where the
tool is missing or systemd is not PID 1.

The modules: targets (JOBS, Target), render (units and cron lines), install, current (reading what
systemd and cron hold), nextrun (when a cron line fires next).
"""

from quarkctl.lazy import exports

# Each name is imported from its module on first use (cronsim, for one, only when a next run is computed).
__all__, __getattr__ = exports(__name__, {
    "current": ("COMMAND_TIMEOUT", "Completed", "Entry", "Runner", "Source", "calendar_specs", "cron_entries", "inspect",
                "inspect_cron", "inspect_systemd", "parse_list_timers", "parse_show", "run_command"),
    "install": ("InstallPlan", "PlannedFile", "ScheduleError", "plan_install", "write_install"),
    "nextrun": ("cron_next",),
    "render": ("CRON_BLOCK_END", "CRON_BLOCK_START", "CRON_PATH", "LANGUAGE_NOTE", "cron_line", "render_cron",
               "render_service", "render_timer"),
    "targets": ("DEFAULT_TIMEZONE", "EXAMPLE_TARGET", "JOBS", "Job", "Target", "check_timezone", "config_home", "cron_file",
                "make_target", "quarkctl_command", "systemd_dir"),
})
