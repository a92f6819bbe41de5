"""Past runs from quarkctl's run history (`quarkctl_run`), and what one run did item by item.

Every job writes one `quarkctl_run` row per run; what it did per item lives in the job's own table.
`ITEMS` says where: a new job adds its entry (a loader and a one-line description per item).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quarkctl.reports.check import COUNT_KEYS, JOB, OTHER_DRIVE, REVIVE_JOB, REVIVED, RUN_COLUMNS
from quarkctl.reports.reshare import COUNT_KEYS as RESHARE_COUNT_KEYS, JOB as RESHARE_JOB  # its counts are its own words
from quarkctl.reports.acquire import COUNT_KEYS as ACQUIRE_COUNT_KEYS, JOB as ACQUIRE_JOB  # issue 25, its own words too
from quarkctl.reports.autosave import SIGN_COUNT_KEYS, SIGN_JOB  # `quarkctl sign`: counts of accounts (issue 21)
from quarkctl.reports.autosave import JOB as AUTOSAVE_JOB, SavedNode, whole_folders

# An autosave run's counts are its summary's, kept in the run's detail: tasks, not links (issue 23: history
# showed check-links' valid/expired/needs passcode for them)
AUTOSAVE_COUNT_KEYS = ("tasks", "saved", "nothing_new", "skipped", "banned", "failed", "files_saved")
from quarkctl.db.database import Database
from quarkctl.db.schema import run_history
from quarkctl.errors import QuarkctlError
from quarkctl.i18n import _, ngettext
from quarkctl.render.history import check_evidence
from quarkctl.render.messages import drive_text, task_status_text, verdict_reason

class RunNotFound(QuarkctlError):
    """`history show RUN` with an id the database does not have."""


@dataclass(frozen=True)
class RunRecord:
    id: int
    job: str
    started_at: datetime  # aware UTC
    finished_at: datetime | None
    status: str  # running | finished | aborted | interrupted
    exit_code: int | None
    host: str
    pid: int | None
    counts: dict[str, int]
    detail: dict[str, Any]
    abandoned: bool = False  # "running", but its process on this host is gone (killed, OOM, reboot)

    @property
    def duration(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None

    @property
    def state(self) -> str:
        return "abandoned" if self.abandoned else self.status

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "job": self.job,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration": self.duration,
            "status": self.state,
            "exit_code": self.exit_code,
            "host": self.host,
            "pid": self.pid,
            "counts": self.counts,
            "aborted": self.detail.get("abort_reason"),
            "deadline": self.detail.get("deadline"),  # as the run's JSON said it; null without one
            "drives": self.detail.get("drives"),  # check-links: each drive's counts (issue 24); null for older runs
        }

    @property
    def deadline_text(self) -> str | None:
        """`stopped at the deadline: ...` for a run its deadline cut short (both jobs keep it in their detail)."""
        deadline = self.detail.get("deadline")
        if not isinstance(deadline, dict) or not deadline.get("reached"):
            return None
        if self.job == "autosave":
            return _("stopped at the deadline: {n} of {total} tasks not run").format(n=deadline.get("not_run", 0),
                                                                                   total=deadline.get("tasks", 0))
        return _("stopped at the deadline: {checked} of {selected} checked").format(checked=deadline.get("checked", 0),
                                                                                    selected=deadline.get("selected", 0))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _counts(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, int]:
    """The counts quarkctl_run has columns for, and the newer ones its detail keeps (0 for older runs)."""
    detail = row.get("detail") or {}
    if row.get("job") == AUTOSAVE_JOB:
        summary = detail.get("summary") if isinstance(detail.get("summary"), dict) else {}
        # folders saved whole (their files are not in files_saved): only for a run that saved one
        whole = ("folders_saved",) if _count(summary.get("folders_saved")) else ()
        return {key: _count(summary.get(key)) for key in AUTOSAVE_COUNT_KEYS + whole}
    extra = detail.get("counts") or {}
    if REVIVED in extra and REVIVED not in keys:  # a run over expired rows too (--recheck-expired) counted its revived
        keys += (REVIVED,)
    return {key: int((row.get(key) if key in RUN_COLUMNS else extra.get(key)) or 0) for key in keys}


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _record(row: dict[str, Any], hostname: str, db: Database | None = None) -> RunRecord:
    pid = row.get("pid")
    abandoned = row["status"] == "running" and row.get("host") == hostname and isinstance(pid, int) and not pid_alive(pid)
    if db is not None and row["status"] == "running" and row["job"] in (JOB, REVIVE_JOB):
        # Never finished (killed, or still going): its own row holds no counts yet, its verdicts are recorded
        counts = db.verdict_counts(int(row["id"]))
        row = {**row, **{key: counts.get(key, 0) for key in RUN_COLUMNS}, "detail": {**(row.get("detail") or {}), "counts": counts}}
    return RunRecord(
        id=int(row["id"]),
        job=row["job"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        status=row["status"],
        exit_code=row["exit_code"],
        host=row.get("host") or "",
        pid=pid,
        counts=_counts(row, {JOB: COUNT_KEYS, REVIVE_JOB: COUNT_KEYS + (REVIVED,), RESHARE_JOB: RESHARE_COUNT_KEYS,
                                  ACQUIRE_JOB: ACQUIRE_COUNT_KEYS, SIGN_JOB: SIGN_COUNT_KEYS}.get(row["job"], RUN_COLUMNS)),
        detail=row.get("detail") or {},
        abandoned=abandoned,
    )


def has_history(db: Database) -> bool:
    return run_history.name in db.existing_tables()


def list_runs(db: Database, *, job: str | None = None, limit: int | None = 20) -> list[RunRecord]:
    """Newest first; none when quarkctl has never run against this database."""
    if not has_history(db):
        return []
    hostname = socket.gethostname()
    return [_record(row, hostname, db) for row in db.recent_runs(job=job, limit=limit)]


def get_run(db: Database, run_id: int) -> RunRecord:
    row = db.get_run(run_id) if has_history(db) else None
    if row is None:
        raise RunNotFound(_("no run {id} in {database} (see `quarkctl history`)").format(id=run_id, database=db.label))
    return _record(row, socket.gethostname(), db)


# -- what a run did, per item -------------------------------------------------------------------


def _check_line(item: dict[str, Any]) -> str:
    """`#12 好电影 https://pan.baidu.com/s/... [Baidu] expired: no such share (-21)`: each result's drive
    (issue 24) in its own words."""
    name = item.get("name") if item.get("name") is not None else _("(row deleted)")
    drive = item.get("drive")
    link = " ".join(str(item.get("link") or "").split())  # a stored link of several lines, on one (as check-links prints it)
    if item.get("link_known") is False:  # an older check of a row re-shared or re-acquired since (db/runs.py _link_of)
        link = _("(link unknown)")
    text = (f"#{item['resource_id']} {name} {link} "
            f"{_('[{drive}]').format(drive=drive_text(drive or OTHER_DRIVE))} {verdict_reason(item['verdict'], item['reason'], drive)}")
    evidence = check_evidence(item)
    return f"{text} ({evidence})" if evidence and item["reason"] != "ok" else text


def _check_item(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "resource_id": item["resource_id"],
        "name": item.get("name"),
        "link": item.get("link"),  # the link that was checked; null when not known (an older check, the row's link changed since)
        "link_known": item.get("link_known", True),
        "checked_at": item["checked_at"].isoformat() if item.get("checked_at") else None,
        "verdict": item["verdict"],
        "reason": item["reason"],
        "api_code": item.get("api_code"),
        "http_status": item.get("http_status"),
        "message": item.get("message"),
        "drive": item.get("drive"),  # providers/names.py; null: no drive claimed the link
        "code": item.get("code"),  # the drive's own code as text ("41012", "-9", "ShareNotFound"); null: none
    }


@dataclass(frozen=True)
class JobItems:
    """Where a job keeps its per-item results, and how they read."""

    load: Callable[[Database, int], list[dict[str, Any]]]
    as_dict: Callable[[dict[str, Any]], dict[str, Any]]  # JSON (machine keys, never translated)
    line: Callable[[dict[str, Any]], str]  # one human line


def _task_line(item: dict[str, Any]) -> str:
    """`#2 剧集A saved 3 files` / `#2 剧集A saved folder S01 (12 items)` / `#3 剧集B banned: 好友已取消了分享`."""
    from quarkctl.render.autosave import folders_text

    status, n = task_status_text(item["status"]), item.get("files_saved") or 0
    detail = item.get("detail") if isinstance(item.get("detail"), dict) else {}
    added = [node for node in map(SavedNode.from_dict, detail.get("added") or []) if node is not None]
    folders = whole_folders(added) if item["status"] == "saved" else []
    if folders:  # saved whole: its files are not in files_saved (issue 23: "saved 0 files")
        what = folders_text(folders)
        if n:
            what = _("{files} and {folders}").format(files=ngettext("{n} file", "{n} files", n).format(n=n), folders=what)
        status = f"{status} {what}"
    elif n:
        # TRANSLATORS: {status} is an autosave task's status ("saved"), as in "saved 3 files".
        status = ngettext("{status} {n} file", "{status} {n} files", n).format(status=status, n=n)
    text = f"#{item['task_index']} {item['taskname']} {status}"
    detail = " ".join(str(x) for x in (item.get("reason"), item.get("message")) if x and item["status"] not in ("saved", "nothing_new"))
    return f"{text}: {detail}" if detail else text


def _task_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item.get(key) for key in ("task_index", "taskname", "status", "reason", "message", "files_saved", "detail")}


def _reshare_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: (item[key].isoformat() if hasattr(item.get(key), "isoformat") else item.get(key))
            for key in ("resource_id", "name", "old_link", "new_link", "share_id", "fid_list", "reason", "status", "created_at", "finished_at")}


def _reshare_line(item: dict[str, Any]) -> str:
    """`#12 剧集A the share's time limit passed, done: OLD -> NEW` (issue 17; render/reshare.py words it)."""
    from quarkctl.render.reshare import record_text

    return f"#{item['resource_id']} {item.get('name') or ''} {record_text(item)}"


def _acquire_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: (item[key].isoformat() if hasattr(item.get(key), "isoformat") else item.get(key))
            for key in ("resource_id", "name", "old_link", "candidate_link", "candidate_note", "source", "saved_path", "videos",
                        "new_link", "status", "created_at", "finished_at")}


def _acquire_line(item: dict[str, Any]) -> str:
    """`#12 庆余年 done: OLD -> NEW, from CANDIDATE «note» (source), saved in PATH` (issue 25; render/acquire.py words it)."""
    from quarkctl.render.acquire import chain_text

    row = f"#{item['resource_id']} " if item.get("resource_id") is not None else ""
    return f"{row}{item.get('name') or ''} {chain_text(item)}"


def _sign_items(db: Database, run_id: int) -> list[dict[str, Any]]:
    """A sign run keeps its accounts in the run's own detail (autosave_job._sign_row)."""
    accounts = ((db.get_run(run_id) or {}).get("detail") or {}).get("accounts")
    return [item for item in accounts if isinstance(item, dict)] if isinstance(accounts, list) else []


