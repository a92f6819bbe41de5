"""What every human-facing reporter shares: when to draw with rich, the fan-out to several
reporters, and the plain timestamped line of cron mail, journald and log files."""

from __future__ import annotations

import os
from typing import IO, Any

from quarkctl.redact import redact
from quarkctl.render.clock import now
from quarkctl.safe_text import json_text, printable_lines

# `2024-05-01 08:00:00 WARN  ` is 26 characters: continuation lines start under the text.
_INDENT = " " * 26


def use_rich(stream: IO[str]) -> bool:
    """Colour and cursor control only on a terminal, never with NO_COLOR or TERM=dumb, never under
    systemd (INVOCATION_ID), whose journal wants plain lines even from a unit given a tty."""
    return (stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
            and "INVOCATION_ID" not in os.environ)


class PlainLines:
    """`<local time> <LEVEL padded to 5> <text>`, redacted, made printable (safe_text.py: no control
    from data reaches a terminal or a log file) and flushed line by line (a crash or a kill loses
    nothing already said); each further line of a text indented under the first."""

    def __init__(self, stream: IO[str], *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet

    def line(self, level: str, text: str, *, always: bool = False) -> None:
        """`always`: said even with --quiet (warnings about the account, aborts, the summary)."""
        if self.quiet and not always:
            return
        stamp = now()
        for i, part in enumerate(printable_lines(text).splitlines() or [""]):
            self.stream.write(redact(f"{stamp} {level:<5} {part}" if i == 0 else f"{_INDENT}{part}") + "\n")
        self.stream.flush()


class Fanout:
    """Passes every call on to each listener that has the method (reporters of any job)."""

    def __init__(self, *listeners: object) -> None:
        self.listeners = listeners

    def __getattr__(self, name: str) -> Any:
        def broadcast(*args: Any, **kwargs: Any) -> None:
            for listener in self.listeners:
                method = getattr(listener, name, None)
                if method is not None:
                    method(*args, **kwargs)

        return broadcast


class JsonDocument:
    """--json: the report's as_dict() as one JSON object on stdout at the end; machine keys, never translated."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def finish(self, report: Any) -> None:
        self.stream.write(redact(json_text(report.as_dict())) + "\n")
        self.stream.flush()


def fan_out(plain: type, rich: type, *, json_mode: bool, quiet: bool, stdout: IO[str], stderr: IO[str],
            log_file: IO[str] | None) -> Fanout:
    """A job's reporters: rich lines on a terminal, else plain lines (on stderr with --json, whose stdout is the
    JSON document), the JSON document, and plain lines to --log-file."""
    human_stream = stderr if json_mode else stdout
    listeners: list[Any] = []
    if not (json_mode and quiet):
        listeners.append((rich if use_rich(human_stream) else plain)(human_stream, quiet=quiet))
    if json_mode:
        listeners.append(JsonDocument(stdout))
    if log_file is not None:
        listeners.append(plain(log_file))
    return Fanout(*listeners)
