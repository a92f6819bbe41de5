"""Validation of one input line against the cloud_resource columns (types, lengths, the key, every drive's
links: resources/drives.py), shared by every import format and by `resources add`."""

from __future__ import annotations

import re
from datetime import datetime
from collections.abc import Mapping
from typing import Any

from quarkctl.db.database import Database
from quarkctl.i18n import _
from quarkctl.render.messages import drive_text

from .drives import claim, disagrees, drive_named
from .model import QUARK

KEY = ("drama_name", "drive_type")
LAST_CHECK = ("last_verdict", "last_reason", "last_checked_at")  # what listings add to each row
IGNORED = ("id", *LAST_CHECK)  # export writes id; an import matches rows by their key instead
COLUMNS = Database.resource_columns()  # the seed shape; a command on a database uses Database.table_columns()
Columns = Mapping[str, tuple[str, "int | None", "int | None", bool]]
_INT_RANGE = (-(2**31), 2**31 - 1)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MISSING = object()  # "not given": the column's default applies


def _convert(name: str, raw: Any, columns: Columns = COLUMNS) -> Any:
    """One value for one column, or ValueError with a message for the user (naming the column)."""
    kind, max_chars, max_bytes, nullable = columns[name]
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
            number = int(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool):
            number = raw
        else:
            raise ValueError(_("{column} must be a whole number, got {value!r}").format(column=name, value=raw))
        if name == "is_expired" and number not in (0, 1):
            raise ValueError(_("{column} must be 0 or 1, got {value}").format(column=name, value=number))
        if not _INT_RANGE[0] <= number <= _INT_RANGE[1]:
            raise ValueError(_("{column} is out of range: {value}").format(column=name, value=number))
        return number
    if kind == "other":  # a column of the user's own type: the database converts
        return raw.strip() if isinstance(raw, str) else raw
    # datetime: ISO 8601 (export writes "2026-11-29 02:00:00"); an offset is turned into local time
    try:
        moment = datetime.fromisoformat(str(raw).strip()) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(_("{column} must be a date and time like 2026-11-29 02:00:00, got {value!r}").format(column=name, value=raw))
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _check_link(link: str, drive_type: str) -> str | None:
    """A message when the link is not one to store: a link of a drive that drive cannot read, or a link of no
    drive on a row whose drive_type names one of ours. Other drive_types (the table holds other things too)
    keep any link."""
    if not link:
        return None
    found = claim(link)
    if found is None:
        if drive_named(drive_type) is None:
            return None
        return _("link: not a share link of a known drive: {link}").format(link=link)
    if found.readable:
        return None
    if found.drive == QUARK:
        if getattr(found.found, "reason", None) == "malformed_url":
            return _("link: a malformed URL, stray brackets or characters around pan.quark.cn: {link}").format(link=link)
        return _("link: a Quark link without a share id (/s/<id>): {link}").format(link=link)
    return _("link: a {drive} link without a share id quarkctl can read: {link}").format(drive=drive_text(found.drive), link=link)


def drive_warning(values: Mapping[str, Any]) -> str | None:
    """A warning when the row's drive_type names another drive than its link's: stored as given, the link's
    host decides at check time (providers/names.py)."""
    drive = disagrees(values.get("drive_type"), values.get("link"))
    if drive is None:
        return None
    return _("drive_type {given!r} is not the link's drive ({drive}); stored as given, check-links goes by the link").format(
        given=values.get("drive_type"), drive=drive)


def validate(
    given: dict[str, Any], *, drive_type: str | None = None, need_link: bool = False, columns: Columns = COLUMNS
) -> tuple[dict[str, Any], list[str]]:
    """(values, problems) for one input line; `given` maps column names to raw values. `drive_type`: the
    drive_type of a line that gives none (None: its link's drive)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    bad: set[str] = set()  # columns already reported
    for name, raw in given.items():
        if name in IGNORED:
            continue
        if name not in columns:
            problems.append(_("unknown column {name!r}").format(name=name))
            continue
        try:
            value = _convert(name, raw, columns)
        except ValueError as exc:
            problems.append(str(exc))
            bad.add(name)
            continue
        if value is not _MISSING:
            values[name] = value
    if "drive_type" not in values and "drive_type" not in bad:
        # Not given: the default given (--drive-type), else the link's drive, else the column's default
        found = claim(values.get("link"))
        values["drive_type"] = drive_type or (found.drive if found is not None else QUARK)
    if "drama_name" not in values and "drama_name" not in bad:
        problems.append(_("drama_name is missing"))
    if need_link and not values.get("link") and "link" not in bad:  # a link already reported is not also "empty"
        problems.append(_("link is empty"))
    link_problem = _check_link(values.get("link") or "", values.get("drive_type") or "")
    if link_problem:
        problems.append(link_problem)
    return values, problems
