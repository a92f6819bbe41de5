"""The Quark web API client: one method per call, on transport.py (the only HTTP to Quark).

It never raises on HTTP or transport errors: every call returns an ApiReply, and the one
classification function (verdict.classify) decides what the answer means.
"""

from __future__ import annotations

import json as jsonlib
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as TransportTimeout

from quarkctl.i18n import _
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.cookie import SessionCookie
from quarkctl.quark.reply import ApiReply
from quarkctl.quark.transport import MAX_BODY, ExchangeCut, Transport

__all__ = ["DEFAULT_TIMEOUT", "DETAIL_PAGE_SIZE", "DRIVE_M", "DRIVE_PC", "MAX_BODY", "PAN", "ApiReply", "QuarkClient"]

PAN = "https://pan.quark.cn"
DRIVE_PC = "https://drive-pc.quark.cn"
DRIVE_M = "https://drive-m.quark.cn"
DETAIL_PAGE_SIZE = 50
_SNIPPET = 120


def noting_duplicates(pairs: list[tuple[str, Any]], duplicates: list[str]) -> dict[str, Any]:
    """A JSON object, noting a key spelled twice (`{"code": 0, "code": 41012}`): json keeps the last (issue 23)."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            duplicates.append(key)
        seen[key] = value
    return seen


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare enough to use our own backoff


class QuarkClient:
    _PC = {"pr": "ucpro", "fr": "pc", "uc_param_str": ""}  # the desktop client's common parameters

    def __init__(
        self,
        *,
        cookie: str | SessionCookie | None = None,
        api_base: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        # Clients of one run share one SessionCookie, so a rotated __puus reaches every worker.
        self.session = cookie if isinstance(cookie, SessionCookie) else SessionCookie(cookie)
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout
        self.transport = Transport()
        self._anonymous = False  # without_cookie()

    def close(self) -> None:
        self.transport.close()

    @contextmanager
    def without_cookie(self) -> Iterator[None]:
        """Requests of this client send no cookie inside the block (a client belongs to one thread)."""
        self._anonymous = True
        try:
            yield
        finally:
            self._anonymous = False

    def abort(self) -> None:
        """End the requests in flight at once and answer every later one `aborted` (a stopping run)."""
        self.transport.abort()

    def __enter__(self) -> QuarkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, host: str, path: str) -> str:
        return (self.api_base or host) + path

    @staticmethod
    def _noise() -> dict[str, str]:
        # Anti-cache parameters as the reference script sends them (quark-api.md 1.2).
        return {"__dt": str(random.randint(60_000, 300_000)), "__t": f"{time.time():.3f}"}

    def _request(
        self,
        endpoint: str,
        method: str,
        host: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        send_cookie: bool = True,
    ) -> ApiReply:
        cookie = self.session.header() if send_cookie and not self._anonymous else None
        headers = {"Cookie": cookie} if cookie else {}
        try:
            response = self.transport.request(method, self._url(host, path), params=params, json=json,
                                              headers=headers, timeout=self.timeout)
        except ExchangeCut as exc:  # the whole exchange took longer than --timeout, or the run is stopping
            return ApiReply(endpoint, None, None, exc.kind, snippet=exc.kind)
        except NewConnectionError as exc:  # refused, or no such host: urllib3 files it under timeouts too
            return ApiReply(endpoint, None, None, "connection_error", snippet=type(exc).__name__)
        except TransportTimeout as exc:
            return ApiReply(endpoint, None, None, "timeout", snippet=type(exc).__name__)
        except (TransportError, OSError, ValueError) as exc:  # refused, reset, TLS, cut mid-body, a header that cannot be sent
            return ApiReply(endpoint, None, None, "connection_error", snippet=type(exc).__name__)
        data = response.data
        if data is None:
            return ApiReply(endpoint, response.status, None, snippet=_("(a body over {mb} MB, cut off)").format(
                mb=MAX_BODY // 2**20))
        body: dict[str, Any] | None
        duplicates: list[str] = []
        try:
            parsed = jsonlib.loads(data, object_pairs_hook=lambda pairs: noting_duplicates(pairs, duplicates))
            body = parsed if isinstance(parsed, dict) else None
        except (ValueError, RecursionError):  # not JSON, not text, nested past Python's recursion limit
            body = None
        set_cookies = response.headers.getlist("Set-Cookie")
        if set_cookies and cookie:
            self.session.merge(set_cookies)
        snippet = "" if body is not None else data[:_SNIPPET * 4].decode("utf-8", "replace")[:_SNIPPET].replace("\n", " ")
        return ApiReply(
            endpoint,
            response.status,
            body,
            retry_after=_retry_after(response.headers.get("Retry-After")),
            snippet=snippet,
            content_type=response.headers.get("Content-Type"),
            duplicate_keys=bool(duplicates),
        )

    def account_info(self) -> ApiReply:
        # Another service than the drive, with its own envelope (quark-api.md 3.2; quark-replies.json account_info).
        return self._request("account", "GET", PAN, "/account/info", params={"fr": "pc", "platform": "pc"})

    def share_token(self, pwd_id: str, passcode: str = "") -> ApiReply:
        return self._request(
            "token",
            "POST",
            DRIVE_PC,
            "/1/clouddrive/share/sharepage/token",
            params={**self._PC, **self._noise()},
            # support_visit_limit_private_share: sent by nearly every current client (quark-api.md 7, 1.4)
            json={"pwd_id": pwd_id, "passcode": passcode, "support_visit_limit_private_share": True},
        )

    # -- the logged-in drive (autosave) ---------------------------------------------------------

    def share_detail(self, pwd_id: str, stoken: str, pdir_fid: str = "0", page: int = 1, size: int = DETAIL_PAGE_SIZE) -> ApiReply:
        """One page of a share listing, as the reference asks for it (ver=2)."""
        return self._request(
            "detail",
            "GET",
            DRIVE_PC,
            "/1/clouddrive/share/sharepage/detail",
            params={
                **self._PC,
                "pwd_id": pwd_id,
                "stoken": stoken,
                "pdir_fid": pdir_fid,
                "force": "0",
                "_page": str(page),
                "_size": str(size),
                "_fetch_banner": "0",
                "_fetch_share": "0",
                "_fetch_total": "1",
                "_sort": "file_type:asc,updated_at:desc",
                "ver": "2",
                "fetch_share_full_path": "0",
            },
        )

    def path_list(self, paths: list[str]) -> ApiReply:
        return self._request(
            "path_list", "POST", DRIVE_PC, "/1/clouddrive/file/info/path_list", params=dict(self._PC),
            json={"file_path": paths, "namespace": "0"},
        )

    def list_dir(self, pdir_fid: str, page: int, size: int = DETAIL_PAGE_SIZE) -> ApiReply:
        return self._request(
            "sort",
            "GET",
            DRIVE_PC,
            "/1/clouddrive/file/sort",
            params={
                **self._PC,
                "pdir_fid": pdir_fid,
                "_page": str(page),
                "_size": str(size),
                "_fetch_total": "1",
                "_fetch_sub_dirs": "0",
                "_sort": "file_type:asc,updated_at:desc",
                "_fetch_full_path": "0",
                "fetch_all_file": "1",
                "fetch_risk_file_name": "1",  # without it, names Quark flags come back as ***
            },
        )

    def mkdir(self, dir_path: str) -> ApiReply:
        return self._request(
            "mkdir", "POST", DRIVE_PC, "/1/clouddrive/file", params=dict(self._PC),
            json={"pdir_fid": "0", "file_name": "", "dir_path": dir_path, "dir_init_lock": False},
        )

    def rename(self, fid: str, file_name: str) -> ApiReply:
        return self._request(
            "rename", "POST", DRIVE_PC, "/1/clouddrive/file/rename", params=dict(self._PC),
            json={"fid": fid, "file_name": file_name},
        )

    def delete(self, fids: list[str]) -> ApiReply:
        return self._request(
            "delete", "POST", DRIVE_PC, "/1/clouddrive/file/delete", params=dict(self._PC),
            json={"action_type": 2, "filelist": fids, "exclude_fids": []},
        )

    def recycle_list(self, page: int = 1, size: int = 30) -> ApiReply:
        return self._request(
            "recycle_list", "GET", DRIVE_PC, "/1/clouddrive/file/recycle/list",
            params={**self._PC, "_page": str(page), "_size": str(size)},
        )

    def recycle_remove(self, record_ids: list[str]) -> ApiReply:
        return self._request(
            "recycle_remove", "POST", DRIVE_PC, "/1/clouddrive/file/recycle/remove", params=dict(self._PC),
            json={"select_mode": 2, "record_list": record_ids},
        )

    def save(self, fids: list[str], fid_tokens: list[str], to_pdir_fid: str, pwd_id: str, stoken: str) -> ApiReply:
        return self._request(
            "save",
            "POST",
            DRIVE_PC,
            "/1/clouddrive/share/sharepage/save",
            params={**self._PC, "app": "clouddrive", **self._noise()},
            json={
                "fid_list": fids,
                "fid_token_list": fid_tokens,
                "to_pdir_fid": to_pdir_fid,
                "pwd_id": pwd_id,
                "stoken": stoken,
                "pdir_fid": "0",  # as the reference sends it, also for items of a sub-folder
                "scene": "link",
            },
        )

    def task(self, task_id: str, retry_index: int) -> ApiReply:
        return self._request(
            "task", "GET", DRIVE_PC, "/1/clouddrive/task",
            params={**self._PC, "task_id": task_id, "retry_index": str(retry_index), **self._noise()},
        )

    # -- the account's own shares (share-api.md 1, issue 17) ---------------------------------------

    def share_mypage(self, page: int, size: int) -> ApiReply:
        """One page of the account's own shares, newest first (share-api.md 1 (a))."""
        return self._request(
            "share_mypage", "GET", DRIVE_PC, "/1/clouddrive/share/mypage/detail",
            params={**self._PC, "_page": str(page), "_size": str(size), "_order_field": "created_at",
                    "_order_type": "desc", "_fetch_total": "1", "_fetch_notify_follow": "1"},
        )

    def share_create(self, body: dict[str, Any]) -> ApiReply:
        """`POST share` {fid_list, title, url_type, expired_type, passcode?} (share-api.md 1 (b))."""
        return self._request("share_create", "POST", DRIVE_PC, "/1/clouddrive/share", params=dict(self._PC), json=body)

    def share_password(self, share_id: str) -> ApiReply:
        return self._request("share_password", "POST", DRIVE_PC, "/1/clouddrive/share/password", params=dict(self._PC),
                             json={"share_id": share_id})

    def share_delete(self, share_ids: list[str]) -> ApiReply:
        return self._request("share_delete", "POST", DRIVE_PC, "/1/clouddrive/share/delete", params=dict(self._PC),
                             json={"share_ids": share_ids})

    # -- sign-in: the mobile parameters, no cookie (quark-api.md 1.4) -----------------------------

    def growth_info(self, mparam: dict[str, str]) -> ApiReply:
        return self._request(
            "growth_info", "GET", DRIVE_M, "/1/clouddrive/capacity/growth/info",
            params={"pr": "ucpro", "fr": "android", **mparam}, send_cookie=False,
        )

    def growth_sign(self, mparam: dict[str, str]) -> ApiReply:
        return self._request(
            "growth_sign", "POST", DRIVE_M, "/1/clouddrive/capacity/growth/sign",
            params={"pr": "ucpro", "fr": "android", **mparam}, json={"sign_cyclic": True}, send_cookie=False,
        )
