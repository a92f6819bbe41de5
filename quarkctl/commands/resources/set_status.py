"""`quarkctl resources set-status ID... --expired|--valid`: mark rows by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from quarkctl.commands.options import DatabaseUrl, EnvFile, Ids
from quarkctl.commands.output import echo
from quarkctl.commands.resources.common import load_settings
from quarkctl.commands.run import fail
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.resources.model import opened

SET_STATUS_HELP = _("Mark resources expired or valid by hand; an unknown id changes nothing.\n\n"
                    "Example: quarkctl resources set-status 12 15 --valid")


def set_status(
    ids: Ids,
    expired: Annotated[bool, typer.Option("--expired", help=_("Mark them expired (is_expired = 1)."))] = False,
    valid: Annotated[bool, typer.Option("--valid", help=_("Mark them valid (is_expired = 0): check-links checks them again."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    if expired == valid:
        fail(_("give exactly one of --expired, --valid"), ExitCode.USAGE)
    from quarkctl.resources import operations  # the database: not for --help; its set_status is not this command

    with opened(load_settings(env_file, database_url)) as store:
        changed = operations.set_status(store, ids, expired=expired)
    values = {"n": len(changed), "ids": ", ".join(f"#{i}" for i in changed), "same": len(set(ids)) - len(changed)}
    if changed:
        message = _("marked {n} expired: {ids}; {same} already were") if expired else _("marked {n} valid: {ids}; {same} already were")
    else:
        message = _("marked {n} expired; {same} already were") if expired else _("marked {n} valid; {same} already were")
    echo(message.format(**values))


def register(group: typer.Typer) -> None:
    group.command("set-status", help=SET_STATUS_HELP)(set_status)
