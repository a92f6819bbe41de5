"""Names and links come from web forms (issue 23): an escape sequence in them reaches neither stdout,
nor the log file, nor `history show` raw; `--json` and `--csv` to a pipe keep the data as it is. In
process (tests/unit/conftest.py); on a pseudo-terminal: tests/e2e/test_safe_output.py."""

from __future__ import annotations

import csv
import io
import json

from conftest import Cli, add_valid, share_url

from quarkctl.simulator import Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
EVIL_NAME = "\x1b]0;owned\x07evil\x1b[2J"
SHOWN_NAME = "\\x1b]0;owned\\x07evil\\x1b[2J"
RAW = ("\x1b", "\x07", "\u202e")


def raw_from_data(text: str) -> list[str]:
    return [piece for piece in RAW if piece in text]


def test_plain_lines_log_file_and_history_show(sqlite_cli: Cli, sim: Simulator) -> None:
    add_valid(sim, "good00000001")
    [good, _bad] = sqlite_cli.db.seed([  # type: ignore[attr-defined]
        {"drama_name": EVIL_NAME, "link": share_url("good00000001")},
        {"drama_name": "坏链接", "link": share_url("bad000000001") + "\x1b[31mred"},
    ])
    log = sqlite_cli.home / "check.log"
    proc = sqlite_cli.run("check-links", *FAST, "--log-file", str(log))
    assert proc.returncode in (0, 1), proc.stderr
    assert raw_from_data(proc.stderr) == []
    for text in (proc.stdout, log.read_text(encoding="utf-8")):
        assert raw_from_data(text) == [] and SHOWN_NAME in text and "\\x1b[31mred" in text, text

    shown = sqlite_cli.run("history", "show", "1")
    assert shown.returncode == 0 and raw_from_data(shown.stdout) == [] and f"#{good} {SHOWN_NAME}" in shown.stdout

    listed = sqlite_cli.run("resources", "list")
    assert raw_from_data(listed.stdout) == [] and SHOWN_NAME in listed.stdout
    show = sqlite_cli.run("resources", "show", str(good))
    assert raw_from_data(show.stdout) == [] and f"drama_name: {SHOWN_NAME}" in show.stdout

    # For programs the data stays the data: JSON escapes it the JSON way, CSV to a pipe keeps it raw.
    rows = json.loads(sqlite_cli.run("resources", "list", "--json").stdout)
    assert rows[0]["drama_name"] == EVIL_NAME
    assert next(csv.DictReader(io.StringIO(sqlite_cli.run("resources", "list", "--csv").stdout)))["drama_name"] == EVIL_NAME
