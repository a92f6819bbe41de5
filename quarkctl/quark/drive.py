"""Drive operations for autosave on top of QuarkClient: pagination, retries, typed failures.

Reads are retried on transient failures (as in check-links); writes that Quark might have
applied before the answer was lost (save, delete) are not, so a retry can never save twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from quarkctl.runtime.pacing import Sleeper, WaitListener
from quarkctl.quark.client import DETAIL_PAGE_SIZE, ApiReply, QuarkClient
from quarkctl.quark.retry import RetryPolicy
from quarkctl.quark.verdict import Classified, Outcome, classify

PATH_LIST_BATCH = 50  # Quark's limit per path_list call
SAVE_CHUNK = 100  # save_as_top_fids holds at most 100 fids per task
# 41035 单次转存文件个数超出用户等级限制: too many files (counted inside folders) in one save for the
# account's level (quark-api.md 4.1, 5). The message is what users saw; the code comes from client code.
SAVE_LIMIT_CODE = 41035
SAVE_LIMIT_MESSAGE = "单次转存文件个数超出"
MAX_PAGES = 1000  # a server that ignores _page must not loop forever
DEFAULT_TQ_GAP = 0.5


class ApiFailure(Exception):
    """Quark answered something other than OK; `classified` says what it means."""

    def __init__(self, classified: Classified, endpoint: str) -> None:
        super().__init__(f"{endpoint}: {classified.reason} {classified.api_code or ''} {classified.message or ''}".strip())
        self.classified = classified
        self.endpoint = endpoint

    @property
    def outcome(self) -> Outcome:
        return self.classified.outcome

    @property
    def message(self) -> str:
        """Quark's words when it sent any, else the reason code."""
        return self.classified.message or self.classified.reason

    @property
    def save_too_large(self) -> bool:
        """Quark refused the save for its file count (41035): the task failed and saved nothing."""
        return self.classified.api_code == SAVE_LIMIT_CODE or SAVE_LIMIT_MESSAGE in (self.classified.message or "")


class TaskTimeout(Exception):
    pass


def embedded_task(reply: ApiReply) -> ApiReply | None:
    """The task answer a submit may carry (`task_sync: true` + `task_resp`): the task's own envelope,
    its result or its failure, so there is nothing to poll (quark-replies.json save[2] capacity
    32003, parsed; share_create[0], captured). A top-level code 0 then says nothing about the task."""
    data = reply.data if isinstance(reply.data, dict) else {}
    resp = data.get("task_resp")
    if not data.get("task_sync") or not isinstance(resp, dict):
        return None
    status = resp.get("status")
    http_status = status if isinstance(status, int) and not isinstance(status, bool) else reply.http_status
    return ApiReply("task", http_status, resp)


