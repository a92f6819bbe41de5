"""Every help page of the installed command, in English and Chinese, at 60, 80 and 120 columns: wrapped,
never cut (issue 23, "Every word readable"). And usage errors: one `Error:` line in the user's language,
at most one hint, exit 2, the JSON object under --json.

A page is compared with its sources: every option name whole, and every help text (the catalog's
translation in Chinese) present with only its wrapping changed, that is, equal once whitespace is
taken out of both.
"""

from __future__ import annotations

import gettext
import json
import re
from typing import Any

import pytest
import typer.main
from rich.cells import cell_len

from conftest import Cli
from quarkctl import cli as quarkctl_cli
from quarkctl import i18n

WIDTHS = (60, 80, 120)
LANGS = ("en", "zh_CN")
BOX = re.compile("[╭╮╰╯│─]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def commands() -> list[tuple[list[str], Any]]:
    """Every command and group of the tree, with its argv path (the English tree: help texts are msgids)."""
    found = []

    def walk(command: Any, path: list[str]) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(quarkctl_cli.app), [])
    return found


def squeezed(text: str) -> str:
    return "".join(text.replace("\b", "").split())


def help_sources(command: Any, translate: Any) -> list[str]:
    """The texts the page must hold whole: the command's help, each shown option's and argument's, and
    each subcommand's first paragraph."""
    texts = [translate(command.help).partition("\f")[0]] if command.help else []
    for param in command.params:
        if param.help and not param.hidden:
            texts.append(translate(param.help))
    for sub in getattr(command, "commands", {}).values():
        if not sub.hidden and sub.help:
            texts.append(translate(sub.help).split("\n\n")[0])
    return texts


def option_names(command: Any) -> list[str]:
    return [opt for p in command.params if not p.hidden for opt in (*p.opts, *p.secondary_opts) if opt.startswith("-")]


@pytest.fixture(scope="module")
def tree() -> list[tuple[list[str], Any]]:
    found = commands()
    assert len(found) > 20
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_every_help_page_wraps_and_keeps_every_word(cli: Cli, tree: list[tuple[list[str], Any]], lang: str) -> None:
    catalog = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=[lang], fallback=True)
    problems: dict[str, list[str]] = {}
    for path, command in tree:
        sources = [squeezed(text) for text in help_sources(command, catalog.gettext)]
        names = option_names(command) + ["--help"]
        for width in WIDTHS:
            done = cli.run("--lang", lang, *path, "--help", env={"COLUMNS": str(width), "QUARKCTL_NO_HELP_CACHE": "1"})
            where = f"{lang} {width} {' '.join(path) or '(root)'}"
            page = done.stdout
            found = []
            if done.returncode != 0 or not page.strip():
                found.append(f"exit {done.returncode}: {done.stderr}")
            if "…" in page:
                found.append("an ellipsis")
            found += [f"wider than {width}: {line!r}" for line in page.splitlines() if cell_len(line) > width]
            found += [f"no whole {name}" for name in names if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", page)]
            flat = squeezed(page)
            found += [f"text changed: {text[:60]}" for text in sources if text not in flat]
            if BOX.search(page):
                found.append("box characters")
            if lang == "zh_CN" and "选项" not in page:
                found.append("no Chinese heading")
            if found:
                problems[where] = found
    assert not problems, problems


def test_metavars_name_the_value_not_a_python_type(cli: Cli) -> None:
    page = cli.run("check-links", "--help", env={"COLUMNS": "120"}).stdout
    for typed in ("<str>", "<int", "<float", "<list[", "<file>", "<bool>", "x>=", "<=x"):
        assert typed not in page, typed
    for shown in ("--timeout SECONDS", "--limit N", "--log-file FILE", "--notify URL", "--database-url URL"):
        assert shown in page, shown
    assert "--json " not in page.replace("--json  ", "")  # a flag takes no value: nothing after its name
    show = cli.run("resources", "show", "--help").stdout
    assert "Usage: quarkctl resources show [OPTIONS] ID" in show and "{ID}" not in show


def test_a_group_without_a_command_shows_its_page(cli: Cli) -> None:
    done = cli.run("--lang", "zh_CN", "db")  # no_args_is_help: the page, and click's exit 2
    assert done.returncode == 2 and done.stdout.startswith("用法：quarkctl db") and "init" in done.stdout


def test_a_name_wider_than_its_column_stands_alone_and_nothing_is_cut(cli: Cli) -> None:
    for width in ("60", "80"):
        page = cli.run("check-links", "--help", env={"COLUMNS": width}).stdout
        assert re.search(r"^  --max-consecutive-errors N\b", page, re.M)
        assert "--max-consecutive-err…" not in page


USAGE_ERRORS = [
    pytest.param(["check-links", "--limit", "x"], "--limit", "'x'", id="bad-int"),
    pytest.param(["resources", "list", "--sort", "bogus"], "--sort", "bogus", id="bad-choice"),
    pytest.param(["check-links", "--bogus"], "--bogus", "--bogus", id="unknown-option"),
    pytest.param(["resources", "show"], "ID", "ID", id="missing-argument"),
    pytest.param(["check-links", "--timeout", "1e308"], "--timeout", "86400", id="float-range"),
    pytest.param(["resources", "lst"], "lst", "list", id="unknown-command"),
]


@pytest.mark.parametrize(("args", "option", "named"), USAGE_ERRORS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_usage_error_is_one_error_line(cli: Cli, lang: str, args: list[str], option: str, named: str) -> None:
    done = cli.run("--lang", lang, *args)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert lines[0].startswith("Error: ") and option in lines[0] and named in lines[0], lines
    assert len(lines) <= 2 and not BOX.search(done.stderr) and done.stdout == ""
    if len(lines) == 2:
        assert "--help" in lines[1]
    # Chinese words in Chinese, none in English; the prefix stays `Error:` for log filters (errors.py)
    assert bool(CJK.search(lines[0])) == (lang == "zh_CN"), lines[0]
    for english in ("Invalid value", "Input should", "No such option", "Missing argument", "Possible options"):
        assert english not in done.stderr


def test_did_you_mean_is_kept(cli: Cli) -> None:
    done = cli.run("--lang", "zh_CN", "check-links", "--limt", "3")
    assert done.returncode == 2 and "--limt" in done.stderr and "--limit" in done.stderr and CJK.search(done.stderr)


@pytest.mark.parametrize(("args", "job"), [
    (["check-links", "--json", "--limit", "x"], "check-links"),
    (["check-links", "--json", "--bogus"], "check-links"),
    (["resources", "list", "--json", "--sort", "bogus"], "resources list"),
    (["resources", "show", "--json"], "resources show"),
    (["resources", "reshare", "--json", "--limit", "-1"], "reshare"),
])
def test_a_usage_error_under_json_is_one_json_object(cli: Cli, args: list[str], job: str) -> None:
    docs = {}
    for lang in LANGS:
        done = cli.run("--lang", lang, *args)
        assert done.returncode == 2 and done.stderr.startswith("Error: "), done.stderr
        docs[lang] = doc = json.loads(done.stdout)  # one object and nothing else
        assert doc["job"] == job and doc["exit_code"] == 2 and doc["error"] in done.stderr.splitlines()[0]
    assert {k: v for k, v in docs["en"].items() if k != "error"} == {k: v for k, v in docs["zh_CN"].items() if k != "error"}
