"""PanSou's search answer read into candidates (search-api.md section 1.4-1.6), and the one error a search
raises. Pure: no HTTP here (pansou.py asks), so any body, however hostile, can be fed through `candidates`
and comes out as a list of Candidate or as SearchUnavailable, never as another exception."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from quarkctl.errors import QuarkctlError
from quarkctl.i18n import _
from quarkctl.redact import redact
from quarkctl.safe_text import without_surrogates

# Our drive name -> PanSou's link type key (section 1.5: GetLinkType). The nine drives quarkctl knows are
# spelt the same in PanSou (its keys are `baidu`, `123`, `115`, not CloudSaver's baiduPan/pan123/pan115);
# written out so a renamed drive on either side shows here. PanSou's other keys (guangya, pikpak, magnet,
# ed2k, others) are drives quarkctl cannot check, so it never asks for them.
PANSOU_TYPES: dict[str, str] = {
    "quark": "quark", "uc": "uc", "baidu": "baidu", "aliyun": "aliyun", "123": "123",
    "tianyi": "tianyi", "mobile": "mobile", "115": "115", "xunlei": "xunlei",
}  # fmt: skip

# The reasons, machine words (a --json document and the exit code are chosen by them, never by the text)
UNREACHABLE, REFUSED, SERVER_ERROR, BAD_ANSWER = "unreachable", "refused", "server_error", "bad_answer"
REASONS = (UNREACHABLE, REFUSED, SERVER_ERROR, BAD_ANSWER)
_MAX_URL = 2048  # no share link comes near; a longer "url" is not one
_MAX_TEXT = 4000  # a note, a source, a passcode: kept up to here (acquire/rank.py reads a note's first 2,000)
_SNIPPET = 120
# RFC 3339 as Go writes it (section 1.6): fractional seconds of 1 to 9 digits, Z or an offset.
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


class SearchUnavailable(QuarkctlError):
    """The search service could not be asked or did not answer a search: `reason` is one of REASONS,
    `detail` what happened, for the one line the user reads (never a password or a token)."""

    def __init__(self, reason: str, detail: str, where: str = "PanSou") -> None:
        if reason not in REASONS:
            raise ValueError(f"reason: one of {', '.join(REASONS)}, got {reason!r}")
        self.reason = reason
        self.detail = redact(detail)
        templates = {
            UNREACHABLE: _("the search service {where} cannot be reached: {detail}"),
            REFUSED: _("the search service {where} refused the search: {detail}"),
            SERVER_ERROR: _("the search service {where} failed: {detail}"),
            BAD_ANSWER: _("the search service {where} gave an answer quarkctl does not understand: {detail}"),
        }
        super().__init__(redact(templates[reason].format(where=where, detail=self.detail)))


class QueryRefused(SearchUnavailable):
    """The search service refused this one search's request (HTTP 400, 413, 414, 431: the query itself, a title
    too long for its URL): the row fails, the run goes on (an attacker's review, issue 25: one row's 70,000-character
    title ended the whole run with exit 7)."""

    def __init__(self, detail: str, where: str = "PanSou") -> None:
        super().__init__(BAD_ANSWER, detail, where)


@dataclass(frozen=True)
class Candidate:
    """One link PanSou found. `password` is its passcode ("" when none: PanSou's own field, else the `pwd`
    of the link); `datetime` when it was posted, None when PanSou does not know (its zero time), as PanSou
    labels it (a plugin's time marked Z may be Beijing wall-clock time, section 1.6); `source` as PanSou
    names it ("tg:<channel>", "plugin:<name>"); `drive` one of providers/names.py DRIVE_NAMES."""

    url: str
    password: str
    note: str
    datetime: dt.datetime | None
    source: str
    drive: str


def snippet(text: str) -> str:
    """The start of a body or message for a detail: one line, short, fit to encode (no lone surrogate)."""
    flat = " ".join(without_surrogates(text).split())
    return flat if len(flat) <= _SNIPPET else flat[:_SNIPPET] + "…"


def bad_answer(detail: str) -> SearchUnavailable:
    return SearchUnavailable(BAD_ANSWER, detail)


def parse_datetime(value: Any) -> dt.datetime | None:
    """An aware datetime, or None for PanSou's zero time ("0001-01-01T00:00:00Z", section 1.6) and
    anything that is not an RFC 3339 time (a missing time orders a candidate last, it never fails it)."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if int(year) <= 1:
        return None
    try:
        offset = dt.timedelta() if zone in "Zz" else int(zone[0] + "1") * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        tz = dt.timezone(offset)
        micro = int((fraction or "0").ljust(6, "0")[:6])
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz)
    except ValueError:  # month 13, an offset of 24 hours or more
        return None


