"""Benchmark: how long the installed `quarkctl` takes to start, side by side with bare imports.

    python bench/startup.py            # about a minute: 7 runs of each command, the median kept
    python bench/startup.py --runs 15

Every command is timed in this one run, interleaved (A B C A B C ...), so a busy neighbour on a
shared machine slows all of them alike; each ratio compares medians. `python -c pass` is the floor:
Python itself with this machine's site-packages (.pth files run at every start). The commands run
with compiled bytecode, as an installed copy does (pip compiles at install): PYTHONDONTWRITEBYTECODE
is dropped and the .pyc files go to a temporary PYTHONPYCACHEPREFIX. `quarkctl` is the script beside
this Python (a pyenv shim in between would add a shell start to every run). A help page is drawn by
typer once and then kept (quarkctl/helpcache.py): the warm-up run keeps it, the timed runs print it;
"--help, drawn" times typer drawing it, with the cache off. The targets (issue 13):
- `quarkctl --version`: at most 0.5x `python -c "import typer"` (it needs no typer at all);
- `quarkctl --help`, `quarkctl check-links --help`: at most 1.5x `import typer`;
- `quarkctl resources list` on an embedded database of 1,000 rows: at most 1.3x
  `python -c "import typer, sqlalchemy"`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# For scale, not a target: the help page of a typer app with two commands and one option each.
TWO_COMMAND_APP = """
import typer
app = typer.Typer(add_completion=False)
app.command("one")(lambda name: None)
app.command("other")(lambda name: None)
app(["--help"], prog_name="app")
"""
TARGETS = {  # command -> (baseline command, the largest ratio allowed)
    "quarkctl --version": ("import typer", 0.5),
    "quarkctl --help": ("import typer", 1.5),
    "quarkctl check-links --help": ("import typer", 1.5),
    "quarkctl resources list": ("import typer, sqlalchemy", 1.3),
}


def seeded_home(root: Path, rows: int) -> dict[str, str]:
    """An environment whose embedded database holds `rows` resources (made with `quarkctl db init`)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QUARK", "DB_", "DATABASE_URL", "XDG_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOME=str(root), XDG_DATA_HOME=str(root / "data"), XDG_STATE_HOME=str(root / "state"), LANG="C.UTF-8",
               PYTHONPYCACHEPREFIX=str(root / "pycache"))
    subprocess.run([quarkctl_command(), "db", "init"], env=env, check=True, capture_output=True)
    with sqlite3.connect(root / "data" / "quarkctl" / "quarkctl.db") as conn:
        conn.executemany(
            "INSERT INTO cloud_resource (drama_name, drive_type, link, is_expired) VALUES (?, 'quark', ?, 0)",
            [(f"资源 {n}", f"https://pan.quark.cn/s/{n:012x}") for n in range(rows)],
        )
    return env


def quarkctl_command() -> str | None:
    """The installed script beside this Python (a venv's bin/), else the first on PATH."""
    beside = Path(sys.executable).with_name("quarkctl")
    return str(beside) if beside.is_file() else shutil.which("quarkctl")


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    quarkctl = quarkctl_command()
    if quarkctl is None:
        sys.exit("quarkctl is not installed: pip install .")
    with tempfile.TemporaryDirectory() as folder:
        env = seeded_home(Path(folder), args.rows)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import typer": [sys.executable, "-c", "import typer"],
            "import typer, sqlalchemy": [sys.executable, "-c", "import typer, sqlalchemy"],
            "typer app --help (2 commands)": [sys.executable, "-c", TWO_COMMAND_APP],
            "quarkctl --version": [quarkctl, "--version"],
            "quarkctl --help": [quarkctl, "--help"],
            "quarkctl check-links --help": [quarkctl, "check-links", "--help"],
            "quarkctl resources list": [quarkctl, "resources", "list"],
            # For scale, not a target: a help page typer draws (the first time, or with the cache off).
            "quarkctl --help, drawn": ["env", "QUARKCTL_NO_HELP_CACHE=1", quarkctl, "--help"],
        }
        for argv in commands.values():  # warm the page cache and the .pyc files
            timed(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(timed(argv, env))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"startup, median of {args.runs} runs each ({args.rows} rows for resources list)")
    for name, seconds in median.items():
        print(f"  {name:<30} {seconds * 1000:7.0f} ms")
    failed = 0
    for name, (baseline, limit) in TARGETS.items():
        ratio = median[name] / median[baseline]
        ok = ratio <= limit
        failed += not ok
        print(f"  {name:<30} {ratio:5.2f}x {baseline!r:<28} target <= {limit}x  {'met' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
