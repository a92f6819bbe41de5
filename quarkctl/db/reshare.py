"""Re-sharing (issue 17): the Quark rows to re-share, and the chain of shares quarkctl made, in
quarkctl_reshare. A share's creation is recorded as an intent first, so a crash can be recovered."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, inspect, select, update

from quarkctl.db.engine import Store, inserted_id
from quarkctl.db.records import ResourceRow, local_naive, utc_aware, utc_naive
from quarkctl.db.schema import KEY_WIDTH, NAME_WIDTH, SHARE_DRIVE, cloud_resource, reshare_history


def _reshare_dict(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    try:
        values["fid_list"] = json.loads(values["fid_list"] or "[]")
    except ValueError:
        values["fid_list"] = []
    for key in ("created_at", "finished_at"):
        values[key] = utc_aware(values.get(key))
    return values


class Reshare(Store):
    def prepare_for_reshare(self, *, dry_run: bool) -> None:
        """cloud_resource must be there; quarkctl's own tables are created unless nothing is written."""
        if not dry_run:
            self.create_missing(self._job_tables())
        existing = self.existing_tables()
        self.history_missing = dry_run and reshare_history.name not in existing
        self._need_resources(existing)
        self.need_resource_columns()

    def reshare_rows(self, *, ids: Sequence[int] | None = None, expired: bool | None = None) -> list[ResourceRow]:
        """Quark rows with a link: the given ids, or every row marked expired (True) / not (False)."""
        c = cloud_resource.c
        cond = [c.link.is_not(None), c.link != "", func.lower(c.drive_type) == SHARE_DRIVE]
        if ids is not None:
            cond.append(c.id.in_(sorted(set(ids))))
        if expired is not None:
            cond.append(c.is_expired == (1 if expired else 0))
        query = select(c.id, c.drama_name, c.link, c.is_expired).where(*cond).order_by(c.id)
        with self.connection() as conn:
            return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired)) for r in conn.execute(query)]

    def share_rows(self, pwd_id: str, same_share: Callable[[str | None], bool]) -> list[ResourceRow]:
        """Every Quark row whose link is the share `pwd_id` (expired or not): a LIKE finds the candidates,
        `same_share` confirms each, as expire_share does. They all get the share's new link together."""
        c = cloud_resource.c
        query = (select(c.id, c.drama_name, c.link, c.is_expired)
                 .where(func.lower(c.drive_type) == SHARE_DRIVE, c.link.contains(f"/s/{pwd_id}", autoescape=True)).order_by(c.id))
        with self.connection() as conn:
            return [ResourceRow(r.id, r.drama_name, r.link, bool(r.is_expired)) for r in conn.execute(query) if same_share(r.link)]

    def reshare_intent(self, run_id: int | None, resource_id: int, old_link: str, fids: Sequence[str], title: str,
                       reason: str, now: datetime) -> int:
        """Record, before the share is created, what is about to be: a crash after the creation leaves
        this `pending` row, and the next run looks for the share by title and first fid."""
        values = {"run_id": run_id, "resource_id": resource_id, "old_link": old_link, "fid_list": json.dumps(list(fids)),
                  "title": title[:NAME_WIDTH], "reason": reason[:KEY_WIDTH], "status": "pending", "created_at": utc_naive(now)}
        with self.connection(commit=True) as conn:
            return inserted_id(conn.execute(insert(reshare_history).values(**values)))

    def pending_reshares(self) -> list[dict[str, Any]]:
        if self.history_missing:
            return []
        r = reshare_history.c
        with self.connection() as conn:
            return [_reshare_dict(x) for x in conn.execute(select(reshare_history).where(r.status == "pending").order_by(r.id))]

    def finish_reshare(self, intent_id: int, resource_id: int, *, new_link: str, share_id: str, pwd_id: str, now: datetime,
                       run_id: int | None = None, others: Sequence[ResourceRow] = ()) -> None:
        """One transaction: the row and `others` (rows of the same old share) get the new link (valid, shared
        once more, now), the intent is done and each of the others gets its own done entry (its chain)."""
        live = self.resource_table()
        c, r = live.c, reshare_history.c
        stamp = local_naive(now).replace(microsecond=0)
        ids = [resource_id, *(row.id for row in others if row.id != resource_id)]
        row_values: dict[str, Any] = {"link": new_link, "is_expired": 0, "last_share_time": stamp, "update_time": stamp}
        if "share_count" in c:
            row_values["share_count"] = func.coalesce(c.share_count, 0) + 1
        row_values = {k: v for k, v in row_values.items() if k in c}  # the columns the table has (issue 23)
        with self.connection(commit=True) as conn:
            for start in range(0, len(ids), 500):
                conn.execute(update(live).where(c.id.in_(ids[start : start + 500])).values(row_values))
            values = {"status": "done", "new_link": new_link, "share_id": share_id[:KEY_WIDTH], "pwd_id": pwd_id[:KEY_WIDTH],
                      "finished_at": utc_naive(now)}
            if run_id is not None:
                values["run_id"] = run_id
            conn.execute(update(reshare_history).where(r.id == intent_id).values(**values))
            intent = conn.execute(select(reshare_history).where(r.id == intent_id)).one()
            copies = [{"run_id": intent.run_id, "resource_id": row.id, "old_link": row.link or "", "new_link": new_link,
                       "share_id": share_id[:KEY_WIDTH], "pwd_id": pwd_id[:KEY_WIDTH], "fid_list": intent.fid_list,
                       "title": intent.title, "reason": intent.reason, "status": "done", "created_at": intent.created_at,
                       "finished_at": utc_naive(now)} for row in others if row.id != resource_id]
            if copies:
                conn.execute(insert(reshare_history), copies)

    def abandon_reshare(self, intent_id: int, now: datetime) -> None:
        """The share of a pending intent was never made: the row is planned again like any other."""
        r = reshare_history.c
        with self.connection(commit=True) as conn:
            conn.execute(update(reshare_history).where(r.id == intent_id).values(status="abandoned", finished_at=utc_naive(now)))

    def record_share(self, resource_id: int, link: str, *, share_id: str, pwd_id: str, fids: Sequence[str], title: str,
                     now: datetime) -> None:
        """A share quarkctl made for `resources add --reshare-from`: its fid list, so it can be re-created."""
        values = {"resource_id": resource_id, "old_link": "", "new_link": link, "share_id": share_id[:KEY_WIDTH],
                  "pwd_id": pwd_id[:KEY_WIDTH], "fid_list": json.dumps(list(fids)), "title": title[:NAME_WIDTH],
                  "reason": "added", "status": "done", "created_at": utc_naive(now), "finished_at": utc_naive(now)}
        with self.connection(commit=True) as conn:
            conn.execute(insert(reshare_history).values(**values))

    def recorded_fids(self, pwd_id: str) -> list[str] | None:
        """The fid list of the share quarkctl made under this pwd_id, None when it made none."""
        r = reshare_history.c
        query = select(r.fid_list).where(r.pwd_id == pwd_id, r.status == "done").order_by(r.id.desc()).limit(1)
        with self.connection() as conn:
            if reshare_history.name not in set(inspect(conn).get_table_names()):
                return None
            text = conn.execute(query).scalar()
        return None if text is None else [str(fid) for fid in json.loads(text)]

    def reshares(self, *, resource_id: int | None = None, run_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """quarkctl_reshare rows (newest first; for a run, in order), with the row's name; [] without the table."""
        r, c = reshare_history.c, cloud_resource.c
        query = select(reshare_history, c.drama_name.label("name")).select_from(
            reshare_history.outerjoin(cloud_resource, c.id == r.resource_id))
        if resource_id is not None:
            query = query.where(r.resource_id == resource_id)
        if run_id is not None:
            query = query.where(r.run_id == run_id).order_by(r.id)
        else:
            query = query.order_by(r.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.connection() as conn:
            if reshare_history.name not in set(inspect(conn).get_table_names()):
                return []
            return [_reshare_dict(x) for x in conn.execute(query)]
