"""Issue 25, autosave `--replace-dead`: a task whose share died in this run moves to a search result that
continues its series (the fake PanSou's results point at the simulator's shares), or, without the switch,
only gets it suggested. In process (the `cli` fixture), against `sim` and `pansou`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import COOKIE, Cli, share_url
from quarkctl.simulator import Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0", "--json", "--no-sign"]
MS = 1760700000000
SIZE = 500_000_000  # an episode's size


def episodes(*numbers: int, ext: str = "mkv", size: int = SIZE, season: int = 1) -> list[dict]:
    return [{"name": f"剧集A.S{season:02d}E{n:02d}.{ext}", "size": size, "updated_at": MS + n} for n in numbers]


def write_config(cli: Cli, **top) -> Path:
    path = cli.home / "quark_config.json"
    task = {"taskname": "剧集A (2024)", "shareurl": share_url("olds00000001"), "savepath": "/追更/剧集A", "pattern": "", "replace": ""}
    data = {"cookie": COOKIE, "magic_regex": {}, "tasklist": [task], **top}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def autosave(cli: Cli, config: Path, *args: str, env: dict | None = None) -> tuple:
    proc = cli.run("autosave", "--config", str(config), *FAST, *args, env=env)
    assert "Traceback" not in proc.stderr
    return proc, json.loads(proc.stdout)


def saved_then_dead(cli: Cli, sim: Simulator, **top) -> Path:
    """The task saved E01-E03 from its share, then the share was cancelled."""
    share = sim.add_share(Share(pwd_id="olds00000001", title="剧集A", files=episodes(1, 2, 3)))
    config = write_config(cli, **top)
    proc, doc = autosave(cli, config)
    assert doc["tasks"][0]["status"] == "saved", proc.stderr
    share.dead_code = 41012
    return config


def add(sim: Simulator, pansou, pwd_id: str, files: list[dict], note: str) -> str:
    sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=files))
    pansou.add("剧集A", share_url(pwd_id), note=note)
    return share_url(pwd_id)


def test_a_dead_share_continues_from_a_replacement_and_nothing_is_saved_twice(cli: Cli, sim: Simulator, pansou, db) -> None:
    """On SQLite and MariaDB (`db`): the ledger's names come from the database."""
    config = saved_then_dead(cli, sim)
    drive = sim.drive()
    drive.delete([drive.node("/追更/剧集A/剧集A.S01E02.mkv")["fid"]])  # the user deleted E02: the ledger keeps it away
    add(sim, pansou, "mp4s00000001", episodes(4, 5, ext="mp4"), "剧集A 4K 更新至05集")
    add(sim, pansou, "olde00000001", episodes(1, 2, 3), "剧集A 2160p 杜比")
    add(sim, pansou, "trai00000001", episodes(4, 5), "剧集A 预告")
    add(sim, pansou, "seas00000001", episodes(1, 2, season=2), "剧集A 第二季")
    good = add(sim, pansou, "good00000001", episodes(1, 2, 3, 4, 5), "剧集A 1080p")
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    assert proc.returncode == 0, proc.stderr
    (task,) = doc["tasks"]
    assert task["status"] == "saved" and task["replaced"]["url"] == good and task["replaced"]["applied"] is True
    assert task["replaced"]["episodes"] == [4, 5]
    assert [node["name"] for node in task["added"]] == ["剧集A.S01E05.mkv", "剧集A.S01E04.mkv"]
    reasons = {c["url"][-12:]: c["reason"] for c in task["replacement_candidates"]}
    assert reasons == {"mp4s00000001": "other_extension", "olde00000001": "no_new_episodes", "trai00000001": "trailer",
                       "seas00000001": "other_season", "good00000001": "ok"}
    # each episode once (E02 stays deleted), no "(1)" copies
    assert drive.listdir("/追更/剧集A") == ["剧集A.S01E01.mkv", "剧集A.S01E03.mkv", "剧集A.S01E04.mkv", "剧集A.S01E05.mkv"]
    saved = json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]
    assert saved["shareurl"] == good and saved["shareurl_dead"] == share_url("olds00000001")
    assert "shareurl_ban" not in saved
    assert [r.query.get("kw") for r in pansou.requests("/api/search")] == [["剧集A"]]  # the year left out of the search
    # the next run follows the new share: nothing new, no ban
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    assert doc["tasks"][0]["status"] == "nothing_new" and doc["tasks"][0]["replaced"] is None


