"""`quarkctl resources`: the cloud_resource table from the command line (parse, call, print)."""

from __future__ import annotations

import csv
import importlib
import json
import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, Optional

import typer

from quarkctl.resources import formats as resources_formats
from quarkctl.resources import model as resources_model
from quarkctl.resources import operations as resources_operations
from quarkctl.config import settings
from quarkctl.commands.check import run_check
from quarkctl.commands.options import CHECK_OUTPUT, CHECK_RUN, DEFAULT_TIMEOUT, Anonymous, ApiBase, DatabaseUrl, EnvFile, Timeout, declared, environment
from quarkctl.commands.run import fail, install_signal_handlers
from quarkctl.errors import ExitCode, Interrupted
from quarkctl.i18n import _, ngettext
from quarkctl.render.clock import local_time
from quarkctl.render.messages import resource_status_text, verdict_text
from quarkctl.runtime.stop import StopSignal
from quarkctl.redact import redact
from quarkctl.resources.model import InvalidInput, ResourceFilter  # the package loads each name's module on first use

if TYPE_CHECKING:
    from quarkctl.quark.linkcheck import CheckResult

resources_app = typer.Typer(
    no_args_is_help=True,
    help=_("List, search, add, import, export, re-check and remove the rows of cloud_resource."),
)

MAX_PROBLEMS_SHOWN = 50
_STATUS_STYLE = {"valid": "green", "expired": "red"}
_VERDICT_STYLE = {"valid": "green", "expired": "red", "needs_passcode": "yellow", "error": "magenta", "skipped": "dim"}


class Sort(str, Enum):
    id = "id"
    name = "name"
    drive = "drive"
    status = "status"
    checked = "checked"
    created = "created"
    updated = "updated"


class ImportFormat(str, Enum):
    auto = "auto"
    csv = "csv"
    jsonl = "jsonl"
    text = "text"


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"


# Options of several resources commands, declared once.
OnlyExpired = Annotated[bool, typer.Option("--expired", help=_("Only rows marked expired (is_expired = 1)."))]
OnlyValid = Annotated[bool, typer.Option("--valid", help=_("Only rows not marked expired (is_expired = 0)."))]
AllRows = Annotated[bool, typer.Option("--all", help=_("Every row (the default)."))]
Search = Annotated[Optional[str], typer.Option("--search", help=_("Only rows whose name, alias or link contains TEXT."))]
DriveFilter = Annotated[Optional[str], typer.Option("--drive-type", help=_("Only rows of this drive_type."))]
JsonOut = Annotated[bool, typer.Option("--json", help=_("JSON on stdout (machine output)."))]
Ids = Annotated[list[int], typer.Argument(help=_("Resource ids (see `resources list`)."), min=1)]


def _status(expired: bool, valid: bool, all_rows: bool) -> str:
    if expired + valid + all_rows > 1:
        fail(_("use only one of --expired, --valid, --all"), ExitCode.USAGE)
    return "expired" if expired else "valid" if valid else "all"


def _config(env_file: Optional[Path], database_url: Optional[str], **flags: Optional[str]) -> settings.Settings:
    return settings.load(environment(env_file, DATABASE_URL=database_url, **flags), need_cookie=False)


def _use_rich() -> bool:
    from quarkctl.render.plain import use_rich  # rich only when a table is drawn

    return use_rich(sys.stdout)


def _echo(text: str, *, err: bool = False) -> None:
    typer.echo(redact(text), err=err)


def _status_word(row: dict[str, Any]) -> str:
    return "expired" if row["is_expired"] else "valid"


def _one_line(value: Any) -> str:
    return " ".join(str("" if value is None else value).split())


def _machine(row: dict[str, Any]) -> dict[str, Any]:
    return {key: resources_formats.machine_value(value) for key, value in row.items()}


def _print_json(document: Any) -> None:
    _echo(json.dumps(document, ensure_ascii=False))


def _print_problems(exc: InvalidInput, source: str) -> None:
    for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
        _echo(f"{source}:{problem.line}: {problem.message}", err=True)
    hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        _echo(ngettext("... and {n} more problem", "... and {n} more problems", hidden).format(n=hidden), err=True)


# -- add -------------------------------------------------------------------------------------


