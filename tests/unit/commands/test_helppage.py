"""commands/helppage.py over any terminal width: no line wider, every option name whole, every help word kept."""

from __future__ import annotations

import re

import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from quarkctl import cli
from quarkctl.commands import helppage

NAMES = ("check-links", "autosave", "resources", "schedule", "history", "probe")


def contexts() -> list:
    root = typer.main.get_command(cli.app)
    found = [typer.main.get_command(cli.app).make_context("quarkctl", [], resilient_parsing=True)]
    for name in NAMES:
        command = root.commands[name]
        parent = root.make_context("quarkctl", [name], resilient_parsing=True)
        found.append(command.make_context(name, [], parent=parent, resilient_parsing=True))
    return found


CONTEXTS = contexts()


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=40, max_value=100), st.sampled_from(range(len(CONTEXTS))))
def test_any_width(width: int, which: int) -> None:
    ctx = CONTEXTS[which]
    page = helppage.page(ctx, width)
    assert "…" not in page
    assert all(cell_len(line) <= width for line in page.splitlines())
    flat = "".join(page.split())
    for param in ctx.command.params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", page), opt
        if param.help:
            assert "".join(param.help.split()) in flat, param.help


def test_metavars_are_words_in_capitals_or_choices() -> None:
    shape = re.compile(r"^(?:[A-Z][A-Z0-9_/:]*(?:\.\.\.)?|\[[A-Z]+\]\.\.\.|[a-z0-9]+(?:\|[a-z0-9]+)+)$")
    root = typer.main.get_command(cli.app)
    stack = [root]
    while stack:
        command = stack.pop()
        for param in command.params:
            if param.param_type_name == "option" and not param.is_flag:
                assert shape.match(helppage.metavar(param)), (command.name, param.opts, helppage.metavar(param))
        stack.extend(getattr(command, "commands", {}).values())
