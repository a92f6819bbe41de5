"""Scheduling is cron's and systemd's job: this package writes their files and reads back what they hold;
in a container, with neither, `quarkctl schedule run` is the schedule itself (plan, loop, child).

`JOBS` is the one table of quarkctl's scheduled jobs; a new job is one more entry there, and the
units, the crontab lines, `quarkctl schedule` and `quarkctl doctor` follow. Every look at the
machine (systemctl, crontab) goes through a `Runner`, and degrades to "not available" where the
tool is missing or systemd is not PID 1.

The modules: targets (JOBS, Target), render (units and cron lines), install, current (reading what
systemd and cron hold), nextrun (when a cron line fires next); plan (what `schedule run` runs, when),
loop (its one-job-at-a-time loop), child (a job as a child process, the stop signal passed on).
"""
