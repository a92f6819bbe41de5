"""Rendering: the systemd service and timer of a job, and the cron lines (an /etc/cron.d file or a
block for a user's crontab), each with the comments that tell the reader what to change."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path

from .targets import Job, Target

CRON_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CRON_BLOCK_START = "# >>> quarkctl >>>"
CRON_BLOCK_END = "# <<< quarkctl <<<"
LANGUAGE_NOTE = "# {who} starts jobs with LANG=C, in which quarkctl speaks English; for Chinese (中文输出)\n# set QUARKCTL_LANG=zh_CN here or in the .env{wins}."


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
# or of an SQLite DATABASE_URL here.{config_note}
ReadWritePaths=-/var/log/quarkctl{config_dir}
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


def _system_hardening(job: Job, target: Target) -> str:
    if not job.writes_config:
        return _SYSTEM_HARDENING.format(config_note="", config_dir="")
    # the write-back is a new file renamed over the config, with a .bak beside it: the folder, not the file
    return _SYSTEM_HARDENING.format(
        config_note=f"\n# {job.name} writes its config back (bans, folder ids) in {target.config_dir}.",
        config_dir=" " + _systemd_quote([str(target.config_dir)]))


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
        (_USER_HARDENING if target.user else _system_hardening(job, target)).rstrip("\n"),
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
    # The same settings in both forms; they apply to the job lines after them.
    settings = [
        "SHELL=/bin/sh",
        f"PATH={path}",
        f"CRON_TZ={target.timezone}",
        LANGUAGE_NOTE.format(who="cron", wins=""),
        target.language_line("QUARKCTL_LANG=zh_CN", "# "),
    ]
    if system:
        lines = [
            f"# /etc/cron.d/quarkctl ({', '.join(job.name for job in jobs)}).",
            *head,
            "# As a user crontab (`crontab -e`), drop the user column (`root`); or run",
            "# `quarkctl schedule install --cron --user`.",
            *settings,
            "# m h dom mon dow user command",
            *(cron_line(job, target, system=True) for job in jobs),
        ]
    else:
        lines = [
            CRON_BLOCK_START,
            *head,
            "# The settings below apply to the lines after them: keep this block at the end of your crontab.",
            *settings,
            "# m h dom mon dow command",
            *(cron_line(job, target, system=False) for job in jobs),
            CRON_BLOCK_END,
        ]
    return "\n".join(lines) + "\n"
