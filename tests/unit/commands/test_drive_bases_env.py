"""QUARKCTL_API_BASE_<KEY> in a .env file (or --env-file) reaches every command that asks another drive, not
only `probe` (a new user's review of issue 24): check-links and `resources add --check` read the loaded
environment's bases (config/settings.py Settings.api_bases)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, on_database
from helpers.mixed_drives import bases, link, share_id
from quarkctl.config.settings import DRIVE_BASE_PREFIX, drive_api_bases
from quarkctl.providers.web import ENV_PREFIX
from quarkctl.simulator.drives_server import DrivesSimulator


@pytest.fixture
def dsim_in_file(cli: Cli) -> Iterator[tuple[DrivesSimulator, str]]:
    """The drives simulator named only in a .env text: the real environment has no QUARKCTL_API_BASE_<KEY>."""
    with DrivesSimulator() as sim:
        for name in [n for n in cli.env if n.startswith(ENV_PREFIX)]:
            del cli.env[name]
        yield sim, "".join(f"{name}={value}\n" for name, value in bases(sim).items())


def test_the_prefixes_agree() -> None:
    assert DRIVE_BASE_PREFIX == ENV_PREFIX
    assert drive_api_bases({"QUARKCTL_API_BASE_BAIDU": "http://x", "QUARK_API_BASE": "http://y"}) == {"BAIDU": "http://x"}


@pytest.mark.parametrize("where", ["dotenv", "env_file"])
def test_check_links_reads_the_drive_bases_of_the_env_file(cli: Cli, sqlitedb: ResourceDB, tmp_path: Path,
                                                            dsim_in_file: tuple[DrivesSimulator, str], where: str) -> None:
    dsim, text = dsim_in_file
    db = on_database(cli, sqlitedb)
    alive, dead = link("baidu", 1), link("baidu", 2)
    dsim.add("baidu", share_id(alive), "alive")
    dsim.add("baidu", share_id(dead), "dead")
    db.seed([{"drama_name": "alive", "link": alive, "drive_type": "baidu"},
             {"drama_name": "dead", "link": dead, "drive_type": "baidu"},
             {"drama_name": "other drive", "link": link("uc", 1), "drive_type": "uc"}])
    path = cli.home / ".env" if where == "dotenv" else tmp_path / "drives.env"
    path.write_text(text, encoding="utf-8")
    flags = [] if where == "dotenv" else ["--env-file", str(path)]
    proc = cli.run("check-links", "--drives", "baidu", "--no-pacing", "--json", *flags)
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr
    assert {r["name"]: r["verdict"] for r in doc["results"]} == {"alive": "valid", "dead": "expired"}
    assert len(dsim.requests("baidu")) >= 2 and doc["not_selected"] == 1 and not dsim.requests("uc")
    text = cli.run("check-links", "--drives", "baidu", "--no-pacing", *flags).stdout
    assert "1 row of the drives left out of this run (--drives) was not checked nor recorded." in text, text


def test_resources_add_check_reads_the_drive_bases_of_dotenv(cli: Cli, sqlitedb: ResourceDB,
                                                             dsim_in_file: tuple[DrivesSimulator, str]) -> None:
    dsim, text = dsim_in_file
    on_database(cli, sqlitedb)
    alive = link("baidu", 3)
    dsim.add("baidu", share_id(alive), "alive")
    (cli.home / ".env").write_text(text, encoding="utf-8")
    proc = cli.run("resources", "add", "好电影", alive, "--check")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert dsim.requests("baidu")
