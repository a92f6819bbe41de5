"""Two sub-folders of one collection share are two results (acquire/made.py key_of, a second review of issue 25):
the season-2 row was given the link made from the season-1 folder, keyed by the share alone."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from quarkctl.simulator.model import Share
from tests.conftest import Cli
from tests.e2e.test_acquire import FAST, _env


def _episodes(prefix: str, n: int) -> list[dict]:
    return [{"name": f"{prefix}E{i:02d}.mkv", "size": 900_000_000 + i} for i in range(1, n + 1)]


def _fids(sim, pwd: str) -> dict[str, str]:
    req = urllib.request.Request(f"{sim.base_url}/1/clouddrive/share/sharepage/token?pr=ucpro&fr=pc",
                                 data=json.dumps({"pwd_id": pwd, "passcode": ""}).encode(),
                                 headers={"Content-Type": "application/json"})
    stoken = json.load(urllib.request.urlopen(req))["data"]["stoken"]
    query = urllib.parse.urlencode({"pwd_id": pwd, "stoken": stoken, "pdir_fid": "0"})
    items = json.load(urllib.request.urlopen(f"{sim.base_url}/1/clouddrive/share/sharepage/detail?{query}"))["data"]["list"]
    return {i["file_name"]: i["fid"] for i in items}


def test_two_seasons_in_folders_of_one_share_get_their_own_links(owner: Cli, sim, pansou) -> None:
    sim.add_share(Share(pwd_id="c011ec7100aa", title="合集", files=[{"name": "S1", "children": _episodes("S01", 4)},
                                                                    {"name": "S2", "children": _episodes("S02", 3)}]))
    sim.add_share(Share(pwd_id="dead00000001", title="x", dead_code=41010, files=[]))
    sim.add_share(Share(pwd_id="dead00000002", title="y", dead_code=41010, files=[]))
    fids = _fids(sim, "c011ec7100aa")
    s1, s2 = (f"https://pan.quark.cn/s/c011ec7100aa#/list/share/{fids[k]}" for k in ("S1", "S2"))
    pansou.add("庆余年", s1, note="庆余年 第一季 4K")
    pansou.add("庆余年", s2, note="庆余年 第二季 4K")
    a, b = owner.db.seed([{"drama_name": "庆余年", "link": "https://pan.quark.cn/s/dead00000001", "is_expired": 1},
                          {"drama_name": "庆余年 第二季", "link": "https://pan.quark.cn/s/dead00000002", "is_expired": 1}])
    done = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
    rows = owner.db.rows()
    assert rows[a].link != rows[b].link, done.stdout + done.stderr
    assert rows[a].is_expired == 0 and rows[b].is_expired == 0, done.stdout + done.stderr
    assert "same_result" not in done.stdout
