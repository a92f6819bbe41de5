"""A new user's review of issue 25, through the command (`resources acquire`, `check-links --reacquire`) against the
simulator and the fake PanSou, on SQLite and MariaDB: each finding's case, worded as the user reads it."""

from __future__ import annotations

import json

from quarkctl.simulator.model import Share
from tests.conftest import Cli

FAST = ("--no-pacing",)
EPISODE = 200_000_000


def _share(sim, pwd_id: str, files=("第01集.mp4", "第02集.mp4"), **kwargs) -> str:
    sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=[{"name": f, "size": EPISODE} for f in files], **kwargs))
    return f"https://pan.quark.cn/s/{pwd_id}"


def _env(pansou) -> dict[str, str]:
    return {"PANSOU_URL": pansou.base_url}


def _dead_row(owner: Cli, sim, name: str, pwd_id: str = "down00000001") -> int:
    (row,) = owner.db.seed([{"drama_name": name, "link": _share(sim, pwd_id, dead_code=41010), "is_expired": 1}])
    return row


def _acquire(owner: Cli, pansou, *args: str) -> dict:
    done = owner.run("resources", "acquire", *args, *FAST, "--json", env=_env(pansou))
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(done.stdout)


def test_a_title_holding_an_ad_word_is_reacquired_and_an_ad_only_share_is_said_so(owner: Cli, sim, pansou) -> None:
    row = _dead_row(owner, sim, "广告狂人")
    pansou.add("广告狂人", _share(sim, "adsonly00001", files=("关注公众号.mp4",)), note="广告狂人 4K 全集")
    pansou.add("广告狂人", _share(sim, "madmen000001", files=("广告狂人.S01E01.mkv", "广告狂人.S01E02.mkv")), note="广告狂人 1080p")
    lines = owner.run("resources", "acquire", str(row), "--dry-run", *FAST, env=_env(pansou)).stdout
    assert "its video files are named as ads" in lines, lines
    (result,) = _acquire(owner, pansou, str(row))["results"]
    reasons = {c["url"][-12:]: c["reason"] for c in result["considered"]}
    assert result["action"] == "replaced" and result["taken"]["url"].endswith("madmen000001"), result
    assert reasons["adsonly00001"] == "ad_videos"
    assert owner.db.rows()[row].is_expired == 0 and sim.drive().listdir("/quarkctl/广告狂人")


def test_a_share_whose_videos_lie_too_deep_is_said_so(owner: Cli, sim, pansou) -> None:
    row = _dead_row(owner, sim, "深层剧")
    deep = [{"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": [{"name": "E01.mkv", "size": EPISODE}]}]}]}]
    sim.add_share(Share(pwd_id="deep00000001", title="深层剧", files=deep))
    pansou.add("深层剧", "https://pan.quark.cn/s/deep00000001", note="深层剧 全集")
    (result,) = _acquire(owner, pansou, str(row), "--dry-run")["results"]
    assert [c["reason"] for c in result["considered"]] == ["too_deep"]
    lines = owner.run("resources", "acquire", str(row), "--dry-run", *FAST, env=_env(pansou)).stdout
    assert "lie too deep" in lines


def test_an_emptied_share_is_replaced_and_said_so_without_being_marked(owner: Cli, sim, pansou) -> None:
    """A share whose files were all deleted shows a visitor nothing (quark-api.md 4.2.6): acquire replaces it, as
    autosave --replace-dead replaces an emptied root, and says why; it never marks the row for it."""
    (row, lonely) = owner.db.seed([{"drama_name": "空剧", "link": _share(sim, "empt00000001", files=())},
                                   {"drama_name": "无果", "link": _share(sim, "empt00000002", files=())}])
    pansou.add("空剧", _share(sim, "good00000001"), note="空剧 1080p")
    report = _acquire(owner, pansou, str(row), str(lonely))
    by_id = {r["id"]: r for r in report["results"]}
    assert (by_id[row]["action"], by_id[row]["old_verdict"]) == ("replaced", "empty"), by_id[row]
    assert owner.db.rows()[row].link == by_id[row]["new_link"]
    assert (by_id[lonely]["action"], by_id[lonely]["old_verdict"]) == ("left_dead", "empty")
    assert owner.db.rows()[lonely].is_expired == 0  # check-links' rule marks an empty share, not acquire
    lines = owner.run("resources", "acquire", str(lonely), *FAST, env=_env(pansou)).stdout
    assert "share is empty" in lines


