"""The endpoints of an account's own shares (issue 17; share-api.md 1): the HTTP side of shares.py.

Imported by the package after server.py, so each route registers itself like the others (@_drive_route:
injected faults first, then the cookie check, a DriveError becomes its error envelope).
"""

from __future__ import annotations

import time

from .accounts import Account
from .codes import DriveError
from .model import code_info
from .server import DRIVE, Reply, Request, Simulator, _drive_route, _json, _page_size, ok

MYPAGE_PATH = DRIVE + "/share/mypage/detail"


@_drive_route("GET", MYPAGE_PATH, "share_list")
def share_mypage(sim: Simulator, req: Request, account: Account) -> Reply:
    """share_mypage[0] (keys captured, from a type file): data {notify_follow?, list}, metadata
    {_size, _page, _count, _total}. `_size` is capped at 100 like file/sort (invented: one client asks
    1000, unverified), so a client has to page by _total."""
    q = req.query
    page, size = _page_size(q)
    items, total = sim.own_shares.page(account, page, size, q.get("_order_field"), q.get("_order_type"))
    data: dict = {"notify_follow": {"allow": 0}} if q.get("_fetch_notify_follow") == "1" else {}
    data["list"] = items
    return ok(data, {"_size": size, "_page": page, "_count": len(items), "_total": total})


@_drive_route("POST", DRIVE + "/share", "share_create")
def share_create(sim: Simulator, req: Request, account: Account) -> Reply:
    """share_create[0] (captured): {task_id, task_sync: true, task_resp: <the done task reply, task[2]'s
    data>}, metadata.tq_gap. With `sim.own_shares.task_polls` N >= 1, only {task_id, task_sync: false}
    (share_create[1]'s keys; the false is invented) and the task is polled: pending N times (task[0]),
    then done (task[2]) or failed (task[6], 41026 for a flagged item). A `task_error` drive fault on
    share_create makes the task fail with its code."""
    fault = sim._pick_fault(sim._drive_faults_for(account), "share_create", task=True)
    failure = DriveError(fault.code, fault.status, fault.message) if fault is not None else None  # type: ignore[arg-type]
    task, inline = sim.own_shares.create_task(account, req.body or {}, failure)
    sim._add_task(task)
    data: dict = {"task_id": task.task_id, "task_sync": inline}
    if inline:
        try:
            done = {"status": 200, "code": 0, "message": "ok", "timestamp": int(time.time()), "data": task.poll(), "metadata": {}}
        except DriveError as exc:  # the failure inside, as save[2] shows it for save
            status, message = code_info(exc.code)
            done = {"status": exc.status or status, "code": exc.code, "message": exc.message or message, "metadata": {}}
        data["task_resp"] = done
    return ok(data, {"tq_gap": sim.tq_gap})


@_drive_route("POST", DRIVE + "/share/password", "share_password")
def share_password(sim: Simulator, req: Request, account: Account) -> Reply:
    """share_password[0]/[1] (captured), [2] (parsed: passcode shares add passcode and thumbnail)."""
    return ok(sim.own_shares.password(account, (req.body or {}).get("share_id")))


@_drive_route("POST", DRIVE + "/share/delete", "share_delete")
def share_delete(sim: Simulator, req: Request, account: Account) -> Reply:
    """share_delete[0] (parsed): {share_ids: [...]} -> the bare envelope, no data (no capture exists)."""
    sim.own_shares.delete(account, (req.body or {}).get("share_ids"))
    return _json({"status": 200, "code": 0, "message": "ok", "timestamp": int(time.time())})
