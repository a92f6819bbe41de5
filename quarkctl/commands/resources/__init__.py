"""`quarkctl resources`: the cloud_resource table from the command line, one module per subcommand
(parse, call, print); common.py holds what several of them share.

The group registers them in the order `resources --help` lists them. Each module imports the
database and the job where its command runs, so that `resources --help` loads neither
(tests/e2e/test_startup.py).
"""

from __future__ import annotations

import importlib

import typer

from quarkctl.i18n import _

# The modules, in the order of `resources --help`; each registers its command on the group.
SUBCOMMANDS = ("add", "list_", "show", "import_", "export", "set_status", "revive", "rm", "reshare", "acquire")


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        no_args_is_help=True,
        help=_("List, search, add, import, export, re-check and remove the rows of cloud_resource; re-share or re-acquire dead links."),
    )
    for name in SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(group)
    app.add_typer(group, name="resources")
