"""The other drives in `python -m quarkctl.simulator` (a new user's review of issue 24): --drives-port serves the
scenario's drive_shares and prints their QUARKCTL_API_BASE_<KEY>= lines, --list shows their links, and
check-links over those links gives what --list says; drives_server's own __main__ answers --help."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, on_database
from quarkctl.providers.base import DriveSetup, Link
from quarkctl.providers.names import DRIVE_NAMES
from quarkctl.providers.registry import open_drives
from quarkctl.simulator.drive_shares import ENV_KEYS, DriveShareSpec, parse_drive_shares
from quarkctl.simulator.drive_replies import TABLES
from quarkctl.simulator.model import load_scenario

from .test_simulator import readline, run_module

VERDICT = {"alive": "valid", "dead": "expired", "locked": "needs_passcode"}  # README's Verdicts table


def _module(*args: str) -> subprocess.CompletedProcess[str]:
    proc = run_module(*args)
    out, err = proc.communicate(timeout=20)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def test_every_listed_link_reads_as_its_drive_share_and_passcode() -> None:
    drives = open_drives(DriveSetup(lambda: None), DRIVE_NAMES)
    specs = [DriveShareSpec(drive, "AbCd123456", "locked", passcode) for drive in TABLES for passcode in ("", "ab12")]
    for spec in specs + load_scenario().drive_shares:
        found = drives.read(spec.link)
        assert isinstance(found, Link), spec
        assert (found.drive, found.share_id.removeprefix("1") if spec.drive == "baidu" else found.share_id,
                getattr(found.native, "passcode", "")) == (spec.drive, spec.id, spec.passcode), spec
    assert set(ENV_KEYS) == set(TABLES)


@pytest.mark.parametrize("bad", [{"drive": "dropbox", "id": "x1"}, {"drive": "uc", "id": "x1", "state": "nope"},
                                 {"drive": "uc", "id": "../x"}, {"drive": "uc", "id": "x1", "colour": "red"}, "uc"])
def test_a_bad_drive_share_fails_the_scenario_naming_it(bad: object, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"drive_shares\[0\]"):
        parse_drive_shares([bad])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"drive_shares": [bad]}))
    proc = _module("--scenario", str(path), "--list")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "drive_shares[0]" in proc.stderr


def test_drives_server_answers_help_and_lists() -> None:
    proc = subprocess.run([sys.executable, "-m", "quarkctl.simulator.drives_server", "--help"], capture_output=True, text=True,
                          timeout=20)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: python -m quarkctl.simulator.drives_server")
    listed = subprocess.run([sys.executable, "-m", "quarkctl.simulator.drives_server", "--list"], capture_output=True, text=True,
                            timeout=20)
    assert listed.stdout.splitlines() == _module("--list").stdout.splitlines()[-len(load_scenario().drive_shares):]


def test_check_links_on_the_listed_links_gives_what_list_says(cli: Cli, sqlitedb: ResourceDB) -> None:
    listed = [line.split("\t") for line in _module("--list").stdout.splitlines()]
    others = [(link, state, drive) for link, state, *rest in listed for drive in rest[:1] if drive in TABLES]
    assert {drive for _, _, drive in others} == set(TABLES)
    db = on_database(cli, sqlitedb)
    db.seed([{"drama_name": f"{drive} {n}", "link": link, "drive_type": drive} for n, (link, _, drive) in enumerate(others)])
    proc = run_module("--drives-port", "0")
    try:
        lines = [readline(proc.stdout) for _ in range(1 + len(ENV_KEYS))]
        env = dict(line.strip().split("=", 1) for line in lines)
        assert set(env) == {"QUARK_API_BASE", *(f"QUARKCTL_API_BASE_{key}" for key in ENV_KEYS.values())}
        cli.env.update(env)
        run = cli.run("check-links", "--anonymous", "--no-pacing", "--json")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "Traceback" not in err
    doc = json.loads(run.stdout)
    got = {r["link"]: r["verdict"] for r in doc["results"]}
    assert got == {link: VERDICT[state] for link, state, _ in others}, run.stderr


def test_readmes_mixed_table_uses_links_the_simulator_lists() -> None:
    """README's "Trying check-links against the simulator by hand" inserts these links: each one is served."""
    import re

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("### Trying check-links against the simulator by hand"):readme.index("## Configuration")]
    insert = next(line for line in block.splitlines() if "quarkctl-mixed" in line and "INSERT" in line)
    rows = re.findall(r"\('([^']+)', '([^']+)', '(https://[^']+)'\)", insert)
    listed = {line.split("\t")[0]: line.split("\t")[1] for line in _module("--list").stdout.splitlines()}
    assert len(rows) == 6 and all(link in listed for _, _, link in rows), rows
    assert {name for name, _, link in rows if listed[link] == "dead"} == {"UC 死", "百度 死"}  # as README says it marks
    assert "--drives-port" in block and "QUARKCTL_API_BASE_$key" in block
