"""The account's own shares: list them, create one, read its link, cancel one (share-api.md 1).

Through the DriveSession plumbing: reads are retried on transient failures, the create call is
not (Quark may have made the share before its answer was lost: the job records its intent first
and reconciles through the list, share-api.md 1.2 step 5).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from quarkctl.quark.client import ApiReply, QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession
from quarkctl.quark.verdict import Classified, Outcome

MYPAGE_SIZE = 50  # share-api.md 1 (a): clients use 50/100
MAX_ITEMS = 100  # at most 100 items per share (share-api.md 3, litepan validation)
# expired_type (share-api.md 2): 1 permanent, 2 one day, 3 seven days, 4 thirty days.
EXPIRY_TYPES = {"permanent": 1, "1d": 2, "7d": 3, "30d": 4}
PERMANENT = 1
URL_PUBLIC, URL_PASSCODE = 1, 2  # url_type (share-api.md 2)
# Share creation refused for the content (share-api.md 3; quark-replies.json task, 41026/41005, parsed).
REFUSED_CODES = {41026: "failed_review", 41005: "failed_review"}
# audit_status values litepan treats as failed review (share-api.md 2, parsed).
FAILED_AUDIT = {2, 3}
_PASSCODE_CHARS = string.ascii_lowercase + string.digits


def valid_passcode(text: str) -> bool:
    """Quark takes 4 letters or digits (share-api.md 3: litepan, kuake_cli)."""
    return len(text) == 4 and text.isascii() and text.isalnum()


def new_passcode() -> str:
    return "".join(secrets.choice(_PASSCODE_CHARS) for _ in range(4))


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


@dataclass(frozen=True)
class OwnShare:
    """One item of `share/mypage/detail` (share-api.md 1.1)."""

    share_id: str
    pwd_id: str
    title: str
    first_fid: str
    file_num: int
    path_info: str
    url_type: int
    expired_type: int
    expired_at: int  # ms
    status: int  # 1 normal
    audit_status: int | None
    partial_violation: bool
    created_at: int  # ms
    share_url: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> OwnShare:
        first = item.get("first_file")
        first_file: dict[str, Any] = first if isinstance(first, dict) else {}
        audit = item.get("audit_status")
        return cls(
            share_id=str(item.get("share_id") or ""),
            pwd_id=str(item.get("pwd_id") or ""),
            title=str(item.get("title") or ""),
            first_fid=str(item.get("first_fid") or first_file.get("fid") or ""),
            file_num=_int(item.get("file_num"), 1),
            path_info=str(item.get("path_info") or "/"),
            url_type=_int(item.get("url_type"), URL_PUBLIC),
            expired_type=_int(item.get("expired_type"), PERMANENT),
            expired_at=_int(item.get("expired_at")),
            status=_int(item.get("status"), 1),
            audit_status=audit if isinstance(audit, int) and not isinstance(audit, bool) else None,
            partial_violation=bool(item.get("partial_violation")),
            created_at=_int(item.get("created_at")),
            share_url=str(item.get("share_url") or ""),
        )

    @property
    def failed_review(self) -> bool:
        return self.audit_status in FAILED_AUDIT or self.partial_violation


@dataclass(frozen=True)
class ShareLinkInfo:
    """What `share/password` answers for a share (share-api.md 1 (c))."""

    share_id: str
    pwd_id: str
    share_url: str
    passcode: str
    expired_at: int

    @property
    def link(self) -> str:
        """The link as cloud_resource stores it: `?pwd=` when there is a passcode (share-api.md 1.2 step 4)."""
        return f"{self.share_url}?pwd={self.passcode}" if self.passcode else self.share_url


def _unexpected(reply: ApiReply, endpoint: str) -> ApiFailure:
    return ApiFailure(Classified(Outcome.UNKNOWN, "unexpected_response", reply.code, reply.http_status, reply.message), endpoint)


class Shares:
    """The share calls of one account, on its DriveSession (cookie, retries, task polling)."""

    def __init__(self, session: DriveSession) -> None:
        self.session = session
        self.client: QuarkClient = session.client

    def mine(self) -> list[OwnShare]:
        """Every page of the account's own shares, newest first (share-api.md 1 (a))."""
        items = self.session.pages(lambda page: self.client.share_mypage(page, MYPAGE_SIZE))
        return [OwnShare.from_item(item) for item in items if item.get("share_id") and item.get("pwd_id")]

    def create(self, fids: list[str], title: str, *, passcode: str = "", expired_type: int = PERMANENT) -> str:
        """Create the share and return its share_id: from the synchronous task reply, else by polling the
        task (share-api.md 1.2 steps 2-3). Never retried. A refusal of the content (41026, 41005) comes
        back as an ApiFailure with that api_code."""
        body: dict[str, Any] = {"fid_list": fids, "title": title, "url_type": URL_PASSCODE if passcode else URL_PUBLIC,
                                "expired_type": expired_type}
        if passcode:
            body["passcode"] = passcode
        reply = self.session.call(lambda: self.client.share_create(body), retry=False)
        result = self.session.task_data(reply, "share_create")
        if not result.get("share_id"):
            raise ApiFailure(Classified(Outcome.UNKNOWN, "unexpected_response", None, None, None), "task")
        return str(result["share_id"])

    def link(self, share_id: str) -> ShareLinkInfo:
        """The share's URL and passcode (share-api.md 1 (c); passcode only with url_type 2)."""
        reply = self.session.call(lambda: self.client.share_password(share_id))
        data = reply.data if isinstance(reply.data, dict) else {}
        url, pwd_id = data.get("share_url"), data.get("pwd_id")
        if not isinstance(url, str) or not url:
            raise _unexpected(reply, "share_password")
        return ShareLinkInfo(share_id, str(pwd_id or url.rstrip("/").rsplit("/", 1)[-1]), url,
                             str(data.get("passcode") or ""), _int(data.get("expired_at")))

    def cancel(self, share_ids: list[str]) -> None:
        """Cancel shares (share-api.md 1 (d): the envelope only, parsed). Idempotent, so retried."""
        self.session.call(lambda: self.client.share_delete(share_ids))
