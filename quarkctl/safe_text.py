"""Data made printable (issue 23): names, links and Quark's messages come from web forms, so a control
character in them must never reach a terminal, a log file, cron mail or a notification as a control.

C0 controls, DEL, C1 controls, the bidi overrides and isolates (right-to-left spoofing) and lone
surrogates become a visible escape (`\\x1b`, `\\u202e`); white space controls (tab, line feed, carriage return, vertical
tab, form feed) become a space, as `resources list` has always shown a name's line breaks. Every other
character (CJK, emoji, punctuation) is left as it is.

Used by the sinks every line passes through (errors.py, commands/output.py, render/plain.py and its
rich console, probe/render.py, hooks/monitoring/notify.py), not by what is stored: the database and
--csv to a file keep the data as it came.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BIDI = "\u202a-\u202e\u2066-\u2069"  # LRE RLE PDF LRO RLO, LRI RLI FSI PDI
# A lone surrogate (JSON's "\ud800" reads as one) cannot be written as UTF-8 at all: it failed the whole run's
# output (an attacker's review, issue 25), so it is escaped as a control is
_SURROGATE = "\ud800-\udfff"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}{_SURROGATE}]")
_SPACE = frozenset("\t\n\r\v\f")
# In JSON, a control is written as JSON's own escape: the document reads back to the same data.
_JSON_RAW = re.compile(f"[\x7f-\x9f{_BIDI}{_SURROGATE}]")  # json.dumps escapes C0 itself


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One value (a name, a link, a message) as it may be shown: white space controls as a space,
    every other control as its escape."""
    return _CONTROL.sub(lambda m: " " if m.group() in _SPACE else _escape(m.group()), text)


def printable_lines(text: str) -> str:
    """Text a sink writes: its own line breaks and tabs kept, every other control made printable."""
    return _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else printable(m.group()), text)


def json_printable(text: str) -> str:
    """JSON text (json.dumps(..., ensure_ascii=False)) with DEL, C1 controls and bidi overrides as `\\u`
    escapes, which json.dumps leaves raw: the same document, safe on a terminal."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(document: Any, **options: Any) -> str:
    return json_printable(json.dumps(document, ensure_ascii=False, **options))


def without_surrogates(text: str) -> str:
    """A lone surrogate replaced by U+FFFD: text from a JSON body (a search service's note or message) made fit to
    store and encode as UTF-8."""
    return _LONE.sub("\ufffd", text)


_LONE = re.compile(f"[{_SURROGATE}]")
