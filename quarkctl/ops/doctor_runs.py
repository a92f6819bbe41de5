"""`quarkctl doctor`, the checks of what has been running: the clock, the schedule, the runs, the locks."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from quarkctl.schedule import current as schedule_current
from quarkctl.schedule import foreground
from quarkctl.schedule import targets as schedule_targets
from quarkctl.config import settings
from quarkctl.db.schema import run_history
from quarkctl.errors import ExitCode
from quarkctl.jobs import unfinished
from quarkctl.ops.history import list_runs, pid_alive
from quarkctl.i18n import _
from quarkctl.db.serverlock import holder as server_holder
from quarkctl.db.sqlitefile import sqlite_file
from quarkctl.errors import DatabaseError
from quarkctl.lock import lock_path, sidecar_path
from quarkctl.ops.findings import FAIL, OK, RUN_OVERDUE, WARN, Context, Finding, probe_fix


def local_zone_name() -> str:
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        return tz
    try:
        target = os.readlink("/etc/localtime")
        return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else target
    except OSError:
        return datetime.now().astimezone().tzname() or "?"


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def check_timezone(ctx: Context) -> Iterator[Finding]:
    """A warning only when the database's clock and this machine's local clock disagree (issue 23): update_time
    is written in local time, so that is when the site shows wrong times. A machine on UTC with a database on
    UTC is fine, whatever zone the schedules use (the units and cron lines carry their own zone)."""
    local = datetime.now().astimezone().utcoffset()
    name = local_zone_name()
    try:
        server = ctx.db.clock() if ctx.db is not None else None
    except DatabaseError:
        server = None
    if server is None:
        yield Finding("timezone", OK, _("{name} ({offset}); update_time is written in this machine's local time").format(
            name=name, offset=_offset(local)))
        return
    apart = timedelta(minutes=round((server - datetime.now()).total_seconds() / 60 / 15) * 15)  # zones differ in 15-minute steps
    if not apart:
        yield Finding("timezone", OK, _("{name} ({offset}), the same clock as the database").format(name=name, offset=_offset(local)))
        return
    yield Finding(
        "timezone", WARN,
        _("the database's clock reads {server}, {apart} from this machine's {name} ({offset}): update_time is written in "
          "this machine's local time, so the site shows it {apart} off").format(
            server=server.strftime("%Y-%m-%d %H:%M"), apart=_offset(apart).removeprefix("UTC"), name=name, offset=_offset(local)),
        _("run quarkctl in the database's zone: TZ=ZONE in the crontab or Environment=TZ=ZONE in the unit (for Beijing time "
          "TZ={zone}), or set the database's time_zone to this machine's").format(zone=schedule_targets.DEFAULT_TIMEZONE),
    )


def check_schedule(ctx: Context) -> Iterator[Finding]:
    sources = schedule_current.inspect(runner=ctx.runner, cron_files=ctx.cron_files)
    for job in schedule_targets.JOBS.values():
        entries = [e for s in sources for e in s.entries if e.job == job.name]
        running = [e for e in entries if e.source == "cron" or e.enabled]
        where = "; ".join(f"{e.where} ({e.schedule})" for e in running)
        if len(running) > 1:
            yield Finding(f"schedule:{job.name}", WARN, _("{job} is scheduled more than once: {where}").format(job=job.name, where=where),
                          _("keep one: the second start finds the lock taken and does nothing (exit 75)"))
        elif running:
            yield Finding(f"schedule:{job.name}", OK, _("{job}: {where}").format(job=job.name, where=where))
        elif entries:
            scope = "--user " if entries[0].source == "systemd-user" else ""
            yield Finding(f"schedule:{job.name}", WARN, _("{job}: {timer} is installed but not active ({state})").format(
                job=job.name, timer=entries[0].where, state=entries[0].state),
                f"systemctl {scope}enable --now {entries[0].where}")
        elif foreground.scheduler_is_pid_1(ctx.root):
            yield Finding(f"schedule:{job.name}", OK, _("{job}: `quarkctl schedule run` (PID 1 of this container) runs the "
                                                        "schedule (its log says which jobs it has on)").format(job=job.name))
        else:
            unavailable = [f"{s.name}: {s.detail}" for s in sources if not s.available]
            looked = [s.name for s in sources if s.available]
            message = _not_scheduled(job.name, looked, unavailable)
            fix = _("`quarkctl schedule install --systemd` (or --cron), or see README, Scheduling")
            if not looked and foreground.in_container(os.environ, ctx.root):  # no systemd or cron in here to install into
                fix = _("`quarkctl schedule install --systemd` (or --cron) where systemd or cron runs; in a container, the image's "
                        "default command `quarkctl schedule run` (README, Scheduling inside a container), or on Kubernetes the "
                        "CronJobs of deploy/kubernetes/")
            yield Finding(f"schedule:{job.name}", WARN, message, fix)


def _not_scheduled(job: str, looked: list[str], unavailable: list[str]) -> str:
    """One sentence per case, so a translator can word each whole."""
    values = {"job": job, "looked": ", ".join(looked), "sources": "; ".join(unavailable)}
    if looked and unavailable:
        return _("{job} is not scheduled ({looked} looked at); not available: {sources}").format(**values)
    if looked:
        return _("{job} is not scheduled ({looked} looked at)").format(**values)
    if unavailable:
        return _("{job} is not scheduled (nothing could be looked at); not available: {sources}").format(**values)
    return _("{job} is not scheduled (nothing could be looked at)").format(**values)


def check_runs(ctx: Context) -> Iterator[Finding]:
    """"The job did not run": the last run of each job, from the run history."""
    db = ctx.db
    if db is None or run_history.name not in ctx.tables:
        return
    now = ctx.now()
    unfinished.settle(settings.state_dir(ctx.env) / "locks", db)  # a run's end its database missed (exit 5): not "killed"
    for job in schedule_targets.JOBS.values():
        name = f"last_run:{job.name}"
        runs = list_runs(db, job=job.name, limit=1)
        if not runs:
            yield Finding(name, WARN, _("{job} has never run against this database").format(job=job.name),
                          _("run `quarkctl {job} --dry-run` once by hand, then see `quarkctl schedule`").format(job=job.name))
            continue
        run = runs[0]
        when = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if run.abandoned:
            yield Finding(name, WARN, _("run {id} ({when}, pid {pid}) never finished: it was killed").format(id=run.id, when=when, pid=run.pid),
                          _("look for an out-of-memory kill or a reboot at that time (journalctl); the next run starts normally"))
        elif run.exit_code not in (ExitCode.OK, ExitCode.LINK_ERRORS, ExitCode.LOCKED, None):
            meaning = ExitCode(run.exit_code).name.lower() if run.exit_code in ExitCode.__members__.values() else "?"
            yield Finding(name, WARN, _("run {id} ({when}) ended with exit {code} ({meaning})").format(
                id=run.id, when=when, code=run.exit_code, meaning=meaning),
                _("`quarkctl history show {id}`; README, Exit codes").format(id=run.id))
        elif now - run.started_at > RUN_OVERDUE:
            yield Finding(name, WARN, _("the last {job} run was {when}: it has not run since").format(job=job.name, when=when),
                          _("see the schedule line above, and README, Troubleshooting: the job did not run"))
        else:
            yield Finding(name, OK, _("run {id} at {when}, exit {code}").format(id=run.id, when=when, code=run.exit_code))


def check_unknown_codes(ctx: Context) -> Iterator[Finding]:
    """The last check-links run saw answers quarkctl does not know (reason unknown_code in its verdicts)."""
    db = ctx.db
    if db is None or run_history.name not in ctx.tables:
        return
    runs = list_runs(db, job="check-links", limit=1)
    if not runs:
        return
    unknown = [c for c in db.run_checks(runs[0].id) if c.get("reason") == "unknown_code"]
    if unknown:
        codes = sorted({str(c.get("api_code")) for c in unknown})
        yield Finding("probe", WARN, _("run {id} got answers quarkctl does not know (codes {codes})").format(
            id=runs[0].id, codes=", ".join(codes)), probe_fix())


def check_locks(ctx: Context) -> Iterator[Finding]:
    if ctx.settings is None:
        return
    lock_dir = settings.state_dir(ctx.env) / "locks"
    probe = next((p for p in (lock_dir, *lock_dir.parents) if p.exists()), None)
    if probe is None or not os.access(probe, os.W_OK):
        yield Finding("lock", FAIL, _("cannot create run locks in {path}").format(path=lock_dir),
                      _("make {path} writable for this user, or set XDG_STATE_HOME").format(path=lock_dir))
        return
    for job in schedule_targets.JOBS.values():
        path = lock_path(lock_dir, job.name, ctx.settings.database_label)
        yield Finding(f"lock:{job.name}", OK, _shared_lock_state(ctx, job.name) or _lock_state(path))


def _shared_lock_state(ctx: Context, job: str) -> str | None:
    """The lock every spelling of the database meets (jobs/frame.py job_lock), when a run holds it: one
    from another lock folder (the systemd unit's, another user's) leaves this user's lock file free."""
    db = ctx.db
    if db is None:
        return None
    if db.is_sqlite:
        file = sqlite_file(db.url)
        if file is None:
            return None
        sidecar = sidecar_path(Path(os.path.realpath(file)), job)
        try:
            info = sidecar.lstat()
        except OSError:
            return None
        # a run empties the file when it ends; a link planted there is not read
        return _lock_state(sidecar) if stat.S_ISREG(info.st_mode) and info.st_size else None
    try:
        held_by = server_holder(db, job)
    except DatabaseError:
        return None  # the database's own line says why
    return None if held_by is None else _("held by {holder}: a run is in progress").format(holder=held_by)


def _lock_state(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except FileNotFoundError:
        return _("free (no lock file yet)")
    except (OSError, ValueError):
        return _("free ({path} is not a lock quarkctl wrote)").format(path=path)
    if not info:
        return _("free")
    if "shards" in info:  # written by --shard runs, which hold it shared (lock.py); the last of them leaves it
        return _("last taken by --shard runs of {n} parts").format(n=info["shards"])
    pid, host, since = info.get("pid"), info.get("host"), info.get("since", "?")
    if host != socket.gethostname():
        return _("last taken on {host} (pid {pid}, since {since})").format(host=host, pid=pid, since=since)
    if isinstance(pid, int) and pid_alive(pid):
        return _("held by pid {pid} since {since}: a run is in progress").format(pid=pid, since=since)
    return _("stale but harmless: pid {pid} (since {since}) died holding it; an fcntl lock ends with its holder, "
             "so the next run takes it").format(pid=pid, since=since)
