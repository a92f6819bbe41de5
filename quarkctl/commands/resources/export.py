"""`quarkctl resources export`: every column, in id order, as CSV or JSON lines that `resources import` reads back."""

from __future__ import annotations

import io
import os
import stat
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl.commands.options import AllRows, DatabaseUrl, DriveFilter, EnvFile, OnlyExpired, OnlyValid, Search
from quarkctl.commands.output import echo
from quarkctl.commands.resources.common import for_reading, load_settings, status_filter
from quarkctl.commands.run import fail
from quarkctl.errors import ExitCode
from quarkctl.i18n import _, ngettext
from quarkctl.resources.model import ResourceFilter, opened
from quarkctl.safefs import open_failure, replace_file

EXPORT_HELP = _("Export resources, every column, in id order; `resources import` reads the file back.\n\n"
                "Example: quarkctl resources export --valid --format json -o resources.jsonl")


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"


def export(
    expired: OnlyExpired = False,
    valid: OnlyValid = False,
    all_rows: AllRows = False,
    search: Search = None,
    drive_type: DriveFilter = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", metavar="FORMAT", help=_("csv (with a header) or json (JSON lines); both import back."))] = ExportFormat.csv,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", dir_okay=False, help=_("Write to this file (replaced whole) instead of stdout."))] = None,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    from quarkctl.resources.operations import export_resources  # the database: not for --help

    flt = ResourceFilter(status=status_filter(expired, valid, all_rows), search=search, drive_type=drive_type)
    with opened(load_settings(env_file, database_url)) as store:
        if output is None or str(output) == "-":  # `-o -`: stdout, as most tools read it
            export_resources(store, flt, fmt.value, for_reading(sys.stdout, json_lines=fmt is ExportFormat.json))
            return
        # Only a plain file is replaced (issue 23, a new user's review): `-o /dev/full`, a FIFO or a link replaced by
        # a file would break the system or surprise its reader. Written whole through safefs: a failed export
        # never leaves half a file behind, and no link planted in the folder is written through.
        try:
            kind = os.lstat(output).st_mode
        except FileNotFoundError:
            kind = stat.S_IFREG
        except OSError as exc:
            fail(_("--output: cannot write to {path}: {reason}").format(path=output, reason=exc.strerror), ExitCode.USAGE)
        if not stat.S_ISREG(kind):
            fail(_("--output: {path} is not a plain file; quarkctl replaces only a plain file (leave out --output to "
                   "write to stdout)").format(path=output), ExitCode.USAGE)
        buffer = io.StringIO(newline="")
        count = export_resources(store, flt, fmt.value, buffer)
        try:
            replace_file(output, buffer.getvalue().encode("utf-8"), 0o600, make_folders=False)  # a typo is not a new folder
        except OSError as exc:
            fail(_("--output: cannot write to {path}: {reason}").format(path=output, reason=open_failure(exc)), ExitCode.USAGE)
    echo(ngettext("exported {n} row to {path}", "exported {n} rows to {path}", count).format(n=count, path=output), err=True)


def register(group: typer.Typer) -> None:
    group.command("export", help=EXPORT_HELP)(export)
