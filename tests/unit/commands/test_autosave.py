"""autosave end to end: the installed `quarkctl autosave` against the simulator's shares and drive.

Golden values come from the reference script's README examples and its do_save_task /
dir_check_and_save / do_rename flow (Cp0204/quark-auto-save 0.8.x).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import COOKIE, COOKIE_SECRETS, Cli, share_url
from quarkctl.simulator import Fault, Share, Simulator

MS = 1760700000000
FAST = ["--no-pacing", "--retry-backoff", "0", "--json"]
MOBILE = "; kps=kpsSecretValue42; sign=signValue1; vcode=vcodeValue1"


@pytest.fixture(autouse=True)
def quick_tasks(sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1


def files(*names: str, start: int = 0) -> list[dict]:
    return [{"name": n, "size": 1000 + i, "updated_at": MS + start + i} for i, n in enumerate(names)]


def task(name: str, pwd_id: str, savepath: str, pattern: str = "", replace: str = "", **extra) -> dict:
    return {"taskname": name, "shareurl": share_url(pwd_id), "savepath": savepath, "pattern": pattern, "replace": replace, **extra}


def write_config(cli: Cli, tasks: list[dict], **top) -> Path:
    path = cli.home / "quark_config.json"
    data = {"cookie": COOKIE, "push_config": {"QUARK_SIGN_NOTIFY": True}, "magic_regex": {}, "tasklist": tasks,
            "my_own_key": {"kept": "as it is"}, **top}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def autosave(cli: Cli, config: Path, *args: str, env: dict | None = None):
    proc = cli.run("autosave", "--config", str(config), *FAST, *args, env=env)
    for secret in COOKIE_SECRETS:
        assert secret not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None
    return proc, doc


def names_saved(doc: dict, index: int = 0) -> list[str]:
    return [node["name"] for node in doc["tasks"][index]["added"]]


def test_readme_example_movie_pattern(cli: Cli, sim: Simulator) -> None:
    """README: ^【电影TT】形似走肉(\\d+).(mp4|mkv) + \\1.\\2"""
    sim.add_share(Share(pwd_id="aaaa00000001", title="形似走肉", files=files("【电影TT】形似走肉01.mp4", "【电影TT】形似走肉02.mkv", "广告.txt")))
    config = write_config(cli, [task("形似走肉", "aaaa00000001", "/追更/形似走肉", r"^【电影TT】形似走肉(\d+).(mp4|mkv)", r"\1.\2")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    assert doc["tasks"][0]["status"] == "saved"
    assert sorted(sim.drive().listdir("/追更/形似走肉")) == ["01.mp4", "02.mkv"]
    assert doc["summary"]["files_saved"] == 2


def test_readme_example_episode_numbers(cli: Cli, sim: Simulator) -> None:
    """README: ^(\\d+).mp4 + S02E\\1.mp4"""
    sim.add_share(Share(pwd_id="aaaa00000002", title="x", files=files("01.mp4", "02.mp4", "花絮.mp4")))
    config = write_config(cli, [task("剧", "aaaa00000002", "/剧", r"^(\d+).mp4", r"S02E\1.mp4")])
    proc, _ = autosave(cli, config)
    assert proc.returncode == 0
    assert sorted(sim.drive().listdir("/剧")) == ["S02E01.mp4", "S02E02.mp4"]


def test_magic_tv(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000003", title="x", files=files("Show.S01E05.1080p.mkv", "第06集.mp4", "poster.jpg")))
    config = write_config(cli, [task("Show", "aaaa00000003", "/Show", "$TV")])
    proc, _ = autosave(cli, config)
    assert proc.returncode == 0
    # $TV: .*?([Ss]\d{1,2})?(?:[第EePpXx\.\-\_\( ]{1,2}|^)(\d{1,3})(?!\d).*?\.(mp4|mkv) -> \1E\2.\3
    assert sorted(sim.drive().listdir("/Show")) == ["E06.mp4", "S01E05.mkv"]


def test_template_with_variables(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000004", title="x", files=files("第3集.mp4", "第10集 超清.mkv")))
    config = write_config(cli, [task("剧集A", "aaaa00000004", "/A", "", "{TASKNAME}.S02E{E}.{EXT}")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0
    assert sorted(sim.drive().listdir("/A")) == ["剧集A.S02E10.mkv", "剧集A.S02E3.mp4"]
    renamed = {n["source_name"]: n["name"] for n in doc["tasks"][0]["added"]}
    assert renamed == {"第3集.mp4": "剧集A.S02E3.mp4", "第10集 超清.mkv": "剧集A.S02E10.mkv"}


def test_sequence_continues_from_existing_files(cli: Cli, sim: Simulator) -> None:
    drive = sim.drive()
    drive.put_file("/B/剧集B.20251001.01.mp4", updated_at=MS - 20)
    drive.put_file("/B/剧集B.20251002.02.mp4", updated_at=MS - 10)
    sim.add_share(Share(pwd_id="aaaa00000005", title="x", files=files("ep 2025-10-04.mp4", "ep 2025-10-03.mp4")))
    config = write_config(cli, [task("剧集B", "aaaa00000005", "/B", r".*\.mp4", "{TASKNAME}.{DATE}.{II}.{EXT}")])
    proc, _ = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    assert sorted(drive.listdir("/B")) == ["剧集B.20251001.01.mp4", "剧集B.20251002.02.mp4", "剧集B.20251003.03.mp4", "剧集B.20251004.04.mp4"]


def test_sequence_template_counts_any_numbered_file_as_there(cli: Cli, sim: Simulator) -> None:
    """The reference's is_exists reads {II} as any two digits: with a fixed prefix, one numbered file blocks the rest."""
    drive = sim.drive()
    drive.put_file("/B2/剧集B.01.mp4")
    sim.add_share(Share(pwd_id="aaaa0000000b", title="x", files=files("ep-a.mp4")))
    config = write_config(cli, [task("剧集B", "aaaa0000000b", "/B2", r".*\.mp4", "{TASKNAME}.{II}.{EXT}")])
    proc, doc = autosave(cli, config)
    assert doc["tasks"][0]["status"] == "nothing_new" and drive.listdir("/B2") == ["剧集B.01.mp4"]


