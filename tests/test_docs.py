"""The README stays in step with the code: options, exit codes, environment variables, CI command."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from quarkctl.cli import app
from quarkctl.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_leads_with_install_run_and_test_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "pip install . && quarkctl demo" in first_block
    assert "python -m pytest" in first_block


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "python -m pytest" in ci_lines


def test_every_check_links_option_is_documented() -> None:
    command = typer.main.get_command(app).commands["check-links"]  # type: ignore[attr-defined]
    options = [opt for param in command.params for opt in param.opts if opt.startswith("--") and opt != "--help"]
    assert len(options) > 15
    missing = [opt for opt in options if f"`{opt}" not in README]
    assert missing == []


def test_every_exit_code_is_documented() -> None:
    table = README.split("### Exit codes", 1)[1]
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", table, re.M), code


def test_every_environment_variable_read_is_documented() -> None:
    source = "".join((ROOT / "quarkctl" / name).read_text() for name in ("settings.py", "cli.py", "report.py"))
    names = set(re.findall(r"""(?:env|environ)\.get\(\s*["']([A-Z_]+)["']""", source))
    names |= set(re.findall(r"""["']([A-Z][A-Z_]+)["'] (?:not )?in os\.environ""", source))
    assert {"QUARK_COOKIE", "DB_HOST", "DATABASE_URL", "QUARK_API_BASE", "NO_COLOR"} <= names
    assert sorted(name for name in names if f"`{name}`" not in README) == []