def test_without_the_switch_the_replacement_is_only_suggested(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim)
    good = add(sim, pansou, "good00000001", episodes(4, 5), "剧集A 1080p")
    proc, doc = autosave(cli, config, env={"PANSOU_URL": pansou.base_url})
    banned = config.read_bytes()
    (task,) = doc["tasks"]
    assert (task["status"], task["replaced"], task["suggested_replacement"]["url"]) == ("banned", None, good)
    assert "suggested replacement" in proc.stderr and good in proc.stderr
    assert sim.drive().listdir("/追更/剧集A") == ["剧集A.S01E01.mkv", "剧集A.S01E02.mkv", "剧集A.S01E03.mkv"]
    assert json.loads(banned)["tasklist"][0]["shareurl"] == share_url("olds00000001")
    assert "shareurl_dead" not in json.loads(banned)["tasklist"][0]


def test_the_config_switch_replaces_as_the_flag_does(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim, replace_dead=True, source={"pansou": {"server": pansou.base_url}})
    good = add(sim, pansou, "good00000001", episodes(4), "剧集A")
    proc, doc = autosave(cli, config)
    assert doc["tasks"][0]["replaced"]["url"] == good, proc.stderr
    assert json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]["shareurl"] == good


def test_a_dry_run_says_what_it_would_replace_and_writes_nothing(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim)
    before = config.read_bytes()
    good = add(sim, pansou, "good00000001", episodes(4, 5), "剧集A")
    proc, doc = autosave(cli, config, "--replace-dead", "--dry-run", env={"PANSOU_URL": pansou.base_url})
    (task,) = doc["tasks"]
    assert task["replaced"]["url"] == good and task["replaced"]["applied"] is False
    assert [n["name"] for n in task["added"]] == ["剧集A.S01E05.mkv", "剧集A.S01E04.mkv"]  # the plan on the new share
    assert "would replace it with" in proc.stderr
    assert config.read_bytes() == before
    assert len(sim.drive().listdir("/追更/剧集A")) == 3


def test_pansou_down_leaves_the_task_banned_with_one_warning(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim)
    pansou.stop()
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    assert proc.returncode == 0  # as without the switch: a banned task is not a failure
    assert doc["tasks"][0]["status"] == "banned" and doc["search_warning"]
    warnings = [line for line in proc.stderr.splitlines() if "no replacement searched" in line]
    assert len(warnings) == 1 and pansou.base_url in warnings[0], proc.stderr
    assert json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]["shareurl_ban"] == "好友已取消了分享"


def test_replace_dead_without_a_search_service_is_a_usage_error(cli: Cli, sim: Simulator) -> None:
    config = write_config(cli)
    proc = cli.run("autosave", "--config", str(config), "--replace-dead", *FAST)
    assert proc.returncode == 2 and "PANSOU_URL" in proc.stderr and "Traceback" not in proc.stderr


def test_a_suggestion_is_taken_by_the_next_run_with_the_switch(cli: Cli, sim: Simulator, pansou) -> None:
    # a new user's review: the line said `--replace-dead takes it`, and the next run with it only said `skipped: 文件不存在`
    config = saved_then_dead(cli, sim)
    good = add(sim, pansou, "good00000001", episodes(4, 5), "剧集A 1080p")
    proc, doc = autosave(cli, config, env={"PANSOU_URL": pansou.base_url})
    assert doc["tasks"][0]["suggested_replacement"]["url"] == good
    assert json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]["shareurl_ban"]
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    (task,) = doc["tasks"]
    assert (task["status"], task["replaced"]["url"], task["replaced"]["applied"]) == ("saved", good, True), proc.stderr
    assert [n["name"] for n in task["added"]] == ["剧集A.S01E05.mkv", "剧集A.S01E04.mkv"]
    saved = json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]
    assert saved["shareurl"] == good and saved["shareurl_dead"] == share_url("olds00000001") and "shareurl_ban" not in saved


