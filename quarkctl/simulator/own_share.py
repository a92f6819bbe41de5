"""One share an account made in the simulator (issue 17) and what its public link answers as it dies;
shares.py makes and lists them. Fields follow docs/reference/share-api.md 1.1."""

from __future__ import annotations

from dataclasses import dataclass

from .drive import Drive
from .model import SHARE_LINK, Listing, Share

STATUS_NORMAL, STATUS_EXPIRED, STATUS_CANCELLED = 1, 2, 3


@dataclass
class OwnShare:
    """One share an account made. Change it through OwnShares' helpers (cancel, take_down, ...): the
    public link's dead_code is derived from it on every request, so setting that directly is undone."""

    share_id: str
    pwd_id: str
    cookie: str
    fids: list[str]  # the drive fids shared, as fid_list was sent
    title: str
    url_type: int  # 1 public, 2 passcode
    passcode: str | None
    expired_type: int
    created_at: int
    expired_at: int  # NEVER_EXPIRES_MS when permanent, else the end (+08:00) of the last day
    expire_timestamp: int | None  # created_at + N days, timed shares only (task[2], share_password[1])
    path_info: str  # the parent folder of the first item in the owner's drive (share-api.md 1.1)
    public: Share  # the link as anyone sees it (sharepage/token, detail, save)
    listing: Listing
    roots: list[str]  # the top-level names, in fid_list order
    seq: int = 0
    updated_at: int = 0
    cancelled: bool = False
    dead_code: int | None = None  # a takedown (41010, 41031), an invalidation (41011), a forced 41004

    @property
    def share_url(self) -> str:
        return SHARE_LINK.format(self.pwd_id)

    @property
    def link(self) -> str:
        """The link as users store it: with ?pwd= when it has a passcode (share-api.md 1.2 step 4)."""
        return f"{self.share_url}?pwd={self.passcode}" if self.passcode else self.share_url

    def expired(self, now_ms: int) -> bool:
        return self.expired_type != 1 and now_ms > self.expired_at

    def token_code(self, now_ms: int, drive: Drive) -> int | None:
        """What the public link answers now (quark-api.md 4.1): None when it is alive."""
        if self.cancelled:
            return 41012  # 好友已取消了分享: the owner cancelled it
        if self.dead_code:
            return self.dead_code
        if self.expired(now_ms):
            return 41019  # 分享地址已过期
        if not any(held(drive, fid) for fid in self.fids):
            return 41004  # 文件不存在: "an owner who deleted everything already yields 41004 at token time" (quark-api.md 4.2)
        return None

    def status(self, now_ms: int) -> int:
        if self.cancelled:
            return STATUS_CANCELLED
        return STATUS_EXPIRED if self.expired(now_ms) else STATUS_NORMAL


def held(drive: Drive, fid: str) -> bool:
    """Whether the drive still holds the fid (in its tree, not in the recycle bin)."""
    try:
        drive.path(fid)
    except FileNotFoundError:
        return False
    return True
