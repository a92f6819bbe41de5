"""`quarkctl probe` end to end where the process matters: the language, chosen at launch. The rest
run in process: tests/unit/commands/test_probe.py, tests/unit/commands/test_probe_drives.py."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli, add_valid, share_url
from helpers.mixed_drives import bases, share_id

from quarkctl.simulator import Simulator
from quarkctl.simulator.drives_server import BAIDUID, DrivesSimulator
from unit.commands.test_probe import FAST


def test_probe_words_its_reading_once_and_names_the_section_in_chinese(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    """Acceptance findings (helper Q1): `ok (ok)` said twice, a dead reason without words, and the
    README section named in English inside the Chinese sentence."""
    add_valid(sim, "acc30a3cf8d4")
    done = cli.run("probe", share_url("acc30a3cf8d4"), share_url("9373614e3dfe"), *FAST)
    assert "quarkctl reads it as: ok\n" in done.stdout and "ok (ok)" not in done.stdout, done.stdout
    assert "quarkctl reads it as: dead (share_not_found: no such share)" in done.stdout, done.stdout
    zh = cli.run("probe", "--no-pacing", "--lang", "zh_CN", "--record", str(tmp_path / "c.json"))
    assert "请按 README.md 的“Reporting a Quark change”一节所述发送此文件" in zh.stdout, zh.stdout
    assert json.loads((tmp_path / "c.json").read_text())["report_to"] == 'README.md, section "Reporting a Quark change"'


def test_a_baidu_link_is_probed_in_chinese_with_its_passcode_masked(cli: Cli, tmp_path: Path) -> None:
    """Issue 24: `probe` takes any drive's link; a Chinese locale at launch words the verdict, what check-links
    would do and where to send the capture, while the capture and the drive's own values stay as they are."""
    dead, locked = "https://pan.baidu.com/s/1AbCdEf901", "https://pan.baidu.com/s/1AbCdEf902?pwd=w4Rt"
    with DrivesSimulator() as dsim:
        dsim.add("baidu", share_id(dead), "dead")
        dsim.add("baidu", share_id(locked), "locked", passcode="w4Rt")
        done = cli.run("probe", dead, locked, "--no-pacing", "--record", str(tmp_path / "baidu.json"),
                       env={**bases(dsim), "LANG": "zh_CN.UTF-8"})
        verify = dsim.requests("baidu", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"baidu {dead}: quarkctl 的判断：expired (share_not_found: 分享不存在)" in done.stdout, done.stdout
    assert "check-links 会把它标为失效：百度网盘在真实的失效分享上给过这个回答" in done.stdout
    assert "发送方法见 README.md 的“How to contribute a capture”一节" in done.stdout
    assert [r.passcode for r in verify] == ["w4Rt"]  # sent once, as stored
    capture = (tmp_path / "baidu.json").read_text("utf-8")
    for secret in ("w4Rt", BAIDUID):
        assert secret not in capture and secret not in done.stdout, secret
    assert json.loads(capture)["links"][0]["verdict"] == "expired"  # machine values never change with the language
