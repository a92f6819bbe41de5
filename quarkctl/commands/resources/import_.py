"""`quarkctl resources import FILE`: CSV, JSON lines or text; every line validated before anything is written."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl.commands.options import DatabaseUrl, EnvFile
from quarkctl.commands.output import echo
from quarkctl.commands.resources.common import load_settings
from quarkctl.commands.run import fail
from quarkctl.errors import ExitCode
from quarkctl.i18n import _, ngettext
from quarkctl.resources.model import InvalidInput, LineProblem, opened

MAX_PROBLEMS_SHOWN = 50

IMPORT_HELP = _("Import resources; every line is validated first, and one bad line means nothing is written.\n\n"
                "Example: quarkctl resources import links.txt --skip-existing --dry-run")


class ImportFormat(str, Enum):
    auto = "auto"
    csv = "csv"
    jsonl = "jsonl"
    text = "text"


def _print_problems(problems: list[LineProblem], source: str, *, label: str = "") -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        echo(f"{source}:{problem.line}: {label}{problem.message}", err=True)
    hidden = len(problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        echo(ngettext("... and {n} more problem", "... and {n} more problems", hidden).format(n=hidden), err=True)


def import_(
    file: Annotated[str, typer.Argument(metavar="FILE", help=_("CSV, JSON lines or text file; - reads stdin."))],
    fmt: Annotated[ImportFormat, typer.Option("--format", metavar="FORMAT", help=_("File format; auto: by extension (.csv, .jsonl, .txt), else by content."))] = ImportFormat.auto,
    drive_type: Annotated[Optional[str], typer.Option("--drive-type", metavar="TYPE", help=_("drive_type of lines that do not give one; default: each line's link's drive."))] = None,
    skip_existing: Annotated[bool, typer.Option("--skip-existing", help=_("Leave rows whose name and drive type are already stored."))] = False,
    update: Annotated[bool, typer.Option("--update", help=_("Update rows whose name and drive type are already stored."))] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Validate and count, write nothing."))] = False,
    encoding: Annotated[str, typer.Option("--encoding", metavar="ENCODING", help=_("Text encoding of FILE, e.g. gbk."))] = "utf-8-sig",
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    if skip_existing and update:
        fail(_("use only one of --skip-existing, --update"), ExitCode.USAGE)
    from quarkctl.resources.formats import decode  # the database: not for --help
    from quarkctl.resources.operations import import_text

    source = "<stdin>" if file == "-" else file
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        fail(_("{file}: cannot read: {reason}").format(file=file, reason=exc.strerror), ExitCode.USAGE)
    on_existing = "update" if update else "skip" if skip_existing else "error"
    try:
        text = decode(data, source, encoding)
        with opened(load_settings(env_file, database_url)) as store:
            result = import_text(store, text, source=source, fmt=fmt.value, drive_type=drive_type,
                                 on_existing=on_existing, dry_run=dry_run)
    except InvalidInput as exc:
        _print_problems(exc.problems, source)
        raise
    # Stored as given, the link's host decides at check time: said once per line, before the counts
    _print_problems(list(result.warnings), source, label=_("warning: "))
    counts = {"source": source, "format": result.format, "n": result.records, "inserted": result.inserted,
              "updated": result.updated, "skipped": result.skipped}
    if dry_run:
        echo(ngettext("{source} ({format}): {n} line valid; would insert {inserted}, update {updated}, skip {skipped} (dry run: nothing written)",
                      "{source} ({format}): {n} lines valid; would insert {inserted}, update {updated}, skip {skipped} (dry run: nothing written)",
                      result.records).format(**counts))
    else:
        echo(ngettext("{source} ({format}): {n} line; inserted {inserted}, updated {updated}, skipped {skipped}",
                      "{source} ({format}): {n} lines; inserted {inserted}, updated {updated}, skipped {skipped}",
                      result.records).format(**counts))


def register(group: typer.Typer) -> None:
    group.command("import", help=IMPORT_HELP)(import_)
