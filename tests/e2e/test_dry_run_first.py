"""README's first step on a real database (issue 23): `check-links --dry-run` on a table that holds only
cloud_resource, before `db init`: it works, creates nothing, and says once how to keep history. Also with
--max-age and --empty-grace, which read the history. SQLite and MariaDB, through the installed command."""

from __future__ import annotations

import json

import pytest

from conftest import Cli, ResourceDB, add_valid, share_url
from helpers.seed_table import create_seed_table, tables
from quarkctl.simulator import Share, Simulator


@pytest.mark.parametrize("extra", [(), ("--max-age", "7d"), ("--empty-grace", "1h"), ("--reshare",)],
                         ids=["plain", "max-age", "empty-grace", "reshare"])
def test_a_dry_run_on_a_seed_shaped_table_before_db_init(cli: Cli, sim: Simulator, testdb: ResourceDB, extra: tuple[str, ...]) -> None:
    create_seed_table(testdb)
    add_valid(sim, "aaaa00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    sim.add_share(Share(pwd_id="empt00000001", title="e", files=[]))
    testdb.seed([{"drama_name": "好", "link": share_url("aaaa00000001"), "is_expired": 0},
                 {"drama_name": "坏", "link": share_url("dead00000001"), "is_expired": 0},
                 {"drama_name": "空", "link": share_url("empt00000001"), "is_expired": 0}])
    cli.env["DATABASE_URL"] = testdb.url_text
    text = cli.run("check-links", "--dry-run", "--no-pacing", *extra)
    assert text.returncode == 0, text.stderr
    assert "Traceback" not in text.stderr and "doesn't exist" not in text.stderr + text.stdout
    notes = [line for line in text.stdout.splitlines() if "quarkctl db init" in line]
    assert len(notes) == 1  # said once, at the end
    doc = json.loads(cli.run("check-links", "--dry-run", "--no-pacing", "--json", *extra).stdout)
    assert doc["history_missing"] is True and doc["summary"]["total"] == 3
    assert tables(testdb) == {"cloud_resource"}  # nothing created
    assert {r.is_expired for r in testdb.rows().values()} == {0}  # nothing written


def test_after_db_init_no_note(cli: Cli, sim: Simulator, testdb: ResourceDB) -> None:
    create_seed_table(testdb)
    add_valid(sim, "aaaa00000001")
    testdb.seed([{"drama_name": "好", "link": share_url("aaaa00000001"), "is_expired": 0}])
    cli.env["DATABASE_URL"] = testdb.url_text
    assert cli.run("db", "init").returncode == 0
    done = cli.run("check-links", "--dry-run", "--no-pacing")
    assert done.returncode == 0 and "quarkctl db init" not in done.stdout
