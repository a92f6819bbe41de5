"""quarkctl's help pages, drawn from the command's own click objects (issue 23: every word readable).

typer's rich pages cut Chinese help with "…" (its table columns crop, and CJK text has no spaces to
wrap at) and show metavars like Python types (`<int range>`, `<list[str]>`). This page wraps every
text in display cells (render/wrap.py), never cuts an option name, and names each value in capitals
(FILE, URL, SECONDS, N): an option's own metavar, else one made from its type (metavar()).

Layout: an option's name and value in a left column, its help beside it; a name wider than the column
stands on a line of its own with the help below; on a narrow terminal the help always goes below.
"""

from __future__ import annotations

import inspect
import shutil
import typing
from enum import EnumMeta
from pathlib import PurePath
from typing import Any

from quarkctl.i18n import _, clauses
from quarkctl.render.wrap import wrap
from rich.cells import cell_len

INDENT = 2
LABEL_MAX = 26  # the widest name column; a longer name stands on its own line
HELP_MIN = 30  # narrower than this beside the names, the help goes below them
BELOW = 8  # the indent of help below its name
MAX_WIDTH = 100  # lines longer than this read badly, whatever the terminal


def width() -> int:
    """The terminal's columns (shutil reads COLUMNS first, as rich and click do; 80 off a terminal), at most MAX_WIDTH."""
    return max(20, min(shutil.get_terminal_size((80, 24)).columns, MAX_WIDTH))


def _plain(annotation: Any) -> Any:
    """Optional[X] and list[X] as X."""
    while typing.get_origin(annotation) in (list, typing.Union, tuple) or type(annotation).__name__ == "UnionType":
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if not args:
            break
        annotation = args[0]
    return annotation


def choices(param: Any) -> list[str]:
    """The values an Enum option takes, [] for any other."""
    annotation = _plain(getattr(getattr(param, "type_descriptor", None), "annotation", None))
    return [str(member.value) for member in annotation] if isinstance(annotation, EnumMeta) else []


def metavar(param: Any) -> str:
    """What the option's value is called on the page: its declared metavar, else a word for its type."""
    if param.metavar:
        return str(param.metavar)
    info = getattr(getattr(param, "type_descriptor", None), "parameter_info", None)
    annotation = _plain(getattr(getattr(param, "type_descriptor", None), "annotation", None))
    if values := choices(param):
        return "|".join(values)
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        if info is not None and not getattr(info, "file_okay", True):
            return "DIR"
        return "FILE" if info is not None and not getattr(info, "dir_okay", True) else "PATH"
    return {int: "N", float: "NUMBER"}.get(annotation, "TEXT")


def number(value: Any) -> str:
    """A bound or default as typed: 86400, not 86400.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _takes_value(param: Any) -> bool:
    return not (getattr(param, "is_flag", False) or getattr(param, "count", False))


def label(param: Any) -> str:
    """`-q, --quiet`, `--limit N`, `--json / --no-json`; an argument by its name."""
    if param.param_type_name == "argument":
        name = param.metavar or (param.name or "").upper()
        return name if param.nargs == 1 or name.endswith("...") else f"{name}..."
    opts = sorted(param.opts, key=lambda o: o.startswith("--"))  # -q before --quiet
    text = ", ".join(opts)
    if _takes_value(param):
        text += f" {metavar(param)}"
    if param.secondary_opts:
        text += " / " + ", ".join(param.secondary_opts)
    return text


def _default(param: Any, ctx: Any) -> str | None:
    if isinstance(param.show_default, str):
        return param.show_default
    if param.show_default is False or param.required:
        return None
    resilient, ctx.resilient_parsing = ctx.resilient_parsing, True
    try:
        value = param.get_default(ctx, call=False)
    finally:
        ctx.resilient_parsing = resilient
    if value is None or value == "" or value == [] or value == () or callable(value):
        return None
    if getattr(param, "is_flag", False):  # an on/off pair shows the one in force; a plain flag's off is no news
        if not param.secondary_opts:
            return None
        return (param.opts if value else param.secondary_opts)[0].lstrip("-")
    values = value if isinstance(value, (list, tuple)) else [value]
    return ", ".join(number(v.value if hasattr(v, "value") and not isinstance(v, PurePath) else v) for v in values)


def extras(param: Any, ctx: Any) -> str:
    """The bracket after an option's help: its default, its range, required."""
    parts = []
    if (default := _default(param, ctx)) is not None:
        parts.append(_("default: {default}").format(default=default))
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        parts.append(_("{low} to {high}").format(low=number(low), high=number(high)))
    elif low is not None:
        parts.append(_("at least {low}").format(low=number(low)))
    elif high is not None:
        parts.append(_("at most {high}").format(high=number(high)))
    if (values := choices(param)) and param.metavar:  # the choices are not in the name: say them
        parts.append(_("one of: {choices}").format(choices="|".join(values)))  # as a metavar lists them
    if param.required:
        parts.append(_("required"))
    return f"[{clauses(parts)}]" if parts else ""


