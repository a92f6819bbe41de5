"""A new user's review of issue 25: `history show RUN` lists the link each verdict was about (quarkctl_check_link),
not the row's current one: a row re-acquired since showed its new working link under the old "expired". A check
from before that table shows the row's link only when no re-acquisition or re-share changed it since."""

from __future__ import annotations

import json

from sqlalchemy import text

from quarkctl.simulator.model import Share
from tests.conftest import Cli

FAST = ("--no-pacing",)
EPISODE = 200_000_000


def _share(sim, pwd_id: str, files=("第01集.mp4", "第02集.mp4"), **kwargs) -> str:
    sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=[{"name": f, "size": EPISODE} for f in files], **kwargs))
    return f"https://pan.quark.cn/s/{pwd_id}"


def _items(owner: Cli, run: int) -> dict[int, dict]:
    done = owner.run("history", "show", str(run), "--json")
    assert done.returncode == 0, done.stderr
    return {i["resource_id"]: i for i in json.loads(done.stdout)["items"]}


def _line(lines: str, row: int) -> str:
    found = [x for x in lines.splitlines() if x.startswith(f"  #{row} ")]
    assert len(found) == 1, lines
    return found[0]


def test_a_past_check_shows_the_link_it_checked_after_the_row_was_reacquired(owner: Cli, sim, pansou) -> None:
    dead = _share(sim, "down00000001", dead_code=41010)
    alive = _share(sim, "live00000001")
    row, kept = owner.db.seed([{"drama_name": "庆余年 第二季", "link": dead}, {"drama_name": "狂飙", "link": alive}])
    env = {"PANSOU_URL": pansou.base_url}
    checked = owner.run("check-links", *FAST, "--json", env=env)
    assert checked.returncode == 0, checked.stderr
    (run,) = [r["id"] for r in json.loads(owner.run("history", "--json").stdout)["runs"] if r["job"] == "check-links"]
    pansou.add("庆余年 第二季", _share(sim, "good00000001"), note="庆余年 第二季 4K")
    acquired = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=env)
    assert acquired.returncode == 0, acquired.stdout + acquired.stderr
    new_link = owner.db.rows()[row].link
    assert new_link != dead
    items = _items(owner, run)
    assert (items[row]["link"], items[row]["link_known"], items[row]["verdict"]) == (dead, True, "expired")
    assert items[kept]["link"] == alive
    lines = owner.run("history", "show", str(run)).stdout
    line = _line(lines, row)
    assert dead in line and new_link not in line

    # the same run as an older quarkctl kept it (no quarkctl_check_link): the re-acquired row's link is unknown,
    # the untouched row's is its link
    engine = owner.db.engine()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM quarkctl_check_link"))
    engine.dispose()
    items = _items(owner, run)
    assert (items[row]["link"], items[row]["link_known"]) == (None, False)
    assert (items[kept]["link"], items[kept]["link_known"]) == (alive, True)
    lines = owner.run("history", "show", str(run)).stdout
    line = _line(lines, row)
    assert "(link unknown)" in line and new_link not in line