def test_date_variable_is_normalised(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000006", title="x", files=files("节目 2025.10.17 期.mp4")))
    config = write_config(cli, [task("节目", "aaaa00000006", "/节目", r".*\.mp4", "{DATE}.{EXT}")])
    proc, _ = autosave(cli, config)
    assert proc.returncode == 0
    assert sim.drive().listdir("/节目") == ["20251017.mp4"]


@pytest.mark.parametrize(("ignore", "expected"), [(True, ["S01E01.mp4"]), (False, ["S01E01.mp4", "S01E01.srt"])])
def test_ignore_extension_with_subtitles(cli: Cli, sim: Simulator, ignore: bool, expected: list[str]) -> None:
    sim.drive().put_file("/C/S01E01.mp4")
    sim.add_share(Share(pwd_id="aaaa00000007", title="x", files=files("S01E01.srt")))
    config = write_config(cli, [task("C", "aaaa00000007", "/C", ignore_extension=ignore)])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0
    assert sorted(sim.drive().listdir("/C")) == expected
    assert doc["tasks"][0]["status"] == ("nothing_new" if ignore else "saved")


NEWEST_FIRST = "file_type:asc,updated_at:desc"


def test_startfid_on_a_newest_first_listing(cli: Cli, sim: Simulator) -> None:
    """The reference walks the listing newest first and stops after startfid, inclusive ("到达指定文件（含）
    结束历遍"): newer files and the start file are saved, older ones never. Upload order differs from name order."""
    times = {"E03.mp4": 3, "E01.mp4": 1, "E05.mp4": 5, "E02.mp4": 2, "E04.mp4": 4}
    share = sim.add_share(Share(pwd_id="aaaa00000008", title="x",
                                files=[{"name": n, "size": 9, "updated_at": MS + t} for n, t in times.items()]))
    config = write_config(cli, [task("D", "aaaa00000008", "/D", startfid=sim.fid_of(share.pwd_id, "E03.mp4"))])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    assert names_saved(doc) == ["E05.mp4", "E04.mp4", "E03.mp4"]  # in listing order, newest first
    assert sorted(sim.drive().listdir("/D")) == ["E03.mp4", "E04.mp4", "E05.mp4"]
    assert {r.query.get("_sort") for r in sim.requests(endpoint="detail")} == {NEWEST_FIRST}
    proc, doc = autosave(cli, config)  # the next run: the older files stay out
    assert doc["tasks"][0]["status"] == "nothing_new" and len(sim.drive().listdir("/D")) == 3


def test_startfid_on_the_second_page_of_the_listing(cli: Cli, sim: Simulator) -> None:
    share = sim.add_share(Share(pwd_id="aaaa0000000c", title="x", files=files(*[f"ep{i:03d}.mp4" for i in range(120)])))
    config = write_config(cli, [task("P", "aaaa0000000c", "/P", startfid=sim.fid_of(share.pwd_id, "ep060.mp4"))])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    pages = [r.query["_page"] for r in sim.requests(endpoint="detail")]
    assert pages == ["1", "2", "3"]  # newest first: ep119..ep070, ep069..ep020 (ep060 here), ep019..ep000
    assert sorted(sim.drive().listdir("/P")) == [f"ep{i:03d}.mp4" for i in range(60, 120)]
    assert [len(r.body["fid_list"]) for r in sim.requests(endpoint="save")] == [60]


def _subdir_share(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000009", title="x", files=[
        {"name": "S01", "children": files("E01.mkv", "E02.mkv")},
        *files("海报.jpg", start=10),
    ]))
    drive = sim.drive()
    drive.put_file("/E/S01/E01.mkv")
    drive.put_file("/E/海报.jpg")


