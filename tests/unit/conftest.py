"""Under tests/unit/ the `cli` fixture runs the command in this process (InProcessCli, tests/conftest.py):
the tests here look at what a run prints, its exit code and what it writes, which a subprocess adds
nothing to. tests/e2e/ keeps the installed command for launch, language, signals, locks and start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, InProcessCli, make_cli
from quarkctl.simulator import Simulator


@pytest.fixture
def cli(tmp_path: Path, sim: Simulator) -> Cli:
    return make_cli(tmp_path, sim, InProcessCli)
