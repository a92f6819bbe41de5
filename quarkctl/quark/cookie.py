"""The account cookie of one run, shared by every client the run makes (one per worker).

Quark rotates `__puus` through Set-Cookie (quark-api.md 1.3; OpenList merges it back the same way).
The newest value is kept here, in memory, for the rest of the run: it is never written to disk and
never printed (each new value is registered with the redactor). `drop()` turns the run anonymous
when Quark has clearly rejected the cookie: share pages answer logged out.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.redact import redact


def _pairs(cookie: str) -> list[tuple[str, str | None]]:
    """`a=1; b=2` -> [("a", "1"), ("b", "2")]; a piece without `=` is kept as it is (value None)."""
    pairs: list[tuple[str, str | None]] = []
    for piece in cookie.split(";"):
        piece = piece.strip()
        if not piece:
            continue
        name, eq, value = piece.partition("=")
        pairs.append((name.strip(), value.strip()) if eq else (piece, None))
    return pairs


_SENDABLE = re.compile(r"[\x20-\x7e\t]*")  # what an HTTP header carries as it is: printable ASCII


class SessionCookie:
    def __init__(self, cookie: str | None) -> None:
        if cookie and not _SENDABLE.fullmatch(cookie.strip()):
            # One clear line, not a "connection error" per request (a new user's review, issue 21); the
            # value itself is never shown.
            raise ConfigError(_("the cookie (QUARK_COOKIE, or the config's cookie) holds characters a cookie cannot carry "
                                "(non-ASCII letters or a line break): copy it again from the browser"))
        self._lock = threading.Lock()
        self._pairs = _pairs(cookie) if cookie and cookie.strip() else []
        self.rotated: set[str] = set()  # names Quark replaced during the run
        self.dropped = False

    def header(self) -> str | None:
        """The Cookie header to send now; None when there is no cookie (or it was dropped)."""
        with self._lock:
            if self.dropped or not self._pairs:
                return None
            return "; ".join(name if value is None else f"{name}={value}" for name, value in self._pairs)

    def merge(self, set_cookies: Iterable[str]) -> None:
        """Take the new values of Set-Cookie headers (`__puus=...; Path=/; HttpOnly`). Only the first
        `name=value` of each header counts; an empty value (a deletion) is ignored, so a confused
        gateway cannot wipe the session for the rest of the run."""
        with self._lock:
            if self.dropped or not self._pairs:
                return  # anonymous: a session the user never gave us is not adopted
            for header in set_cookies:
                name, eq, value = header.split(";", 1)[0].partition("=")
                name, value = name.strip(), value.strip().strip('"')
                if not eq or not name or not value:
                    continue
                redact.add(value)
                for i, (known, old) in enumerate(self._pairs):
                    if known == name:
                        if old != value:
                            self._pairs[i] = (name, value)
                            self.rotated.add(name)
                        break
                else:
                    self._pairs.append((name, value))
                    self.rotated.add(name)

    def drop(self) -> None:
        with self._lock:
            self.dropped = True

    @property
    def active(self) -> bool:
        return self.header() is not None
