"""check-links (and `resources revive`) on cloud_resource: the candidate rows, read in keyset
batches, and their marks (is_expired and update_time, nothing else; is_expired alone on a table
without update_time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Table, and_, delete, func, insert, literal, or_, select, update

from quarkctl.db.engine import resilient
from quarkctl.db.records import SAME_SHARE_REASON, CheckRecord, ResourceRow, Selection, cell_text, local_naive, utc_aware, utc_naive
from quarkctl.db.runs import History, check_values, write_checks
from quarkctl.db.schema import SHARE_DRIVE, check_history, empty_streak

# The last check of a row never checked: sorts first, and one value keeps the keyset simple.
NEVER_CHECKED = datetime(1970, 1, 1)


def _candidates(t: Table, scope: str) -> list[Any]:
    """scope: "active" (is_expired 0, check-links), "all" (--recheck-expired), "expired" (resources revive)."""
    cond = [t.c.link.is_not(None), t.c.link != ""]
    if scope == "active":
        cond.append(t.c.is_expired == 0)
    elif scope == "expired":
        cond.append(t.c.is_expired == 1)
    elif scope != "all":
        raise ValueError(f"unknown scope {scope!r}")
    return cond


def _last_checked(t: Table, history_missing: bool = False) -> Any:
    """A row's newest quarkctl_check time, NEVER_CHECKED when none: one index seek per row
    (ix_quarkctl_check_resource), so quarkctl keeps no state of its own between runs."""
    if history_missing:
        return literal(NEVER_CHECKED, type_=DateTime)
    h = check_history.c
    newest = select(func.max(h.checked_at)).where(h.resource_id == t.c.id).correlate(t).scalar_subquery()
    return func.coalesce(newest, NEVER_CHECKED, type_=DateTime)


def _selected(t: Table, include_expired: bool, scope: str | None, selection: Selection | None, history_missing: bool = False) -> list[Any]:
    cond = _candidates(t, scope or ("all" if include_expired else "active"))
    if selection and selection.shard:
        k, n = selection.shard
        cond.append(t.c.id % n == k)
    if selection and selection.checked_before:
        cond.append(_last_checked(t, history_missing) < utc_naive(selection.checked_before))
    return cond


# History: a dead link's mark commits together with the verdicts buffered so far (expire_share).
class Marking(History):
    def prepare_for_check(self, *, dry_run: bool) -> None:
        """Make sure the tables a check run needs are there (the embedded default is created whole)."""
        tables = self._job_tables()
        if dry_run:
            existing = self.existing_tables()
            self.history_missing = check_history.name not in existing
        else:
            self.create_missing(tables)
            existing = {t.name for t in tables} | self.existing_tables()
        self._need_resources(existing)
        self.need_resource_columns()

    @resilient
    def count_candidates(self, *, include_expired: bool = False, scope: str | None = None, selection: Selection | None = None) -> int:
        t = self.resource_table()
        query = select(func.count()).select_from(t).where(*_selected(t, include_expired, scope, selection, self.history_missing))
        with self.connection() as conn:
            return int(conn.execute(query).scalar_one())

    @resilient
    def candidate_links(self, *, scope: str | None = None, selection: Selection | None = None) -> list[str | None]:
        """The candidates' links alone: a run that selects rows by their link's host (--drives) counts them."""
        t = self.resource_table()
        query = select(t.c.link).where(*_selected(t, False, scope, selection, self.history_missing))
        with self.connection() as conn:
            return list(conn.execute(query).scalars())

    @resilient
    def fetch_batch(
        self,
        after_id: int,
        size: int,
        *,
        include_expired: bool = False,
        scope: str | None = None,
        selection: Selection | None = None,
        after_checked: datetime | None = None,
    ) -> list[ResourceRow]:
        """Keyset pagination: rows marked during the run cannot shift the window (OFFSET would).

        With `selection.checked_before` (--max-age) rows come least recently checked first, never
        checked first of all, and the keyset is (last check, id): pass the last row's `last_checked`
        and id. A row checked during the run gets a time after the cutoff and leaves the selection,
        so no row is skipped or repeated.
        """
        live = self.resource_table()
        c = live.c
        cond = _selected(live, include_expired, scope, selection, self.history_missing)
        if selection and selection.checked_before:
            last = _last_checked(live, self.history_missing)
            inner = select(c.id, c.drama_name, c.link, c.is_expired, c.drive_type, last.label("last_checked")).where(*cond).subquery("candidate")
            t = inner.c
            after = after_checked or NEVER_CHECKED
            query = (
                select(inner)
                .where(or_(t.last_checked > after, and_(t.last_checked == after, t.id > after_id)))
                .order_by(t.last_checked, t.id)
                .limit(size)
            )
        else:
            query = select(c.id, c.drama_name, c.link, c.is_expired, c.drive_type).where(c.id > after_id, *cond).order_by(c.id).limit(size)
        with self.connection() as conn:
            rows = conn.execute(query).all()
        if selection and selection.checked_before:
            return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired), r.last_checked, r.drive_type) for r in rows]
        return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired), drive_type=r.drive_type) for r in rows]

    @resilient
    def set_expired(self, resource_id: int, expired: bool, now: datetime) -> bool:
        """Flip is_expired (and update_time) only if it is not already so; True when the row changed."""
        t = self.resource_table()
        c = t.c
        query = (
            update(t)
            .where(c.id == resource_id, c.is_expired == (0 if expired else 1))
            .values(self.mark_values(1 if expired else 0, local_naive(now)))
        )
        with self.connection(commit=True) as conn:
            return conn.execute(query).rowcount > 0

    @resilient
    def expire_share(
        self, run_id: int | None, record: CheckRecord, *, pwd_id: str, same_share: Callable[[str | None], bool], dry_run: bool = False
    ) -> tuple[bool, list[ResourceRow]]:
        """Mark `record`'s row expired and, in the same transaction, every other candidate row that
        holds the same share: not yet expired, drive_type quark, a link naming `pwd_id`. The link is
        free text, so a LIKE finds the candidates and `same_share` confirms each (a LIKE alone never
        marks). Every row marked gets its check record, the others with reason "same_share" and the
        evidence of `record`. Returns (the row itself changed, the other rows marked); with `dry_run`
        the other rows are found and nothing is written."""
        t = self.resource_table()
        c = t.c
        found = (
            select(c.id, c.drama_name, c.link)
            .where(c.is_expired == 0, func.lower(c.drive_type) == SHARE_DRIVE, c.id != record.resource_id,
                   c.link.contains(f"/s/{pwd_id}", autoescape=True))
            .order_by(c.id)
        )
        stamp = local_naive(record.checked_at)
        with self.connection(commit=True) as conn:
            others = [ResourceRow(r.id, r.drama_name, r.link, False) for r in conn.execute(found) if same_share(r.link)]
            if dry_run:
                return False, others
            mark = update(t).values(self.mark_values(1, stamp))
            # Only the link that was checked: a row whose link changed meanwhile (edited by its owner,
            # re-shared by this run) keeps its new link's state. The cell is compared as it is stored: a
            # BLOB cell (SQLite keeps bytes in a TEXT column) never equals the text it was read as
            # (db/records.py), so its stored value is matched when it reads as the checked link.
            same_link = []
            if record.link is not None:
                stored = conn.execute(select(c.link).where(c.id == record.resource_id)).scalar()
                same_link = [c.link == (stored if cell_text(stored) == record.link else record.link)]
            changed = conn.execute(mark.where(c.id == record.resource_id, c.is_expired == 0, *same_link)).rowcount > 0
            ids = [row.id for row in others]
            for start in range(0, len(ids), 500):
                conn.execute(mark.where(c.id.in_(ids[start : start + 500]), c.is_expired == 0))
            # each row of the share with its own link as it was read (quarkctl_check_link keeps it)
            records = [record] + [replace(record, resource_id=row.id, link=row.link, reason=SAME_SHARE_REASON) for row in others]
            write_checks(conn, self._pending + [check_values(run_id, r) for r in records], self._pending_records + records,
                         links=self.link_table())
        self._pending, self._pending_records = [], []  # only once committed: a failed write keeps them
        return changed, others

    @resilient
    def empty_link_since(self, resource_id: int, share_key: str, now: datetime) -> datetime:
        """When this row was first seen empty with this share (aware UTC); a row seen empty with another
        share before (its link changed) starts again at `now`."""
        e = empty_streak.c
        with self.connection(commit=True) as conn:
            found = conn.execute(select(e.share_key, e.since).where(e.resource_id == resource_id)).first()
            if found is not None and found.share_key == share_key:
                return utc_aware(found.since)  # type: ignore[return-value]
            conn.execute(delete(empty_streak).where(e.resource_id == resource_id))
            conn.execute(insert(empty_streak).values(resource_id=resource_id, share_key=share_key[:128], since=utc_naive(now)))
        return now

    @resilient
    def empty_since(self, resource_id: int) -> datetime | None:
        """When the row's unbroken streak of `empty` sightings began (aware UTC), None when its last
        sighting was not empty. A check that saw nothing (error, skipped) neither extends nor breaks it."""
        if self.history_missing:
            return None
        h = check_history.c
        breaker = (select(func.max(h.id)).where(h.resource_id == resource_id, h.verdict.not_in(("empty", "error", "skipped")))
                   .scalar_subquery())
        query = select(func.min(h.checked_at)).where(h.resource_id == resource_id, h.verdict == "empty",
                                                     h.id > func.coalesce(breaker, 0))
        with self.connection() as conn:
            first = conn.execute(query).scalar()
        return utc_aware(first)
