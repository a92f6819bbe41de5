"""How the commands that print a report themselves write it to stdout: redacted and made printable
(safe_text.py), a line or one JSON document."""

from __future__ import annotations

from typing import Any

import typer

from quarkctl.redact import redact
from quarkctl.safe_text import json_text, printable_lines


def echo(text: str = "", *, err: bool = False) -> None:
    typer.echo(printable_lines(redact(text)), err=err)


def print_json(document: Any) -> None:
    echo(json_text(document))
