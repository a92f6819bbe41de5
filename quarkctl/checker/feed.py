"""The rows a check-links run reads from cloud_resource, in keyset batches (checker/run.py hands them to
each drive's lane)."""

from __future__ import annotations

from datetime import datetime

from quarkctl.checker.options import CheckOptions
from quarkctl.db.database import Database
from quarkctl.db.records import ResourceRow, Selection


class Feed:
    """The candidate rows in keyset batches (with --max-age the key is (last check, id)), up to --limit."""

    def __init__(self, db: Database, options: CheckOptions, selection: Selection) -> None:
        self.db, self.options, self.selection = db, options, selection
        self.last_id, self.fetched, self.exhausted = 0, 0, False
        self.last_checked: datetime | None = None
        # Rows fetched but waiting in their lanes: a drive far behind the others holds at most this many
        self.buffer = max(20 * options.batch_size, 2000)

    def _want(self) -> int:
        opts = self.options
        return opts.batch_size if opts.limit is None else min(opts.batch_size, opts.limit - self.fetched)

    def next(self) -> list[ResourceRow]:
        want = self._want()
        batch = (self.db.fetch_batch(self.last_id, want, scope=self.options.rows, selection=self.selection,
                                     after_checked=self.last_checked) if want > 0 else [])
        self.exhausted = len(batch) < want or want <= 0
        if batch:
            self.last_id, self.last_checked, self.fetched = batch[-1].id, batch[-1].last_checked, self.fetched + len(batch)
        return batch

    def more(self) -> bool:
        """A candidate row is left after the last fetched one."""
        limit = self.options.limit
        return not self.exhausted and (limit is None or self.fetched < limit) and bool(self.db.fetch_batch(
            self.last_id, 1, scope=self.options.rows, selection=self.selection, after_checked=self.last_checked))
