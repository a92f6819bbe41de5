"""`resources import FILE` of a FIFO or a folder (an attacker's review of issue 24): one line and exit 2 at
once, never a read that blocks forever. The installed command runs as a subprocess with a timeout, so a
regression fails here instead of hanging the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, make_cli, on_database
from quarkctl.simulator import Simulator


@pytest.fixture
def real_cli(tmp_path: Path, sim: Simulator, sqlitedb: ResourceDB) -> Cli:
    cli = make_cli(tmp_path, sim, Cli)
    on_database(cli, sqlitedb)
    return cli


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_import_refuses_a_file_that_is_not_regular(real_cli: Cli, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "links.txt"
    if kind == "fifo":
        os.mkfifo(path)  # nobody writes: a blocking open or read would wait forever
    else:
        path.mkdir()
    proc = real_cli.run("resources", "import", str(path), timeout=30)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    reason = "not a regular file" if kind == "fifo" else "Is a directory"  # the folder: io.open's own refusal
    assert proc.stderr.strip().splitlines() == [f"Error: {path}: cannot read: {reason}"]


def test_import_of_a_regular_file_still_reads_it(real_cli: Cli, tmp_path: Path, sqlitedb: ResourceDB) -> None:
    path = tmp_path / "links.txt"
    path.write_text("电影A https://pan.quark.cn/s/acc30a3cf8d4\n", "utf-8")
    proc = real_cli.run("resources", "import", str(path), timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert [row.drama_name for row in sqlitedb.rows().values()] == ["电影A"]
