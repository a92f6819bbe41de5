"""`quarkctl doctor`: can the jobs run here? Options and printing; the checks are ops/doctor.py's,
imported where the command runs (with the database), not for `--help`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl.commands.options import DatabaseUrl, JsonObject, MAX_SECONDS
from quarkctl.commands.output import echo, print_json
from quarkctl.i18n import _

# Not translated: a level, like the INFO/WARN/ERROR of the log lines, that README (doctor) documents
# and scripts and mail filters match (`grep ^FAIL`), the same in every language.
_STATUS = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


DOCTOR_HELP = _("Check that the jobs can run here: settings, Quark, cookie, autosave config, database, tables, time zone, schedule, last runs, locks.\n\n"
                "Exit code 0 when no check failed (warnings allowed), 1 when one did.\n"
                "Example: quarkctl doctor --env-file /etc/quarkctl/.env")


def doctor(
    env_file: Annotated[Optional[Path], typer.Option("--env-file", dir_okay=False, help=_("Check the settings of this .env file (default: ./.env if present)."))] = None,
    database_url: DatabaseUrl = None,
    api_base: Annotated[Optional[str], typer.Option("--api-base", metavar="URL", help=_("As QUARK_API_BASE."))] = None,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS", min=0.1, max=MAX_SECONDS, help=_("Timeout of each request to Quark, seconds."))] = 10.0,
    config: Annotated[Optional[Path], typer.Option("--config", dir_okay=False, help=_("The autosave config to check (default: QUARKCTL_CONFIG, else ~/.config/quarkctl/quark_config.json)."))] = None,
    json_output: JsonObject = False,
) -> None:
    from quarkctl.ops.doctor import exit_code, run_doctor
    from quarkctl.ops.findings import Context

    ctx = Context(env_file=env_file, flags={"DATABASE_URL": database_url, "QUARK_API_BASE": api_base}, timeout=timeout, config=config)
    findings = run_doctor(ctx)
    code = exit_code(findings)
    if json_output:
        print_json({"checks": [f.as_dict() for f in findings], "exit_code": code})
    else:
        width = max((len(f.name) for f in findings), default=0)
        for f in findings:
            echo(f"{_STATUS[f.status]:<4}  {f.name:<{width}}  {f.message}")
            if f.fix and f.status != "ok":
                echo(f"      {'':<{width}}  " + _("fix: {fix}").format(fix=f.fix))
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("doctor", help=DOCTOR_HELP)(doctor)
