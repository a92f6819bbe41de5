"""The install step of `schedule install`: plan the files (new, unchanged or changed against what is
there), then write them atomically, a changed one only when forced."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from quarkctl.errors import QuarkctlError
from quarkctl.i18n import _
from quarkctl.safefs import replace_file

from .render import CRON_BLOCK_END, CRON_BLOCK_START, render_cron, render_service, render_timer
from .targets import JOBS, Job, Target, login_name


class ScheduleError(QuarkctlError):
    """A unit or crontab file could not be written, or would overwrite a changed one."""


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


def _refuse_control_characters(target: Target, folder: Path) -> None:
    """A newline in a value would add a line of the caller's choosing to root's cron file or unit
    (an ExecStartPre=, a cron line): refused, with every other control character (issue 23)."""
    values = {"--env-file": str(target.env_path), "--dir": str(folder), "--timezone": target.timezone,
              _("the quarkctl command"): " ".join(target.command), _("the config folder"): str(target.config_dir)}
    for name, value in values.items():
        if any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in value):
            raise ScheduleError(_("{name}: a control character (a line break, a tab...) cannot go into a unit or a "
                                  "crontab; {value!r}").format(name=name, value=value))


def plan_install(kind: str, target: Target, folder: Path, jobs: Iterable[Job] | None = None) -> InstallPlan:
    """What `schedule install` would write into `folder` (systemd units, or one crontab file)."""
    _refuse_control_characters(target, folder)
    jobs = list(JOBS.values() if jobs is None else jobs)
    scope = "--user " if target.user else ""
    if kind == "systemd":
        files = []
        for job in jobs:
            files.append(_planned(folder / job.service, render_service(job, target)))
            files.append(_planned(folder / job.timer, render_timer(job, target)))
        timers = " ".join(job.timer for job in jobs)
        enable = f"systemctl {scope}daemon-reload && systemctl {scope}enable --now {timers}"
        notes = [_("so that the timers run while you are logged out: loginctl enable-linger {user}").format(user=login_name())] if target.user else []
        if not target.user and any(Path(part).is_relative_to("/tmp") for part in target.command[:1]):
            # the system unit has PrivateTmp=yes: the service sees an empty /tmp of its own
            notes.append(_("warning: {command} lies under /tmp, which the unit cannot see (PrivateTmp=yes); install "
                           "quarkctl elsewhere (pipx, /usr/local, /opt) or drop PrivateTmp=").format(command=target.command[0]))
        return InstallPlan(kind, target.user, files, enable, notes)
    name = "crontab" if target.user else "quarkctl"
    planned = _planned(folder / name, render_cron(jobs, target, system=not target.user))
    if target.user:
        quoted = shlex.quote(str(planned.path))
        enable = (f"(crontab -l 2>/dev/null | sed '/^{CRON_BLOCK_START}/,/^{CRON_BLOCK_END}/d'; cat {quoted}) | crontab -")
        return InstallPlan(kind, True, [planned], enable)
    return InstallPlan(kind, False, [planned], None, [_("cron reads {folder} by itself: nothing to enable").format(folder=folder)])


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
            # a new temporary file renamed into place: a reader never sees half a unit, and a link
            # planted in a folder others may write to is never written through (issue 23)
            replace_file(planned.path, planned.content.encode("utf-8"), 0o644)
        except OSError as exc:
            if isinstance(exc, PermissionError) and not plan.user:
                raise ScheduleError(_("cannot write {path}: {reason} (run as root, or use --user)").format(
                    path=planned.path, reason=exc.strerror)) from None
            raise ScheduleError(_("cannot write {path}: {reason}").format(path=planned.path, reason=exc.strerror)) from None
        written.append(planned)
    return written
