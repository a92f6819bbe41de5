"""A dry run counts as newly marked only what a real run would newly mark (issue 23; a new user's review:
`check-links --recheck-expired --dry-run` and `resources revive --dry-run` said 5 newly marked, the real run 0)."""

from __future__ import annotations

import re

import pytest

from conftest import Cli, ResourceDB, on_database, share_url
from quarkctl.simulator import Share, Simulator


@pytest.mark.parametrize("args", [["check-links", "--recheck-expired"], ["resources", "revive"]], ids=["recheck", "revive"])
def test_rows_already_expired_are_not_newly_marked(cli: Cli, sim: Simulator, sqlitedb: ResourceDB, args: list[str]) -> None:
    on_database(cli, sqlitedb)
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    sim.add_share(Share(pwd_id="dead00000002", title="e", dead_code=41012, files=[]))
    sqlitedb.seed([{"drama_name": "old", "link": share_url("dead00000001"), "is_expired": 1},
                   {"drama_name": "new", "link": share_url("dead00000002"), "is_expired": 0}])
    dry = newly_marked(cli.run(*args, "--dry-run", "--no-pacing").stdout)
    real = newly_marked(cli.run(*args, "--no-pacing").stdout)
    expected = 0 if args[0] == "resources" else 1  # revive looks at expired rows only
    assert dry == real == expected


def newly_marked(output: str) -> int:
    found = re.search(r"newly marked expired (\d+)", output)
    assert found, output
    return int(found.group(1))
