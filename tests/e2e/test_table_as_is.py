"""The user's cloud_resource as it is (issue 23): a table with only the columns quarkctl needs, or with
columns of the user's own, works with every command through the installed `quarkctl`; a table that
lacks a needed column is refused at start with the ALTER TABLE line that adds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import Cli, ResourceDB, add_valid, share_url
from quarkctl.simulator import Simulator
from unit.commands.test_resources import FAST, error_line

MINIMAL = {
    "mysql": "id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, drama_name VARCHAR(255) NOT NULL DEFAULT '', "
             "drive_type VARCHAR(50) NOT NULL, link TEXT NULL, is_expired TINYINT NOT NULL DEFAULT 1",
    "sqlite": "id INTEGER PRIMARY KEY AUTOINCREMENT, drama_name VARCHAR(255) NOT NULL DEFAULT '', "
              "drive_type VARCHAR(50) NOT NULL, link TEXT, is_expired TINYINT NOT NULL DEFAULT 1",
}
EXTRA = ", note VARCHAR(100) NULL, rating INT NULL"  # two columns of the user's own


def _create(db: ResourceDB, columns: str) -> None:
    engine = db.engine()
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS cloud_resource"))
        suffix = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" if db.kind == "mysql" else ""
        conn.execute(text(f"CREATE TABLE cloud_resource ({columns}){suffix}"))
    engine.dispose()


def _sql(db: ResourceDB, statement: str) -> list[tuple]:
    engine = db.engine()
    with engine.begin() as conn:
        result = conn.execute(text(statement))
        rows = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return rows


def _ok(proc) -> str:  # type: ignore[no-untyped-def]
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    return proc.stdout


@pytest.mark.parametrize("extra", [False, True], ids=["minimal", "extra_columns"])
def test_every_command_on_the_table_as_it_is(cli: Cli, sim: Simulator, testdb: ResourceDB, tmp_path: Path, extra: bool) -> None:
    columns = MINIMAL[testdb.kind] + (EXTRA if extra else "")
    _create(testdb, columns)
    cli.env["DATABASE_URL"] = testdb.url_text
    add_valid(sim, "a1b2c3d4e5f6")
    _ok(cli.run("resources", "add", "活着的", share_url("a1b2c3d4e5f6")))
    _ok(cli.run("resources", "add", "死了的", share_url("deadbeef0001")))  # not in the simulator: share_not_found
    _ok(cli.run("resources", "add", "删掉的", share_url("deadbeef0002")))
    if extra:
        _sql(testdb, "UPDATE cloud_resource SET note = 'mine', rating = 5 WHERE drama_name = '活着的'")
    listed = json.loads(_ok(cli.run("resources", "list", "--json")))
    assert [r["drama_name"] for r in listed] == ["活着的", "死了的", "删掉的"]
    ids = {r["drama_name"]: r["id"] for r in listed}
    error_line(cli.run("resources", "list", "--sort", "updated"), 2, "update_time", "ALTER TABLE cloud_resource ADD COLUMN update_time DATETIME")
    shown = _ok(cli.run("resources", "show", str(ids["活着的"])))
    assert "活着的" in shown
    if extra:
        assert "note: mine" in shown and "rating: 5" in shown, shown

    _ok(cli.run("resources", "set-status", str(ids["删掉的"]), "--expired"))
    _ok(cli.run("resources", "rm", str(ids["删掉的"]), "--yes"))
    checked = cli.run("check-links", *FAST, "--json")  # a real run: marks write is_expired (no update_time here)
    assert checked.returncode in (0, 1), (checked.stdout, checked.stderr)
    assert "update_time" not in checked.stderr
    assert sorted(_sql(testdb, "SELECT drama_name, is_expired FROM cloud_resource")) == [("死了的", 1), ("活着的", 0)]

    doctor = json.loads(cli.run("doctor", "--json").stdout)
    table = [f for f in doctor["checks"] if f["name"] == "cloud_resource"]
    assert table and all(f["status"] == "ok" for f in table), table
    assert any("update_time" in f["message"] for f in table), table

    probed = cli.run("probe", "--from-db", "1", "--no-pacing", "--lang", "en")
    assert probed.returncode == 0, (probed.stdout, probed.stderr)

    exported = tmp_path / "export.csv"
    _ok(cli.run("resources", "export", "-o", str(exported)))
    header = exported.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [c.split()[0] for c in columns.split(", ")]
    _create(testdb, columns)  # a fresh table of the same shape
    _ok(cli.run("resources", "import", str(exported)))
    got = _sql(testdb, "SELECT drama_name, is_expired" + (", note, rating" if extra else "") + " FROM cloud_resource ORDER BY drama_name")
    assert sorted(got) == sorted([("死了的", 1) + ((None, None) if extra else ()), ("活着的", 0) + (("mine", 5) if extra else ())])


def test_a_table_without_a_needed_column_is_refused_with_the_alter_table_line(cli: Cli, testdb: ResourceDB) -> None:
    _create(testdb, MINIMAL[testdb.kind].replace(", is_expired TINYINT NOT NULL DEFAULT 1", ""))
    cli.env["DATABASE_URL"] = testdb.url_text
    alter = "ALTER TABLE cloud_resource ADD COLUMN is_expired TINYINT NOT NULL DEFAULT 1;"
    for args in (["resources", "list"], ["resources", "add", "x", share_url("a1b2c3d4e5f6")], ["check-links", *FAST]):
        error_line(cli.run(*args), 2, "is_expired", alter)
    doctor = json.loads(cli.run("doctor", "--json").stdout)
    table = {f["name"]: f for f in doctor["checks"]}["cloud_resource"]
    assert table["status"] == "fail" and table["fix"] == alter, table


def test_check_links_reshare_on_a_minimal_table_writes_the_columns_it_has(cli: Cli, sim: Simulator, testdb: ResourceDB) -> None:
    """A re-share sets link and is_expired; share_count, last_share_time and update_time only where the table has them."""
    _create(testdb, MINIMAL[testdb.kind])
    cli.env["DATABASE_URL"] = testdb.url_text
    sim.drive().put_file("/追更/剧集A/e01.mp4")
    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    _sql(testdb, f"INSERT INTO cloud_resource (drama_name, drive_type, link, is_expired) VALUES ('剧集A', 'quark', '{old.link}', 0)")
    sim.advance(days=8)
    done = cli.run("check-links", *FAST, "--reshare", "--json", "--lang", "en")
    assert done.returncode == 0, (done.stdout, done.stderr)
    ((link, expired),) = _sql(testdb, "SELECT link, is_expired FROM cloud_resource")
    assert link != old.link and link.startswith("https://pan.quark.cn/s/") and expired == 0
