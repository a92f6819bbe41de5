"""`quarkctl autosave --replace-dead` through the installed command, in Chinese (QUARKCTL_LANG=zh_CN): the task's
line says the dead share was replaced, in Chinese, and the config file holds the new link and the old one.
The other cases run in process: tests/unit/commands/test_autosave_replace.py."""

from __future__ import annotations

import json

from conftest import Cli, share_url
from quarkctl.simulator import Simulator
from unit.commands.test_autosave_replace import add, episodes, saved_then_dead


def test_replace_dead_in_chinese_names_the_replacement_and_writes_the_config(cli: Cli, sim: Simulator, pansou) -> None:
    config = saved_then_dead(cli, sim)
    good = add(sim, pansou, "good00000001", episodes(4, 5), "剧集A 1080p")
    proc = cli.run("autosave", "--config", str(config), "--replace-dead", "--no-pacing", "--no-sign",
                   env={"PANSOU_URL": pansou.base_url, "QUARKCTL_LANG": "zh_CN"})
    assert proc.returncode == 0, proc.stderr
    (line,) = [line for line in proc.stdout.splitlines() if "剧集A (2024)" in line and "[1/1]" in line]
    assert f"分享 {share_url('olds00000001')} 已失效（好友已取消了分享）；已替换为 {good}" in line
    assert "转存" in line and "replaced" not in line
    task = json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]
    assert (task["shareurl"], task["shareurl_dead"]) == (good, share_url("olds00000001")) and "shareurl_ban" not in task
    assert sorted(sim.drive().listdir("/追更/剧集A")) == [f"剧集A.S01E0{n}.mkv" for n in range(1, 6)]