@resources_app.command(
    "add",
    help=_("Add one resource with is_expired = 0, so check-links checks it.\n\n"
           "Example: quarkctl resources add '电影A' 'https://pan.quark.cn/s/abc123def456?pwd=x1y2' --category1 电影 --check"),
)
def add(
    name: Annotated[str, typer.Argument(help=_("drama_name: the resource's name, unique per drive type."))],
    link: Annotated[Optional[str], typer.Argument(help=_("The share link, e.g. https://pan.quark.cn/s/abc123def456?pwd=x1y2"))] = None,
    alias: Annotated[Optional[str], typer.Option("--alias", help=_("alias column."))] = None,
    category1: Annotated[Optional[str], typer.Option("--category1", help=_("category1 column."))] = None,
    category2: Annotated[Optional[str], typer.Option("--category2", help=_("category2 column."))] = None,
    drive_type: Annotated[str, typer.Option("--drive-type", help=_("drive_type column."))] = resources_model.QUARK,
    update: Annotated[bool, typer.Option("--update", help=_("If NAME exists for this drive type, give it LINK (and the values given) instead of failing."))] = False,
    check: Annotated[bool, typer.Option("--check", help=_("Check the link with Quark first and refuse a dead one."))] = False,
    reshare_from: Annotated[Optional[str], typer.Option("--reshare-from", metavar="PATH", help=_("Instead of LINK: share the items of this drive folder and record them, so `resources reshare` can re-create the share."))] = None,
    anonymous: Anonymous = False,
    api_base: ApiBase = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    if (link is None) == (reshare_from is None):
        fail(_("give either LINK or --reshare-from PATH"), ExitCode.USAGE)
    if reshare_from is not None:  # issue 17: the share is made from the drive (commands/reshare.py)
        from quarkctl.commands.reshare import add_from_drive

        return _echo(add_from_drive(name, reshare_from, env=env, timeout=timeout, update=update,
                                    columns={"alias": alias, "category1": category1, "category2": category2}))
    assert link is not None
    config = settings.load(env, need_cookie=check and not anonymous)
    stop = StopSignal()

    def check_first(text: str) -> CheckResult:
        result = resources_operations.check_link(text, config, anonymous=anonymous, timeout=timeout, sleep=stop.sleep)
        if stop.is_set():
            raise Interrupted(_("interrupted; nothing was added"), stop.signum)
        resources_operations.refuse_unless_alive(result, text)
        return result

    if check:
        if drive_type != resources_model.QUARK:
            fail(_("--check: only Quark links (--drive-type quark) can be checked"), ExitCode.USAGE)
        install_signal_handlers(stop)  # a signal ends the check's retry waits at once

    with resources_model.opened(config) as store:
        added = resources_operations.add_resource(
            store, name, link, drive_type=drive_type, alias=alias, category1=category1, category2=category2, update=update,
            check=check_first if check else None,
        )
    message = _("added #{id} {name} ({drive})") if added.action == "insert" else _("updated #{id} {name} ({drive})")
    text = message.format(id=added.id, name=name.strip(), drive=drive_type)
    if added.check is not None:
        text += " " + _("[checked: {verdict}]").format(verdict=verdict_text(added.check.verdict.value))
    _echo(text)


# -- list, show ------------------------------------------------------------------------------


def _rich_list(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(caption=_("{n} resources").format(n=len(rows)), highlight=False)
    table.add_column(_("id"), justify="right")
    table.add_column(_("name"), overflow="fold", max_width=40)  # a 255-character name must not squeeze the link
    for title in (_("drive"), _("status"), _("last check"), _("link")):
        table.add_column(title, overflow="fold")
    for row in rows:
        status = _status_word(row)
        verdict = row["last_verdict"]
        last = "-" if verdict is None else f"[{_VERDICT_STYLE.get(verdict, '')}]{escape(verdict_text(verdict))}[/] {local_time(row['last_checked_at'])}"
        table.add_row(
            str(row["id"]),
            escape(row["drama_name"]),
            escape(row["drive_type"]),
            f"[{_STATUS_STYLE[status]}]{escape(resource_status_text(status))}[/]",
            last,
            escape(row["link"] or ""),
        )
    Console(file=sys.stdout, highlight=False).print(table)


def _plain_list(rows: list[dict[str, Any]]) -> None:
    """Tab-separated, a header first: for grep, cut, awk and cron mail."""
    _echo("\t".join(("id", "name", "drive", "status", "verdict", "checked", "link")))
    for row in rows:
        cells = (row["id"], row["drama_name"], row["drive_type"], _status_word(row), row["last_verdict"] or "-",
                 local_time(row["last_checked_at"]), row["link"] or "")
        _echo("\t".join(_one_line(cell) for cell in cells))


def _csv_rows(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    if not rows:
        return
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow(["" if v is None else v for v in _machine(row).values()])


@resources_app.command(
    "list",
    help=_("List resources with their status and quarkctl's last verdict: a table on a terminal, tab-separated lines otherwise.\n\n"
           "Example: quarkctl resources list --expired --search 电影 --sort checked --desc --limit 20"),
)
def list_(
    expired: OnlyExpired = False,
    valid: OnlyValid = False,
    all_rows: AllRows = False,
    search: Search = None,
    drive_type: DriveFilter = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help=_("Show at most N rows."))] = None,
    sort: Annotated[Sort, typer.Option("--sort", help=_("Order by this field (ties by id)."))] = Sort.id,
    desc: Annotated[bool, typer.Option("--desc", help=_("Reverse the order."))] = False,
    json_output: Annotated[bool, typer.Option("--json", help=_("A JSON array on stdout: every column and the last check."))] = False,
    csv_output: Annotated[bool, typer.Option("--csv", help=_("CSV on stdout: every column and the last check."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    if json_output and csv_output:
        fail(_("use only one of --json, --csv"), ExitCode.USAGE)
    flt = ResourceFilter(status=_status(expired, valid, all_rows), search=search, drive_type=drive_type,
                         sort=sort.value, descending=desc, limit=limit)
    with resources_model.opened(_config(env_file, database_url)) as store:
        rows = resources_operations.list_resources(store, flt)
    if json_output:
        _print_json([_machine(row) for row in rows])
    elif csv_output:
        _csv_rows(rows, sys.stdout)
    elif _use_rich():
        _rich_list(rows)
    else:
        _plain_list(rows)


# -- import, export --------------------------------------------------------------------------


@resources_app.command(
    "import",
    help=_("Import resources; every line is validated first, and one bad line means nothing is written.\n\n"
           "Example: quarkctl resources import links.txt --skip-existing --dry-run"),
)
def import_(
    file: Annotated[str, typer.Argument(metavar="FILE", help=_("CSV, JSON lines or text file; - reads stdin."))],
    fmt: Annotated[ImportFormat, typer.Option("--format", help=_("File format; auto: by extension (.csv, .jsonl, .txt), else by content."))] = ImportFormat.auto,
    drive_type: Annotated[str, typer.Option("--drive-type", help=_("drive_type of lines that do not give one."))] = resources_model.QUARK,
    skip_existing: Annotated[bool, typer.Option("--skip-existing", help=_("Leave rows whose name and drive type are already stored."))] = False,
    update: Annotated[bool, typer.Option("--update", help=_("Update rows whose name and drive type are already stored."))] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Validate and count, write nothing."))] = False,
    encoding: Annotated[str, typer.Option("--encoding", help=_("Text encoding of FILE, e.g. gbk."))] = "utf-8-sig",
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    if skip_existing and update:
        fail(_("use only one of --skip-existing, --update"), ExitCode.USAGE)
    source = "<stdin>" if file == "-" else file
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        fail(_("{file}: cannot read: {reason}").format(file=file, reason=exc.strerror), ExitCode.USAGE)
    on_existing = "update" if update else "skip" if skip_existing else "error"
    try:
        text = resources_formats.decode(data, source, encoding)
        with resources_model.opened(_config(env_file, database_url)) as store:
            result = resources_operations.import_text(store, text, source=source, fmt=fmt.value, drive_type=drive_type,
                                           on_existing=on_existing, dry_run=dry_run)
    except InvalidInput as exc:
        _print_problems(exc, source)
        raise
    counts = {"source": source, "format": result.format, "n": result.records, "inserted": result.inserted,
              "updated": result.updated, "skipped": result.skipped}
    if dry_run:
        _echo(ngettext("{source} ({format}): {n} line valid; would insert {inserted}, update {updated}, skip {skipped} (dry run: nothing written)",
                       "{source} ({format}): {n} lines valid; would insert {inserted}, update {updated}, skip {skipped} (dry run: nothing written)",
                       result.records).format(**counts))
    else:
        _echo(ngettext("{source} ({format}): {n} line; inserted {inserted}, updated {updated}, skipped {skipped}",
                       "{source} ({format}): {n} lines; inserted {inserted}, updated {updated}, skipped {skipped}",
                       result.records).format(**counts))


@resources_app.command(
    "export",
    help=_("Export resources, every column, in id order; `resources import` reads the file back.\n\n"
           "Example: quarkctl resources export --valid --format json -o resources.jsonl"),
)
def export(
    expired: OnlyExpired = False,
    valid: OnlyValid = False,
    all_rows: AllRows = False,
    search: Search = None,
    drive_type: DriveFilter = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help=_("csv (with a header) or json (JSON lines); both import back."))] = ExportFormat.csv,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", dir_okay=False, help=_("Write to this file (replaced whole) instead of stdout."))] = None,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    flt = ResourceFilter(status=_status(expired, valid, all_rows), search=search, drive_type=drive_type)
    with resources_model.opened(_config(env_file, database_url)) as store:
        if output is None:
            resources_operations.export_resources(store, flt, fmt.value, sys.stdout)
            return
        # A temporary file renamed into place: a failed export never leaves half a file behind.
        try:
            handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=output.parent or ".",
                                                 prefix=f".{output.name}.", delete=False)
        except OSError as exc:
            fail(_("--output: cannot write to {path}: {reason}").format(path=output, reason=exc.strerror), ExitCode.USAGE)
        try:
            with handle:
                count = resources_operations.export_resources(store, flt, fmt.value, handle)
            os.replace(handle.name, output)
        finally:
            if os.path.exists(handle.name):
                os.unlink(handle.name)
    _echo(ngettext("exported {n} row to {path}", "exported {n} rows to {path}", count).format(n=count, path=output), err=True)


# -- set-status, revive, rm ------------------------------------------------------------------


@resources_app.command(
    "set-status",
    help=_("Mark resources expired or valid by hand; an unknown id changes nothing.\n\n"
           "Example: quarkctl resources set-status 12 15 --valid"),
)
def set_status(
    ids: Ids,
    expired: Annotated[bool, typer.Option("--expired", help=_("Mark them expired (is_expired = 1)."))] = False,
    valid: Annotated[bool, typer.Option("--valid", help=_("Mark them valid (is_expired = 0): check-links checks them again."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    if expired == valid:
        fail(_("give exactly one of --expired, --valid"), ExitCode.USAGE)
    with resources_model.opened(_config(env_file, database_url)) as store:
        changed = resources_operations.set_status(store, ids, expired=expired)
    values = {"n": len(changed), "ids": ", ".join(f"#{i}" for i in changed), "same": len(set(ids)) - len(changed)}
    if changed:
        message = _("marked {n} expired: {ids}; {same} already were") if expired else _("marked {n} valid: {ids}; {same} already were")
    else:
        message = _("marked {n} expired; {same} already were") if expired else _("marked {n} valid; {same} already were")
    _echo(message.format(**values))


@resources_app.command(
    "revive",
    help=_("Re-check the rows marked expired and mark valid again those that work: a check-links run\n"
           "(same lock, pacing, report and exit codes) over expired rows only.\n\n"
           "Example: quarkctl resources revive --env-file /etc/quarkctl/.env --limit 50"),
)
@declared(CHECK_RUN, CHECK_OUTPUT)
def revive(**values: Any) -> None:
    run_check(values, scope="expired")


@resources_app.command(
    "rm",
    help=_("Delete resources (and quarkctl's check history of them), after asking; an unknown id deletes nothing.\n\n"
           "Example: quarkctl resources rm 12 15 --yes"),
)
def rm(
    ids: Ids,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask (for scripts)."))] = False,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    with resources_model.opened(_config(env_file, database_url)) as store:
        rows = resources_operations.find(store, ids)
        if not yes:
            _confirm_delete(rows)
        deleted = resources_operations.remove(store, ids)
    for resource_id in deleted:
        row = rows[resource_id]
        _echo(_("deleted #{id} {name} ({drive})").format(id=resource_id, name=row["drama_name"], drive=row["drive_type"]))


def _confirm_delete(rows: dict[int, dict[str, Any]]) -> None:
    for row in rows.values():
        _echo(f"#{row['id']} {row['drama_name']} ({row['drive_type']}) {row['link'] or ''}", err=True)
    # Not typer.confirm: it echoes a space to stdout, which belongs to the deleted-rows report.
    question = ngettext("Delete this resource? [y/N]: ", "Delete these {n} resources? [y/N]: ", len(rows))
    typer.echo(question.format(n=len(rows)), err=True, nl=False)
    answer = sys.stdin.readline()
    if not answer:  # stdin closed: nobody to ask
        typer.echo("", err=True)
        fail(_("no answer; nothing was deleted (use --yes in scripts)"), ExitCode.USAGE)
    confirmed = answer.strip().lower() in ("y", "yes")
    if not confirmed:
        _echo(_("nothing was deleted"), err=True)
        raise typer.Exit(1)  # declined: documented as exit 1


def register(app: typer.Typer) -> None:
    if not any(info.name == "show" for info in resources_app.registered_commands):  # once, however many apps are made
        importlib.import_module("quarkctl.commands.resource_show").register(resources_app)  # `resources show`
        importlib.import_module("quarkctl.commands.reshare").register(resources_app)  # issue 17: `resources reshare`
    # `resources --help` lists them in this order (show was defined beside list before it moved out).
    order = ("add", "list", "show", "import", "export", "set-status", "revive", "rm", "reshare")
    resources_app.registered_commands.sort(key=lambda info: order.index(info.name) if info.name in order else len(order))
    app.add_typer(resources_app, name="resources")
