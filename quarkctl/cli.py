"""The root command: its own options (--version, --lang) and the command groups of commands/, registered."""

from __future__ import annotations

import copy
import importlib
from typing import Annotated, Optional

import typer

from quarkctl import __version__
from quarkctl.i18n import _

# In this order, the order of `quarkctl --help` (typer lists the commands, then the groups):
# commands autosave, sign, doctor, check-links, demo; groups db, resources, history, schedule, notify.
MODULES = ("autosave", "db", "resources", "doctor", "history", "schedule", "check", "demo", "notify", "probe")
# The module of commands/ that registers each top-level name: `quarkctl NAME ...` imports that one only.
REGISTERED_BY = {
    "autosave": "autosave", "sign": "autosave", "db": "db", "resources": "resources", "doctor": "doctor",
    "history": "history", "schedule": "schedule", "check-links": "check", "demo": "demo", "notify": "notify",
    "probe": "probe",
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"quarkctl {__version__}")
        raise typer.Exit()


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


def make_app(command: str | None = None, subcommand: str | None = None) -> typer.Typer:
    """The root command with every command registered, or only the module that registers `command`
    (for `quarkctl COMMAND ...`, whose run and help pages do not depend on the other commands), and of
    a group, only `subcommand` when it names one of its commands (`quarkctl resources list`)."""
    root = typer.Typer(
        no_args_is_help=True,
        add_completion=True,  # --install-completion: it costs nothing at start-up (README, Performance)
        pretty_exceptions_enable=False,
        help=_("Check Quark (夸克网盘) share links and keep your resource table honest. Run it from cron or a systemd timer."),
    )
    root.callback()(main_callback)
    names = (REGISTERED_BY[command],) if command in REGISTERED_BY else MODULES
    for name in names:
        importlib.import_module(f"quarkctl.commands.{name}").register(root)
    if subcommand is not None:
        _only(root, command, subcommand)
    return root


def _only(root: typer.Typer, group: str | None, subcommand: str) -> None:
    """typer builds the options of every command of a group when one of them runs (~5 ms each):
    the group `quarkctl GROUP SUBCOMMAND` runs in keeps SUBCOMMAND alone. Any other word (a typo, an
    option) keeps the whole group, so click's answer to it stays the same."""
    for index, info in enumerate(root.registered_groups):
        members = info.typer_instance.registered_commands if info.typer_instance is not None else []
        kept = [member for member in members if member.name == subcommand]
        if info.name == group and kept:
            narrow = copy.copy(info.typer_instance)  # the module's own group stays whole for the next app
            narrow.registered_commands = kept
            info = copy.copy(info)
            info.typer_instance = narrow
            root.registered_groups[index] = info


def __getattr__(name: str) -> typer.Typer:
    """`app`, the whole command line (tests and docs walk it), made on first use."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()["app"] = made = make_app()
    return made
