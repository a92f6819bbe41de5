"""The type check (pyproject.toml [tool.mypy], issue 22): mypy over the packages its `files` lists, with
the settings there, so a type error fails the suite as an upward import fails test_layers.py. The list
of packages lives in pyproject.toml only: a package joins it there once it passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_typed_packages_pass_mypy(tmp_path: Path) -> None:
    # A cache of its own (cold, a few seconds): no .mypy_cache in the checkout, none shared between runs.
    proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")], cwd=ROOT,
                          capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert proc.stdout.startswith("Success: no issues found"), proc.stdout[-3000:]
