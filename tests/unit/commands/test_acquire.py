"""Issue 25 through the command: `quarkctl resources acquire` against the simulator's shares and the fake
PanSou, on SQLite and MariaDB: a taken-down row gets a new own link that the next check finds valid,
trailers, other seasons, dead and empty results are passed over with their reasons, a passcode comes from
`password`, PanSou down or refusing is one line and exit 7, a full drive stops the run, --dry-run changes
nothing."""

from __future__ import annotations

import json

from quarkctl.simulator.model import Share
from tests.conftest import Cli

FAST = ("--no-pacing",)
EPISODE = 200_000_000  # an episode's size: a file below acquire/verify.py's MIN_VIDEO_BYTES is no video


def _share(sim, pwd_id: str, files=("第01集.mp4", "第02集.mp4"), **kwargs) -> str:
    sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=[{"name": f, "size": EPISODE} for f in files], **kwargs))
    return f"https://pan.quark.cn/s/{pwd_id}"


def _env(pansou) -> dict[str, str]:
    return {"PANSOU_URL": pansou.base_url}


def _taken_down_row(owner: Cli, sim, name: str = "庆余年 第二季") -> int:
    # the row's own share was taken down and its files are gone from the drive: reshare cannot heal it
    dead = _share(sim, "down00000001", dead_code=41010)
    (row,) = owner.db.seed([{"drama_name": name, "link": dead, "is_expired": 1, "share_count": 1}])
    return row


def test_a_taken_down_row_gets_a_new_own_link_and_the_next_check_finds_it_valid(owner: Cli, sim, pansou) -> None:
    row = _taken_down_row(owner, sim)
    pansou.add("庆余年 第二季", _share(sim, "trai00000001"), note="庆余年 第二季 预告片 4K")
    pansou.add("庆余年 第二季", _share(sim, "seas00000001"), note="庆余年 第一季 全46集 4K")
    pansou.add("庆余年 第二季", _share(sim, "gone00000001", dead_code=41004), note="庆余年 第二季 2160p 杜比")
    pansou.add("庆余年 第二季", _share(sim, "empt00000001", files=()), note="庆余年 第二季 1080p")
    pansou.add("庆余年 第二季", _share(sim, "lock00000001", passcode="ab12"), note="庆余年 第二季 720p", password="ab12")
    done = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert (result["id"], result["action"], result["taken"]["url"]) == (row, "replaced", "https://pan.quark.cn/s/lock00000001")
    reasons = {c["url"][-12:]: c["reason"] for c in result["considered"]}
    assert reasons == {"trai00000001": "trailer", "seas00000001": "other_season", "gone00000001": "dead",
                       "empt00000001": "empty", "lock00000001": "ok"}
    stored = owner.db.rows()[row]
    assert stored.link == result["new_link"] and stored.is_expired == 0 and stored.share_count == 2
    assert sorted(sim.drive().listdir("/quarkctl/庆余年 第二季")) == ["第01集.mp4", "第02集.mp4"]
    checked = owner.run("check-links", *FAST, "--json", env=_env(pansou))
    assert checked.returncode == 0 and json.loads(checked.stdout)["summary"]["valid"] == 1
    shown = owner.run("resources", "show", str(row), env=_env(pansou))
    assert "lock00000001" in shown.stdout and result["new_link"] in shown.stdout
    runs = json.loads(owner.run("history", "--json").stdout)["runs"]
    acquired = next(r for r in runs if r["job"] == "acquire")
    assert acquired["counts"]["replaced"] == 1
    items = json.loads(owner.run("history", "show", str(acquired["id"]), "--json").stdout)["items"]
    assert [(i["resource_id"], i["status"], i["new_link"]) for i in items] == [(row, "done", result["new_link"])]
    lines = owner.run("history", "show", str(acquired["id"])).stdout
    assert "lock00000001" in lines and result["new_link"] in lines


