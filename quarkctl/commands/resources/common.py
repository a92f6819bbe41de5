"""What several `resources` subcommands share: the settings they read, the row filter's status,
a row's values as --json writes them, and CSV or JSON lines shown on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, Optional

from quarkctl.commands.options import environment
from quarkctl.commands.run import fail
from quarkctl.config import settings
from quarkctl.errors import ExitCode
from quarkctl.i18n import _


def status_filter(expired: bool, valid: bool, all_rows: bool) -> str:
    """--expired, --valid, --all as the filter's status (at most one of them)."""
    if expired + valid + all_rows > 1:
        fail(_("use only one of --expired, --valid, --all"), ExitCode.USAGE)
    return "expired" if expired else "valid" if valid else "all"


def load_settings(env_file: Optional[Path], database_url: Optional[str], **flags: Optional[str]) -> settings.Settings:
    return settings.load(environment(env_file, DATABASE_URL=database_url, **flags), need_cookie=False)


def use_rich() -> bool:
    from quarkctl.render.plain import use_rich  # rich only when a table is drawn

    return use_rich(sys.stdout)


def machine(row: dict[str, Any]) -> dict[str, Any]:
    """The row's values as export and --json write them."""
    from quarkctl.resources.formats import machine_value  # the database layer, only where a command runs

    return {key: machine_value(value) for key, value in row.items()}


class OnTerminal:
    """--csv and `export` to a terminal: someone reads it, so every control from data is made printable
    (safe_text.py; JSON lines keep valid escapes). To a file or a pipe the data stays as it is, for programs."""

    def __init__(self, stream: IO[str], *, json_lines: bool = False) -> None:
        from quarkctl.safe_text import json_printable, printable_lines

        self.stream = stream
        self.clean = json_printable if json_lines else printable_lines

    def write(self, text: str) -> int:
        return self.stream.write(self.clean(text))


def for_reading(stream: IO[str], *, json_lines: bool = False) -> Any:
    """`stream`, or an OnTerminal around it when it is a terminal."""
    return OnTerminal(stream, json_lines=json_lines) if stream.isatty() else stream
