"""A number no run can use ends in exit 2 with the option named, never exit 70 (issue 23: `--timeout 1e308`
overflowed a timer). In-process, every float option of every command of the tree."""

from __future__ import annotations

import click
import pytest
import typer.main
from typer.testing import CliRunner

from quarkctl import cli


def float_options(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    found = []
    for param in command.params:
        # typer 0.29 (pinned) types an option by its annotation; Optional[float] counts too
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is not None and "float" in str(descriptor.annotation):
            found.append((path, param.opts[0]))
    for name, sub in getattr(command, "commands", {}).items():
        found += float_options(sub, (*path, name))
    return found


OPTIONS = float_options(typer.main.get_command(cli.make_app()))


def test_the_tree_has_float_options() -> None:
    names = {option for _path, option in OPTIONS}
    assert {"--timeout", "--min-delay", "--max-delay", "--db-timeout", "--retry-backoff"} <= names


@pytest.mark.parametrize("value", ["1e308", "inf", "nan", "-1", "86401"])
@pytest.mark.parametrize(("path", "option"), OPTIONS, ids=lambda x: " ".join(x) if isinstance(x, tuple) else x)
def test_an_unusable_number_is_a_usage_error(path: tuple[str, ...], option: str, value: str) -> None:
    result = CliRunner().invoke(cli.make_app(), [*path, option, value], prog_name="quarkctl")
    assert result.exit_code == 2, (path, option, value, result.output)
    assert option in result.output


@pytest.mark.parametrize("value", ["99999999999999999999", "100001", "0"])
def test_a_batch_size_no_database_takes_is_a_usage_error(value: str) -> None:
    """An attacker's review: 20 digits passed option checking and reached MySQL as a raw syntax error."""
    result = CliRunner().invoke(cli.make_app(), ["check-links", "--batch-size", value], prog_name="quarkctl")
    assert result.exit_code == 2 and "--batch-size" in result.output