class DriveSession:
    def __init__(
        self,
        client: QuarkClient,
        *,
        sleep: Sleeper,
        retries: int = 2,
        backoff: float = 2.0,
        task_timeout: float = 120.0,
        on_wait: WaitListener | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.sleep = sleep  # also the pause between task polls
        self.retry = RetryPolicy(sleep, retries, backoff, on_wait)
        self.task_timeout = task_timeout
        self.monotonic = monotonic
        self.requests = 0

    def call(self, request: Callable[[], ApiReply], *, retry: bool = True) -> ApiReply:
        last = Classified(Outcome.TRANSIENT, "interrupted")
        endpoint = "?"
        for attempt in range(self.retry.attempts if retry else 1):
            if attempt and not self.retry.wait(attempt, last.retry_after, last):
                break
            reply = request()
            self.requests += 1
            endpoint, last = reply.endpoint, classify(reply)
            if last.outcome is Outcome.OK:
                return reply
            if last.outcome is not Outcome.TRANSIENT:
                break
        raise ApiFailure(last, endpoint)

    @staticmethod
    def _data(reply: ApiReply) -> dict[str, Any]:
        return reply.data if isinstance(reply.data, dict) else {}

    @staticmethod
    def _unexpected(reply: ApiReply, endpoint: str) -> ApiFailure:
        """An OK answer without what it should carry (a stoken, a fid, a task id)."""
        return ApiFailure(Classified(Outcome.UNKNOWN, "unexpected_response", reply.code, reply.http_status, reply.message), endpoint)

    @classmethod
    def _list(cls, reply: ApiReply) -> list[dict[str, Any]]:
        """`data.list`'s objects; nothing when it is not a list (a hostile answer, issue 15)."""
        value = cls._data(reply).get("list")
        return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []

    def pages(self, fetch: Callable[[int], ApiReply]) -> list[dict[str, Any]]:
        """All pages of a paged listing `fetch(page)`, each read retried: stop on an empty page or once
        `_total` items are in (as the reference does)."""
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            reply = self.call(lambda: fetch(page))
            batch = self._list(reply)
            items.extend(batch)
            total = reply.total
            if not batch or total is None or len(items) >= total:
                break
        return items

    def task_data(self, reply: ApiReply, endpoint: str) -> dict[str, Any]:
        """The done task's data of a reply that started one: embedded when the task finished at once
        (task_sync), else polled by its task_id at the reply's tq_gap (quark-api.md 5; share-api.md 1.2)."""
        task = embedded_task(reply)
        if task is not None:
            classified = classify(task)
            if classified.outcome is not Outcome.OK:
                raise ApiFailure(classified, "task")
            if self._data(task).get("status") == 2:
                return self._data(task)
        task_id = self._data(reply).get("task_id")
        if not task_id:
            raise self._unexpected(reply, endpoint)
        return self.wait_task(str(task_id), gap=self._tq_gap(reply))

    # -- share side -------------------------------------------------------------------------------

    def token(self, pwd_id: str, passcode: str) -> str:
        reply = self.call(lambda: self.client.share_token(pwd_id, passcode))
        stoken = self._data(reply).get("stoken")
        if not isinstance(stoken, str) or not stoken:
            raise self._unexpected(reply, "token")
        return stoken

    def share_page(self, pwd_id: str, stoken: str, pdir_fid: str, page: int) -> tuple[list[dict[str, Any]], int | None]:
        """One page of a share folder and the `_total` that came with it (None when Quark sent none)."""
        reply = self.call(lambda: self.client.share_detail(pwd_id, stoken, pdir_fid, page))
        raw = self._data(reply).get("list")
        batch = self._list(reply)
        total = reply.total
        if (not isinstance(raw, list) or len(batch) < len(raw)
                or any(not isinstance(item.get("fid"), str) or not item["fid"] for item in batch)
                or reply.malformed_total or (page == 1 and not batch and total)):
            # No list, items that are not objects or have no fid, a `_total` of the wrong type ("7": issue 23),
            # an empty first page that counts files: an answer of another shape, never an empty share (reviews
            # of issue 21: `data: null` banned a live share as empty; `[{}]` failed the task on a KeyError)
            raise self._unexpected(reply, "detail")
        return batch, total

    # -- drive side -------------------------------------------------------------------------------

    def path_fids(self, paths: list[str]) -> dict[str, str]:
        """fid of every path that exists, asking 50 at a time."""
        found: dict[str, str] = {}
        for start in range(0, len(paths), PATH_LIST_BATCH):
            reply = self.call(lambda: self.client.path_list(paths[start : start + PATH_LIST_BATCH]))
            for item in reply.data if isinstance(reply.data, list) else []:
                if isinstance(item, dict) and item.get("file_path") and item.get("fid"):
                    found[str(item["file_path"])] = str(item["fid"])
        return found

    def mkdir(self, path: str) -> str:
        reply = self.call(lambda: self.client.mkdir(path))
        fid = self._data(reply).get("fid")
        if not fid:
            raise self._unexpected(reply, "mkdir")
        return str(fid)

    def list_dir(self, fid: str) -> list[dict[str, Any]]:
        return self.pages(lambda page: self.client.list_dir(fid, page, DETAIL_PAGE_SIZE))

    def rename(self, fid: str, name: str) -> None:
        self.call(lambda: self.client.rename(fid, name))

    def save(self, fids: list[str], tokens: list[str], to_pdir_fid: str, pwd_id: str, stoken: str) -> list[str]:
        """Save one chunk (at most SAVE_CHUNK) and wait for its task; the new fids, in order. Never retried:
        Quark may have saved before an answer was lost. A refusal for the file count (ApiFailure.save_too_large)
        is a failed task that saved nothing, so the caller may save the same items again in smaller batches."""
        reply = self.call(lambda: self.client.save(fids, tokens, to_pdir_fid, pwd_id, stoken), retry=False)
        data = self.task_data(reply, "save")
        save_as = data.get("save_as")
        top = save_as.get("save_as_top_fids") if isinstance(save_as, dict) else None
        return [str(fid) for fid in top] if isinstance(top, list) else []

    @staticmethod
    def _tq_gap(reply: ApiReply) -> float:
        gap = reply.metadata.get("tq_gap")
        return gap / 1000 if isinstance(gap, (int, float)) and 0 < gap <= 10_000 else DEFAULT_TQ_GAP

    def wait_task(self, task_id: str, *, gap: float = DEFAULT_TQ_GAP) -> dict[str, Any]:
        """Poll until status 2 (done); a failed task comes back as an error envelope -> ApiFailure."""
        deadline = self.monotonic() + self.task_timeout
        retry_index = 0
        while True:
            reply = self.call(lambda: self.client.task(task_id, retry_index))
            data = self._data(reply)
            status = data.get("status")
            if status == 2:
                return data
            if status not in (0, 1, None) or self.monotonic() >= deadline:
                if status not in (0, 1, None):
                    raise ApiFailure(Classified(Outcome.UNKNOWN, "task_failed", reply.code, reply.http_status, reply.message), "task")
                raise TaskTimeout(task_id)
            retry_index += 1
            gap = self._tq_gap(reply) if reply.metadata.get("tq_gap") else gap
            if not self.sleep(gap):
                raise TaskTimeout(task_id)

    def delete_and_purge(self, fids: list[str]) -> None:
        """Delete, wait, then remove from the recycle bin (update_subdir_resave_mode)."""
        reply = self.call(lambda: self.client.delete(fids), retry=False)
        task_id = self._data(reply).get("task_id")
        if task_id:
            self.wait_task(str(task_id), gap=self._tq_gap(reply))
        listing = self.call(lambda: self.client.recycle_list())
        records = [str(item["record_id"]) for item in self._list(listing)
                   if item.get("fid") in fids and item.get("record_id")]
        if records:
            self.call(lambda: self.client.recycle_remove(records), retry=False)
