"""`quarkctl resources show ID`: one row, every column, its checks and the chain of its re-shares
(issue 17). Its own module, so that commands/resources.py stays small."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from quarkctl.resources import formats as resources_formats
from quarkctl.resources import model as resources_model
from quarkctl.resources import operations as resources_operations
from quarkctl.resources import values as resources_values
from quarkctl.commands.options import DatabaseUrl, EnvFile
from quarkctl.commands.resources import _VERDICT_STYLE, JsonOut, _config, _echo, _machine, _one_line, _print_json, _use_rich
from quarkctl.i18n import _
from quarkctl.redact import redact
from quarkctl.render.clock import local_time
from quarkctl.render.messages import reason_text, verdict_text


def _check_line(check: dict[str, Any]) -> list[str]:
    evidence = " ".join(str(x) for x in (check["api_code"], check["message"]) if x)
    return [local_time(check["checked_at"]), verdict_text(check["verdict"]), reason_text(check["reason"]), evidence]


SHOW_HELP = _("Show one resource, every column, and its check history (newest first).\n\n"
              "Example: quarkctl resources show 42 --history 5")


def show(
    resource_id: Annotated[int, typer.Argument(metavar="ID", help=_("The resource's id."))],
    history: Annotated[int, typer.Option("--history", min=0, help=_("Show the N newest checks."))] = 20,
    json_output: JsonOut = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    with resources_model.opened(_config(env_file, database_url)) as store:
        row, checks = resources_operations.show_resource(store, resource_id, history_limit=history)
        chain = store.db.reshares(resource_id=resource_id)  # issue 17: the links this row had
    if json_output:
        _print_json({"resource": _machine(row), "checks": [_machine(c) for c in checks], "reshares": [_machine(c) for c in chain]})
        return
    from quarkctl.commands.reshare import chain_lines

    chain_text = chain_lines(chain)
    fields = [(key, _one_line(resources_formats.machine_value(value))) for key, value in row.items() if key not in resources_values.LAST_CHECK]
    if _use_rich():
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        console = Console(file=sys.stdout, highlight=False)
        table = Table(show_header=False, title=_("resource #{id}").format(id=row["id"]))
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in fields:
            table.add_row(key, escape(value))
        console.print(table)
        history_table = Table(title=_("checks"), caption=None if checks else _("never checked by quarkctl"))
        for title in (_("checked"), _("verdict"), _("reason"), _("Quark said")):
            history_table.add_column(title, overflow="fold")
        for check in checks:
            cells = _check_line(check)
            cells[1] = f"[{_VERDICT_STYLE.get(check['verdict'], '')}]{escape(cells[1])}[/]"
            history_table.add_row(*(cells[:1] + [cells[1]] + [escape(c) for c in cells[2:]]))
        console.print(history_table)
        for line in chain_text:
            console.print(escape(redact(line)))
        return
    for key, value in fields:
        _echo(f"{key}: {value}")
    _echo(_("checks:") + ("" if checks else " " + _("never checked by quarkctl")))
    for check in checks:
        _echo("\t".join(_one_line(c) for c in _check_line(check)))
    for line in chain_text:
        _echo(line)


def register(resources_app: typer.Typer) -> None:
    resources_app.command("show", help=SHOW_HELP)(show)
