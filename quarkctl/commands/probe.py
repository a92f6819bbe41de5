"""`quarkctl probe`: options and printing only (the calls and comparison live in quarkctl.probe)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from quarkctl.commands.options import CHECK, ApiBase, DatabaseUrl, EnvFile, MaxDelay, MinDelay, NoPacing, RestEvery, RestSeconds, Timeout, environment
from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.quark import DEFAULT_TIMEOUT

PROBE_HELP = _("Ask Quark a few read-only questions and compare each answer with the shapes quarkctl expects; "
               "--record writes a redacted capture the simulator can replay.\n\n"
               "Example: quarkctl probe https://pan.quark.cn/s/1ed94d530d63 --record quark-capture.json")


def _links(texts: list[str], from_db: Optional[int], env: dict[str, str]) -> list[tuple[str, Any]]:
    from quarkctl.quark.links import LinkError, parse_share_url
    from quarkctl.probe.run import DEFAULT_LINK

    if from_db:
        from quarkctl.config import settings
        from quarkctl.db.database import Database

        url, default_sqlite = settings.database_url(env)
        db = Database(url, default_sqlite=default_sqlite, timeout=settings.db_timeout(env))
        try:
            db.need_resource_columns()
            rows = db.list_resources(drive_type="quark", sort="id", descending=True, limit=from_db, history=False)
        finally:
            db.close()
        texts = texts + [row["link"] for row in rows if row.get("link")]
    links = []
    for text in texts or [DEFAULT_LINK]:
        try:
            links.append((text, parse_share_url(text)))
        except LinkError:
            raise ConfigError(_("{link}: not a Quark share link (https://pan.quark.cn/s/...)").format(link=text)) from None
    return links


def probe(
    links: Annotated[Optional[list[str]], typer.Argument(metavar="[LINK]...", help=_("Share links to ask about (default: one public share)."), show_default=False)] = None,
    record: Annotated[Optional[Path], typer.Option("--record", dir_okay=False, help=_("Write a capture (every request and reply, redacted) to this file."))] = None,
    json_output: Annotated[bool, typer.Option("--json", help=_("One JSON document on stdout instead of the text report."))] = False,
    redact_names: Annotated[bool, typer.Option("--redact-names", help=_("Also replace the share's file names and titles in the capture."))] = False,
    from_db: Annotated[Optional[int], typer.Option("--from-db", min=1, metavar="N", help=_("Also probe the N newest Quark links of cloud_resource."))] = None,
    anonymous: Annotated[bool, typer.Option("--anonymous", help=_("Send no cookie: only the share calls."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
    api_base: ApiBase = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    min_delay: MinDelay = CHECK.pacing.min_delay,
    max_delay: MaxDelay = CHECK.pacing.max_delay,
    rest_every: RestEvery = CHECK.pacing.rest_every,
    rest_seconds: RestSeconds = CHECK.pacing.rest_seconds,
    no_pacing: NoPacing = False,
) -> None:
    from quarkctl.commands.run import install_signal_handlers
    from quarkctl.config import settings
    from quarkctl.runtime.pacing import Pacer, PacingPolicy
    from quarkctl.runtime.stop import StopSignal
    from quarkctl.probe.render import TextReport, json_report
    from quarkctl.probe.run import run_probe
    from quarkctl.quark.client import QuarkClient

    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    pacing = PacingPolicy.from_flags(min_delay, max_delay, rest_every, rest_seconds, off=no_pacing)
    cookie = None if anonymous else (env.get("QUARK_COOKIE") or "").strip() or None
    from quarkctl.redact import redact

    redact.add_cookie(cookie)
    base = settings.api_base(env)
    targets = _links(list(links or []), from_db, env)
    stop = StopSignal()
    install_signal_handlers(stop)
    text = None if json_output else TextReport(typer.echo, cookie=cookie)
    with QuarkClient(cookie=cookie, api_base=base, timeout=timeout) as client:
        report = run_probe(client, cookie=cookie, links=targets, pacer=Pacer(pacing, stop.sleep), record=record,
                           redact_names=redact_names, on_exchange=text.on_exchange if text else None)  # fmt: skip
    if text is not None:
        text.finish(report)
    else:
        typer.echo(json_report(report, cookie=cookie))
    raise typer.Exit(int(report.exit_code))


def register(app: typer.Typer) -> None:
    app.command("probe", help=PROBE_HELP)(probe)