def test_a_dry_run_explains_every_result_and_changes_nothing(owner: Cli, sim, pansou) -> None:
    row = _taken_down_row(owner, sim)
    pansou.add("庆余年 第二季", _share(sim, "trai00000001"), note="庆余年 第二季 预告片")
    pansou.add("庆余年 第二季", _share(sim, "good00000001"), note="庆余年 第二季 4K HDR")
    before = owner.db.rows()
    done = owner.run("resources", "acquire", str(row), "--dry-run", *FAST, env=_env(pansou))
    assert done.returncode == 0, done.stderr
    assert "would take https://pan.quark.cn/s/good00000001 into /quarkctl/庆余年 第二季" in done.stdout
    assert "score 170 (4k +100, hdr +70)" in done.stdout and "a trailer or extras" in done.stdout
    assert owner.db.rows() == before and not sim.requests("save") and not sim.requests("share_create")


def test_pansou_down_or_refusing_is_one_line_exit_7_and_nothing_changes(owner: Cli, sim, pansou) -> None:
    row = _taken_down_row(owner, sim)
    pansou.enable_auth({"admin": "right-password"})
    done = owner.run("resources", "acquire", "--all-expired", *FAST,
                     env={**_env(pansou), "PANSOU_USERNAME": "admin", "PANSOU_PASSWORD": "wrong-password"})
    assert done.returncode == 7, done.stdout + done.stderr
    assert "refused" in done.stdout and "wrong-password" not in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert owner.db.rows()[row].is_expired == 1
    pansou.down = "closed"
    again = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
    assert again.returncode == 7 and "cannot be reached" in again.stdout
    # the summary counts the row the run started with, not tried (a second review of issue 25: "total 0")
    assert "rows to find new links for: 1" in again.stdout and "summary: total 1, skipped 1" in again.stdout, again.stdout
    doc = json.loads(owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou)).stdout)
    assert (doc["summary"]["total"], doc["summary"]["skipped"]) == (1, 1)
    unset = owner.run("resources", "acquire", "--all-expired", *FAST)
    assert unset.returncode == 2 and "PANSOU_URL" in unset.stderr


def test_a_full_drive_stops_the_run(owner: Cli, sim, pansou) -> None:
    row = _taken_down_row(owner, sim)
    pansou.add("庆余年 第二季", _share(sim, "good00000001"), note="庆余年 第二季")
    sim.account().base_capacity = 10
    done = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 4
    report = json.loads(done.stdout)
    assert report["aborted"] == "drive_full" and owner.db.rows()[row].is_expired == 1
    assert "the drive is full" in done.stderr


def test_the_complete_series_wins_over_one_4k_episode_and_an_ad_clip_is_no_video(owner: Cli, sim, pansou) -> None:
    # a new user's review: 三体 took «三体 E01 4K» (one episode) on its 4K, 狂飙 a share whose only file was a 1000-byte 广告.mp4
    row = _taken_down_row(owner, sim, name="三体")
    ad = sim.add_share(Share(pwd_id="adve00000001", title="ad", files=[{"name": "广告.mp4", "size": 1000}]))
    pansou.add("三体", f"https://pan.quark.cn/s/{ad.pwd_id}", note="三体 4K 杜比 【非本剧】")
    small = sim.add_share(Share(pwd_id="smal00000001", title="s", files=[{"name": "三体.E01.mp4", "size": 1000}]))
    pansou.add("三体", f"https://pan.quark.cn/s/{small.pwd_id}", note="三体 HDR 1080p")
    pansou.add("三体", _share(sim, "e01000000001", files=("三体.E01.mkv",)), note="三体 E01 4K")
    pansou.add("三体", _share(sim, "full00000001", files=tuple(f"三体.E{n:02d}.mkv" for n in range(1, 31))), note="三体 全30集 1080p")
    done = owner.run("resources", "acquire", str(row), "--dry-run", "--json", *FAST, env=_env(pansou))
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["taken"]["url"].endswith("full00000001") and result["taken"]["detail"]["videos"] == 30
    by_url = {c["url"][-12:]: c for c in result["considered"]}
    # counted as no video, each said for what it is (a new user's review: "no video files" for an ad-only share)
    assert (by_url["adve00000001"]["reason"], by_url["smal00000001"]["reason"]) == ("ad_videos", "small_videos")
    assert (by_url["e01000000001"]["reason"], by_url["e01000000001"]["detail"]["videos"]) == ("not_chosen", 1)
    lines = owner.run("resources", "acquire", str(row), "--dry-run", *FAST, env=_env(pansou)).stdout
    assert "[30 video files]" in lines and "[1 video file]" in lines and "another result was taken" in lines


