"""The secrets a job of `quarkctl schedule run` is given in its extra arguments (QUARKCTL_SCHEDULE_*_ARGS,
--check-links-args, --autosave-args: plan.py) moved out of its command line into its environment.

A command line is seen by every user of the machine (`ps`, /proc/PID/cmdline) for the job's whole run, and the
scheduler logs it at the start; an environment is seen by the job's user and root only. Each option moved has a
variable the jobs read with the same meaning: --database-url overrides DATABASE_URL (config/settings.py),
--ping-url wins over QUARKCTL_PING_URL (hooks/monitoring/pings.py), and --notify adds to QUARKCTL_NOTIFY
(hooks/monitoring/notify.py), so the variable is given the settings' own list and the added URLs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping

from quarkctl.redact import MASK, redact

# option -> the variable that carries it; True: the values add to the variable's (repeatable), else replace it
SECRET_OPTIONS = {"--database-url": ("DATABASE_URL", False), "--notify": ("QUARKCTL_NOTIFY", True),
                  "--ping-url": ("QUARKCTL_PING_URL", False)}


def hide_secrets(argv: Iterable[str], settings: Mapping[str, str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """(the command line without the options of SECRET_OPTIONS, the variables that carry them instead).
    `settings` are the scheduler's (environment and .env), whose QUARKCTL_NOTIFY the job would have read.
    An option without its value is left where it is: the job's own parsing refuses it."""
    kept: list[str] = []
    values: dict[str, list[str]] = {}
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in SECRET_OPTIONS and (eq or i + 1 < len(args)):
            if not eq:
                value = args[i + 1]
                i += 1
            values.setdefault(name, []).append(value)
            redact.add(value)
            for secret in url_secrets(value):
                redact.add(secret)
        else:
            kept.append(arg)
        i += 1
    env: dict[str, str] = {}
    for name, given in values.items():
        variable, adds = SECRET_OPTIONS[name]
        if adds:
            env[variable] = " ".join(v for v in (settings.get(variable, "").strip(), *given) if v)
        else:
            env[variable] = given[-1]  # the last one wins, as on a command line
    return tuple(kept), env


URL_USER = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)([^/\s?#]*)@")  # a URL's scheme, and its user[:password] before the @


def url_secrets(text: str) -> list[str]:
    """The user:password of each URL in `text`, and its password alone (an apprise URL, a proxy's)."""
    found = []
    for match in URL_USER.finditer(text):
        found += [match.group(2), match.group(2).partition(":")[2]]
    return [s for s in found if s]


def shown(argv: Iterable[str]) -> str:
    """The command line for the log: the known secrets and any URL's user and password masked."""
    return redact(URL_USER.sub(lambda m: f"{m.group(1)}{MASK}@", shlex.join(argv)))
