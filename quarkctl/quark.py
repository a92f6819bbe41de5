"""The Quark web API client: the only module that speaks HTTP.

It never raises on HTTP or transport errors: every call returns an ApiReply, and the one
classification function (verdict.classify) decides what the answer means.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

import requests

PAN = "https://pan.quark.cn"
DRIVE_PC = "https://drive-pc.quark.cn"
DRIVE_M = "https://drive-m.quark.cn"

# The desktop client's UA (quark-api.md 1.3): some endpoints refuse browser UAs.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "quark-cloud-drive/3.14.2 Chrome/112.0.5615.165 Electron/24.1.3.8 Safari/537.36 Channel/pckk_other_ch"
)
DEFAULT_TIMEOUT = 15.0
DETAIL_PAGE_SIZE = 50
_SNIPPET = 120


@dataclass(frozen=True)
class ApiReply:
    endpoint: str
    http_status: int | None  # None when no HTTP answer came (timeout, refused, reset)
    body: dict[str, Any] | None  # the JSON object, None when the body was not one
    transport_error: str | None = None  # "timeout" | "connection_error"
    retry_after: float | None = None
    snippet: str = ""  # start of a non-JSON body or the transport error, for the report

    @property
    def code(self) -> int | None:
        code = (self.body or {}).get("code")
        return code if isinstance(code, int) else None

    @property
    def status(self) -> int | None:
        status = (self.body or {}).get("status")
        return status if isinstance(status, int) else None

    @property
    def message(self) -> str | None:
        message = (self.body or {}).get("message")
        return message if isinstance(message, str) else None

    @property
    def data(self) -> Any:
        return (self.body or {}).get("data")


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
        cookie: str | None = None,
        api_base: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.cookie = cookie
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.update(
            {
                "User-Agent": USER_AGENT,
                "Accept": "application/json, text/plain, */*",
                "Referer": "https://pan.quark.cn/",
            }
        )

    def close(self) -> None:
        self.session.close()

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
        headers = {"Cookie": self.cookie} if (self.cookie and send_cookie) else {}
        try:
            response = self.session.request(
                method,
                self._url(host, path),
                params=params,
                json=json,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            return ApiReply(endpoint, None, None, "timeout", snippet=type(exc).__name__)
        except requests.RequestException as exc:
            return ApiReply(endpoint, None, None, "connection_error", snippet=type(exc).__name__)
        body: dict[str, Any] | None
        try:
            parsed = response.json()
            body = parsed if isinstance(parsed, dict) else None
        except ValueError:
            body = None
        snippet = "" if body is not None else response.text[:_SNIPPET].replace("\n", " ")
        return ApiReply(
            endpoint,
            response.status_code,
            body,
            retry_after=_retry_after(response.headers.get("Retry-After")),
            snippet=snippet,
        )

    def account_info(self) -> ApiReply:
        return self._request("account", "GET", PAN, "/account/info", params={"fr": "pc", "platform": "pc"})

    def share_token(self, pwd_id: str, passcode: str = "") -> ApiReply:
        return self._request(
            "token",
            "POST",
            DRIVE_PC,
            "/1/clouddrive/share/sharepage/token",
            params={**self._PC, **self._noise()},
            json={"pwd_id": pwd_id, "passcode": passcode},
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
