"""`quarkctl resources`: put links into cloud_resource, get them out, look at them, tidy them.

An import file is validated whole before anything is written: every bad line is reported with its
line number, and a single bad line means nothing is written. Parsing, validation and decisions live
here; SQL lives in db.py; HTTP (for `add --check`) in quark.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Any

from quarkctl.db import CheckRecord, Database
from quarkctl.errors import AuthError, ExitCode, QuarkctlError
from quarkctl.i18n import _, ngettext
from quarkctl.quark.linkcheck import CheckResult, LinkChecker
from quarkctl.quark.links import QUARK_SHARE_HOST, LinkError, parse_share_url
from quarkctl.render.messages import reason_text
from quarkctl.pacing import Sleeper
from quarkctl.quark.client import QuarkClient
from quarkctl.config.settings import Settings
from quarkctl.quark.verdict import Verdict

STATUSES = ("all", "valid", "expired")
SORTS = ("id", "name", "drive", "status", "checked", "created", "updated")
IMPORT_FORMATS = ("auto", "csv", "jsonl", "text")
EXPORT_FORMATS = ("csv", "json")
ON_EXISTING = ("error", "skip", "update")
QUARK = "quark"
KEY = ("drama_name", "drive_type")
LAST_CHECK = ("last_verdict", "last_reason", "last_checked_at")  # what listings add to each row
IGNORED = ("id", *LAST_CHECK)  # export writes id; an import matches rows by their key instead
COLUMNS = Database.resource_columns()
_INT_RANGE = (-(2**31), 2**31 - 1)
# A URL as people paste it: ASCII only, so "…/s/abc提取码：1234" ends before the Chinese text.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]'"
_PASSCODE = re.compile(r"(?:提取码|密码|访问码|pwd|code)\s*[:：=]?\s*([A-Za-z0-9]{4,8})", re.IGNORECASE)
_LABEL = re.compile(r"(?:(?:分享)?链接|link|url)\s*[:：]\s*$", re.IGNORECASE)
_SEPARATORS = " \t:：|,，、-–—"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidInput(QuarkctlError):
    """Bad input; nothing was written. `problems` name each bad line."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, problems: Sequence[LineProblem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotFound(QuarkctlError):
    exit_code = ExitCode.USAGE


class DeadLink(QuarkctlError):
    """`add --check`: Quark says the link is dead (or needs a passcode it lacks)."""

    exit_code = ExitCode.USAGE


class LinkNotChecked(QuarkctlError):
    """`add --check`: Quark could not tell (network, rate limit, unknown answer)."""

    exit_code = ExitCode.LINK_ERRORS


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based; 0 for a problem of the command line
    message: str


@dataclass(frozen=True)
class Record:
    """One validated input line: the columns it gives (always drama_name and drive_type)."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class ResourceFilter:
    status: str = "all"  # all | valid (is_expired 0) | expired (is_expired 1)
    search: str | None = None  # in drama_name, alias or link
    drive_type: str | None = None
    sort: str = "id"
    descending: bool = False
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}")


@dataclass(frozen=True)
class ImportResult:
    source: str
    format: str
    records: int
    inserted: int
    updated: int
    skipped: int
    dry_run: bool


@dataclass(frozen=True)
class AddResult:
    id: int
    action: str  # insert | update
    check: CheckResult | None


@dataclass
class Store:
    db: Database
    history: bool  # quarkctl_check is there: listings show each row's last verdict


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@contextmanager
def opened(settings: Settings) -> Iterator[Store]:
    db = Database(settings.database_url, default_sqlite=settings.default_sqlite)
    try:
        yield Store(db, db.prepare_for_resources())
    finally:
        db.close()


# -- values ----------------------------------------------------------------------------------

_MISSING = object()  # "not given": the column's default applies


def _convert(name: str, raw: Any) -> Any:
    """One value for one column, or ValueError with a message for the user (naming the column)."""
    kind, max_chars, max_bytes, nullable = COLUMNS[name]
    if raw is None:
        if name in KEY:
            raise ValueError(_("{column} is empty").format(column=name))
        return None if nullable else _MISSING
    if kind == "text":
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ValueError(_("{column} must be text").format(column=name))
        value = str(raw).strip()
        if max_chars is not None and len(value) > max_chars:
            raise ValueError(_("{column} is {n} characters long, the column takes at most {max}").format(
                column=name, n=len(value), max=max_chars))
        if max_bytes is not None and len(value.encode("utf-8")) > max_bytes:
            raise ValueError(_("{column} is longer than the column takes ({max} bytes)").format(column=name, max=max_bytes))
        if name in KEY and not value:
            raise ValueError(_("{column} is empty").format(column=name))
        if _CONTROL.search(value):
            raise ValueError(_("{column} holds a control character (a line break or tab inside a value?)").format(column=name))
        return value
    if kind == "int":
        if name == "is_expired" and isinstance(raw, bool):
            return int(raw)
        if isinstance(raw, str) and re.fullmatch(r"\s*[-+]?\d+\s*", raw):
            value = int(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        else:
            raise ValueError(_("{column} must be a whole number, got {value!r}").format(column=name, value=raw))
        if name == "is_expired" and value not in (0, 1):
            raise ValueError(_("{column} must be 0 or 1, got {value}").format(column=name, value=value))
        if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            raise ValueError(_("{column} is out of range: {value}").format(column=name, value=value))
        return value
    # datetime: ISO 8601 (export writes "2026-11-29 02:00:00"); an offset is turned into local time
    try:
        moment = datetime.fromisoformat(str(raw).strip()) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(_("{column} must be a date and time like 2026-11-29 02:00:00, got {value!r}").format(column=name, value=raw))
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _check_link(link: str, drive_type: str) -> str | None:
    """A message when a Quark row's link is not a Quark share link."""
    if drive_type != QUARK or not link:
        return None
    try:
        parse_share_url(link)
    except LinkError as exc:
        if exc.reason == "malformed_link":
            return _("link: a Quark link without a share id (/s/<id>): {link}").format(link=link)
        return _("link: not a Quark share link (https://pan.quark.cn/s/...): {link}").format(link=link)
    return None


