"""The file formats: reading import files (CSV, JSON lines, pasted text; the format detected), each
line validated, and writing exports (CSV, JSON lines) that import reads back."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from quarkctl.i18n import _, ngettext
from quarkctl.providers.linkforms import clean, read_first
from quarkctl.quark.links import QUARK_SHARE_HOST, find_links, without_passcodes

from .drives import Claim, claim, link_spans, readers
from .model import QUARK, InvalidInput, LineProblem, Record
from .share_text import fold
from .values import COLUMNS, IGNORED, Columns, validate

IMPORT_FORMATS = ("auto", "csv", "jsonl", "text")
EXPORT_FORMATS = ("csv", "json")
# Links and their passcodes are found by quark/links.py, the reader check-links uses too (issue 21).
_LABEL = re.compile(r"(?:(?:分享)?链接|link|url)\s*[:：]\s*$", re.IGNORECASE)
_SEPARATORS = " \t:：|,，、-–—"


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
    if "drama_name" in first and "," in first and not find_links(first):
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


def _parse_csv(text: str, drive_type: str | None, columns: Columns = COLUMNS) -> tuple[list[Record], list[LineProblem]]:
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
            unknown = [name for name in header if name not in columns and name not in IGNORED]
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
        given = {name: cell if cell.strip() else None for name, cell in zip(header, cells) if cell.strip() or (name in columns and columns[name][3])}
        values, messages = validate(given, drive_type=drive_type, columns=columns)
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


def _parse_jsonl(text: str, drive_type: str | None, columns: Columns = COLUMNS) -> tuple[list[Record], list[LineProblem]]:
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
        except RecursionError:
            problems.append(LineProblem(number, _("not JSON: nested too deeply")))
            continue
        except ValueError:  # json's only other error: an integer longer than Python converts
            problems.append(LineProblem(number, _("not JSON: a number with more than 4300 digits")))
            continue
        if not isinstance(obj, dict):
            problems.append(LineProblem(number, _("not a JSON object (one object per line, like export writes)")))
            continue
        messages = [] if "link" in obj else [_("link is missing")]
        values, more = validate(obj, drive_type=drive_type, columns=columns)
        messages += more
        problems.extend(LineProblem(number, m) for m in messages)
        if not messages:
            records.append(Record(number, values))
    return records, problems


def parse_text_line(line: str) -> tuple[str, str] | str:
    """(name, link) from a line like `name https://pan.quark.cn/s/abc 提取码: 1234`, or a problem.

    The text before the link is the name (or after it, when nothing is before); a bare link is
    named after itself; a passcode labelled after the link (glued to it or not) is kept with it
    (Quark: as ?pwd=, unless the link's query has one). The link is found and read by the reader
    check-links uses (quark/links.py for Quark, the drive's own for the others: resources/drives.py),
    so the stored link parses as the line did.
    """
    text = clean(line)
    spans = link_spans(text)
    if not spans:
        return _("no link on this line")
    if len(spans) > 1:
        return _("more than one link on this line")
    found = claim(text)
    if found is None or found.drive == QUARK or not found.readable:
        return _quark_line(line)  # Quark's, or no drive's: stored as written, validation says why it is no link
    parsed = _drive_line(text, found.drive)
    if parsed is None:
        return _quark_line(line)
    # The name as written: the cleaning (invisible characters, combining marks) is for reading the link only
    raw = link_spans(line)
    before = _LABEL.sub("", line[: raw[0][0]]).strip(_SEPARATORS) if len(raw) == 1 else ""
    return (before or parsed[0]), parsed[1]


def _quark_line(line: str) -> tuple[str, str] | str:
    links = find_links(line)
    if len(links) != 1:  # the drives' reader saw one link where Quark's sees none (a bare host of another drive)
        return _("no link on this line") if not links else _("more than one link on this line")
    found = links[0]
    before = _LABEL.sub("", line[: found.start]).strip(_SEPARATORS)
    after = line[found.end :]
    name = before or without_passcodes(after).strip(_SEPARATORS + "()（）[]【】")
    link = found.stored_form(line)
    if not name:
        share = found.share
        name = f"https://{QUARK_SHARE_HOST}/s/{share.pwd_id}" if share else link.split("?", 1)[0]
    return name, link


def _drive_line(text: str, drive: str) -> tuple[str, str] | None:
    """Another drive's link on a line: the link as its drive's pattern reads it (scheme added), a passcode
    labelled after it kept in the first form the drive reads back as the line did: in the link's query where
    the drive's own pattern reads it there (`?pwd=`, `?password=`), else labelled after the link, else the
    line's text from the link on."""
    reader = readers()[drive]
    pattern = getattr(reader, "link_pattern", None)
    read = read_first(text, pattern) if pattern is not None else None
    expected = claim(text)
    if pattern is None or read is None or expected is None:
        return None
    match, after = read
    url = match.group(0)
    url = url if "://" in url else "https://" + url
    start, end = link_spans(text)[0]
    code = getattr(getattr(expected.found, "native", None), "passcode", "")
    candidates: list[tuple[str, bool]] = [(url, False)]  # (link, its passcode must sit in the drive's own pattern)
    if code:
        base, hash_, fragment = url.partition("#")
        joint = "&" if "?" in base else "?"
        candidates += [(f"{base}{joint}{key}={code}{hash_}{fragment}", True) for key in ("pwd", "password")]
        candidates.append((f"{url} 提取码：{code}", False))
    candidates.append((text[start:end].strip(), False))
    groups = getattr(reader, "passcode_groups", ())
    link = next((c for c, own in candidates if _reads_as(c, expected) and (not own or _in_pattern(c, pattern, groups))),
                candidates[-1][0])
    before = _LABEL.sub("", text[:start]).strip(_SEPARATORS)
    name = before or without_passcodes(after).strip(_SEPARATORS + "()（）[]【】") or url.split("?", 1)[0]
    return name, link


def _reads_as(link: str, expected: Claim) -> bool:
    again = claim(link)
    return again is not None and again.drive == expected.drive and getattr(again.found, "native", None) == getattr(expected.found, "native", None)


def _in_pattern(link: str, pattern: re.Pattern[str], groups: tuple[int, ...]) -> bool:
    """The drive's own link pattern reads the passcode (not a label the reader falls back on)."""
    read = read_first(link, pattern)
    return read is not None and any(read[0].group(g) for g in groups)


def _parse_text(text: str, drive_type: str | None, columns: Columns = COLUMNS) -> tuple[list[Record], list[LineProblem]]:
    records: list[Record] = []
    problems: list[LineProblem] = []
    for number, line in fold(_lines(text), lambda line: bool(link_spans(clean(line)))):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parsed = parse_text_line(line.strip())
        if isinstance(parsed, str):
            problems.append(LineProblem(number, parsed))
            continue
        name = parsed[0]
        if name.startswith("「") and name.endswith("」") and name.count("「") == 1:  # an app's 「name」 (share_text.py)
            name = name[1:-1].strip()
        values, messages = validate({"drama_name": name, "link": parsed[1]}, drive_type=drive_type, need_link=True, columns=columns)
        problems.extend(LineProblem(number, m) for m in messages)
        if not messages:
            records.append(Record(number, values))
    return records, problems


_PARSERS: dict[str, Callable[[str, str | None, Columns], tuple[list[Record], list[LineProblem]]]] = {
    "csv": _parse_csv,
    "jsonl": _parse_jsonl,
    "text": _parse_text,
}


def parse_import(
    text: str, *, source: str, fmt: str = "auto", drive_type: str | None = None, columns: Columns = COLUMNS
) -> tuple[str, list[Record], list[LineProblem]]:
    """(format, records, problems): every line is looked at, whatever the earlier ones held; `columns`
    are the table's (Database.table_columns: its own extra columns too, issue 23); `drive_type` is the
    drive_type of lines that give none (None: each line's link's drive, resources/values.py)."""
    if fmt not in IMPORT_FORMATS:
        raise ValueError(f"format must be one of {IMPORT_FORMATS}")
    fmt = detect_format(source, text) if fmt == "auto" else fmt
    records, problems = _PARSERS[fmt](text, drive_type, columns)
    return fmt, records, problems


def machine_value(value: Any) -> Any:
    """A value as export and --json/--csv write it: times as `YYYY-MM-DD HH:MM:SS` (local, as stored),
    check times as ISO 8601 with their UTC offset."""
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_export(rows: Iterable[dict[str, Any]], fmt: str, stream: IO[str], columns: Columns = COLUMNS) -> int:
    """The rows, every column of the table (`columns`): CSV with a header, or JSON lines; returns how many were written."""
    names = list(columns)
    writer = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(names)
    count = 0
    for row in rows:
        values = [machine_value(row[name]) for name in names]
        if writer is not None:
            writer.writerow(["" if v is None else v for v in values])
        else:
            stream.write(json.dumps(dict(zip(names, values)), ensure_ascii=False) + "\n")
        count += 1
    return count
