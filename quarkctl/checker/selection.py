"""Which rows a check-links run takes (--drives, a new user's review of issue 24), and the rows a run
ended by its breakers never reached.

A row of a drive the run left out is not the run's: no history record (so --max-age still sees it unchecked),
not counted toward --limit (checker/feed.py passes it over). Its drive is its link's host, which SQL cannot
read, so the run counts its candidates from their links."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from quarkctl.checker.options import CheckOptions
from quarkctl.db.database import Database
from quarkctl.db.records import ResourceRow, Selection
from quarkctl.providers.names import DRIVE_NAMES

from .feed import Feed


def selects(drive: str | None, lanes: Mapping[str, Any], options: CheckOptions) -> bool:
    """The row is the run's: its link's drive has a lane, or no drive claims it and the run checks Quark
    (such a row is a `skipped` Quark row, as before issue 24)."""
    return drive in lanes if drive is not None else (options.drives is None or "quark" in lanes)


def count_selected(db: Database, options: CheckOptions, selection: Selection,
                   keep: Callable[[str | None], bool]) -> tuple[int, int]:
    """The run's candidates (before --limit), and the candidates it left out (other drives' rows)."""
    if options.drives is None or set(options.drives) == set(DRIVE_NAMES):
        return db.count_candidates(scope=options.rows, selection=selection), 0
    links = db.candidate_links(scope=options.rows, selection=selection)
    chosen = sum(1 for text in links if keep(text))
    return chosen, len(links) - chosen


def rows_left(lanes: Mapping[str, Any], feed: Feed) -> Iterator[ResourceRow]:
    """The rows still waiting in the lanes (taken out of them), then those the feed has not read yet."""
    for lane in lanes.values():
        while lane.pending:
            yield lane.pending.popleft()
    while not feed.exhausted:
        yield from feed.next()
