"""`quarkctl resources show ID`: one row, every column, its checks and the chain of its re-shares
(issue 17); render/resource.py draws it, --json is written here."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from quarkctl.commands.options import DatabaseUrl, EnvFile
from quarkctl.commands.output import echo, print_json
from quarkctl.commands.resources.common import load_settings, machine, use_rich
from quarkctl.i18n import _
from quarkctl.resources.model import opened

SHOW_HELP = _("Show one resource, every column, and its check history (newest first).\n\n"
              "Example: quarkctl resources show 42 --history 5")


def show(
    resource_id: Annotated[int, typer.Argument(metavar="ID", help=_("The resource's id."))],
    history: Annotated[int, typer.Option("--history", min=0, help=_("Show the N newest checks."))] = 20,
    json_output: Annotated[bool, typer.Option("--json", help=_("JSON on stdout (machine output)."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    from quarkctl.render.resource import ResourceCard, card_lines, print_card
    from quarkctl.resources.operations import show_resource  # the database: not for --help
    from quarkctl.resources.values import LAST_CHECK

    with opened(load_settings(env_file, database_url)) as store:
        row, checks = show_resource(store, resource_id, history_limit=history)
        chain = store.db.reshares(resource_id=resource_id)  # issue 17: the links this row had
        acquired = store.db.acquires(resource_id=resource_id)  # issue 25: the links found for it in the search service
    if json_output:
        print_json({"resource": machine(row), "checks": [machine(c) for c in checks], "reshares": [machine(c) for c in chain],
                    "acquires": [machine(c) for c in acquired]})
        return
    card = ResourceCard(row["id"], [(key, value) for key, value in machine(row).items() if key not in LAST_CHECK], checks, chain,
                        acquired)
    if use_rich():
        from quarkctl.render.rich_text import SafeConsole

        print_card(card, SafeConsole(sys.stdout))
        return
    for line in card_lines(card):
        echo(line)


def register(group: typer.Typer) -> None:
    group.command("show", help=SHOW_HELP)(show)
