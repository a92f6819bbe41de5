"""The resources operations (import, add, list, show, export, set status, remove): decisions here,
SQL in db.py, HTTP (for `add --check`) in quark/ and the drives' providers (quarkctl/providers/)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import IO, Any

from quarkctl.config.settings import Settings
from quarkctl.db.database import Database
from quarkctl.db.records import CheckRecord, cell_text
from quarkctl.i18n import _, ngettext
from quarkctl.runtime.pacing import Sleeper
from quarkctl.quark.linkcheck import LOGIN_REQUIRED, CheckResult, LinkChecker
from quarkctl.quark.verdict import Verdict
from quarkctl.render.messages import reason_text
from quarkctl.runtime.clock import utcnow

from .drives import Claim, claim, spellings
from .formats import EXPORT_FORMATS, parse_import, write_export
from .model import (
    ON_EXISTING, QUARK, AddResult, DeadLink, ImportResult, InvalidInput, LineProblem, LinkNotChecked, NotFound,
    Record, ResourceFilter, Store,
)
from .values import drive_warning, validate

# add --check's retries of a request that may heal (a timeout, a server error), as check-links' defaults
CHECK_RETRIES = 2
CHECK_BACKOFF = 2.0


def _in_file_duplicates(db: Database, records: Sequence[Record]) -> list[LineProblem]:
    first: dict[tuple[str, str], int] = {}
    problems = []
    for record in records:
        key = db.resource_key(record.values["drama_name"], record.values["drive_type"])
        if key in first:
            problems.append(LineProblem(record.line, _("same drama_name and drive_type as line {line}").format(line=first[key])))
        else:
            first[key] = record.line
    return problems


def import_text(
    store: Store,
    text: str,
    *,
    source: str,
    fmt: str = "auto",
    drive_type: str | None = None,
    on_existing: str = "error",
    dry_run: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Validate every line, then write all of them in one transaction, or nothing (InvalidInput). A line
    without drive_type gets `drive_type`, else its link's drive; one whose drive_type names another drive
    than its link's is stored, with a warning in the result."""
    if on_existing not in ON_EXISTING:
        raise ValueError(f"on_existing must be one of {ON_EXISTING}")
    fmt, records, problems = parse_import(text, source=source, fmt=fmt, drive_type=drive_type, columns=store.db.table_columns())
    problems += _in_file_duplicates(store.db, records)
    if problems:
        raise _bad_lines(source, problems)
    actions = store.db.write_resources([r.values for r in records], on_existing=on_existing, now=now or utcnow(), dry_run=dry_run)
    conflicts = [
        LineProblem(record.line, _("already stored as #{id} (use --skip-existing or --update)").format(id=row_id))
        for record, (action, row_id) in zip(records, actions)
        if action == "conflict"
    ]
    if conflicts:
        raise _bad_lines(source, conflicts)
    count = {action: sum(1 for a, _id in actions if a == action) for action in ("insert", "update", "skip")}
    warnings = tuple(LineProblem(record.line, warning) for record, (action, _id) in zip(records, actions)
                     if action != "skip" and (warning := drive_warning(record.values)) is not None)
    return ImportResult(source, fmt, len(records), count["insert"], count["update"], count["skip"], dry_run, warnings)


def _bad_lines(source: str, problems: list[LineProblem]) -> InvalidInput:
    problems = sorted(problems, key=lambda p: p.line)
    lines = len({p.line for p in problems})
    message = ngettext("{source}: {n} bad line; nothing was imported", "{source}: {n} bad lines; nothing was imported", lines).format(
        source=source, n=lines
    )
    return InvalidInput(message, problems)


# -- one row -----------------------------------------------------------------------------------


