"""`quarkctl resources list`: a table on a terminal, tab-separated lines otherwise, or JSON or CSV."""

from __future__ import annotations

import csv
import sys
from enum import Enum
from typing import IO, Annotated, Any, Optional

import typer

from quarkctl.commands.options import AllRows, DatabaseUrl, DriveFilter, EnvFile, OnlyExpired, OnlyValid, Search
from quarkctl.commands.output import echo, print_json
from quarkctl.commands.resources.common import for_reading, load_settings, machine, status_filter, use_rich
from quarkctl.commands.run import fail
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.render.clock import local_time
from quarkctl.render.messages import resource_status_text, verdict_text
from quarkctl.render.resource import VERDICT_STYLE, one_line
from quarkctl.resources.model import ResourceFilter, opened

_STATUS_STYLE = {"valid": "green", "expired": "red"}

LIST_HELP = _("List resources with their status and quarkctl's last verdict: a table on a terminal, tab-separated lines otherwise.\n\n"
              "Example: quarkctl resources list --expired --search 电影 --sort checked --desc --limit 20")


class Sort(str, Enum):
    id = "id"
    name = "name"
    drive = "drive"
    status = "status"
    checked = "checked"
    created = "created"
    updated = "updated"


def _status_word(row: dict[str, Any]) -> str:
    return "expired" if row["is_expired"] else "valid"


def _rich_list(rows: list[dict[str, Any]]) -> None:
    """Every cell a Text (render/rich_text.py): a name is never read as markup, whatever the verdict."""
    from rich.table import Table

    from quarkctl.render.rich_text import SafeConsole, assemble, styled

    table = Table(caption=_("{n} resources").format(n=len(rows)), highlight=False)
    table.add_column(_("id"), justify="right")
    table.add_column(_("name"), overflow="fold", max_width=40)  # a 255-character name must not squeeze the link
    for title in (_("drive"), _("status"), _("last check"), _("link")):
        table.add_column(title, overflow="fold")
    for row in rows:
        status = _status_word(row)
        verdict = row["last_verdict"]
        last = styled("-") if verdict is None else assemble((verdict_text(verdict), VERDICT_STYLE.get(verdict, "")), " ",
                                                           local_time(row["last_checked_at"]))
        table.add_row(
            str(row["id"]),
            styled(one_line(row["drama_name"])),
            styled(one_line(row["drive_type"])),
            styled(resource_status_text(status), _STATUS_STYLE[status]),
            last,
            styled(one_line(row["link"])),
        )
    SafeConsole(sys.stdout).print(table)


def _plain_list(rows: list[dict[str, Any]]) -> None:
    """Tab-separated, a header first: for grep, cut, awk and cron mail."""
    echo("\t".join(("id", "name", "drive", "status", "verdict", "checked", "link")))
    for row in rows:
        cells = (row["id"], row["drama_name"], row["drive_type"], _status_word(row), row["last_verdict"] or "-",
                 local_time(row["last_checked_at"]), row["link"] or "")
        echo("\t".join(one_line(cell) for cell in cells))


def _csv_rows(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    if not rows:
        return
    writer = csv.writer(for_reading(stream), lineterminator="\n")
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow(["" if v is None else v for v in machine(row).values()])


def list_(
    expired: OnlyExpired = False,
    valid: OnlyValid = False,
    all_rows: AllRows = False,
    search: Search = None,
    drive_type: DriveFilter = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help=_("Show at most N rows."))] = None,
    sort: Annotated[Sort, typer.Option("--sort", metavar="FIELD", help=_("Order by this field (ties by id)."))] = Sort.id,
    desc: Annotated[bool, typer.Option("--desc", help=_("Reverse the order."))] = False,
    json_output: Annotated[bool, typer.Option("--json", help=_("A JSON array on stdout: every column and the last check."))] = False,
    csv_output: Annotated[bool, typer.Option("--csv", help=_("CSV on stdout: every column and the last check."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    if json_output and csv_output:
        fail(_("use only one of --json, --csv"), ExitCode.USAGE)
    from quarkctl.resources.operations import list_resources  # the database: not for --help

    flt = ResourceFilter(status=status_filter(expired, valid, all_rows), search=search, drive_type=drive_type,
                         sort=sort.value, descending=desc, limit=limit)
    with opened(load_settings(env_file, database_url)) as store:
        rows = list_resources(store, flt)
    if json_output:
        print_json([machine(row) for row in rows])
    elif csv_output:
        _csv_rows(rows, sys.stdout)
    elif use_rich():
        _rich_list(rows)
    else:
        _plain_list(rows)


def register(group: typer.Typer) -> None:
    group.command("list", help=LIST_HELP)(list_)
