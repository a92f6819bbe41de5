"""Keep secrets (the Quark cookie, the database password) out of every line we print or log."""

from __future__ import annotations

import threading

MASK = "***"
_MIN_SECRET = 4  # shorter strings would mask ordinary words


class Redactor:
    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= _MIN_SECRET:
            with self._lock:
                self._secrets.add(secret)

    def add_cookie(self, cookie: str | None) -> None:
        """The whole cookie, and each value in it: an error may quote a single value."""
        if not cookie:
            return
        self.add(cookie.strip())
        for part in cookie.replace("\n", ";").split(";"):
            _, _, value = part.partition("=")
            if len(value.strip()) >= 8:
                self.add(value.strip())

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


redact = Redactor()


def masked_url(url: str) -> str:
    """A URL for a message (a proxy's, PanSou's): a user and password written into it masked, and the values of
    its query and fragment too (`?token=SECRET`: an attacker's review, issue 25), each kept out of every later line."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 bracket: not a URL to show at all
        return MASK
    if "@" in parts.netloc:
        userinfo, _at, host = parts.netloc.rpartition("@")
        redact.add(userinfo)
        redact.add(userinfo.partition(":")[2])
        parts = parts._replace(netloc=f"{MASK}@{host}")
    if parts.query:
        pairs = [pair.partition("=") for pair in parts.query.split("&")]
        for _key, _eq, value in pairs:
            redact.add(value)
        parts = parts._replace(query="&".join(f"{key}{eq}{MASK if value else ''}" for key, eq, value in pairs))
    if parts.fragment:
        redact.add(parts.fragment)
        parts = parts._replace(fragment=MASK)
    return parts.geturl()
