"""Help pages kept once rendered (quarkctl/helpcache.py): the same page, byte for byte, or none kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


def pages(cli: Cli) -> list[Path]:
    where = cli.home / ".cache" / "quarkctl" / "help"
    return sorted(where.iterdir()) if where.is_dir() else []


@pytest.mark.parametrize("args", [("--help",), ("check-links", "--help"), ("resources", "list", "--help"),
                                  ("--lang", "zh_CN", "history", "--help")])
def test_a_kept_page_is_the_rendered_page(cli: Cli, args: tuple[str, ...]) -> None:
    rendered = cli.run(*args, env={"QUARKCTL_NO_HELP_CACHE": "1"})
    assert rendered.returncode == 0 and not pages(cli)  # turned off: nothing kept
    first, second = cli.run(*args), cli.run(*args)
    assert len(pages(cli)) == 1
    assert first.stdout == second.stdout == rendered.stdout
    assert (first.returncode, second.returncode, second.stderr) == (0, 0, "")


def test_the_second_request_prints_the_kept_page(cli: Cli) -> None:
    cli.run("--help")
    [page] = pages(cli)
    page.write_text("the kept page\n", "utf-8")  # what only the cache can print
    assert cli.run("--help").stdout == "the kept page\n"


def test_another_width_or_language_is_another_page(cli: Cli) -> None:
    narrow = cli.run("check-links", "--help", env={"COLUMNS": "60"})
    wide = cli.run("check-links", "--help", env={"COLUMNS": "120"})
    chinese = cli.run("check-links", "--help", env={"LANG": "zh_CN.UTF-8"})
    assert len(pages(cli)) == 3
    assert max(map(len, narrow.stdout.splitlines())) <= 60 < max(map(len, wide.stdout.splitlines()))
    assert "检查" in chinese.stdout and "检查" not in wide.stdout
    assert cli.run("check-links", "--help", env={"COLUMNS": "60"}).stdout == narrow.stdout


def test_errors_and_runs_are_never_kept(cli: Cli) -> None:
    bad = cli.run("check-links", "--no-such-option", "--help")
    assert bad.returncode == 2 and "--no-such-option" in bad.stderr
    assert cli.run("--version").returncode == 0
    assert not pages(cli)


def test_no_cache_folder_still_prints_the_page(cli: Cli) -> None:
    blocker = cli.home / "not-a-folder"
    blocker.write_text("", "utf-8")
    env = {"XDG_CACHE_HOME": str(blocker)}
    first, second = cli.run("--help", env=env), cli.run("--help", env=env)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and "check-links" in first.stdout
    assert first.stderr == second.stderr == ""
