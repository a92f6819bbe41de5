"""Names and links come from web forms (issue 23): through the installed command, an escape sequence in
them reaches neither a terminal, nor stdout, nor the log file raw, and `resources list` and `resources
show` draw every verdict on a terminal (they crashed with a MarkupError on `empty`). The renderers one
by one: tests/unit/render/test_safe_text.py."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from conftest import Cli, add_valid, share_url
from sqlalchemy import insert

from quarkctl.db.schema import check_history
from quarkctl.render.resource import VERDICT_STYLE
from quarkctl.simulator import Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
EVIL_NAME = "\x1b]0;owned\x07evil\x1b[2J"
SHOWN_NAME = "\\x1b]0;owned\\x07evil\\x1b[2J"
RAW = ("\x1b]", "\x07", "\x1b[2J", "\x1b[31mred", "\x1b[5m", "\u202e")  # rich's own styles may write ESC, never these


def raw_from_data(text: str) -> list[str]:
    return [piece for piece in RAW if piece in text]


def test_list_and_show_on_a_terminal_with_every_verdict(sqlite_cli: Cli) -> None:
    verdicts = [*VERDICT_STYLE, "from_a_newer_version"]  # every verdict quark/verdict.py knows, and one it does not
    ids = sqlite_cli.db.seed([{"drama_name": f"{EVIL_NAME} [bold]{verdict}[/] :smile: \u202e",  # type: ignore[attr-defined]
                               "link": share_url(f"abc{n:09d}") + "\x1b[31mred"} for n, verdict in enumerate(verdicts)])
    engine = sqlite_cli.db.engine()  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for resource_id, verdict in zip(ids, verdicts):
            conn.execute(insert(check_history).values(resource_id=resource_id, checked_at=datetime(2026, 5, 1), verdict=verdict,
                                                      reason="folder_gone", message="[/]\x1b[5mblink"))
    engine.dispose()

    code, screen = sqlite_cli.on_terminal("resources", "list", env={"COLUMNS": "400"})
    assert code == 0 and "MarkupError" not in screen and raw_from_data(screen) == []
    assert screen.count(SHOWN_NAME) == len(verdicts) and "[bold]empty[/] :smile: \\u202e" in screen
    assert "\x1b[" in screen  # still drawn in colour
    for args in (["list", "--csv"], ["export"], ["export", "--format", "json"], ["list", "--json"]):  # data for programs, read by a person
        code, screen = sqlite_cli.on_terminal("resources", *args)
        shown = "\\u001b]0;owned" if any("json" in arg for arg in args) else "\\x1b]0;owned"
        assert code == 0 and raw_from_data(screen) == [] and screen.count(shown) == len(verdicts), (args, screen)
    for resource_id in ids:
        code, screen = sqlite_cli.on_terminal("resources", "show", str(resource_id), env={"COLUMNS": "400"})
        assert code == 0 and "MarkupError" not in screen and raw_from_data(screen) == [], screen
        assert SHOWN_NAME in screen and "[/]\\x1b[5mblink" in screen


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
