"""Help pages, kept once rendered, as man keeps its formatted pages (cat pages).

typer renders a help page with rich: loading typer and rich and laying out the panels costs about
twice `import typer` (bench/startup.py), the same for a two-command typer app. A help page is fixed
by what it is rendered from, so the second `quarkctl ... --help` with the same inputs prints the
page kept from the first and loads neither. The inputs, all in the key:
- the command line (the language with it: --lang, QUARKCTL_LANG, LANG... are in the environment);
- the environment, whole (colour, width and language variables, and any other), and the folder,
  since a .env file there may set the language; the .env file's size and time;
- whether stdout and stderr are terminals, and the terminal's size;
- the code: quarkctl's version and every file of the package (size and time, so an edit or an
  upgrade renders anew), typer's and rich's, and Python's.
Only a page that typer rendered (Context.get_help ran), written to stdout alone, ending in exit 0,
is kept. Anything unexpected (no cache folder, a full disk, a typer without get_help) means no
cache: the page is rendered as always. QUARKCTL_NO_HELP_CACHE=1 turns it off.
"""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import contextmanager, suppress
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

KEEP = 64  # pages kept; the oldest go first (each language, width and command is one page)
_VOLATILE = {"_", "OLDPWD"}  # set by the shell to the command itself or the folder before: not an input


def wanted(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """A --help before any `--`, not a shell-completion request, and not turned off."""
    if environ.get("QUARKCTL_NO_HELP_CACHE") or any(k.startswith(("_QUARKCTL_COMPLETE", "_TYPER")) for k in environ):
        return False
    args = list(argv)
    return "--help" in (args[:args.index("--")] if "--" in args else args)


def folder(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "quarkctl" / "help"


def _stamp(path: str | os.PathLike[str]) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}"


def _tree(root: str) -> Iterator[str]:
    """Every file under root (no bytecode), with its size and time."""
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _tree(entry.path)
            else:
                st = entry.stat()
                yield f"{entry.path}:{st.st_size}:{st.st_mtime_ns}"


def _package_file(name: str) -> str:
    spec = find_spec(name)  # finds, does not import
    return _stamp(spec.origin) if spec is not None and spec.origin else "-"


def _terminal(fd: int) -> str:
    try:
        if not os.isatty(fd):
            return "-"
        size = os.get_terminal_size(fd)
    except OSError:
        return "?"
    return f"{size.columns}x{size.lines}"


def key(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    from quarkctl import __version__
    from quarkctl.launch import option_value  # as launch reads --env-file for the language

    digest = hashlib.blake2b(digest_size=16)
    env_file = option_value(argv, "--env-file")
    parts = [
        __version__, sys.version, sys.executable, os.getcwd(), _stamp(env_file or ".env"),
        _terminal(1), _terminal(2), _package_file("typer"), _package_file("rich"),
        "\0".join(argv),
        "\0".join(f"{k}={v}" for k, v in sorted(environ.items()) if k not in _VOLATILE),
        *_tree(os.path.dirname(os.path.abspath(__file__))),
    ]
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def page_for(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The key of this help request's page, or None when it is not one to keep (see wanted)."""
    if not wanted(argv, environ):
        return None
    try:
        return key(argv, environ)
    except (OSError, ValueError):
        return None


def replay(name: str, environ: Mapping[str, str]) -> bool:
    """Print the kept page; False when there is none (render it then)."""
    from quarkctl.errors import QuarkctlError
    from quarkctl.safefs import PrivateDir

    try:  # only from a folder of this user's that nobody else may write to (issue 23: run as root)
        with PrivateDir(folder(environ)) as where:
            fd = where.open(name, os.O_RDONLY)
            with os.fdopen(fd, "rb") as f:
                page = f.read()
    except (OSError, ValueError, QuarkctlError):
        return False
    sys.stdout.flush()
    sys.stdout.buffer.write(page)
    sys.stdout.buffer.flush()
    return True


class _Tee:
    """stdout as it is, and a copy of what was written."""

    def __init__(self, stream: object) -> None:
        self._stream = stream
        self.parts: list[str | bytes] = []

    def write(self, text: str | bytes) -> int:
        self.parts.append(text)
        return self._stream.write(text)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:  # isatty, fileno, encoding, flush...: the real stream's
        return getattr(self._stream, name)


@contextmanager
def recording(name: str, environ: Mapping[str, str]) -> Iterator[None]:
    """Run the command; keep its stdout as this request's page when it was a help page and exit 0."""
    try:
        from typer._click.core import Context
    except ImportError:
        yield
        return
    original = getattr(Context, "get_help", None)
    if original is None:
        yield
        return
    rendered: list[bool] = []
    where = folder(environ)

    def get_help(self: Context) -> str:
        rendered.append(True)
        return original(self)

    out, err = sys.stdout, sys.stderr
    tee, err_tee = _Tee(out), _Tee(err)
    Context.get_help = get_help  # type: ignore[method-assign]
    sys.stdout, sys.stderr = tee, err_tee  # type: ignore[assignment]
    status: object = None
    try:
        yield
    except SystemExit as exc:
        status = exc.code
        raise
    finally:
        sys.stdout, sys.stderr = out, err
        Context.get_help = original  # type: ignore[method-assign]
        if rendered and status in (0, None) and not any(err_tee.parts):
            encoding = getattr(out, "encoding", None) or "utf-8"
            page = b"".join(p if isinstance(p, bytes) else p.encode(encoding) for p in tee.parts)
            from quarkctl.errors import QuarkctlError

            with suppress(OSError, ValueError, QuarkctlError):  # no cache folder, a full disk, a folder others
                _keep(where, name, page)  # may write to: the page was printed all the same


def _keep(where: Path, name: str, page: bytes) -> None:
    from quarkctl.safefs import PrivateDir

    with PrivateDir(where) as folder_:
        folder_.replace(name, page)  # whole or not at all: a reader never sees half a page
        pages = sorted(folder_.names(), key=folder_.mtime_ns)
        for old in pages[:-KEEP]:
            with suppress(OSError):
                folder_.unlink(old)