def _sign_line(item: dict[str, Any]) -> str:
    """`account 2: sign-in not confirmed: ...`, as the run printed it (render/autosave.py words it)."""
    from quarkctl.render.autosave import sign_text

    return _("account {n}: {sign}").format(n=item.get("account"), sign=sign_text(item))


ITEMS: dict[str, JobItems] = {
    "check-links": JobItems(Database.run_checks, _check_item, _check_line),
    REVIVE_JOB: JobItems(Database.run_checks, _check_item, _check_line),  # a check-links run over expired rows
    "autosave": JobItems(Database.run_tasks, _task_item, _task_line),
    "reshare": JobItems(lambda db, run_id: db.reshares(run_id=run_id), _reshare_item, _reshare_line),  # issue 17
    ACQUIRE_JOB: JobItems(lambda db, run_id: db.acquires(run_id=run_id), _acquire_item, _acquire_line),  # issue 25
    SIGN_JOB: JobItems(_sign_items, dict, _sign_line),  # issue 21
}


@dataclass(frozen=True)
class RunDetail:
    run: RunRecord
    items: list[dict[str, Any]]  # as_dict of each item
    lines: list[str]  # the same, one human line each


def show_run(db: Database, run_id: int) -> RunDetail:
    run = get_run(db, run_id)
    spec = ITEMS.get(run.job)
    if spec is None:  # a job this version does not know (a newer quarkctl wrote it)
        return RunDetail(run, [], [])
    rows = spec.load(db, run_id)
    lines = [spec.line(row) for row in rows]
    if run.job == JOB:  # check-links --reshare: the re-shares it made, after its verdicts (issue 17)
        lines += [_reshare_line(item) for item in db.reshares(run_id=run_id)]
        lines += [_acquire_line(item) for item in db.acquires(run_id=run_id)]  # --reacquire (issue 25)
    return RunDetail(run, [spec.as_dict(row) for row in rows], lines)