def test_a_banned_task_whose_share_lives_again_is_left_banned_and_not_searched(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim)
    add(sim, pansou, "good00000001", episodes(4, 5), "剧集A 1080p")
    autosave(cli, config, env={"PANSOU_URL": pansou.base_url})
    sim.add_share(Share(pwd_id="olds00000001", title="剧集A", files=episodes(1, 2, 3)))  # the share answers again: never replaced
    searches = len(pansou.requests("/api/search"))
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    (task,) = doc["tasks"]
    assert (task["status"], task["reason"], task["replaced"]) == ("skipped", "banned_earlier", None), proc.stderr
    assert len(pansou.requests("/api/search")) == searches
    assert json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]["shareurl"] == share_url("olds00000001")


def test_unban_in_a_dry_run_writes_nothing(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim)
    autosave(cli, config, env={"PANSOU_URL": pansou.base_url})
    before = config.read_bytes()
    assert json.loads(before)["tasklist"][0]["shareurl_ban"]
    proc = cli.run("autosave", "--config", str(config), "--unban", "1", "--replace-dead", "--dry-run", env={"PANSOU_URL": pansou.base_url})
    assert proc.returncode == 0 and "dry run: would unban: 剧集A (2024)" in proc.stdout
    assert config.read_bytes() == before
    proc = cli.run("autosave", "--config", str(config), "--unban", "1")
    assert "unbanned: 剧集A (2024)" in proc.stdout and "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]


def test_a_search_with_no_result_says_no_replacement_found(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim)
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    (task,) = doc["tasks"]
    assert (task["status"], task["replacement_search"], task["replacement_candidates"]) == ("banned", "剧集A", [])
    assert "no replacement found: the search for 剧集A found nothing" in proc.stderr


def test_a_replacement_saves_into_the_folder_the_task_has_already(cli: Cli, sim: Simulator, pansou) -> None:
    # a new user's review: the new share's S01 matched the saved S01 folder by name, and only 海报.jpg was saved
    poster = {"name": "海报.jpg", "size": 1000, "updated_at": MS}
    old = sim.add_share(Share(pwd_id="olds00000001", title="剧集A", files=[{"name": "S01", "children": episodes(1, 2, 3)}, poster]))
    config = write_config(cli)
    proc, doc = autosave(cli, config)
    assert doc["tasks"][0]["status"] == "saved", proc.stderr
    assert sim.drive().listdir("/追更/剧集A/S01") == ["剧集A.S01E01.mkv", "剧集A.S01E02.mkv", "剧集A.S01E03.mkv"]
    old.dead_code = 41012
    good = share_url("good00000001")
    sim.add_share(Share(pwd_id="good00000001", title="剧集A", files=[{"name": "S01", "children": episodes(1, 2, 3, 4, 5)}, dict(poster)]))
    pansou.add("剧集A", good, note="剧集A 1080p")
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    (task,) = doc["tasks"]
    assert task["replaced"]["url"] == good and task["status"] == "saved", proc.stderr
    assert sim.drive().listdir("/追更/剧集A/S01") == [f"剧集A.S01E0{n}.mkv" for n in range(1, 6)]  # E04, E05 into S01, none twice
    assert sorted(sim.drive().listdir("/追更/剧集A")) == ["S01", "海报.jpg"]