def check_link(link: str, settings: Settings, *, anonymous: bool, timeout: float, sleep: Sleeper) -> CheckResult:
    """One link, as check-links would judge it (with its retries, without its pacing), by the drive whose
    host the link has (resources/drives.py); a link no drive reads gets the verdict it would get there."""
    found = claim(link)
    if found is not None and found.drive != QUARK:
        return _check_on_drive(found, timeout=timeout, sleep=sleep, api_bases=settings.api_bases)
    from quarkctl.quark.client import QuarkClient  # HTTP only for `add --check`

    cookie = None if anonymous else settings.cookie
    for sent in (cookie, None) if cookie else (None,):  # a 31001 with the cookie: asked again without it, as check-links
        with QuarkClient(cookie=sent, api_base=settings.api_base, timeout=timeout) as client:
            result = LinkChecker(client, sleep=sleep).check(link)
        if not result.auth_rejected:
            return result
    # 31001 without a cookie: Quark wants a login for this share (issue 21), not a fault of the cookie
    return replace(result, reason=LOGIN_REQUIRED)


def _check_on_drive(found: Claim, *, timeout: float, sleep: Sleeper, api_bases: Mapping[str, str]) -> CheckResult:
    """Another drive's link through its provider: its requests, evidence rules and retries (providers/webdrive.py),
    its API base from QUARKCTL_API_BASE_<DRIVE> (environment or .env) as in check-links; no code-only dead rule is trusted here."""
    from quarkctl.providers.base import CheckRun, DriveSetup, Link
    from quarkctl.providers.registry import open_drives

    if not isinstance(found.found, Link):
        return found.found  # a link of the drive it cannot read: its error, without a request
    provider = open_drives(DriveSetup(lambda: None, timeout=timeout, api_bases=api_bases), [found.drive])[found.drive]
    run = CheckRun(CHECK_RETRIES, CHECK_BACKOFF, sleep=sleep, retry_sleep=sleep, on_wait=lambda *args, **kwargs: None,
                   watch=lambda connection: connection, login_dropped=lambda result: None)
    checker = provider.checker(run)
    try:
        return checker.check(found.found)
    finally:
        checker.close()


def refuse_unless_alive(result: CheckResult, link: str) -> None:
    """Only a dead answer (or a passcode the link lacks) refuses the link as dead; anything else the check
    could not tell stops the add without calling the link dead (LinkNotChecked)."""
    evidence = " ".join(str(x) for x in (result.api_code if result.code is None else result.code, result.message) if x)
    found = claim(link)
    detail = reason_text(result.reason, found.drive if found is not None else None) + (f" ({evidence})" if evidence else "")
    if result.verdict is Verdict.EXPIRED:
        raise DeadLink(_("{link} is dead: {detail}; nothing was added").format(link=link, detail=detail))
    if result.verdict is Verdict.NEEDS_PASSCODE:
        raise DeadLink(_("{link} needs a passcode (提取码) it does not carry: add ?pwd=...; nothing was added").format(link=link))
    if result.verdict is not Verdict.VALID:
        raise LinkNotChecked(_("{link} could not be checked: {detail}; nothing was added (try again, or add it without --check)").format(link=link, detail=detail))


def add_resource(
    store: Store,
    name: str,
    link: str,
    *,
    drive_type: str | None = None,
    alias: str | None = None,
    category1: str | None = None,
    category2: str | None = None,
    update: bool = False,
    check: Callable[[str], CheckResult] | None = None,
    now: datetime | None = None,
) -> AddResult:
    """Insert one row (is_expired 0); an existing (drama_name, drive_type) is an error, or with
    `update` gets the new link (and any other value given). `check` runs after validation and
    before any write, and must raise to refuse the link. Without `drive_type` the row's is the link's drive;
    one that names another drive is stored as given, with the result's warning."""
    given = {"drama_name": name, "link": link, "drive_type": drive_type, "alias": alias, "category1": category1, "category2": category2}
    values, problems = validate({k: v for k, v in given.items() if v is not None}, drive_type=drive_type, need_link=True,
                                columns=store.db.table_columns())
    if problems:
        raise InvalidInput("; ".join(problems))
    now = now or utcnow()
    on_existing = "update" if update else "error"

    def conflict(row_id: int | None) -> InvalidInput:
        return InvalidInput(
            _("{name!r} ({drive}) already exists as #{id}; use --update to give it the new link").format(
                name=values["drama_name"], drive=values["drive_type"], id=row_id
            )
        )

    (action, row_id), = store.db.write_resources([values], on_existing=on_existing, now=now, dry_run=True)
    if action == "conflict":
        raise conflict(row_id)
    result = check(values["link"]) if check is not None else None
    (action, row_id), = store.db.write_resources([values], on_existing=on_existing, now=now)
    if action == "conflict" or row_id is None:
        raise conflict(row_id)
    if result is not None and store.history:
        # as check-links keeps it (checker/record.py): the drive of the link, its code as the drive sent it
        found = claim(values["link"])
        code = result.code if result.code is not None else (None if result.api_code is None else str(result.api_code))
        record = CheckRecord(row_id, now, result.verdict.value, result.reason, result.api_code, result.http_status, result.message,
                             link=values["link"], drive=found.drive if found is not None else None, code=code)
        store.db.add_check(None, record, flush=True)
    return AddResult(row_id, action, result, drive_warning(values), values["drive_type"])


