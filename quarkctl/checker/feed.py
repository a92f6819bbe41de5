"""The rows a check-links run reads from cloud_resource, in keyset batches (checker/run.py hands them to
each drive's lane)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from quarkctl.checker.options import CheckOptions
from quarkctl.db.database import Database
from quarkctl.db.records import ResourceRow, Selection


class Feed:
    """The candidate rows in keyset batches (with --max-age the key is (last check, id)), up to --limit.

    `keep`: the rows the run selected (--drives: the chosen drives' rows, by link host). A row it leaves out
    is passed over here, before --limit counts it and without a history record, so --max-age sees it as
    unchecked; `left_out` counts them."""

    def __init__(self, db: Database, options: CheckOptions, selection: Selection,
                 keep: Callable[[ResourceRow], bool] = lambda row: True) -> None:
        self.db, self.options, self.selection, self.keep = db, options, selection, keep
        self.last_id, self.fetched, self.exhausted, self.left_out = 0, 0, False, 0
        self.last_checked: datetime | None = None
        # Rows fetched but waiting in their lanes: a drive far behind the others holds at most this many
        self.buffer = max(20 * options.batch_size, 2000)

    def _want(self) -> int:
        opts = self.options
        return opts.batch_size if opts.limit is None else min(opts.batch_size, opts.limit - self.fetched)

    def next(self) -> list[ResourceRow]:
        """The next batch's selected rows: fewer than a batch (or none) when `keep` left some out."""
        want = self._want()
        batch = (self.db.fetch_batch(self.last_id, want, scope=self.options.rows, selection=self.selection,
                                     after_checked=self.last_checked) if want > 0 else [])
        self.exhausted = len(batch) < want or want <= 0
        if batch:
            self.last_id, self.last_checked = batch[-1].id, batch[-1].last_checked
        kept = [row for row in batch if self.keep(row)]
        self.fetched += len(kept)
        self.left_out += len(batch) - len(kept)
        return kept

    def more(self) -> bool:
        """A selected candidate row is left after the last fetched one."""
        limit = self.options.limit
        if self.exhausted or (limit is not None and self.fetched >= limit):
            return False
        after_id, after_checked, size = self.last_id, self.last_checked, self.options.batch_size
        while True:
            batch = self.db.fetch_batch(after_id, size, scope=self.options.rows, selection=self.selection, after_checked=after_checked)
            if any(self.keep(row) for row in batch):
                return True
            if len(batch) < size:
                return False
            after_id, after_checked = batch[-1].id, batch[-1].last_checked
