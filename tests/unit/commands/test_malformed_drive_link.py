"""A malformed link of another drive than Quark is named by its drive in check-links' line (an attacker's
review of issue 24: a UC link was called "a Quark link without a share id"); the JSON reason stays the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, make_cli, on_database
from quarkctl.simulator import Simulator


@pytest.mark.parametrize(("lang", "words"), [("en", "a UC link without a share id quarkctl can read"),
                                             ("zh_CN", "UC链接中没有 quarkctl 能读出的分享 ID")])
def test_a_malformed_uc_link_names_uc(tmp_path: Path, sim: Simulator, sqlitedb: ResourceDB, lang: str, words: str) -> None:
    cli = make_cli(tmp_path, sim, Cli)  # a subprocess: the in-process runner speaks English only
    on_database(cli, sqlitedb).seed([{"drama_name": "坏链接", "link": "https://drive.uc.cn/s/", "drive_type": "uc"}])
    proc = cli.run("check-links", "--no-pacing", "--retries", "0", env={"QUARKCTL_LANG": lang})
    assert words in proc.stdout + proc.stderr, (proc.stdout, proc.stderr)
    assert "Quark" not in (proc.stdout + proc.stderr).split("坏链接")[-1].splitlines()[0]
    report = json.loads(cli.run("check-links", "--no-pacing", "--retries", "0", "--json", "--dry-run").stdout)
    assert [(r["reason"], r["drive"]) for r in report["results"]] == [("malformed_link", "uc")]
