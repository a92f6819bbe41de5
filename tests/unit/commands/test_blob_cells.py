"""BLOB and number cells (SQLite keeps whatever a cell was given, in a TEXT column: an attacker's review of
issue 24): the read-only commands read bytes as UTF-8 as check-links does (db/records.py), never exit 70, and
a BLOB link judged dead is marked, so the report's `marked` and the table agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from conftest import Cli, ResourceDB
from helpers.mixed_drives import bases
from quarkctl.simulator.drives_server import DrivesSimulator

UC_BLOB = b"https://drive.uc.cn/s/blobblob1234"
LATIN1 = "https://drive.uc.cn/s/blobblob9876 é".encode("latin-1")  # not UTF-8: read with U+FFFD


@pytest.fixture
def dsim(cli: Cli) -> Iterator[DrivesSimulator]:
    with DrivesSimulator() as sim:
        cli.env.update(bases(sim))
        yield sim


def _insert(db: ResourceDB, rows: list[tuple[Any, Any, Any]]) -> None:
    engine = db.engine()
    with engine.begin() as conn:
        for name, drive, link in rows:
            conn.execute(text("INSERT INTO cloud_resource (drama_name, drive_type, link, is_expired) VALUES (:n, :d, :l, 0)"),
                         {"n": name, "d": drive, "l": link})
    engine.dispose()


def _ok(cli: Cli, *args: str, code: int = 0) -> str:
    proc = cli.run(*args)
    assert proc.returncode == code, (args, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr.lower()
    return proc.stdout


def test_read_only_commands_read_blob_cells_as_text(cli: Cli, sqlite_only: ResourceDB) -> None:
    _insert(sqlite_only, [("blob link", "uc", UC_BLOB), (b"blob name", "quark", "https://pan.quark.cn/s/acc30a3cf8d4"),
                          ("latin1", "uc", LATIN1), ("int link", "quark", 12345678)])
    listed = {row["drama_name"]: row for row in json.loads(_ok(cli, "resources", "list", "--json"))}
    assert listed["blob link"]["link"] == UC_BLOB.decode()
    assert "blob name" in listed
    assert listed["latin1"]["link"] == "https://drive.uc.cn/s/blobblob9876 \ufffd"
    plain = _ok(cli, "resources", "list")
    assert UC_BLOB.decode() in plain and "b'" not in plain  # the text, never the bytes' repr
    assert "b'" not in _ok(cli, "resources", "show", str(listed["blob link"]["id"]))
    out = cli.home / "out.jsonl"
    _ok(cli, "resources", "export", "--format", "json", "-o", str(out))
    exported = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert {row["drama_name"] for row in exported} == {"blob link", "blob name", "latin1", "int link"}
    assert UC_BLOB.decode() in {row["link"] for row in exported}
    _ok(cli, "resources", "export", "--format", "csv", "-o", str(cli.home / "out.csv"))
    assert "b'https" not in (cli.home / "out.csv").read_text("utf-8")  # bytes as text, not their repr


def test_probe_from_db_reads_a_blob_link(cli: Cli, sqlite_only: ResourceDB) -> None:
    _insert(sqlite_only, [("quark blob", "quark", b"https://pan.quark.cn/s/acc30a3cf8d4")])
    out = _ok(cli, "probe", "--from-db", "1", "--anonymous", "--json")
    assert "acc30a3cf8d4" in out


@pytest.mark.parametrize("link", [UC_BLOB, LATIN1])
def test_a_dead_blob_link_is_marked_as_reported(cli: Cli, sqlite_only: ResourceDB, dsim: DrivesSimulator, link: bytes) -> None:
    share_id = link.decode("utf-8", "replace").rsplit("/", 1)[1].split()[0]
    dsim.add("uc", share_id, "dead")
    _insert(sqlite_only, [("blob link", "uc", link)])
    report = json.loads(_ok(cli, "check-links", "--no-pacing", "--retries", "0", "--json", code=0))
    [result] = report["results"]
    assert (result["verdict"], result["marked"]) == ("expired", True)
    assert [row.is_expired for row in sqlite_only.rows().values()] == [1]