def validate(given: dict[str, Any], *, drive_type: str = QUARK, need_link: bool = False) -> tuple[dict[str, Any], list[str]]:
    """(values, problems) for one input line; `given` maps column names to raw values."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    bad: set[str] = set()  # columns already reported
    for name, raw in given.items():
        if name in IGNORED:
            continue
        if name not in COLUMNS:
            problems.append(_("unknown column {name!r}").format(name=name))
            continue
        try:
            value = _convert(name, raw)
        except ValueError as exc:
            problems.append(str(exc))
            bad.add(name)
            continue
        if value is not _MISSING:
            values[name] = value
    values.setdefault("drive_type", drive_type)
    if "drama_name" not in values and "drama_name" not in bad:
        problems.append(_("drama_name is missing"))
    if need_link and not values.get("link"):
        problems.append(_("link is empty"))
    link_problem = _check_link(values.get("link") or "", values["drive_type"])
    if link_problem:
        problems.append(link_problem)
    return values, problems


# -- reading import files ---------------------------------------------------------------------


def detect_format(source: str, text: str) -> str:
    suffix = Path(source).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".txt":
        return "text"
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    if "drama_name" in first and "," in first and not _URL.search(first):
        return "csv"
    return "text"


def decode(data: bytes, source: str, encoding: str = "utf-8-sig") -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise InvalidInput(_("--encoding: unknown encoding {encoding!r}").format(encoding=encoding)) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(
            _("{source}: line {line} is not {encoding} text; nothing was imported (try --encoding gbk)").format(
                source=source, line=line, encoding=encoding
            ),
            [LineProblem(line, _("not {encoding} text").format(encoding=encoding))],
        ) from None


def _parse_csv(text: str, drive_type: str) -> tuple[list[Record], list[LineProblem]]:
    records: list[Record] = []
    problems: list[LineProblem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(LineProblem(start, _("not valid CSV: {reason}").format(reason=exc)))
            break  # the reader cannot resync after a broken quote
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            unknown = [name for name in header if name not in COLUMNS and name not in IGNORED]
            repeated = sorted({name for name in header if header.count(name) > 1})
            if unknown:
                problems.append(LineProblem(start, _("unknown columns: {names} (the header must name cloud_resource columns)").format(names=", ".join(unknown))))
            if repeated:
                problems.append(LineProblem(start, _("repeated columns: {names}").format(names=", ".join(repeated))))
            missing = [name for name in ("drama_name", "link") if name not in header]
            if missing:
                problems.append(LineProblem(start, _("the header lacks {names}").format(names=", ".join(missing))))
            if problems:
                return [], problems
            continue
        if len(cells) != len(header):
            problems.append(LineProblem(start, ngettext("{got} field, the header has {want}", "{got} fields, the header has {want}",
                                                        len(cells)).format(got=len(cells), want=len(header))))
            continue
        # CSV has no NULL: an empty cell is NULL where the column takes it, else the column's default.
        given = {name: cell if cell.strip() else None for name, cell in zip(header, cells) if cell.strip() or (name in COLUMNS and COLUMNS[name][3])}
        values, messages = validate(given, drive_type=drive_type)
        problems.extend(LineProblem(start, m) for m in messages)
        if not messages:
            records.append(Record(start, values))
    if header is None and not problems:
        problems.append(LineProblem(1, _("no header line (drama_name,link,...)")))
    return records, problems


def _lines(text: str) -> Iterator[tuple[int, str]]:
    # split("\n"), not splitlines(): U+2028 and friends are ordinary characters inside a name.
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.rstrip("\r")


def _parse_jsonl(text: str, drive_type: str) -> tuple[list[Record], list[LineProblem]]:
    records: list[Record] = []
    problems: list[LineProblem] = []
    for number, line in _lines(text):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(LineProblem(number, _("not JSON: {reason}").format(reason=exc.msg)))
            continue
        if not isinstance(obj, dict):
            problems.append(LineProblem(number, _("not a JSON object (one object per line, like export writes)")))
            continue
        messages = [] if "link" in obj else [_("link is missing")]
        values, more = validate(obj, drive_type=drive_type)
        messages += more
        problems.extend(LineProblem(number, m) for m in messages)
        if not messages:
            records.append(Record(number, values))
    return records, problems


def parse_text_line(line: str) -> tuple[str, str] | str:
    """(name, link) from a line like `name https://pan.quark.cn/s/abc 提取码: 1234`, or a problem.

    The text before the link is the name (or after it, when nothing is before); a bare link is
    named after itself; a passcode next to the link is added to it as ?pwd=.
    """
    urls = list(_URL.finditer(line))
    if not urls:
        return _("no link on this line")
    if len(urls) > 1:
        return _("more than one link on this line")
    match = urls[0]
    url = match.group(0).rstrip(_URL_TAIL)
    before = _LABEL.sub("", line[: match.start()]).strip(_SEPARATORS)
    after = line[match.start() + len(url) :]
    passcode = _PASSCODE.search(after)
    name = before or _PASSCODE.sub("", after).strip(_SEPARATORS + "()（）[]【】")
    link = url
    try:
        parsed = parse_share_url(url)
    except LinkError:
        parsed = None
    if parsed is not None and passcode and not parsed.passcode:
        link = f"{url}{'&' if '?' in url else '?'}pwd={passcode.group(1)}"
    if not name:
        name = f"https://{QUARK_SHARE_HOST}/s/{parsed.pwd_id}" if parsed else url.split("?", 1)[0]
    return name, link


def _parse_text(text: str, drive_type: str) -> tuple[list[Record], list[LineProblem]]:
    records: list[Record] = []
    problems: list[LineProblem] = []
    for number, line in _lines(text):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parsed = parse_text_line(line.strip())
        if isinstance(parsed, str):
            problems.append(LineProblem(number, parsed))
            continue
        values, messages = validate({"drama_name": parsed[0], "link": parsed[1]}, drive_type=drive_type, need_link=True)
        problems.extend(LineProblem(number, m) for m in messages)
        if not messages:
            records.append(Record(number, values))
    return records, problems


_PARSERS: dict[str, Callable[[str, str], tuple[list[Record], list[LineProblem]]]] = {
    "csv": _parse_csv,
    "jsonl": _parse_jsonl,
    "text": _parse_text,
}


def parse_import(text: str, *, source: str, fmt: str = "auto", drive_type: str = QUARK) -> tuple[str, list[Record], list[LineProblem]]:
    """(format, records, problems): every line is looked at, whatever the earlier ones held."""
    if fmt not in IMPORT_FORMATS:
        raise ValueError(f"format must be one of {IMPORT_FORMATS}")
    fmt = detect_format(source, text) if fmt == "auto" else fmt
    records, problems = _PARSERS[fmt](text, drive_type)
    return fmt, records, problems


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
    drive_type: str = QUARK,
    on_existing: str = "error",
    dry_run: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Validate every line, then write all of them in one transaction, or nothing (InvalidInput)."""
    if on_existing not in ON_EXISTING:
        raise ValueError(f"on_existing must be one of {ON_EXISTING}")
    fmt, records, problems = parse_import(text, source=source, fmt=fmt, drive_type=drive_type)
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
    return ImportResult(source, fmt, len(records), count["insert"], count["update"], count["skip"], dry_run)


