"""`quarkctl probe` end to end where the process matters: the language, chosen at launch. The rest
run in process: tests/unit/commands/test_probe.py."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli, add_valid, share_url

from quarkctl.simulator import Simulator
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
