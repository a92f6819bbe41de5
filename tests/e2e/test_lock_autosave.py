"""One autosave run per config, whichever database each run uses (issue 23): the config's lock is a
file beside its real path, so a symlink or a relative path to it, from another lock folder and onto
another database, meets the run already saving from it (two such runs saved every file twice)."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy.engine import URL

from conftest import Cli, ResourceDB
from unit.commands.test_autosave import write_config
from e2e.test_lock_sqlite import holding, locked


def _other_database(tmp_path: Path, name: str) -> str:
    db = ResourceDB(URL.create("sqlite", database=str(tmp_path / name)), "sqlite")
    (tmp_path / name).touch()
    db.create_schema()
    return db.url_text


def test_one_config_by_any_path_onto_two_databases_runs_once(cli: Cli, tmp_path: Path) -> None:
    config = write_config(cli, [])  # home/quark_config.json
    (tmp_path / "configs").symlink_to(cli.home, target_is_directory=True)
    first = {"DATABASE_URL": _other_database(tmp_path, "one.db")}
    second = {"DATABASE_URL": _other_database(tmp_path, "two.db"), "XDG_STATE_HOME": str(tmp_path / "admin-state")}
    with holding(cli, "autosave", str(config), env=first) as (holder, _):
        for path in (str(tmp_path / "configs" / "quark_config.json"), "./quark_config.json", "../home/quark_config.json"):
            line = locked(cli.run("autosave", "--config", path, "--no-pacing", env=second), f"pid {holder.pid}", "another autosave run")
            assert "quark_config.json.quarkctl-autosave.lock" in line
        done = cli.run("sign", "--config", str(config), env=second)  # `sign` is a job of its own
        assert done.returncode != 75, done.stderr
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        done = cli.run("autosave", "--config", "./quark_config.json", "--no-pacing", env=second)
    assert done.returncode == 0, done.stdout + done.stderr


def test_two_configs_save_side_by_side_into_one_database(cli: Cli, tmp_path: Path) -> None:
    shared = {"DATABASE_URL": _other_database(tmp_path, "shared.db")}
    config = write_config(cli, [])
    other = tmp_path / "other.json"
    other.write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    with holding(cli, "autosave", str(config), env=shared):
        done = cli.run("autosave", "--config", str(other), "--no-pacing", env=shared)
    assert done.returncode == 0, done.stdout + done.stderr
