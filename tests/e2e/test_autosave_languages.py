"""`quarkctl autosave` and `sign` end to end where the process matters: the language, chosen at launch
(--lang, QUARKCTL_LANG). The rest of the command tests run in process: tests/unit/commands/test_autosave.py."""

from __future__ import annotations

import json


from conftest import COOKIE, Cli
from quarkctl.simulator import Share, Simulator
from unit.commands.test_autosave import SIGNING, MiB, _save_polls, autosave, files, sign, task, write_config, yesterdays_info


def signer(sim: Simulator):
    """The simulator account the growth calls of SIGNING reach: the first cookie with its kps
    (conftest's COOKIE carries kps=kpsSecretValue42 already)."""
    return sim.account(COOKIE)


def test_sign_empty_success_with_the_day_not_signed_is_unconfirmed_and_exits_1(cli: Cli, sim: Simulator) -> None:
    """growth_sign[3]: 200 + code 0 + data {} and nothing signed; growth info, read again, says not signed."""
    cookie = SIGNING
    sim.cookies.append(cookie)
    signer(sim).sign_answer = "empty"
    sim.add_drive_fault(yesterdays_info(sim, 7 * MiB))
    config = write_config(cli, [], cookie=[cookie])
    proc, doc = sign(cli, config)
    assert proc.returncode == 1, proc.stderr
    result = doc["accounts"][0]["sign"]
    assert result["status"] == "sign_unconfirmed" and result["reason"] == "empty_sign_answer"
    assert result["reward_today"] is None and result["progress"] == 0  # nothing copied, nothing counted
    assert doc["sign_summary"] == {"signed": 0, "already_signed": 0, "sign_unconfirmed": 1, "failed": 0, "skipped": 0}
    assert "sign-in not confirmed" in proc.stderr and "nothing was signed" in proc.stderr
    assert "signed today" not in proc.stderr and "7.00 MB" not in proc.stderr and "20.00 MB" not in proc.stderr
    assert sim.sign_state(COOKIE)["signed_today"] is False
    assert len(sim.requests(endpoint="growth_sign")) == 1 and len(sim.requests(endpoint="growth_info")) == 2  # read again
    # The machine value stays in every language; the line is Chinese.
    proc, doc = sign(cli, config, lang="zh_CN")
    assert proc.returncode == 1 and doc["accounts"][0]["sign"]["status"] == "sign_unconfirmed"
    assert "签到未确认" in proc.stderr and "sign-in not confirmed" not in proc.stderr


def test_a_single_folder_over_the_cap_is_reported_with_the_hint(cli: Cli, sim: Simulator) -> None:
    seasons = [{"name": f"S0{n}", "children": files(*[f"E{i:02d}.mp4" for i in range(6)])} for n in (1, 2)]
    sim.add_share(Share(pwd_id="bdbd00000004", title="x", files=[{"name": "全集", "children": seasons}]))
    sim.account().save_file_limit = 5
    config = write_config(cli, [task("全集", "bdbd00000004", "/全集")])
    proc, doc = autosave(cli, config)
    assert proc.returncode == 1
    result = doc["tasks"][0]
    assert (result["status"], result["reason"], result["added"]) == ("failed", "save_limit", [])
    assert "单次转存文件个数超出用户等级限制" in result["message"]
    assert [p.split(" holds")[0] for p in result["problems"]] == ["folder S02", "folder S01"]
    assert all("update_subdir" in p and "split the folder" in p for p in result["problems"])
    assert _save_polls(sim)[0] == [2, 1, 1] and sim.drive().listdir("/全集") == []
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]  # never banned
    proc = cli.run("autosave", "--config", str(config), "--no-pacing", env={"QUARKCTL_LANG": "zh_CN"})
    line = next(x for x in proc.stdout.splitlines() if "[1/1]" in x)
    assert "文件夹 S01 里的文件数超过了此账号单次转存的上限" in line and "update_subdir" in line
