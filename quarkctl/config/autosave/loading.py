"""Finding the config (--config, QUARKCTL_CONFIG, the XDG default), reading it, the TASKLIST
override, and `--task` selection."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.safefs import trusted_path

from .model import AutosaveConfig, Task, load_json, parse
from .template import write_template

CONFIG_ENV = "QUARKCTL_CONFIG"
TASKLIST_ENV = "TASKLIST"
CONFIG_NAME = "quark_config.json"


class ConfigMissing(ConfigError):
    """There was no config file; an example was written in its place."""


def config_path(flag: Path | None, env: Mapping[str, str]) -> Path:
    """--config, else QUARKCTL_CONFIG, else $XDG_CONFIG_HOME/quarkctl/quark_config.json (~/.config by default)."""
    if flag is not None:
        return Path(flag).expanduser()
    if env.get(CONFIG_ENV, "").strip():
        return Path(env[CONFIG_ENV].strip()).expanduser()
    base = env.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "quarkctl" / CONFIG_NAME


def read_text(path: Path, folder: int | None = None) -> str:
    """The config file's text. O_NONBLOCK and a regular-file check: a FIFO or a device in its place must not
    hold the run, and SIGTERM with it, forever (an attacker's review). With `folder` (a descriptor of its
    folder), the name is opened there and never through a link. Raises OSError, UnicodeDecodeError."""
    if folder is None:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    else:
        fd = os.open(path.name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW, dir_fd=folder)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(errno.EINVAL, _("not a regular file"))
        return f.read().decode("utf-8-sig")


def load(path: Path) -> AutosaveConfig:
    """Read the config; a missing file gets the example written there and raises ConfigMissing (exit 2)."""
    path = Path(path)
    try:
        # root runs a user's config: a link on the way that another user could have planted is refused
        # (safefs.trusted_path; issue 23, an attacker's review); what is read and written back is this path
        real = trusted_path(path)
    except FileNotFoundError:  # its folder too is missing: the example is written there (safefs.open_dir walks)
        real = Path(os.path.abspath(path))
    except OSError as exc:
        raise ConfigError(_("cannot read config {path}: {reason}").format(path=path, reason=exc.strerror)) from None
    if not real.exists():
        write_template(real)
        raise ConfigMissing(_(
            "no config at {path}: an example was written there; put your cookie and tasks in it, "
            "then run again (try --dry-run first)"
        ).format(path=path))
    try:
        text = read_text(real)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("not UTF-8 text")
        raise ConfigError(_("cannot read config {path}: {reason}").format(path=path, reason=reason)) from None
    return AutosaveConfig(path, parse(text, path), text, _real_path=str(real))


def tasks_from_env(env: Mapping[str, str]) -> list[Task] | None:
    """TASKLIST (a JSON array of tasks) replaces the config's tasklist for this run, as in the reference.

    None when it is not set. Its tasks are not part of the config file, so nothing about them is
    written back (the reference behaves the same).
    """
    raw = env.get(TASKLIST_ENV, "")
    if not raw.strip():
        return None
    items = load_json(raw, _("{name}: invalid JSON at line {line}, column {column}: {error}"), name=TASKLIST_ENV)
    if not isinstance(items, list):
        raise ConfigError(_("{name}: must be a JSON array of tasks").format(name=TASKLIST_ENV))
    bad = [i for i, item in enumerate(items) if not isinstance(item, dict)]
    if bad:
        raise ConfigError(_("{name}[{index}]: a task must be a JSON object").format(name=TASKLIST_ENV, index=bad[0]))
    return [Task(item, i, TASKLIST_ENV) for i, item in enumerate(items)]


def select(tasks: list[Task], selectors: list[str], option: str = "--task") -> list[Task]:
    """--task NAME|NUMBER (repeatable): a task name, else its number as the run log shows it (#1 is the first).

    No selectors: every task. The result keeps the config's order.
    """
    if not selectors:
        return list(tasks)
    chosen: set[int] = set()
    for selector in selectors:
        named = [i for i, task in enumerate(tasks) if task.name == selector]
        if named:
            chosen.update(named)
        elif selector.strip().isdigit() and 1 <= int(selector) <= len(tasks):
            chosen.add(int(selector) - 1)
        else:
            names = ", ".join(repr(task.name) for task in tasks[:10]) + (", ..." if len(tasks) > 10 else "")
            if not tasks:
                raise ConfigError(_(
                    "{option} {selector!r}: no task has that name, and tasks are numbered 1 to {count} "
                    "(as in the run log); task names: none"
                ).format(option=option, selector=selector, count=0))
            raise ConfigError(_(
                "{option} {selector!r}: no task has that name, and tasks are numbered 1 to {count} "
                "(as in the run log); task names: {names}"
            ).format(option=option, selector=selector, count=len(tasks), names=names))
    return [task for i, task in enumerate(tasks) if i in chosen]
