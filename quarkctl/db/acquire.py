"""Re-acquisition (issue 25): the rows to find new links for, and the chain of what was taken from the
search service, in quarkctl_acquire. A save is recorded as an intent before it starts, so a run that
crashed between the save and the row's new link is finished by the next one instead of saving twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, inspect, select, update

from quarkctl.db.engine import Store, inserted_id
from quarkctl.db.records import local_naive, utc_aware, utc_naive
from quarkctl.db.schema import NAME_WIDTH, SHARE_DRIVE, acquire_history
from quarkctl.redact import redact


@dataclass(frozen=True)
class WantedRow:
    """A Quark row to find a new link for (or a new name: id None, link "")."""

    id: int | None
    name: str
    alias: str
    link: str
    is_expired: bool
    other_drive: bool = False  # a named id of the table that is not a Quark row: acquire is Quark-only
    missing: bool = False  # a named id the table does not have (a row of the table may have no name: no_name)


def _acquire_dict(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    for key in ("created_at", "finished_at"):
        values[key] = utc_aware(values.get(key))
    return values


class Acquire(Store):
    def prepare_for_acquire(self, *, dry_run: bool) -> None:
        """cloud_resource must be there; quarkctl's own tables are created unless nothing is written."""
        if not dry_run:
            self.create_missing(self._job_tables())
        existing = self.existing_tables()
        self.acquire_missing = acquire_history.name not in existing
        self._need_resources(existing)
        self.need_resource_columns()

    def acquire_rows(self, *, ids: Sequence[int] | None = None, names: Sequence[str] | None = None,
                     expired: bool | None = None) -> list[WantedRow]:
        """Quark rows: the given ids, the given names, or every row marked expired (True)."""
        t = self.resource_table()
        c = t.c
        cond = [func.lower(c.drive_type) == SHARE_DRIVE]
        if ids is not None:
            cond.append(c.id.in_(sorted(set(ids))))
        if names is not None:  # a title in any case is the same title (MariaDB's key compares so too)
            cond.append(func.lower(c.drama_name).in_(sorted({n.lower() for n in names})))
        if expired is not None:
            cond.append(c.is_expired == (1 if expired else 0))
        alias = c.alias if "alias" in c else None
        columns = [c.id, c.drama_name, c.link, c.is_expired, *([alias] if alias is not None else [])]
        with self.connection() as conn:
            rows = conn.execute(select(*columns).where(*cond).order_by(c.id)).all()
        return [WantedRow(r.id, str(r.drama_name or ""), str(getattr(r, "alias", None) or ""), str(r.link or ""),
                          bool(r.is_expired)) for r in rows]

    def acquire_intent(self, run_id: int | None, row: WantedRow, *, candidate_link: str, note: str, source: str,
                       saved_path: str, now: datetime, videos: int | None = None, status: str = "pending") -> int:
        """`videos`: the video files the result holds, so a recovery knows a folder that holds fewer is not done.
        `status` "prepared": no save request sent yet (saving() says when one is about to be)."""
        values = {"run_id": run_id, "resource_id": row.id, "name": row.name[:NAME_WIDTH], "old_link": row.link, "videos": videos,
                  "candidate_link": candidate_link, "candidate_note": redact(note), "source": redact(source)[:NAME_WIDTH],
                  "saved_path": saved_path, "status": status, "created_at": utc_naive(now)}
        with self.connection(commit=True) as conn:
            return inserted_id(conn.execute(insert(acquire_history).values(**values)))

    def pending_acquires(self) -> list[dict[str, Any]]:
        """Unfinished intents: `pending` (a save request may have been sent) and `prepared` (none was)."""
        if getattr(self, "acquire_missing", False):
            return []
        a = acquire_history.c
        with self.connection() as conn:
            return [_acquire_dict(x) for x in conn.execute(select(acquire_history).where(a.status.in_(("pending", "prepared")))
                                                           .order_by(a.id))]

    def saving(self, intent_id: int) -> None:
        """A `prepared` intent becomes `pending`: its save request is about to be sent (a new user's review, issue 25:
        a run killed between the folder's mkdir and the save made the row wait a day for a save never sent)."""
        a = acquire_history.c
        with self.connection(commit=True) as conn:
            conn.execute(update(acquire_history).where(a.id == intent_id, a.status == "prepared").values(status="pending"))

    def finish_acquire(self, intent_id: int, row: WantedRow, *, new_link: str, videos: int, now: datetime,
                       run_id: int | None = None) -> int | None:
        """One transaction: the row gets the new link (valid, shared once more, now) only if its link is still
        the one the run read (a row changed meanwhile is left alone: None), or a new name's row is inserted;
        the intent is done. Returns the row's id."""
        t = self.resource_table()
        c, a = t.c, acquire_history.c
        stamp = local_naive(now).replace(microsecond=0)
        values: dict[str, Any] = {"link": new_link, "is_expired": 0, "last_share_time": stamp, "update_time": stamp}
        with self.connection(commit=True) as conn:
            taken = None if row.id is not None else conn.execute(
                select(c.id).where(c.drama_name == row.name, func.lower(c.drive_type) == SHARE_DRIVE)).first()
            if row.id is None and taken is not None:  # the name got a row meanwhile: it is left as it is
                row_id: int | None = None
            elif row.id is None:
                new = {**values, "drama_name": row.name, "drive_type": SHARE_DRIVE, "create_time": stamp, "share_count": 1}
                row_id = inserted_id(conn.execute(insert(t).values(**{k: v for k, v in new.items() if k in c})))
            else:
                if "share_count" in c:
                    values["share_count"] = func.coalesce(c.share_count, 0) + 1
                changed = conn.execute(update(t).where(c.id == row.id, c.link == row.link)
                                       .values({k: v for k, v in values.items() if k in c})).rowcount
                row_id = row.id if changed else None
            done = {"status": "done" if row_id is not None else "abandoned", "new_link": new_link, "videos": videos,
                    "resource_id": row_id if row_id is not None else row.id, "finished_at": utc_naive(now)}
            if run_id is not None:
                done["run_id"] = run_id
            conn.execute(update(acquire_history).where(a.id == intent_id).values(**done))
        return row_id

    def abandon_acquire(self, intent_id: int, now: datetime, *, status: str = "abandoned") -> None:
        """The intent ends without a link: `abandoned`, or `refused` when Quark would not share what was saved (the
        result is never taken again: refused_result)."""
        a = acquire_history.c
        with self.connection(commit=True) as conn:
            conn.execute(update(acquire_history).where(a.id == intent_id).values(status=status, finished_at=utc_naive(now)))

    def refused_result(self, pwd_id: str) -> list[str]:
        """The candidate links of the results taken before whose saved files Quark refused to share (status refused)
        that name the share `pwd_id`; a LIKE finds them, the caller confirms each link (as made_from)."""
        if getattr(self, "acquire_missing", False):
            return []
        a = acquire_history.c
        query = select(a.candidate_link).where(a.status == "refused", a.candidate_link.contains(f"/s/{pwd_id}", autoescape=True)).limit(20)
        with self.connection() as conn:
            return [str(x) for x in conn.execute(query).scalars()]

    def made_from(self, pwd_id: str, *, result: bool) -> list[dict[str, Any]]:
        """Done re-acquisitions whose old link (or, `result`, whose search result taken) names the share `pwd_id`,
        newest first: the link one of them made serves another row of that share or result instead of a second
        save. A LIKE finds them; the caller confirms each link, as db/marking.py expire_share does."""
        if getattr(self, "acquire_missing", False):
            return []
        a = acquire_history.c
        column = a.candidate_link if result else a.old_link
        query = (select(acquire_history).where(a.status == "done", a.new_link.is_not(None), column.contains(f"/s/{pwd_id}", autoescape=True))
                 .order_by(a.id.desc()).limit(20))
        with self.connection() as conn:
            return [_acquire_dict(x) for x in conn.execute(query)]

    def unmark_alive(self, run_id: int | None, row: WantedRow, now: datetime) -> bool:
        """A row marked expired whose link a check just found alive is marked valid again, only if it still holds
        that link and that mark (compare-and-set); the unmarking goes into quarkctl_acquire (status unmarked)
        beside the run's other entries. True when the row changed."""
        t = self.resource_table()
        c = t.c
        stamp = local_naive(now).replace(microsecond=0)
        with self.connection(commit=True) as conn:
            changed = conn.execute(update(t).where(c.id == row.id, c.link == row.link, c.is_expired == 1)
                                   .values(self.mark_values(0, stamp))).rowcount > 0
            if changed and not getattr(self, "acquire_missing", False):
                conn.execute(insert(acquire_history).values(
                    run_id=run_id, resource_id=row.id, name=row.name[:NAME_WIDTH], old_link=row.link, candidate_link="",
                    new_link=row.link, status="unmarked", created_at=utc_naive(now), finished_at=utc_naive(now)))
        return changed

    def known_videos(self, resource_id: int) -> int | None:
        """The video files the row's last re-acquisition saved: a replacement needs as many."""
        a = acquire_history.c
        query = (select(a.videos).where(a.resource_id == resource_id, a.status == "done", a.videos.is_not(None))
                 .order_by(a.id.desc()).limit(1))
        with self.connection() as conn:
            if acquire_history.name not in set(inspect(conn).get_table_names()):
                return None
            return conn.execute(query).scalar()

    def acquires(self, *, resource_id: int | None = None, run_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """quarkctl_acquire rows (newest first; for a run, in order); [] without the table."""
        a = acquire_history.c
        query = select(acquire_history)
        if resource_id is not None:
            query = query.where(a.resource_id == resource_id)
        query = query.where(a.run_id == run_id).order_by(a.id) if run_id is not None else query.order_by(a.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.connection() as conn:
            if acquire_history.name not in set(inspect(conn).get_table_names()):
                return []
            return [_acquire_dict(x) for x in conn.execute(query)]