def _bad_lines(source: str, problems: list[LineProblem]) -> InvalidInput:
    problems = sorted(problems, key=lambda p: p.line)
    lines = len({p.line for p in problems})
    message = ngettext("{source}: {n} bad line; nothing was imported", "{source}: {n} bad lines; nothing was imported", lines).format(
        source=source, n=lines
    )
    return InvalidInput(message, problems)


# -- one row -----------------------------------------------------------------------------------


def check_link(link: str, settings: Settings, *, anonymous: bool, timeout: float, sleep: Sleeper) -> CheckResult:
    """One link, as check-links would judge it (with its retries, without its pacing)."""
    cookie = None if anonymous else settings.cookie
    with QuarkClient(cookie=cookie, api_base=settings.api_base, timeout=timeout) as client:
        result = LinkChecker(client, sleep=sleep).check(link)
    if result.auth_rejected:
        raise AuthError(_("QUARK_COOKIE was rejected by Quark: sign in at pan.quark.cn and copy a fresh cookie"))
    return result


def refuse_unless_alive(result: CheckResult, link: str) -> None:
    evidence = " ".join(str(x) for x in (result.api_code, result.message) if x)
    detail = reason_text(result.reason) + (f" ({evidence})" if evidence else "")
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
    drive_type: str = QUARK,
    alias: str | None = None,
    category1: str | None = None,
    category2: str | None = None,
    update: bool = False,
    check: Callable[[str], CheckResult] | None = None,
    now: datetime | None = None,
) -> AddResult:
    """Insert one row (is_expired 0); an existing (drama_name, drive_type) is an error, or with
    `update` gets the new link (and any other value given). `check` runs after validation and
    before any write, and must raise to refuse the link."""
    given = {"drama_name": name, "link": link, "drive_type": drive_type, "alias": alias, "category1": category1, "category2": category2}
    values, problems = validate({k: v for k, v in given.items() if v is not None}, drive_type=drive_type, need_link=True)
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
        record = CheckRecord(row_id, now, result.verdict.value, result.reason, result.api_code, result.http_status, result.message)
        store.db.add_check(None, record, flush=True)
    return AddResult(row_id, action, result)


