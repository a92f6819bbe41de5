"""A bad value a job's command finds before the run is one `Error:` line and exit 2, and under --json also one
JSON object on stdout (issue 23; a new user's review found --until, --shard, --max-age silent on stdout).
In-process (tests/unit/conftest.py's cli runs launch.main)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli


@pytest.mark.parametrize(("job", "args", "option"), [
    ("check-links", ["check-links", "--anonymous", "--until", "25:00"], "--until"),
    ("check-links", ["check-links", "--anonymous", "--shard", "3/3"], "--shard"),
    ("check-links", ["check-links", "--anonymous", "--max-age", "xx"], "--max-age"),
    ("check-links", ["check-links", "--anonymous", "--reshare"], "--reshare"),
    ("autosave", ["autosave", "--max-runtime", "zz"], "--max-runtime"),
    ("reshare", ["resources", "reshare"], "--all-expired"),
])
def test_a_bad_value_is_json_under_json_and_one_line_without(cli: Cli, job: str, args: list[str], option: str) -> None:
    plain = cli.run(*args)
    assert plain.returncode == 2 and plain.stdout == ""
    assert plain.stderr.startswith("Error: ") and option in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    done = cli.run(*args, "--json")
    assert done.returncode == 2
    doc = json.loads(done.stdout)
    assert doc == {"job": job, "exit_code": 2, "error": plain.stderr.strip().removeprefix("Error: ")}


def test_json_of_one_command_does_not_leak_into_the_next(cli: Cli) -> None:
    assert cli.run("check-links", "--anonymous", "--until", "25:00", "--json").stdout
    after = cli.run("history", "--job", "nosuch")
    assert after.returncode == 2 and after.stdout == ""


def test_demo_keep_refuses_a_folder_that_holds_files(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "quark_config.json").write_text('{"cookie": "my own"}', encoding="utf-8")
    done = cli.run("demo", "--keep", str(folder))
    assert done.returncode == 2 and "--keep" in done.stderr and "not an empty folder" in done.stderr
    assert (folder / "quark_config.json").read_text(encoding="utf-8") == '{"cookie": "my own"}'
    assert sorted(p.name for p in folder.iterdir()) == ["quark_config.json"]
