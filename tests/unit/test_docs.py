"""The README stays in step with the code: options, exit codes, environment variables, CI command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from quarkctl.cli import app
from quarkctl.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
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
    # Every module of the package, the simulator included: no list to forget a new module in.
    source = "".join(path.read_text("utf-8") for path in sorted((ROOT / "quarkctl").rglob("*.py")))
    names = set(re.findall(r"""(?:env|environ)\.get\(\s*["']([A-Z_]+)["']""", source))
    names |= set(re.findall(r"""^[A-Z_]+_ENV = ["']([A-Z][A-Z_]+)["']""", source, re.M))  # names read through a constant
    names |= set(re.findall(r"""["']([A-Z][A-Z_]+)["'] (?:not )?in os\.environ""", source))
    assert {"QUARK_COOKIE", "DB_HOST", "DATABASE_URL", "QUARK_API_BASE", "NO_COLOR"} <= names
    assert sorted(name for name in names if f"`{name}`" not in README) == []


# The operations commands: each option is documented in the command's own README section.
OPS_SECTIONS = {
    ("schedule",): "### schedule",
    ("schedule", "install"): "### schedule install",
    ("schedule", "run"): "### Scheduling inside a container",
    ("history",): "### history",
    ("history", "show"): "### history",
    ("doctor",): "### doctor",
}


def readme_section(heading: str) -> str:
    lines = README.splitlines()
    start = lines.index(heading)
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith(("## ", "### "))), len(lines))
    return "\n".join(lines[start:end])


@pytest.mark.parametrize("path", list(OPS_SECTIONS), ids=" ".join)
def test_every_operations_option_is_documented_in_its_section(path: tuple[str, ...]) -> None:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    text = readme_section(OPS_SECTIONS[path])
    assert f"quarkctl {' '.join(path)}" in text
    options = [opt for param in command.params for opt in param.opts if opt.startswith("--") and opt != "--help"]
    assert options
    assert [opt for opt in options if f"`{opt}" not in text] == []


def test_readme_sections_for_scheduling_and_troubleshooting() -> None:
    scheduling = README.split("## Scheduling", 1)[1].split("\n## ", 1)[0]
    for needle in ("schedule install --systemd", "--user", "schedule install --cron", "crontab.example", "enable --now"):
        assert needle in scheduling
    troubleshooting = README.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    for heading in ("### The job did not run", "### The cookie expired", "### Risk control", "### A link wrongly marked expired"):
        assert heading in troubleshooting
    assert "--recheck-expired" in troubleshooting


def test_every_resources_option_is_documented() -> None:
    group = typer.main.get_command(app).commands["resources"]  # type: ignore[attr-defined]
    section = README.split("\n## Resources\n", 1)[1].split("\n## ", 1)[0]
    assert set(group.commands) == {"add", "list", "show", "import", "export", "set-status", "revive", "rm", "reshare", "acquire"}
    for name, command in group.commands.items():
        assert f"quarkctl resources {name}" in section, name  # an example of each
        options = [opt for param in command.params for opt in param.opts if opt.startswith("--") and opt != "--help"]
        # revive takes the check-links options, documented in that table
        text = README if name == "revive" else section
        assert [opt for opt in options if f"`{opt}" not in text] == [], name


def test_every_command_is_in_the_readme() -> None:
    root = typer.main.get_command(app)
    missing = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        if f"quarkctl {name}" not in README:
            missing.append(name)
        for sub in getattr(command, "commands", {}):
            if f"quarkctl {name} {sub}" not in README and f"`{name} {sub}" not in README:
                missing.append(f"{name} {sub}")
    assert missing == []


def walk(command, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """Every registered command, groups included, with its path."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


def test_every_option_of_every_registered_command_is_in_the_readme() -> None:
    """No list of commands to keep up to date: whatever cli.py registers is walked."""
    missing = []
    seen = 0
    for path, command in walk(typer.main.get_command(app)):
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in ("--help", "--install-completion", "--show-completion"):
                    seen += 1
                    if f"`{opt}" not in README:
                        missing.append(f"{' '.join(path) or 'quarkctl'} {opt}")
    assert seen > 100
    assert missing == []