def test_the_accounts_own_share_is_never_a_replacement(cli: Cli, sim: Simulator, pansou) -> None:
    """A review of issue 25: a channel reposting the owner's link made the task move onto the owner's own share, which
    Quark never saves (41017): the task failed on every run with its shareurl rewritten."""
    config = saved_then_dead(cli, sim)
    for n in range(1, 6):
        sim.drive().put_file(f"/quarkctl/剧集A/剧集A.S01E0{n}.mkv", size=SIZE)
    own = sim.own_shares.share("/quarkctl/剧集A", title="剧集A")
    pansou.add("剧集A", own.link, note="剧集A 4K 全集")
    good = add(sim, pansou, "good00000001", episodes(1, 2, 3, 4, 5), "剧集A 1080p")
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    assert proc.returncode == 0, proc.stderr
    (task,) = doc["tasks"]
    assert task["replaced"]["url"] == good
    assert {c["url"]: c["reason"] for c in task["replacement_candidates"]}[own.link] == "own_share"
    assert json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]["shareurl"] == good


def test_a_replacement_whose_folder_the_save_path_lacks_saves_only_the_episodes_beyond_the_saved_ones(cli: Cli, sim: Simulator,
                                                                                                   pansou) -> None:
    """The task saved E01-E03 flat into its save path; the new share holds `Season 1/第01集 ... 第05集` (other names,
    a folder the save path lacks). Saved whole, that folder copied E01-E03 again (a review of issue 25): the run walks
    into it, makes the folder for what is new, and saves E04 and E05 only; the next run saves nothing."""
    config = saved_then_dead(cli, sim)
    good = share_url("good00000001")
    renamed = [{"name": f"第{n:02d}集.mkv", "size": SIZE, "updated_at": MS + n} for n in range(1, 6)]
    sim.add_share(Share(pwd_id="good00000001", title="剧集A", files=[{"name": "Season 1", "children": renamed},
                                                                     {"name": "海报.jpg", "size": 1000, "updated_at": MS}]))
    pansou.add("剧集A", good, note="剧集A 1080p")
    planned, doc = autosave(cli, config, "--replace-dead", "--dry-run", env={"PANSOU_URL": pansou.base_url})
    assert not sim.drive().exists("/追更/剧集A/Season 1"), planned.stderr
    proc, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    (task,) = doc["tasks"]
    assert (task["status"], task["replaced"]["url"], task["replaced"]["episodes"]) == ("saved", good, [4, 5]), proc.stderr
    drive = sim.drive()
    assert sorted(drive.listdir("/追更/剧集A/Season 1")) == ["第04集.mkv", "第05集.mkv"]
    assert sorted(drive.listdir("/追更/剧集A")) == ["Season 1", "剧集A.S01E01.mkv", "剧集A.S01E02.mkv", "剧集A.S01E03.mkv", "海报.jpg"]
    again, doc = autosave(cli, config, "--replace-dead", env={"PANSOU_URL": pansou.base_url})
    assert doc["tasks"][0]["status"] == "nothing_new", again.stderr
    assert sorted(sim.drive().listdir("/追更/剧集A/Season 1")) == ["第04集.mkv", "第05集.mkv"]


def test_the_full_series_is_taken_over_one_4k_episode_as_resources_acquire_takes_it(cli: Cli, sim: Simulator, pansou) -> None:
    """A new user's review of issue 25: --replace-dead took «E04 4K» (one episode, ranked first on its 4K) over the
    full season; it chooses among the checked results as `resources acquire` does (acquire/choose.py)."""
    config = saved_then_dead(cli, sim)
    one = add(sim, pansou, "e04000000001", episodes(4), "剧集A E04 4K")
    full = add(sim, pansou, "full00000001", episodes(*range(1, 31)), "剧集A 全30集 1080p")
    proc, doc = autosave(cli, config, "--replace-dead", "--dry-run", env={"PANSOU_URL": pansou.base_url})
    (task,) = doc["tasks"]
    assert task["replaced"]["url"] == full, proc.stderr
    reasons = {c["url"]: c["reason"] for c in task["replacement_candidates"]}
    assert reasons == {one: "not_chosen", full: "ok"}
    assert "another result was taken" in proc.stderr
