"""Re-sharing end to end where the process matters: the language, chosen at launch (the history in
English and Chinese). The rest runs in process: tests/unit/commands/test_reshare.py."""

from __future__ import annotations

import json


from tests.conftest import Cli
from unit.commands.test_reshare import FAST, _seed


def test_check_links_reshare_belongs_to_its_run_and_history_words_it(owner: Cli, sim) -> None:
    """The re-shares check-links --reshare makes are listed by `history show` of that run, in words."""
    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "share_count": 1}])
    sim.advance(days=8)
    done = owner.run("check-links", *FAST, "--reshare", "--json", "--lang", "en")
    assert done.returncode == 0, done.stderr
    new_link = owner.db.rows()[row_id].link
    (run,) = json.loads(owner.run("history", "--json").stdout)["runs"]
    assert owner.db.scalar("select run_id from quarkctl_reshare") == run["id"]
    listed = owner.run("history", "show", str(run["id"]), "--lang", "en")
    assert f"#{row_id} 剧集A the share's time limit passed, done: {old.link} -> {new_link}" in listed.stdout, listed.stdout
    assert "share_expired" not in listed.stdout
    zh = owner.run("history", "show", str(run["id"]), "--lang", "zh_CN")
    assert f"分享已超过有效期，已完成：{old.link} -> {new_link}" in zh.stdout, zh.stdout
