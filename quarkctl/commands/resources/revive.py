"""`quarkctl resources revive`: a check-links run (commands/check.py) over the rows marked expired."""

from __future__ import annotations

from typing import Any

import typer

from quarkctl.commands.check import run_check
from quarkctl.commands.options import CHECK_OUTPUT, CHECK_RUN, declared
from quarkctl.i18n import _

REVIVE_HELP = _("Re-check the rows marked expired and mark valid again those that work: a check-links run\n"
                "(same lock, pacing, report and exit codes) over expired rows only.\n\n"
                "Example: quarkctl resources revive --env-file /etc/quarkctl/.env --limit 50")


@declared(CHECK_RUN, CHECK_OUTPUT)
def revive(**values: Any) -> None:
    run_check(values, scope="expired")


def register(group: typer.Typer) -> None:
    group.command("revive", help=REVIVE_HELP)(revive)