# -- reading -----------------------------------------------------------------------------------


def _drive_types(flt: ResourceFilter) -> tuple[str, ...] | None:
    """The drive_type values a drive filter matches: every spelling of the drive it names (`baidu`, `百度`, ...),
    else the value itself; the database compares them lower-cased."""
    return spellings(flt.drive_type) if flt.drive_type else None


def list_resources(store: Store, flt: ResourceFilter) -> list[dict[str, Any]]:
    """Rows with every cloud_resource column plus last_verdict, last_reason, last_checked_at (aware UTC)."""
    rows = store.db.list_resources(
        status=flt.status, search=flt.search, drive_types=_drive_types(flt), sort=flt.sort,
        descending=flt.descending, limit=flt.limit, history=store.history,
    )
    return [_as_text(row) for row in rows]


def _as_text(row: dict[str, Any]) -> dict[str, Any]:
    """BLOB cells as text, as check-links reads them (db/records.py cell_text): SQLite keeps bytes in a TEXT
    column, and every listing (plain, rich, --json, --csv, show) shows the text, never the bytes' repr."""
    return {key: cell_text(value) if isinstance(value, (bytes, bytearray, memoryview)) else value
            for key, value in row.items()}


def find(store: Store, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The rows by id; NotFound naming every id that is not there."""
    rows = {key: _as_text(row) for key, row in store.db.get_resources(ids, history=store.history).items()}
    missing = sorted(set(ids) - set(rows))
    if missing:
        raise NotFound(ngettext("no resource with id {ids}; nothing was changed", "no resources with ids {ids}; nothing was changed",
                                len(missing)).format(ids=", ".join(map(str, missing))))
    return rows


def show_resource(store: Store, resource_id: int, *, history_limit: int | None = 20) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    row = find(store, [resource_id])[resource_id]
    checks = store.db.checks_of(resource_id, limit=history_limit) if store.history else []
    return row, checks


def export_resources(store: Store, flt: ResourceFilter, fmt: str, stream: IO[str]) -> int:
    """Every matching row, every column, in id order: CSV with a header, or JSON lines. Import reads both back."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {EXPORT_FORMATS}")
    rows = store.db.iter_resources(status=flt.status, search=flt.search, drive_types=_drive_types(flt))
    return write_export(rows, fmt, stream, store.db.table_columns())


# -- changing ----------------------------------------------------------------------------------


def set_status(store: Store, ids: Sequence[int], *, expired: bool, now: datetime | None = None) -> list[int]:
    """The ids whose is_expired changed; NotFound (nothing changed) when an id is not there."""
    changed, missing = store.db.set_resources_expired(ids, expired=expired, now=now or utcnow())
    if missing:
        raise NotFound(ngettext("no resource with id {ids}; nothing was changed", "no resources with ids {ids}; nothing was changed",
                                len(missing)).format(ids=", ".join(map(str, missing))))
    return changed


def remove(store: Store, ids: Sequence[int]) -> list[int]:
    """Delete rows (and their check history); NotFound (nothing deleted) when an id is not there."""
    deleted, missing = store.db.delete_resources(ids, history=store.history)
    if missing:
        raise NotFound(ngettext("no resource with id {ids}; nothing was deleted", "no resources with ids {ids}; nothing was deleted",
                                len(missing)).format(ids=", ".join(map(str, missing))))
    return deleted
