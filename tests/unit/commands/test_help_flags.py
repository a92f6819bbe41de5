"""No help page shows `<bool>` after a flag (typer 0.29 prints one; commands/typer_startup.py's
plain_flags leaves the column empty, as typer before 0.29 did, and quarkctl's own page, own_help, shows
nothing after a flag). In-process, every page of the tree."""

from __future__ import annotations

import click
import pytest
import typer.main
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.testing import CliRunner

from quarkctl import cli
from quarkctl.commands import typer_startup


def every_page(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    pages = [path]
    for name, sub in getattr(command, "commands", {}).items():
        pages += every_page(sub, (*path, name))
    return pages


@pytest.fixture
def plain_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    """As launch.main installs it; typer's own method comes back after the test."""
    monkeypatch.setattr(TyperOption, "display_type_rich", TyperOption.display_type_rich)
    for cls in (TyperCommand, TyperGroup):
        monkeypatch.setattr(cls, "format_help", cls.format_help)
    typer_startup.plain_flags()
    typer_startup.own_help()


def test_no_help_page_shows_bool(plain_flags: None) -> None:
    pages = every_page(typer.main.get_command(cli.make_app()))
    assert len(pages) > 20 and ("resources", "show") in pages and ("schedule", "install") in pages
    runner = CliRunner()
    for path in pages:
        result = runner.invoke(cli.make_app(), [*path, "--help"], prog_name="quarkctl", terminal_width=100)
        assert result.exit_code == 0, (path, result.output)
        assert "--help" in result.output and "Options" in result.output, path
        assert "<bool>" not in result.output, path


def test_options_that_take_a_value_keep_their_type(plain_flags: None) -> None:
    page = CliRunner().invoke(cli.make_app(), ["resources", "list", "--help"], prog_name="quarkctl", terminal_width=100).output
    line = next(line for line in page.splitlines() if "--desc" in line)
    assert line.split("--desc", 1)[1].split("Reverse")[0].strip() == ""  # a flag: no type
    assert "--limit N" in page and "--search TEXT" in page  # a value's name, not its Python type (issue 23)
