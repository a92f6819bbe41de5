"""A row with an empty drama_name is left alone, said once as having no name (acquire/run.py, a second review of
issue 25: it was "no such Quark resource", twice when it shared a dead link with a named row, and check-links
--reacquire's header counted 0 rows)."""

from __future__ import annotations

import json

from tests.conftest import Cli
from tests.e2e.test_acquire import FAST, _env, _share

DEAD = "https://pan.quark.cn/s/dead00000001"


def test_a_row_without_a_name_is_left_alone_once(owner: Cli, sim, pansou) -> None:
    _share(sim, "dead00000001", dead_code=41010)
    pansou.add("X剧", "https://pan.quark.cn/s/" + _share(sim, "good00000001").rsplit("/", 1)[-1], note="X剧 4K")
    nameless, named = owner.db.seed([{"drama_name": "", "link": DEAD, "is_expired": 1},
                                     {"drama_name": "X剧", "link": DEAD, "is_expired": 1}])
    done = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
    out = done.stdout + done.stderr
    assert "no such Quark resource" not in out, out
    assert out.count("left alone: the row has no name to search for") == 1, out
    rows = owner.db.rows()
    assert rows[named].is_expired == 0 and rows[nameless].link == DEAD, out
    doc = json.loads(owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou)).stdout)
    assert [(o["id"], o["reason"]) for o in doc["results"]] == [(nameless, "no_name")]
    assert doc["summary"]["total"] == 1


def test_check_links_reacquire_counts_a_row_without_a_name(owner: Cli, sim, pansou) -> None:
    _share(sim, "dead00000001", dead_code=41010)
    owner.db.seed([{"drama_name": "", "link": DEAD, "is_expired": 0}])
    done = owner.run("check-links", "--reacquire", *FAST, env=_env(pansou))
    out = done.stdout + done.stderr
    assert "rows found dead: 1" in out, out
    assert out.count("left alone: the row has no name to search for") == 1, out
