"""The autosave config is a regular file read once and written back to that same file (an attacker's review):
a FIFO in its place is refused at once instead of hanging the run past SIGTERM; a link swapped in during the
run is not written through."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from helpers.victim import plant_victim, untouched
from quarkctl.config.autosave.loading import load
from quarkctl.config.autosave.write import save
from quarkctl.errors import ConfigError

CONFIG = {"cookie": "__uid=u1; __puus=p", "tasklist": [
    {"taskname": "A", "shareurl": "https://pan.quark.cn/s/abcdef123456", "savepath": "/A"}]}


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "quark_config.json"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            load(fifo)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)  # a bound for a broken build only: the refusal is immediate
    assert outcome, "load() waited on a FIFO"
    assert isinstance(outcome[0], ConfigError) and "not a regular file" in str(outcome[0])


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "quark_config.json").mkdir()
    with pytest.raises(ConfigError, match="cannot read config"):
        load(tmp_path / "quark_config.json")


def test_a_link_swapped_in_during_the_run_is_not_written_through(tmp_path: Path) -> None:
    victim = plant_victim(tmp_path)
    path = tmp_path / "quark_config.json"
    path.write_text(json.dumps(CONFIG), encoding="utf-8")
    config = load(path)
    config.tasks[0].shareurl_ban = "gone"
    path.unlink()
    path.symlink_to(victim)  # another user owns the folder and swaps the file for a link
    with pytest.raises(ConfigError, match="not to the file read at the start"):
        save(config)
    assert untouched(victim) and not Path(str(victim) + ".bak").exists()


def test_a_symlinked_config_is_written_where_it_pointed_when_read(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(json.dumps(CONFIG), encoding="utf-8")
    (tmp_path / "quark_config.json").symlink_to(real)
    config = load(tmp_path / "quark_config.json")
    config.tasks[0].shareurl_ban = "gone"
    assert save(config) is True
    assert json.loads(real.read_text(encoding="utf-8"))["tasklist"][0]["shareurl_ban"] == "gone"
