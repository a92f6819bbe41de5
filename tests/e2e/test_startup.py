"""A fast start (issue 13): what each kind of command loads, and that the shortcuts change nothing.

The module checks run quarkctl's entry point (launch.main) in a fresh interpreter and read its
sys.modules at exit: the timing itself is bench/startup.py's, a test would only measure the machine.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import typer
import typer.main
from typer import _coercion
from typer.core import _TyperParameter
from typer.testing import CliRunner

from quarkctl import cli
from quarkctl.commands import typer_startup

# What no help page needs: the database, HTTP, notifications, the renamer, typer's pydantic coercion,
# and the parts of rich that only markdown help and pretty tracebacks use.
HEAVY = ("sqlalchemy", "urllib3", "requests", "apprise", "natsort", "cronsim", "pydantic", "rich.markdown", "rich.traceback")

WRAPPER = """
import atexit, json, sys
report = sys.argv[1]
atexit.register(lambda: open(report, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["quarkctl", *sys.argv[2:]]
from quarkctl.launch import main
main()
"""


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUARK", "DB_", "DATABASE_URL", "XDG_", "LC_", "LANG"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"), LANG="C.UTF-8")
    return env


def loaded(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `quarkctl ARGS` through launch.main; its result and the modules it had loaded at exit."""
    report = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", WRAPPER, str(report), *args], env=env_for(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    return done, set(json.loads(report.read_text()))


def heavy(modules: set[str]) -> list[str]:
    return sorted(name for name in HEAVY if name in modules)


@pytest.mark.parametrize("args", [("--help",), ("check-links", "--help"), ("resources", "--help"), ("--lang", "zh_CN", "--help")])
def test_help_loads_nothing_heavy(tmp_path: Path, args: tuple[str, ...]) -> None:
    done, modules = loaded(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert "--help" in done.stdout  # the page was drawn, by quarkctl's own renderer (issue 23), not typer's rich one
    assert "quarkctl.commands.helppage" in modules and "typer.rich_utils" not in modules
    assert heavy(modules) == []


def test_version_loads_no_command_line(tmp_path: Path) -> None:
    done, modules = loaded(tmp_path, "--version")
    assert (done.returncode, done.stdout) == (0, "quarkctl 0.1.0\n")
    assert sorted(m for m in ("typer", "click", "dotenv", "quarkctl.cli", "quarkctl.errors") if m in modules) == []


def test_resources_list_loads_the_database_only(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "quarkctl", "db", "init"], env=env_for(tmp_path), cwd=tmp_path, check=True,
                   capture_output=True, timeout=60)
    with sqlite3.connect(tmp_path / "data" / "quarkctl" / "quarkctl.db") as conn:
        conn.execute("INSERT INTO cloud_resource (drama_name, drive_type, link, is_expired) "
                     "VALUES ('电影A', 'quark', 'https://pan.quark.cn/s/abc123def456', 0)")
    done, modules = loaded(tmp_path, "resources", "list")
    assert done.returncode == 0, done.stderr
    assert "电影A" in done.stdout
    assert "sqlalchemy" in modules
    assert heavy(modules) == ["sqlalchemy"]
    # only the resources commands were imported, not the other groups'
    assert "quarkctl.commands.resources" in modules and "quarkctl.commands.schedule" not in modules


def test_a_bad_value_still_gets_typers_own_error(tmp_path: Path) -> None:
    """A typed value goes to typer's coercion (pydantic), as before: its answer (worded by commands/usage.py), exit 2."""
    done, modules = loaded(tmp_path, "resources", "list", "--sort", "bogus")
    assert done.returncode == 2
    assert "'bogus' is not one of" in done.stderr
    assert "pydantic" in modules


def every_option(command: click.Command, ctx: click.Context | None = None) -> list[tuple[click.Context, _TyperParameter]]:
    ctx = click.Context(command, parent=ctx)
    found = [(ctx, p) for p in command.params if isinstance(p, _TyperParameter)]
    for sub in getattr(command, "commands", {}).values():
        found += every_option(sub, ctx)
    return found


def test_quick_coercion_gives_typers_answer_for_every_default() -> None:
    options = every_option(typer.main.get_command(cli.app))
    answered = 0
    for ctx, param in options:
        if param.default is None or isinstance(param.default, bool):
            continue  # None is answered by typer's RuntimeParam.coerce itself; bools skip coercion in typer
        known, value = typer_startup.quick_value(param.type_descriptor, param.default)
        own = _coercion.build_runtime_param(param.type_descriptor).coerce(param.default, param=param, ctx=ctx)
        if known:
            answered += 1
            assert (value, type(value)) == (own, type(own)), param.name
    assert answered > 40  # the ints, floats, strings and enums of every command


@pytest.mark.parametrize("value", ["5", 3.0, True, 0, 40])
def test_quick_coercion_leaves_the_rest_to_typer(value: Any) -> None:
    """Text from the command line, another type, or a value outside min/max: typer decides."""
    check_links = typer.main.get_command(cli.app).commands["check-links"]
    concurrency = next(p for p in check_links.params if p.name == "concurrency")  # int, 1 <= x <= 32
    assert typer_startup.quick_value(concurrency.type_descriptor, value) == (False, None)


def test_help_stand_ins_import_the_real_classes_when_used() -> None:
    code = """
import sys
import typer.main
from quarkctl.commands import typer_startup
typer_startup.install()
import typer.rich_utils
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
page = typer.rich_utils.Markdown("# title")
import rich.markdown, rich.traceback
assert type(page) is rich.markdown.Markdown
assert typer.rich_utils.Traceback.from_exception == rich.traceback.Traceback.from_exception
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_each_command_is_registered_by_the_module_cli_names() -> None:
    app = cli.make_app()
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert sorted(names) == sorted(cli.REGISTERED_BY)
    for name, module in cli.REGISTERED_BY.items():
        alone = cli.make_app(name)
        assert name in [c.name for c in alone.registered_commands] + [g.name for g in alone.registered_groups], module


@pytest.mark.parametrize("args", [["check-links", "--help"], ["resources", "list", "--help"], ["history", "--help"],
                                  ["sign", "--help"], ["resources", "lst"], ["db", "--help"], ["resources", "show", "--help"],
                                  ["resources", "list", "--bogus"], ["history", "show", "--help"], ["resources", "--help"]])
def test_one_command_alone_says_what_the_whole_command_line_says(args: list[str]) -> None:
    runner = CliRunner()
    whole = runner.invoke(cli.make_app(), args, prog_name="quarkctl", terminal_width=100)
    alone = runner.invoke(cli.make_app(args[0]), args, prog_name="quarkctl", terminal_width=100)
    # As launch builds it: of a group, only the subcommand named (quarkctl resources list -> list alone).
    narrow = runner.invoke(cli.make_app(args[0], args[1] if len(args) > 1 and not args[1].startswith("-") else None),
                           args, prog_name="quarkctl", terminal_width=100)
    assert (alone.exit_code, alone.output) == (narrow.exit_code, narrow.output) == (whole.exit_code, whole.output)
    assert whole.output.strip()


def test_a_group_keeps_only_the_subcommand_named_and_stays_whole_for_the_next_app() -> None:
    narrow = cli.make_app("resources", "list")
    (group,) = narrow.registered_groups
    assert [c.name for c in group.typer_instance.registered_commands] == ["list"]
    (whole,) = cli.make_app("resources").registered_groups
    assert len(whole.typer_instance.registered_commands) > 5
    (typo,) = cli.make_app("resources", "lst").registered_groups  # no such command: the whole group answers
    assert len(typo.typer_instance.registered_commands) == len(whole.typer_instance.registered_commands)