def test_update_subdir_recurses_into_an_existing_folder(cli: Cli, sim: Simulator) -> None:
    _subdir_share(sim)
    config = write_config(cli, [task("E", "aaaa00000009", "/E", update_subdir="^S01$")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0
    assert sorted(sim.drive().listdir("/E/S01")) == ["E01.mkv", "E02.mkv"]
    added = doc["tasks"][0]["added"]
    assert added[0]["name"] == "S01" and [c["name"] for c in added[0]["children"]] == ["E02.mkv"]


def test_update_subdir_resave_mode_replaces_the_folder(cli: Cli, sim: Simulator) -> None:
    _subdir_share(sim)
    sim.drive().put_file("/E/S01/my-own-note.txt")
    config = write_config(cli, [task("E", "aaaa00000009", "/E", update_subdir="^S01$", update_subdir_resave_mode=True)])
    proc, _ = autosave(cli, config)
    assert proc.returncode == 0
    assert sorted(sim.drive().listdir("/E/S01")) == ["E01.mkv", "E02.mkv"]  # deleted, purged, saved again
    assert sim.requests(endpoint="recycle_remove")
    proc, _ = autosave(cli, config)  # and again the next run: the ledger does not hold a resaved folder back
    assert sorted(sim.drive().listdir("/E/S01")) == ["E01.mkv", "E02.mkv"] and sim.drive().listdir("/E") == ["S01", "海报.jpg"]


def test_runweek_and_enddate_skip_without_a_request(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa0000000a", title="x", files=files("a.mp4")))
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    not_today = [d for d in range(1, 8) if d != date.today().isoweekday()]
    config = write_config(cli, [task("ended", "aaaa0000000a", "/F1", enddate=yesterday),
                                task("not today", "aaaa0000000a", "/F2", runweek=not_today),
                                task("today", "aaaa0000000a", "/F3", enddate=date.today().isoformat())])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0
    assert [t["status"] for t in doc["tasks"]] == ["skipped", "skipped", "saved"]
    assert len(sim.requests(endpoint="token")) == 1


@pytest.mark.parametrize(
    ("share", "reason", "ban"),
    [
        (Share(pwd_id="bbbb00000001", title="x", dead_code=41012, files=[]), "share_cancelled", "好友已取消了分享"),
        (Share(pwd_id="bbbb00000001", title="x", dead_code=41004, files=[]), "files_deleted", "文件不存在"),
        (Share(pwd_id="bbbb00000001", title="x", files=[]), "empty_share", "分享为空，文件已被分享者删除"),
        (Share(pwd_id="bbbb00000001", title="x", detail_code=41004, files=files("a.mp4")), "files_deleted", "文件不存在"),
    ],
    ids=["cancelled", "deleted", "empty", "died-after-token"],
)
def test_every_ban_path(cli: Cli, sim: Simulator, share: Share, reason: str, ban: str) -> None:
    sim.add_share(share)
    config = write_config(cli, [task("G", "bbbb00000001", "/G")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0
    assert (doc["tasks"][0]["status"], doc["tasks"][0]["reason"]) == ("banned", reason)
    saved = json.loads(config.read_text(encoding="utf-8"))
    assert saved["tasklist"][0]["shareurl_ban"] == ban
    assert saved["my_own_key"] == {"kept": "as it is"}  # unknown keys survive write-back
    assert Path(str(config) + ".bak").exists()
    # a banned task is skipped on the next run without any request
    sim.clear_log()
    proc, doc = autosave(cli, config)
    assert doc["tasks"][0]["status"] == "skipped" and sim.requests(endpoint="token") == []


def test_a_passcode_problem_fails_the_task_and_never_bans_it(cli: Cli, sim: Simulator) -> None:
    """Issue 21: the share lives; only a dead code bans (the rule of quarkctl/quark/verdict.py)."""
    sim.add_share(Share(pwd_id="bbbb00000001", title="x", passcode="ab12", files=files("a.mp4")))
    config = write_config(cli, [task("G", "bbbb00000001", "/G")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 1
    assert (doc["tasks"][0]["status"], doc["tasks"][0]["reason"]) == ("failed", "passcode_required")
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]
    sim.clear_log()
    proc, doc = autosave(cli, config)  # asked again on the next run: the owner may have fixed ?pwd=
    assert sim.requests(endpoint="token") and doc["tasks"][0]["status"] == "failed"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault(kind="code", code=15000, endpoint="token"), "server_error"),
        (Fault(kind="code", code=14021, endpoint="token"), "risk_control"),
        (Fault(kind="code", code=49999, endpoint="token"), "unknown_code"),
        (Fault(kind="html", endpoint="detail"), "bad_response"),
        (Fault(kind="rate_limit", endpoint="token", retry_after=0), "rate_limited"),
    ],
    ids=["15000", "14021", "unknown", "html", "429"],
)
def test_transient_and_unknown_answers_never_ban(cli: Cli, sim: Simulator, fault: Fault, reason: str) -> None:
    sim.add_share(Share(pwd_id="cccc00000001", title="x", files=files("a.mp4"), faults=[fault]))
    config = write_config(cli, [task("H", "cccc00000001", "/H")])
    before = config.read_text(encoding="utf-8")
    proc, doc = autosave(cli, config)
    assert proc.returncode == 1  # a task failed
    assert (doc["tasks"][0]["status"], doc["tasks"][0]["reason"]) == ("failed", reason)
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]
    assert config.read_text(encoding="utf-8") == before  # nothing to write back


def test_saves_in_chunks_of_one_hundred(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="dddd00000001", title="x", files=files(*[f"{i:03d}.mp4" for i in range(250)])))
    config = write_config(cli, [task("big", "dddd00000001", "/big")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    saves = sim.requests(endpoint="save")
    assert [len(r.body["fid_list"]) for r in saves] == [100, 100, 50]
    assert len(sim.drive().listdir("/big")) == 250 and doc["summary"]["files_saved"] == 250


def test_dry_run_writes_nothing_and_shows_the_plan(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="eeee00000001", title="x", files=files("01.mp4", "02.mp4")))
    sim.add_share(Share(pwd_id="eeee00000002", title="x", dead_code=41012, files=[]))
    config = write_config(cli, [task("plan", "eeee00000001", "/新目录", r"^(\d+).mp4", r"S02E\1.mp4"), task("dead", "eeee00000002", "/x")])
    before = config.read_bytes()
    tree_before = sim.drive().tree()
    proc, doc = autosave(cli, config, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert doc["dry_run"] is True
    plan = doc["tasks"][0]
    assert plan["status"] == "planned" and plan["new_folders"] == ["/新目录"]
    # in listing order, which is newest first (quark-api.md 3.3), as the reference saves them
    assert [(n["source_name"], n["name"]) for n in plan["added"]] == [("02.mp4", "S02E02.mp4"), ("01.mp4", "S02E01.mp4")]
    assert doc["tasks"][1]["status"] == "banned"  # reported, not written
    assert config.read_bytes() == before
    assert not Path(str(config) + ".bak").exists()
    assert sim.drive().tree() == tree_before
    assert {r.endpoint for r in sim.log} <= {"account", "growth_info", "token", "detail", "path_list", "sort"}


def test_one_bad_share_among_twenty_tasks(cli: Cli, sim: Simulator) -> None:
    tasks = []
    for n in range(20):
        pwd_id = f"ffff{n:08x}"
        faults = [Fault(kind="html", endpoint="any")] if n == 7 else []
        sim.add_share(Share(pwd_id=pwd_id, title=str(n), files=files(f"ep{n}.mp4"), faults=faults))
        tasks.append(task(f"task {n}", pwd_id, f"/t/{n}"))
    config = write_config(cli, tasks)
    proc, doc = autosave(cli, config)
    assert proc.returncode == 1
    statuses = [t["status"] for t in doc["tasks"]]
    assert statuses == ["saved"] * 7 + ["failed"] + ["saved"] * 12
    assert len(sim.requests(endpoint="path_list")) == 1  # all 20 save paths in one call


def test_ledger_keeps_deleted_files_from_coming_back(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="abab00000001", title="x", files=files("01.mp4", "02.mp4")))
    config = write_config(cli, [task("L", "abab00000001", "/L")])
    assert autosave(cli, config)[0].returncode == 0
    drive = sim.drive()
    fid = drive.node("/L/01.mp4")["fid"]
    import requests
    requests.post(f"{sim.base_url}/1/clouddrive/file/delete", json={"action_type": 2, "filelist": [fid], "exclude_fids": []},
                  headers={"Cookie": COOKIE})
    assert drive.listdir("/L") == ["02.mp4"]
    proc, doc = autosave(cli, config)
    assert doc["tasks"][0]["status"] == "nothing_new" and drive.listdir("/L") == ["02.mp4"]
    proc, doc = autosave(cli, config, "--resave-deleted")
    assert sorted(drive.listdir("/L")) == ["01.mp4", "02.mp4"]


def test_ban_is_lifted_when_the_share_link_changes_and_unban(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="acac00000001", title="x", dead_code=41012, files=[]))
    sim.add_share(Share(pwd_id="acac00000002", title="x", files=files("new.mp4")))
    config = write_config(cli, [task("M", "acac00000001", "/M")])
    autosave(cli, config)
    data = json.loads(config.read_text(encoding="utf-8"))
    assert data["tasklist"][0]["shareurl_ban"]
    data["tasklist"][0]["shareurl"] = share_url("acac00000002")  # the user found a new link
    config.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    proc, doc = autosave(cli, config)
    assert doc["lifted_bans"] == ["M"] and doc["tasks"][0]["status"] == "saved"
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]
    # --unban clears a ban by hand
    data = json.loads(config.read_text(encoding="utf-8"))
    data["tasklist"][0]["shareurl_ban"] = "set by the reference script"
    config.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    proc = cli.run("autosave", "--config", str(config), "--unban", "M")
    assert proc.returncode == 0 and "M" in proc.stdout
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]