# -- reading -----------------------------------------------------------------------------------


def list_resources(store: Store, flt: ResourceFilter) -> list[dict[str, Any]]:
    """Rows with every cloud_resource column plus last_verdict, last_reason, last_checked_at (aware UTC)."""
    return store.db.list_resources(
        status=flt.status, search=flt.search, drive_type=flt.drive_type, sort=flt.sort,
        descending=flt.descending, limit=flt.limit, history=store.history,
    )


def find(store: Store, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The rows by id; NotFound naming every id that is not there."""
    rows = store.db.get_resources(ids, history=store.history)
    missing = sorted(set(ids) - set(rows))
    if missing:
        raise NotFound(ngettext("no resource with id {ids}; nothing was changed", "no resources with ids {ids}; nothing was changed",
                                len(missing)).format(ids=", ".join(map(str, missing))))
    return rows


def show_resource(store: Store, resource_id: int, *, history_limit: int | None = 20) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    row = find(store, [resource_id])[resource_id]
    checks = store.db.checks_of(resource_id, limit=history_limit) if store.history else []
    return row, checks


def machine_value(value: Any) -> Any:
    """A value as export and --json/--csv write it: times as `YYYY-MM-DD HH:MM:SS` (local, as stored),
    check times as ISO 8601 with their UTC offset."""
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_resources(store: Store, flt: ResourceFilter, fmt: str, stream: IO[str]) -> int:
    """Every matching row, every column, in id order: CSV with a header, or JSON lines. Import reads both back."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {EXPORT_FORMATS}")
    names = list(COLUMNS)
    writer = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(names)
    count = 0
    for row in store.db.iter_resources(status=flt.status, search=flt.search, drive_type=flt.drive_type):
        values = [machine_value(row[name]) for name in names]
        if writer is not None:
            writer.writerow(["" if v is None else v for v in values])
        else:
            stream.write(json.dumps(dict(zip(names, values)), ensure_ascii=False) + "\n")
        count += 1
    return count


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
