"""Which rows a re-acquisition takes (the named ids, the expired rows, the new names) and the ranking of a row's
search results (acquire/rank.py) with the row's season and year beside each choice: acquire/job.py's inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from quarkctl.acquire.keyword import wanted_name
from quarkctl.acquire.options import AcquireOptions
from quarkctl.acquire.rank import Wanted, rank
from quarkctl.db.acquire import WantedRow
from quarkctl.db.database import Database


def wanted_rows(db: Database, options: AcquireOptions) -> list[WantedRow]:
    """The named ids (a missing one: a skipped outcome), the names (their Quark row when there is one, else
    a new row to be), or every expired Quark row."""
    rows: dict[Any, WantedRow] = {}
    if options.ids:
        found = {row.id: row for row in db.acquire_rows(ids=options.ids)}
        missing = [i for i in options.ids if i not in found]
        # a row of another drive is named in its message; an id the table lacks stays without a name
        others = db.get_resources(missing, history=False) if missing else {}
        for i in missing:
            if i in others:
                found[i] = WantedRow(i, str(others[i].get("drama_name") or ""), "", "", False, other_drive=True)
        rows.update((i, found.get(i, WantedRow(i, "", "", "", False, missing=True))) for i in sorted(set(options.ids)))
    if options.all_expired:
        rows.update((r.id, r) for r in db.acquire_rows(expired=True))
    if options.names:
        # Compared as the database's key compares them: MariaDB's collation finds "Dune" for "dune" (an attacker's
        # review: the name was taken for a new one and its insert failed on the unique key every night)
        existing = {row.name.casefold(): row for row in db.acquire_rows(names=options.names)}
        for name in dict.fromkeys(options.names):
            row = existing.get(name.casefold())
            rows.setdefault(row.id if row else ("new", name), row or WantedRow(None, name, "", "", False))
    return list(rows.values())


def ranked(row: WantedRow, found: Sequence[Any]) -> list[Any]:
    """The search's results for the row, ranked (acquire/rank.py); each choice's detail names the row's season
    and year, which the explanation of a passed-over result compares with (render/candidates.py)."""
    wanted = Wanted.of_row(wanted_name(row.name), row.alias or None)  # its notes in brackets out (acquire/keyword.py)
    return [replace(choice, detail=cast(Any, Noted(choice.detail, wanted.season, wanted.year))) for choice in rank(wanted, found)]


@dataclass(frozen=True)
class Noted:
    """A choice's detail with the row's season and year beside it."""

    detail: Any
    season: int | None
    year: int | None

    def as_json(self) -> dict[str, Any]:
        return {**self.detail.as_json(), "wanted_season": self.season, "wanted_year": self.year}
