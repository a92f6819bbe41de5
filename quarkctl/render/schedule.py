"""`quarkctl schedule` as text and as JSON: where each job is scheduled, when it runs next, its last runs.

commands/schedule.py builds the ScheduleReport from schedule/ (the timers and crontabs found, the
jobs) and ops/history.py (the runs); this module reads those objects by their attributes, since
render sits below both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quarkctl.i18n import _
from quarkctl.render.clock import duration, local_time
from quarkctl.render.history import run_line
from quarkctl.render.messages import schedule_source_text, unit_state_text


@dataclass(frozen=True)
class ScheduleReport:
    sources: Sequence[Any]  # schedule/current.py's Source: systemd (system, user) and cron, each with its entries
    jobs: Sequence[Any]  # schedule/targets.py's Job, in the order shown
    zone: str  # the time zone of the default schedules
    runs: Mapping[str, Sequence[Any]]  # each job's last runs (ops/history.py's RunRecord), newest first
    runs_shown: int  # --runs (0: none asked for)
    runs_error: str | None = None  # why the runs could not be read (the schedule is shown all the same)

    def entries(self, job: str) -> list[Any]:
        return [e for s in self.sources for e in s.entries if e.job == job]


def _entry_dict(entry: Any) -> dict[str, Any]:
    return {
        "source": entry.source,
        "where": entry.where,
        "schedule": entry.schedule,
        "next_run": entry.next_run.isoformat() if entry.next_run else None,
        "last_run": entry.last_run.isoformat() if entry.last_run else None,
        "active": entry.enabled if entry.source != "cron" else True,
        "state": entry.state,
    }


def schedule_json(report: ScheduleReport) -> dict[str, Any]:
    return {
        "sources": [{"name": s.name, "available": s.available, "detail": s.detail} for s in report.sources],
        "jobs": [
            {
                "job": job.name,
                "description": job.description,
                "default_schedule": {"cron": job.cron, "on_calendar": [f"{spec} {report.zone}" for spec in job.on_calendar]},
                "scheduled": [_entry_dict(e) for e in report.entries(job.name)],
                "runs": [run.as_dict() for run in report.runs.get(job.name, [])],
            }
            for job in report.jobs
        ],
        "runs_error": report.runs_error,
    }


def _next_run(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    values = {"time": local_time(moment), "delta": duration(abs(seconds))}
    if seconds >= 0:
        return _("next {time} (in {delta})").format(**values)
    return _("next {time} ({delta} ago)").format(**values)  # systemd has not rearmed the timer yet


def schedule_lines(report: ScheduleReport, now: datetime) -> list[str]:
    """The text, line by line (not yet redacted); `now` (aware) for the time to each next run."""
    lines = []
    for source in report.sources:
        if not source.available:
            lines.append(_("{source}: not available ({detail})").format(source=schedule_source_text(source.name), detail=source.detail))
    for job in report.jobs:
        lines += ["", f"{job.name}: {_(job.description)}"]
        entries = report.entries(job.name)
        for e in entries:
            line = f"  {schedule_source_text(e.source)}: {e.where}  {e.schedule}"
            if e.state:
                line += f"  [{unit_state_text(e.state)}]"
            if e.next_run:
                line += "  " + _next_run(e.next_run, now)
            if e.last_run:
                line += "  " + _("last {time}").format(time=local_time(e.last_run))
            lines.append(line)
        if not entries:
            lines.append("  " + _("not scheduled: `quarkctl schedule install --systemd` or `--cron` (default: {cron}, {zone})").format(
                cron=job.cron, zone=report.zone))
        if report.runs_error:
            lines.append("  " + _("runs: {error}").format(error=report.runs_error))
        elif report.runs_shown:
            found = report.runs.get(job.name, [])
            lines.append("  " + (_("last runs:") if found else _("no runs recorded yet")))
            lines += ["    " + run_line(run) for run in found]
    return lines