def dedupe_key(url: str) -> str:
    """Two links to one share: the same but for the case of scheme and host, a trailing slash, or a `pwd`
    carried in the query (TG posts keep it, plugins drop it: section 1.4). Other query keys stay (Baidu's
    `surl` is the share itself)."""
    parts = urlsplit(url)
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "pwd"))
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}?{query}#{parts.fragment}"


def _text(value: Any, limit: int = _MAX_TEXT) -> str:
    """A string field of a result, fit to store and print: no lone surrogate (JSON's "\\ud800" is one; an attacker's
    review, issue 25: writing the intent and printing failed every run), at most `limit` characters."""
    return without_surrogates(value.strip())[:limit] if isinstance(value, str) else ""


def _candidate(item: Any, drive: str) -> Candidate | None:
    """One MergedLink, or None when it holds no usable link (no url, not http(s), absurdly long)."""
    if not isinstance(item, dict):
        return None
    url = _text(item.get("url"), _MAX_URL + 1)
    if not url.lower().startswith(("https://", "http://")) or len(url) > _MAX_URL or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 bracket
        return None
    if not parts.hostname:
        return None
    password = _text(item.get("password")) or dict(parse_qsl(parts.query)).get("pwd", "").strip()
    return Candidate(url=url, password=password, note=_text(item.get("note")), datetime=parse_datetime(item.get("datetime")),
                     source=_text(item.get("source")), drive=drive)


def search_data(body: Any) -> dict[str, Any]:
    """The `data` of the success wrapper `{"code": 0, "message": "success", "data": {...}}` (section 1.4)."""
    if not isinstance(body, dict):
        raise bad_answer(_("not a JSON object"))
    code = body.get("code")
    if code != 0 or isinstance(code, bool) or "code" not in body:
        message = body.get("message") if isinstance(body.get("message"), str) else body.get("error")
        shown = f"code {snippet(str(code))}" if "code" in body else _("no code")
        if isinstance(message, str) and message.strip():
            shown += f" ({snippet(message)})"
        raise bad_answer(_("not a success: {code}").format(code=shown))
    data = body.get("data")
    if not isinstance(data, dict):
        raise bad_answer(_("a success without its data object"))
    return data


def candidates(body: Any, drives: Sequence[str]) -> list[Candidate]:
    """The links of `merged_by_type` for `drives` (our names), drive by drive in the order asked, each in
    PanSou's order, each share once (the first seen; it takes a later duplicate's passcode if it has none)."""
    data = search_data(body)
    merged = data.get("merged_by_type")
    if merged is None:
        return []  # no hits: `data` is just {"total": 0} (section 1.4, omitempty)
    if not isinstance(merged, dict):
        raise bad_answer(_("merged_by_type is not an object"))
    found: dict[str, Candidate] = {}
    for drive in drives:
        items = merged.get(PANSOU_TYPES[drive])
        if items is None:
            continue
        if not isinstance(items, list):
            raise bad_answer(_("merged_by_type.{type} is not a list").format(type=PANSOU_TYPES[drive]))
        for item in items:
            candidate = _candidate(item, drive)
            if candidate is None:
                continue
            key = dedupe_key(candidate.url)
            first = found.get(key)
            if first is None:
                found[key] = candidate
            elif not first.password and candidate.password:
                found[key] = Candidate(first.url, candidate.password, first.note, first.datetime, first.source, first.drive)
    return list(found.values())
