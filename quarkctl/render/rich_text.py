"""What the reporters draw on a terminal with rich, built so that data is never interpreted (issue 23).

The console has markup and emoji codes off, so a `[` or `:name:` in a name is only text and a missing
style can never raise MarkupError; every string it renders passes through the redactor and
safe_text.printable_lines. Lines that mix a style and data are rich Text objects made here, since a
Text skips the console's string path.
"""

from __future__ import annotations

from typing import IO, Any, Union

from rich.console import Console
from rich.text import Text

from quarkctl.redact import redact
from quarkctl.safe_text import printable_lines

Part = Union[str, tuple[str, str]]  # text, or (text, style)


def clean(text: str) -> str:
    return printable_lines(redact(text))


class SafeConsole(Console):
    def __init__(self, file: IO[str], **options: Any) -> None:
        super().__init__(file=file, highlight=False, markup=False, emoji=False, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(clean(text), **options)


def styled(text: str, style: str = "") -> Text:
    """One piece of data in one style (an unknown or empty style is no style)."""
    return Text(clean(text), style=style or "")


def assemble(*parts: Part) -> Text:
    """A line of several pieces, each in its own style: `assemble(("[1/2]", "dim"), " ", name)`."""
    return Text.assemble(*((clean(p), "") if isinstance(p, str) else (clean(p[0]), p[1] or "") for p in parts))
