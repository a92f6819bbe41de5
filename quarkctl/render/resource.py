"""`quarkctl resources show ID` as text: every column of the row, its checks (newest first) and the
chain of its re-shares (issue 17); a table on a terminal, plain lines otherwise.

commands/resources/show.py builds the ResourceCard from the database; --json is the command's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quarkctl.i18n import _
from quarkctl.render.clock import local_time
from quarkctl.render.history import check_evidence
from quarkctl.render.messages import drive_text, reason_text, verdict_text
from quarkctl.render.reshare import record_text
from quarkctl.safe_text import printable

if TYPE_CHECKING:
    from rich.console import Console

# Every verdict (quark/verdict.py) on a terminal: `resources list`, `resources show` and check-links' lines.
VERDICT_STYLE = {"valid": "green", "expired": "red", "needs_passcode": "yellow", "empty": "cyan", "error": "magenta", "skipped": "dim"}


@dataclass(frozen=True)
class ResourceCard:
    id: int
    fields: Sequence[tuple[str, Any]]  # (column, value as --json writes it), every column but the last check's
    checks: Sequence[dict[str, Any]]  # quarkctl_check rows, newest first
    reshares: Sequence[dict[str, Any]]  # quarkctl_reshare rows, newest first
    acquires: Sequence[dict[str, Any]] = ()  # quarkctl_acquire rows, newest first (issue 25)


def one_line(value: Any) -> str:
    """A value on one line, its runs of white space one space, printable (safe_text.py); None as nothing."""
    return printable(" ".join(str("" if value is None else value).split()))


def _check_cells(check: dict[str, Any]) -> list[str]:
    drive = check.get("drive", "quark")  # issue 24: db/runs.py drive_of (None: no drive claimed the link)
    return [local_time(check["checked_at"]), drive_text(drive or "other"), verdict_text(check["verdict"]), reason_text(check["reason"], drive),
            check_evidence(check)]


def reshare_lines(chain: Sequence[dict[str, Any]]) -> list[str]:
    """The row's re-shares, oldest first (`2026-05-01 08:00 the share's time limit passed, done: OLD -> NEW`),
    in words rather than the table's machine values."""
    if not chain:
        return []
    return [_("re-shares:")] + [f"{local_time(item['created_at'])} {record_text(item)}" for item in reversed(chain)]


def acquire_lines(chain: Sequence[dict[str, Any]]) -> list[str]:
    """The row's re-acquisitions, oldest first: `2026-12-07 02:10 OLD -> NEW, from CANDIDATE «note» (source)`."""
    if not chain:
        return []
    from quarkctl.render.acquire import chain_text

    return [_("re-acquired from the search service:")] + [f"{local_time(item['created_at'])} {chain_text(item)}" for item in reversed(chain)]


def card_lines(card: ResourceCard) -> list[str]:
    """Plain lines (not yet redacted): `column: value`, the checks tab-separated, then the re-shares."""
    lines = [f"{key}: {one_line(value)}" for key, value in card.fields]
    lines.append(_("checks:") + ("" if card.checks else " " + _("never checked by quarkctl")))
    lines += ["\t".join(one_line(c) for c in _check_cells(check)) for check in card.checks]
    return lines + reshare_lines(card.reshares) + acquire_lines(card.acquires)


def print_card(card: ResourceCard, console: Console) -> None:
    """On a terminal: the columns and the checks as two tables, then the re-shares. Cells are Text (render/rich_text.py):
    data is never read as markup."""
    from rich.table import Table

    from quarkctl.render.rich_text import styled

    table = Table(show_header=False, title=_("resource #{id}").format(id=card.id))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in card.fields:
        table.add_row(styled(key), styled(one_line(value)))
    console.print(table)
    history_table = Table(title=_("checks"), caption=None if card.checks else _("never checked by quarkctl"))
    for title in (_("checked"), _("drive"), _("verdict"), _("reason"), _("the drive said")):
        history_table.add_column(title, overflow="fold")
    for check in card.checks:
        cells = [styled(one_line(cell)) for cell in _check_cells(check)]
        cells[2].stylize(VERDICT_STYLE.get(check["verdict"], ""))
        history_table.add_row(*cells)
    console.print(history_table)
    for line in reshare_lines(card.reshares) + acquire_lines(card.acquires):
        console.print(styled(line))