def test_a_film_keeps_the_ranking_order_when_no_note_names_episodes(owner: Cli, sim, pansou) -> None:
    row = _taken_down_row(owner, sim, name="沙丘")
    pansou.add("沙丘", _share(sim, "extr00000001", files=("沙丘.mkv", "沙丘.making.mkv", "沙丘.deleted.mkv")), note="沙丘 1080p")
    pansou.add("沙丘", _share(sim, "uhd000000001", files=("沙丘.mkv",)), note="沙丘 4K")
    done = owner.run("resources", "acquire", str(row), "--dry-run", "--json", *FAST, env=_env(pansou))
    (result,) = json.loads(done.stdout)["results"]
    assert result["taken"]["url"].endswith("uhd000000001")


def test_min_video_mb_sets_the_floor_a_video_file_must_reach(owner: Cli, sim, pansou) -> None:
    """The 50 MB floor (acquire/verify.py MIN_VIDEO_BYTES) is an option: a share of 30 MB clips is no video by
    default, and is taken with --min-video-mb 20; a bad value is one line and exit 2."""
    row = _taken_down_row(owner, sim, name="短片集")
    sim.add_share(Share(pwd_id="clip00000001", title="短片集", files=[{"name": f"{n:02d}.mp4", "size": 30 * 1024 * 1024} for n in (1, 2)]))
    pansou.add("短片集", "https://pan.quark.cn/s/clip00000001", note="短片集 全2集")
    default = owner.run("resources", "acquire", "--all-expired", *FAST, "--dry-run", "--json", env=_env(pansou))
    (result,) = json.loads(default.stdout)["results"]
    assert (result["action"], [c["reason"] for c in result["considered"]]) == ("left_dead", ["small_videos"])
    lower = owner.run("resources", "acquire", "--all-expired", *FAST, "--min-video-mb", "20", "--json", env=_env(pansou))
    assert lower.returncode == 0, lower.stdout + lower.stderr
    (result,) = json.loads(lower.stdout)["results"]
    assert (result["action"], result["taken"]["detail"]["videos"]) == ("replaced", 2) and owner.db.rows()[row].is_expired == 0
    bad = owner.run("resources", "acquire", "--all-expired", "--min-video-mb", "-1", env=_env(pansou))
    assert bad.returncode == 2 and "--min-video-mb" in bad.stderr and "Traceback" not in bad.stderr


def test_a_row_marked_expired_whose_link_lives_is_unmarked_and_said_so(owner: Cli, sim, pansou) -> None:
    link = _share(sim, "live00000001")
    (row,) = owner.db.seed([{"drama_name": "电影L", "link": link, "is_expired": 1}])
    done = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"#{row} 电影L link alive again, unmarked" in done.stdout and "unmarked 1" in done.stdout
    assert owner.db.rows()[row].is_expired == 0 and owner.db.rows()[row].link == link and not pansou.requests("/api/search")
    runs = json.loads(owner.run("history", "--json").stdout)["runs"]
    run = next(r for r in runs if r["job"] == "acquire")
    shown = owner.run("history", "show", str(run["id"])).stdout
    assert f"#{row} 电影L unmarked: {link} was alive again" in shown
    assert f"unmarked: {link} was alive again" in owner.run("resources", "show", str(row)).stdout
