"""`quarkctl resources rm ID...`: delete rows and their check history, after asking."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from quarkctl.commands.options import DatabaseUrl, EnvFile, Ids
from quarkctl.commands.output import echo
from quarkctl.commands.resources.common import load_settings
from quarkctl.commands.run import fail
from quarkctl.errors import ExitCode
from quarkctl.i18n import _, ngettext
from quarkctl.resources.model import opened

RM_HELP = _("Delete resources (and quarkctl's check history of them), after asking; an unknown id deletes nothing.\n\n"
            "Example: quarkctl resources rm 12 15 --yes")


def rm(
    ids: Ids,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask (for scripts)."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    from quarkctl.resources.operations import find, remove  # the database: not for --help

    with opened(load_settings(env_file, database_url)) as store:
        rows = find(store, ids)
        if not yes:
            _confirm_delete(rows)
        deleted = remove(store, ids)
    for resource_id in deleted:
        row = rows[resource_id]
        echo(_("deleted #{id} {name} ({drive})").format(id=resource_id, name=row["drama_name"], drive=row["drive_type"]))


def _confirm_delete(rows: dict[int, dict[str, Any]]) -> None:
    for row in rows.values():
        echo(f"#{row['id']} {row['drama_name']} ({row['drive_type']}) {row['link'] or ''}", err=True)
    # Not typer.confirm: it echoes a space to stdout, which belongs to the deleted-rows report.
    question = ngettext("Delete this resource? [y/N]: ", "Delete these {n} resources? [y/N]: ", len(rows))
    typer.echo(question.format(n=len(rows)), err=True, nl=False)
    answer = sys.stdin.readline()
    if not answer:  # stdin closed: nobody to ask
        typer.echo("", err=True)
        fail(_("no answer; nothing was deleted (use --yes in scripts)"), ExitCode.USAGE)
    confirmed = answer.strip().lower() in ("y", "yes")
    if not confirmed:
        echo(_("nothing was deleted"), err=True)
        raise typer.Exit(1)  # declined: documented as exit 1


def register(group: typer.Typer) -> None:
    group.command("rm", help=RM_HELP)(rm)
