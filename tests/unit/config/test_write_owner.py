"""The write-back as root keeps the user's config theirs; a config made read-only is left alone (issue 23)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from quarkctl.config.autosave.loading import load
from quarkctl.config.autosave.write import ConfigReadOnly, save
from quarkctl.errors import ExitCode

USER = 65534  # nobody: a user other than root


def config_file(tmp_path: Path, mode: int) -> Path:
    path = tmp_path / "quark_config.json"
    path.write_text(json.dumps({"cookie": "__uid=u1; __puus=p", "tasklist": [
        {"taskname": "T", "shareurl": "https://pan.quark.cn/s/abcdef123456", "savepath": "/T"}]}), encoding="utf-8")
    path.chmod(mode)
    return path


def test_the_new_file_keeps_owner_group_and_mode(tmp_path: Path) -> None:
    path = config_file(tmp_path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, USER, USER)
    before = path.stat()
    config = load(path)
    config.tasks[0].shareurl_ban = "gone"
    assert save(config) is True
    after = path.stat()
    assert after.st_ino != before.st_ino  # a new file, renamed into place
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (before.st_uid, before.st_gid, 0o640)
    assert json.loads(path.read_text(encoding="utf-8"))["tasklist"][0]["shareurl_ban"] == "gone"


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o440])
def test_a_read_only_config_is_not_replaced(tmp_path: Path, mode: int) -> None:
    path = config_file(tmp_path, mode)
    text = path.read_bytes()
    config = load(path)
    config.tasks[0].shareurl_ban = "gone"
    with pytest.raises(ConfigReadOnly, match="read-only") as caught:
        save(config)
    assert caught.value.exit_code == ExitCode.USAGE
    assert path.read_bytes() == text and stat.S_IMODE(path.stat().st_mode) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quark_config.json"]  # no .bak, no temporary file