def paragraphs(text: str) -> list[list[str]]:
    """A help text as paragraphs of lines: a paragraph's lines are joined, unless it starts with \\b
    (click's mark for lines kept as written)."""
    text = inspect.cleandoc(text or "").partition("\f")[0]
    out = []
    for block in text.split("\n\n"):
        if block.startswith("\b"):
            out.append(block.strip("\b\n").splitlines())
        elif block.strip():
            out.append([" ".join(line.strip() for line in block.splitlines())])
    return out


def _block(text: str, indent: int, total: int) -> list[str]:
    lines = []
    for i, paragraph in enumerate(paragraphs(text)):
        if i:
            lines.append("")
        for line in paragraph:
            lines += [" " * indent + part if part else "" for part in wrap(line, total - indent)]
    return lines


def _table(rows: list[tuple[str, str]], total: int) -> list[str]:
    """Names and their help: beside when both fit, else the help below its name."""
    column = min(max((cell_len(name) for name, _help in rows), default=0), LABEL_MAX)
    beside = total - INDENT - column - 2 >= HELP_MIN
    start = INDENT + column + 2 if beside else BELOW
    lines: list[str] = []
    for name, help_text in rows:
        help_lines = [part for line in (help_text.splitlines() or [""]) for part in wrap(line, total - start)] if help_text else []
        head = " " * INDENT + name
        if beside and cell_len(name) <= column and help_lines:
            lines.append(head + " " * (start - cell_len(head)) + help_lines[0])
            help_lines = help_lines[1:]
        else:
            lines.append(head)
        lines += [" " * start + line for line in help_lines]
    return lines


def usage(ctx: Any) -> str:
    command = ctx.command
    pieces = [ctx.command_path]
    params = [p for p in command.get_params(ctx)]
    if any(p.param_type_name == "option" for p in params):
        pieces.append("[OPTIONS]")
    for param in params:
        if param.param_type_name == "argument":
            name = label(param)
            pieces.append(name if param.required else f"[{name}]" if not name.startswith("[") else name)
    if hasattr(command, "list_commands"):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def page(ctx: Any, total: int | None = None) -> str:
    """The whole help page of ctx.command, as text."""
    total = width() if total is None else total
    command = ctx.command
    lines = []
    first, *rest = wrap(_("Usage: {usage}").format(usage=usage(ctx)), total)
    lines.append(first)
    if rest:
        lines += [" " * BELOW + line for line in wrap(" ".join(rest), total - BELOW)]
    if command.help:
        lines.append("")
        lines += _block(command.help, INDENT, total)
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    for heading, kind in ((_("Arguments:"), "argument"), (_("Options:"), "option")):
        rows = []
        for param in (p for p in params if p.param_type_name == kind):
            help_text = " ".join(line for paragraph in paragraphs(param.help or "") for line in paragraph)
            rows.append((label(param), " ".join(part for part in (help_text, extras(param, ctx)) if part)))
        if rows:
            lines += ["", heading, *_table(rows, total)]
    if hasattr(command, "list_commands"):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                first = paragraphs(sub.short_help or sub.help or "")
                rows.append((name, " ".join(first[0]) if first else ""))
        if rows:
            lines += ["", _("Commands:"), *_table(rows, total)]
    if command.epilog:
        lines += ["", *_block(command.epilog, INDENT, total)]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def format_help(command: Any, ctx: Any, formatter: Any) -> None:
    """click's Command.format_help: the page into click's formatter (Context.get_help returns it)."""
    formatter.write(page(ctx))
