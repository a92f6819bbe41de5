"""Names and links come from web forms (issue 23): on a pseudo-terminal, the installed command's
`resources list` and `resources show` draw every verdict (they crashed with a MarkupError on `empty`)
and no escape sequence from a name or a link reaches the screen raw. Plain lines, the log file and
history show: tests/unit/commands/test_safe_output_lines.py; the renderers one by one:
tests/unit/render/test_safe_text.py."""

from __future__ import annotations

from datetime import datetime

from conftest import Cli, share_url
from sqlalchemy import insert

from quarkctl.db.schema import check_history
from quarkctl.render.resource import VERDICT_STYLE

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
