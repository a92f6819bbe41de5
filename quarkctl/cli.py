"""The root command: its own options (--version, --lang) and the command groups of commands/, registered."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from quarkctl import __version__
from quarkctl.commands import autosave, check, db, demo, notify, ops, resources
from quarkctl.i18n import _

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help=_("Check Quark (夸克网盘) share links and keep your resource table honest. Run it from cron or a systemd timer."),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"quarkctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=_("Print the version and exit."))] = False,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", metavar="LANG",
        help=_("Language of the output: zh_CN or en (default: QUARKCTL_LANG, then LC_ALL, LC_MESSAGES, LANG). "
               "Machine output (--json, exit codes) is the same in every language."))] = None,
) -> None:
    """The root options; the help shown is the `app` Typer's (a callback help would replace it).

    --lang is read by quarkctl.launch before this module is imported (help texts are translated at
    import); here it is only declared, so that click accepts it and lists it.
    """


# In this order, the order of `quarkctl --help` (typer lists the commands, then the groups):
# commands autosave, sign, doctor, check-links, demo; groups db, resources, history, schedule, notify.
for module in (autosave, db, resources, ops, check, demo, notify):
    module.register(app)
