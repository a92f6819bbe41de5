"""The file a SQLite URL opens, whatever its spelling (issue 23).

With `?uri=true` the database part is SQLite's own URI (`sqlite:///file:/srv/site.db?mode=rw&uri=true`,
`file:///srv/site.db`, `file://localhost/srv/site.db`, percent-encoded): the lock beside the database,
the existence check and doctor all need the file itself, or two spellings of one file run at once.
Without `uri`, `file:...` is an ordinary (odd) file name, as SQLite opens it then.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL
from sqlalchemy.util import asbool


def _is_uri(url: URL) -> bool:
    value = url.query.get("uri", "")
    try:
        return isinstance(value, str) and bool(value) and asbool(value)
    except ValueError:
        return False  # the engine reports the bad value


def sqlite_file(url: URL) -> Path | None:
    """The path SQLite opens for `url` (relative to the working folder, as SQLite takes it), or None for
    an in-memory database."""
    name = url.database
    if not name or name == ":memory:":
        return None
    if not (_is_uri(url) and name.startswith("file:")):
        return Path(name)
    if url.query.get("mode") == "memory":
        return None
    rest = name[len("file:"):].split("#", 1)[0]
    if rest.startswith("//"):  # file://AUTHORITY/PATH: SQLite takes only an empty authority or localhost
        _authority, slash, path = rest[2:].partition("/")
        rest = slash + path
    path = unquote(rest)
    return None if path in ("", ":memory:") else Path(path)
