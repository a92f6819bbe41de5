"""How the commands that print a report themselves write it to stdout: redacted, a line or one JSON document."""

from __future__ import annotations

import json
from typing import Any

import typer

from quarkctl.redact import redact


def echo(text: str = "", *, err: bool = False) -> None:
    typer.echo(redact(text), err=err)


def print_json(document: Any) -> None:
    echo(json.dumps(document, ensure_ascii=False))