def test_check_links_reacquire_replaces_the_share_it_marked_for_staying_empty(owner: Cli, sim, pansou) -> None:
    (row,) = owner.db.seed([{"drama_name": "空剧", "link": _share(sim, "empt00000001", files=())}])
    pansou.add("空剧", _share(sim, "good00000001"), note="空剧 1080p")
    done = owner.run("check-links", "--reacquire", "--empty-grace", "0", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = json.loads(done.stdout)["reacquire"]["results"]
    assert (result["action"], result["old_verdict"]) == ("replaced", "empty")
    assert owner.db.rows()[row].is_expired == 0 and "good00000001" not in owner.db.rows()[row].link


def test_the_keyword_leaves_bracketed_notes_and_the_year_out_shows_it_and_ranks_by_the_year(owner: Cli, sim, pansou) -> None:
    other = _dead_row(owner, sim, "庆余年 (另一链接)")
    dune = _dead_row(owner, sim, "Dune (2021)", pwd_id="down00000002")
    nothing = _dead_row(owner, sim, "无人分享 [4K]", pwd_id="down00000003")
    pansou.add("庆余年", _share(sim, "qyn000000001"), note="庆余年 全46集")
    pansou.add("Dune", _share(sim, "dune19840001", files=("Dune.1984.mkv",)), note="Dune 1984 4K")
    pansou.add("Dune", _share(sim, "dune20210001", files=("Dune.2021.mkv",)), note="Dune 2021 1080p")
    report = _acquire(owner, pansou, str(other), str(dune), str(nothing), "--dry-run")
    by_id = {r["id"]: r for r in report["results"]}
    assert [by_id[i]["keyword"] for i in (other, dune, nothing)] == ["庆余年", "Dune", "无人分享"]
    assert by_id[other]["taken"]["url"].endswith("qyn000000001")
    assert by_id[dune]["taken"]["url"].endswith("dune20210001")  # the year ranks, though it is not searched
    assert [r.query.get("kw") for r in pansou.requests("/api/search")] == [["庆余年"], ["Dune"], ["无人分享"]]
    lines = owner.run("resources", "acquire", str(nothing), *FAST, env=_env(pansou)).stdout
    assert "left dead: searched «无人分享»: nothing found" in lines


def test_a_new_title_that_finds_nothing_says_nothing_found_not_left_dead(owner: Cli, sim, pansou) -> None:
    done = owner.run("resources", "acquire", "--name", "没有的剧 (2030)", *FAST, env=_env(pansou))
    assert "没有的剧 (2030) searched «没有的剧»: nothing found" in done.stdout, done.stdout
    assert "left dead" not in done.stdout.split("summary")[0]


def test_the_limit_counts_only_saves(owner: Cli, sim, pansou) -> None:
    """--limit 1: the unmarking and the title with no result after the one save are still done; the next save waits."""
    first = _dead_row(owner, sim, "剧一", pwd_id="down00000001")
    (alive,) = owner.db.seed([{"drama_name": "剧二", "link": _share(sim, "live00000001"), "is_expired": 1}])
    none = _dead_row(owner, sim, "剧三", pwd_id="down00000003")
    last = _dead_row(owner, sim, "剧四", pwd_id="down00000004")
    pansou.add("剧一", _share(sim, "good00000001"), note="剧一 1080p")
    pansou.add("剧四", _share(sim, "good00000004"), note="剧四 1080p")
    report = _acquire(owner, pansou, "--all-expired", "--limit", "1")
    said = {r["id"]: (r["action"], r["reason"]) for r in report["results"]}
    assert said == {first: ("replaced", "acquired"), alive: ("unmarked", "alive_again"), none: ("left_dead", "no_result"),
                    last: ("skipped", "limit")}, said
    assert len(sim.requests("save")) == 1 and owner.db.rows()[last].is_expired == 1
    lines = owner.run("resources", "acquire", str(last), "--limit", "0", *FAST, env=_env(pansou)).stdout
    assert "not saved this run: --limit reached (only saves count)" in lines


def test_check_links_names_its_reacquire_limit(owner: Cli, sim, pansou) -> None:
    for n in (1, 2):
        owner.db.seed([{"drama_name": f"剧{n}", "link": _share(sim, f"down0000000{n}", dead_code=41010)}])
        pansou.add(f"剧{n}", _share(sim, f"good0000000{n}"), note=f"剧{n} 1080p")
    done = owner.run("check-links", "--reacquire", "--reacquire-limit", "1", *FAST, env=_env(pansou))
    assert "not saved this run: --reacquire-limit reached" in done.stdout, done.stdout
    # its header names no re-share without --reshare, and its summary row counts the row held back
    assert "reacquire: rows found dead: 2," in done.stdout and "re-share" not in done.stdout
    assert "re-acquired 1, not tried 1" in done.stdout, done.stdout


def test_an_unknown_id_refuses_the_run_whole(owner: Cli, sim, pansou) -> None:
    row = _dead_row(owner, sim, "剧一")
    pansou.add("剧一", _share(sim, "good00000001"), note="剧一 1080p")
    before = owner.db.rows()
    done = owner.run("resources", "acquire", str(row), "999", *FAST, env=_env(pansou))
    assert done.returncode == 2 and "no resource with id 999; nothing was changed" in done.stderr, done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert owner.db.rows() == before and not pansou.requests("/api/search") and not sim.requests("save")
    as_json = owner.run("resources", "acquire", str(row), "999", *FAST, "--json", env=_env(pansou))
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["exit_code"] == 2


def test_acquires_own_check_of_a_row_is_in_its_history(owner: Cli, sim, pansou) -> None:
    (alive,) = owner.db.seed([{"drama_name": "活剧", "link": _share(sim, "live00000001"), "is_expired": 1}])
    dead = _dead_row(owner, sim, "死剧")
    done = owner.run("resources", "acquire", str(alive), str(dead), *FAST, env=_env(pansou))
    assert done.returncode == 1, done.stdout + done.stderr  # the dead one found nothing
    listed = {r["id"]: r for r in json.loads(owner.run("resources", "list", "--json").stdout)}
    assert (listed[alive]["last_verdict"], listed[dead]["last_verdict"]) == ("valid", "expired"), listed
    dry = _dead_row(owner, sim, "试剧", pwd_id="down00000009")
    owner.run("resources", "acquire", str(dry), "--dry-run", *FAST, env=_env(pansou))
    assert {r["id"]: r for r in json.loads(owner.run("resources", "list", "--json").stdout)}[dry]["last_verdict"] is None
