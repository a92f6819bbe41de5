"""`quarkctl probe`: options and printing only (the calls and comparison live in quarkctl.probe)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from quarkctl.commands.options import CHECK, ApiBase, DatabaseUrl, EnvFile, MaxDelay, MinDelay, NoPacing, RestEvery, RestSeconds, Timeout, environment
from quarkctl.i18n import _
from quarkctl.quark import DEFAULT_TIMEOUT

PROBE_HELP = _("Ask Quark a few read-only questions and compare each answer with the shapes quarkctl expects; "
               "a link of another drive (UC, Baidu, Aliyun, 123, Tianyi, 139, 115) gets that drive's one check, "
               "with the verdict check-links would give. --record writes a redacted capture to send us.\n\n"
               "Example: quarkctl probe https://pan.quark.cn/s/1ed94d530d63 --record quark-capture.json")


def _links(texts: list[str], from_db: Optional[int], env: dict[str, str], drives: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """Quark's links (text, ShareLink) and the other drives' (text, providers.base.Link): the link's host decides."""
    from quarkctl.probe.drives import read_link
    from quarkctl.probe.run import DEFAULT_LINK

    if from_db:
        from quarkctl.config import settings
        from quarkctl.db.database import Database
        from quarkctl.db.records import cell_text

        url, default_sqlite = settings.database_url(env)
        db = Database(url, default_sqlite=default_sqlite, timeout=settings.db_timeout(env))
        try:
            db.need_resource_columns()
            rows = db.list_resources(drive_type="quark", sort="id", descending=True, limit=from_db, history=False)
        finally:
            db.close()
        # A BLOB or number cell as text, as check-links reads it (db/records.py)
        texts = texts + [text for text in (cell_text(row["link"]) for row in rows) if text]
    quark, others = [], []
    for text in texts or [DEFAULT_LINK]:
        link = read_link(drives, text)
        (quark if link.drive == "quark" else others).append((text, link.native if link.drive == "quark" else link))
    return quark, others


def probe(
    links: Annotated[Optional[list[str]], typer.Argument(metavar="[LINK]...", help=_("Share links of any drive to ask about (default: one public Quark share)."), show_default=False)] = None,
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
    from quarkctl.probe.drives import open_all
    from quarkctl.probe.render import TextReport, json_report
    from quarkctl.probe.run import run_probe
    from quarkctl.quark.client import QuarkClient

    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    pacing = PacingPolicy.from_flags(min_delay, max_delay, rest_every, rest_seconds, off=no_pacing)
    cookie = None if anonymous else (env.get("QUARK_COOKIE") or "").strip() or None
    from quarkctl.redact import redact

    redact.add_cookie(cookie)
    base = settings.api_base(env)
    drives = open_all(env, timeout)
    targets, others = _links(list(links or []), from_db, env, drives)
    stop = StopSignal()
    install_signal_handlers(stop)
    text = None if json_output else TextReport(typer.echo, cookie=cookie)
    pacer = Pacer(pacing, stop.sleep)
    listeners: dict[str, Any] = {"on_exchange": text.on_exchange, "on_link": text.on_link} if text else {}
    if not targets:  # only other drives' links: Quark is not asked at all, not even about the account
        report = run_probe(None, cookie=cookie, links=[], pacer=pacer, record=record, redact_names=redact_names,
                           drives=drives, drive_links=others, **listeners)  # fmt: skip
    else:
        with QuarkClient(cookie=cookie, api_base=base, timeout=timeout) as client:
            report = run_probe(client, cookie=cookie, links=targets, pacer=pacer, record=record, redact_names=redact_names,
                               drives=drives, drive_links=others, **listeners)  # fmt: skip
    if text is not None:
        text.finish(report)
    else:
        typer.echo(json_report(report, cookie=cookie))
    raise typer.Exit(int(report.exit_code))


def register(app: typer.Typer) -> None:
    app.command("probe", help=PROBE_HELP)(probe)