def test_task_selection_and_tasklist_env(cli: Cli, sim: Simulator) -> None:
    for n in (1, 2, 3):
        sim.add_share(Share(pwd_id=f"adad0000000{n}", title="x", files=files(f"{n}.mp4")))
    config = write_config(cli, [task(f"T{n}", f"adad0000000{n}", f"/T{n}") for n in (1, 2, 3)])
    proc, doc = autosave(cli, config, "--task", "T2", "--task", "3")
    assert [t["name"] for t in doc["tasks"]] == ["T2", "T3"]
    env = {"TASKLIST": json.dumps([task("from env", "adad00000001", "/env")], ensure_ascii=False)}
    proc, doc = autosave(cli, config, env=env)
    assert [t["name"] for t in doc["tasks"]] == ["from env"] and sim.drive().listdir("/env") == ["1.mp4"]


SIGN_ONLY = "sign-only-account" + MOBILE.replace("kpsSecretValue42", "otherKps")


def test_sign_in_with_mobile_parameters(cli: Cli, sim: Simulator) -> None:
    sim.cookies += [COOKIE + MOBILE, SIGN_ONLY]  # the simulator knows both accounts' kps
    config = write_config(cli, [], cookie=[COOKIE + MOBILE, SIGN_ONLY])
    proc = cli.run("sign", "--config", str(config), "--json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr
    assert doc["job"] == "sign"
    assert doc["accounts"][0]["verified"] is True and doc["accounts"][0]["sign"]["status"] == "signed"
    assert doc["accounts"][1]["verified"] is None  # no __uid: sign-in only
    assert doc["accounts"][1]["sign"]["status"] == "signed"
    proc = cli.run("sign", "--config", str(config), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["accounts"][0]["sign"]["status"] == "already_signed"
    for secret in ("kpsSecretValue42", "signValue1", "vcodeValue1"):
        assert secret not in proc.stdout + proc.stderr


# -- sign-in answers that do not prove a sign-in (issue 21, item 7) ---------------------------------

MiB = 1024**2
# COOKIE with the rest of the mobile parameters (COOKIE + MOBILE repeats kps: the simulator's rotated
# __puus is then not recognised, and a save fails; the sign tests that save use this one).
SIGNING = COOKIE + "; sign=signValue1; vcode=vcodeValue1"


def sign(cli: Cli, config: Path, *args: str, lang: str = "en"):
    proc = cli.run("--lang", lang, "sign", "--config", str(config), "--json", *args)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    for secret in (*COOKIE_SECRETS, "signValue1", "vcodeValue1"):
        assert secret not in out
    return proc, json.loads(proc.stdout) if proc.stdout.startswith("{") else None


def signer(sim: Simulator):
    """The simulator account the growth calls of SIGNING reach: the first cookie with its kps
    (conftest's COOKIE carries kps=kpsSecretValue42 already)."""
    return sim.account(COOKIE)


def yesterdays_info(sim: Simulator, reward: int) -> Fault:
    """growth info once as the simulator answers it (not signed today), but with another daily reward:
    a reward copied from this answer would show."""
    data = signer(sim).growth_info()
    data["cap_sign"]["sign_daily_reward"] = reward
    return Fault("body", endpoint="growth_info", times=1, body={"status": 200, "code": 0, "message": "", "data": data})


def test_sign_empty_success_that_growth_info_confirms_is_signed_with_its_reward(cli: Cli, sim: Simulator) -> None:
    cookie = SIGNING
    sim.cookies.append(cookie)
    account = signer(sim)
    account.sign_answer, account.sign_daily_reward = "empty_signed", 30 * MiB
    sim.add_drive_fault(yesterdays_info(sim, 7 * MiB))
    config = write_config(cli, [], cookie=[cookie])
    proc, doc = sign(cli, config)
    assert proc.returncode == 0, proc.stderr
    result = doc["accounts"][0]["sign"]
    assert result["reward_today"] == 30 * MiB and result["progress"] == 1  # growth info's, read after the sign
    assert result["status"] == "signed" and result.get("reason") == "confirmed_by_growth_info"
    assert "signed today +30.00 MB" in proc.stderr and "7.00 MB" not in proc.stderr
    assert sim.sign_state(COOKIE)["signed_today"] is True and sim.sign_state(COOKIE)["signs"] == 1


def test_sign_rejected_params_and_errors_exit_non_zero_with_a_reason_per_account(cli: Cli, sim: Simulator) -> None:
    good, cyclic = SIGNING, "sign-only-3" + MOBILE.replace("kpsSecretValue42", "kpsThree")
    rejected = "__uid=stale; __puus=StaleCookieValue99" + MOBILE.replace("kpsSecretValue42", "kpsExpired")
    sim.cookies += [good, cyclic]  # the simulator does not know kpsExpired: 401/31001 on growth info
    # quark-replies.json growth_sign[4]: HTTP 500, no code, for this account's sign request
    sim.add_drive_fault(Fault("body", endpoint="growth_sign", status=500,
                              body={"status": 500, "message": "cyclic sign config error"}), cookie=cyclic)
    config = write_config(cli, [], cookie=[good, rejected, cyclic])
    proc, doc = sign(cli, config)
    assert proc.returncode == 3, proc.stderr  # Quark rejected an account's sign-in parameters
    signs = [a["sign"] for a in doc["accounts"]]
    assert [s["status"] for s in signs] == ["signed", "failed", "failed"]
    assert (signs[1]["reason"], signs[1]["api_code"]) == ("sign_params_rejected", 31001)
    assert (signs[2]["reason"], signs[2]["http_status"], signs[2]["message"]) == ("server_error", 500, "cyclic sign config error")
    assert doc["accounts"][1]["verified"] is False  # the cookie was rejected too
    lines = {int(m[1]): m[2] for m in re.finditer(r"account (\d+): (.*)", proc.stderr)}
    assert "signed today" in lines[1]
    assert "the cookie was rejected" in lines[2] and "rejected the sign-in parameters kps, sign, vcode (31001" in lines[2]
    assert "capture them again" in lines[2]
    assert "sign-in failed: HTTP 500 cyclic sign config error" in lines[3] and "sign-in parameters" not in lines[3]
    assert "StaleCookieValue99" not in proc.stdout + proc.stderr
    # Without the rejected account: a sign-in error is exit 1.
    proc, doc = sign(cli, write_config(cli, [], cookie=[good, cyclic]))
    assert proc.returncode == 1, proc.stderr
    assert [a["sign"]["status"] for a in doc["accounts"]] == ["already_signed", "failed"]


def test_sign_without_any_mobile_parameters_is_a_config_error(cli: Cli, sim: Simulator) -> None:
    proc = cli.run("sign", "--config", str(write_config(cli, [])))  # COOKIE has kps only: no sign, no vcode
    assert proc.returncode == 2 and "kps, sign and vcode" in proc.stderr and "Traceback" not in proc.stderr
    assert sim.requests(endpoint="growth_info") == [] and sim.requests(endpoint="growth_sign") == []


def test_sign_is_its_own_job_in_the_history(cli: Cli, sim: Simulator) -> None:
    cookie = SIGNING
    sim.cookies.append(cookie)
    signer(sim).sign_answer = "empty"
    config = write_config(cli, [], cookie=[cookie])
    assert sign(cli, config)[0].returncode == 1
    proc, _ = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(cli.run("history", "--json").stdout)["runs"]
    assert [(r["job"], r["exit_code"]) for r in runs] == [("autosave", 0), ("sign", 1)]  # newest first
    sign_run = runs[1]
    assert sign_run["counts"] == {"total": 1, "signed": 0, "already_signed": 0, "unconfirmed": 1, "errors": 1, "skipped": 0}
    only = json.loads(cli.run("history", "--job", "sign", "--json").stdout)["runs"]
    assert [r["id"] for r in only] == [sign_run["id"]]
    shown = cli.run("history", "show", str(sign_run["id"]), "--json")
    items = json.loads(shown.stdout)["items"]
    assert [(i["account"], i["status"], i["reason"]) for i in items] == [(1, "sign_unconfirmed", "empty_sign_answer")]
    text = cli.run("history", "show", str(sign_run["id"])).stdout
    assert re.search(r"^#\d+\s+sign\s", text, re.M) and "account 1: sign-in not confirmed" in text


def test_autosave_sign_step_reports_sign_unconfirmed(cli: Cli, sim: Simulator) -> None:
    cookie = SIGNING
    sim.cookies.append(cookie)
    signer(sim).sign_answer = "empty"
    sim.add_share(Share(pwd_id="abab00000001", title="x", files=files("1.mp4")))
    config = write_config(cli, [task("T", "abab00000001", "/T")], cookie=[cookie])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr  # the tasks decide autosave's exit code; the sign-in is reported
    assert doc["tasks"][0]["status"] == "saved"
    sign_result = doc["accounts"][0]["sign"]
    assert sign_result["status"] == "sign_unconfirmed" and sign_result["reward_today"] is None
    assert doc["sign_summary"]["sign_unconfirmed"] == 1
    assert re.search(r"WARN\s+account 1: sim-user verified; sign-in not confirmed", proc.stderr)
    assert sim.sign_state(COOKIE)["signed_today"] is False


def test_rejected_cookie_skips_transfers_exit_3(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aeae00000001", title="x", files=files("a.mp4")))
    config = write_config(cli, [task("N", "aeae00000001", "/N")], cookie="__uid=stale; __puus=StaleCookieValue99")
    proc, doc = autosave(cli, config)
    assert proc.returncode == 3
    assert doc["accounts"][0]["verified"] is False and doc["aborted"] == "no_account"
    assert sim.requests(endpoint="token") == [] and "StaleCookieValue99" not in proc.stdout + proc.stderr


def test_missing_config_writes_a_template_and_exits_2(cli: Cli) -> None:
    path = cli.home / "cfg" / "quark_config.json"
    proc = cli.run("autosave", "--config", str(path))
    assert proc.returncode == 2 and path.exists()
    assert str(path) in proc.stderr and "Traceback" not in proc.stderr
    json.loads(path.read_text(encoding="utf-8"))


def test_invalid_config_lists_every_problem_before_any_request(cli: Cli, sim: Simulator) -> None:
    config = write_config(cli, [task("ok", "aaaa00000001", "/ok"), task("bad", "aaaa00000001", "/bad", "(unclosed"),
                                task("bad2", "aaaa00000001", "/bad2", enddate="2026-13-01")])
    proc = cli.run("autosave", "--config", str(config), *FAST)
    assert proc.returncode == 2
    assert "tasklist[1].pattern" in proc.stderr and "tasklist[2].enddate" in proc.stderr
    assert sim.log == []
    sim.add_share(Share(pwd_id="aaaa00000001", title="x", files=files("a.mp4")))
    proc, doc = autosave(cli, config, "--skip-invalid")
    assert proc.returncode == 0 and [t["name"] for t in doc["tasks"]] == ["ok"]


def test_plain_output_shows_the_added_tree(cli: Cli, sim: Simulator) -> None:
    """Saved newest first, shown in natural order of the names (as the reference's tree shows them)."""
    sim.add_share(Share(pwd_id="afaf00000001", title="x", files=files("2.mp4", "10.mp4", "1.mp4")))
    config = write_config(cli, [task("剧集P", "afaf00000001", "/P", r"^(\d+).mp4", r"S01E\1.mp4")])
    proc = cli.run("autosave", "--config", str(config), "--no-pacing")
    assert proc.returncode == 0, proc.stderr
    assert "[1/1] 剧集P: saved 3 files into /P" in proc.stdout
    tree = [line.strip() for line in proc.stdout.splitlines() if "← " in line]
    assert tree == ["├── S01E1.mp4  ← 1.mp4", "├── S01E2.mp4  ← 2.mp4", "└── S01E10.mp4  ← 10.mp4"]
    assert "summary: tasks 1, saved 1" in proc.stdout


def test_tasks_are_paced_and_skipped_tasks_are_not(sim: Simulator, tmp_path: Path) -> None:
    from quarkctl.autosave.options import AutosaveOptions
    from quarkctl.autosave.run import run_autosave
    from quarkctl.reports.autosave import Listener
    from quarkctl.config.autosave.model import AutosaveConfig
    from quarkctl.runtime.pacing import PacingPolicy
    from quarkctl.quark.client import QuarkClient

    for n in (1, 2, 3):
        sim.add_share(Share(pwd_id=f"baba0000000{n}", title="x", files=files(f"{n}.mp4")))
    data = {"cookie": COOKIE, "tasklist": [task("T1", "baba00000001", "/p1"), task("old", "baba00000002", "/p0", enddate="2020-01-01"),
                                           task("T2", "baba00000002", "/p2"), task("T3", "baba00000003", "/p3")]}
    config = AutosaveConfig(tmp_path / "c.json", data)
    waits: list[tuple[str, float]] = []

    class Waits(Listener):
        def waiting(self, seconds: float, kind: str, cause=None) -> None:
            waits.append((kind, seconds))

    report = run_autosave(config, config.tasks, AutosaveOptions(pacing=PacingPolicy(1.0, 3.0, 0, 0.0), sign=False), Waits(),
                          make_client=lambda cookie: QuarkClient(cookie=cookie, api_base=sim.base_url), sleep=lambda s: True)
    assert [t.status for t in report.tasks] == ["saved", "skipped", "saved", "saved"]
    assert [k for k, _ in waits] == ["delay", "delay"] and all(1.0 <= s <= 3.0 for _, s in waits)


def test_a_second_run_on_the_same_config_exits_75(cli: Cli, sim: Simulator) -> None:
    from quarkctl.lock import RunLock, lock_path

    config = write_config(cli, [])
    lock_dir = cli.home / "state" / "quarkctl" / "locks"
    with RunLock(lock_path(lock_dir, "autosave", str(config.resolve())), "autosave"):
        proc = cli.run("autosave", "--config", str(config), "--no-pacing")
    assert proc.returncode == 75 and "another autosave run" in proc.stderr


def test_savepath_without_leading_slash_is_read_from_the_root(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="bcbc00000001", title="x", files=files("a.mp4")))
    config = write_config(cli, [task("R", "bcbc00000001", "追更//无斜杠")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    assert sim.drive().listdir("/追更/无斜杠") == ["a.mp4"] and doc["tasks"][0]["savepath"] == "/追更/无斜杠"


@pytest.mark.parametrize(("code", "words"), [(32003, "capacity limit"), (41035, "单次转存文件个数超出用户等级限制")])
def test_task_errors_are_reported_per_task(cli: Cli, sim: Simulator, code: int, words: str) -> None:
    sim.add_share(Share(pwd_id="bdbd00000001", title="x", files=files("a.mp4")))
    sim.add_share(Share(pwd_id="bdbd00000002", title="x", files=files("b.mp4")))
    sim.add_drive_fault(Fault(kind="task_error", code=code, endpoint="save", times=1))
    config = write_config(cli, [task("full", "bdbd00000001", "/S1"), task("next", "bdbd00000002", "/S2")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 1
    first, second = doc["tasks"]
    assert first["status"] == "failed" and words in first["message"] and first["problems"]
    assert second["status"] == "saved"  # one task failing never stops the others
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]


def _save_polls(sim: Simulator) -> tuple[list[int], list[int]]:
    """The top-level items of each save, and the HTTP status of each save task's last poll, in order."""
    finals: dict[str, int] = {}
    for r in sim.requests(endpoint="task"):
        finals[r.query["task_id"]] = r.status
    return [len(r.body["fid_list"]) for r in sim.requests(endpoint="save")], list(finals.values())


def test_41035_halves_the_save_until_every_batch_fits(cli: Cli, sim: Simulator) -> None:
    """41035 counts the files inside the saved folders, per account level: the save is split, not failed."""
    folders = [{"name": f"S{n}", "children": files(*[f"S{n}E{i}.mp4" for i in range(3)], start=10 * n)} for n in range(1, 5)]
    sim.add_share(Share(pwd_id="bdbd00000003", title="x", files=[*folders, *files("a.txt", "b.txt", "c.txt", "d.txt", start=90)]))
    sim.account().save_file_limit = 7  # 16 files in 8 top-level items
    config = write_config(cli, [task("cap", "bdbd00000003", "/cap")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0, proc.stderr
    result = doc["tasks"][0]
    assert (result["status"], result["problems"], len(result["added"])) == ("saved", [], 8)
    sizes, finals = _save_polls(sim)
    assert sizes == [8, 4, 2, 2, 4]  # 16 files, 12 files: refused; then halves that fit
    assert finals == [400, 400, 200, 200, 200]
    tree = sim.drive().tree()["cap"]
    assert sorted(tree) == ["S1", "S2", "S3", "S4", "a.txt", "b.txt", "c.txt", "d.txt"]
    assert all(len(tree[f"S{n}"]) == 3 for n in range(1, 5))  # nothing saved twice
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]


def test_a_failed_rename_is_reported_and_the_file_kept(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="bebe00000001", title="x", files=files("01.mp4")))
    sim.add_drive_fault(Fault(kind="code", code=49999, endpoint="rename"))
    config = write_config(cli, [task("rn", "bebe00000001", "/RN", r"^(\d+).mp4", r"E\1.mp4")])
    proc, doc = autosave(cli, config)
    result = doc["tasks"][0]
    assert result["status"] == "saved" and any("rename 01.mp4 -> E01.mp4 failed" in p for p in result["problems"])
    assert sim.drive().listdir("/RN") == ["01.mp4"]


def test_doctor_checks_the_autosave_config(cli: Cli, sim: Simulator) -> None:
    sim.cookies.append(COOKIE + MOBILE)
    config = write_config(cli, [task("ok", "aaaa00000001", "/ok")], cookie=[COOKIE + MOBILE])
    proc = cli.run("doctor", "--config", str(config), "--json")
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    assert [checks[n]["status"] for n in ("autosave_config", "autosave_cookie", "sign_in")] == ["ok", "ok", "ok"]
    broken = write_config(cli, [task("bad", "aaaa00000001", "/bad", "(unclosed")])
    proc = cli.run("doctor", "--config", str(broken), "--json")
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    assert checks["autosave_config"]["status"] == "fail" and "tasklist[0].pattern" in checks["autosave_config"]["message"]
    assert proc.returncode == 1
    missing = cli.home / "nowhere" / "quark_config.json"
    proc = cli.run("doctor", "--config", str(missing), "--json")
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    assert checks["autosave_config"]["status"] == "warn" and not missing.exists()  # doctor only looks


def test_no_target_listing_when_nothing_in_the_share_passes_the_filters(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="bfbf00000001", title="x", files=files("E01.720p.mp4", "E02.720p.mp4")))
    config = write_config(cli, [task("4K only", "bfbf00000001", "/K", r"2160p")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 0 and doc["tasks"][0]["status"] == "nothing_new"
    assert sim.requests(endpoint="sort") == []  # the reference lists the target folder anyway


def test_an_autosave_run_reads_its_config_once(sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command's whole run (the run frame, the job, the write-back) through a loader that counts."""
    import signal

    import typer

    from quarkctl.autosave import job as autosave_job
    from quarkctl.autosave.options import AutosaveOptions
    from quarkctl.commands.autosave import AutosaveJob
    from quarkctl.commands.run import run_job
    from quarkctl.config.autosave import loading as autosave_config_loading
    from quarkctl.config.autosave import model as autosave_config_model
    from quarkctl.runtime.pacing import PacingPolicy

    sim.add_share(Share(pwd_id="c0c000000001", title="x", files=files("01.mp4", "02.mp4")))
    path = tmp_path / "quark_config.json"
    path.write_text(json.dumps({"cookie": COOKIE, "tasklist": [task("once", "c0c000000001", "/once")]}), encoding="utf-8")
    loads: list[Path] = []

    def counting_load(where: Path) -> autosave_config_model.AutosaveConfig:
        loads.append(where)
        loaded = autosave_config_loading.load(where)
        # The file edited right after: a run that read it again would save into /twice.
        where.write_text(json.dumps({"cookie": COOKIE, "tasklist": [task("once", "c0c000000001", "/twice")]}), encoding="utf-8")
        return loaded

    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "QUARK_API_BASE": sim.base_url, "XDG_STATE_HOME": str(tmp_path / "state")}
    options = AutosaveOptions(pacing=PacingPolicy.off(), backoff=0.0, sign=False)
    job = AutosaveJob(env, path, options, autosave_job.Selection(), timeout=5.0, load=counting_load)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(typer.Exit) as ended:
            run_job(job, env, json_output=True, quiet=True, log_file=None)
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
    doc = json.loads(capsys.readouterr().out)
    assert ended.value.exit_code == 0 and doc["tasks"][0]["status"] == "saved"
    assert sim.drive().listdir("/once") == ["01.mp4", "02.mp4"] and not sim.drive().exists("/twice")
    assert loads == [path]  # once: validated before the reporter, then run as loaded
