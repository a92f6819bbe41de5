"""Which rows qualify for a re-share, and the share each would get (issue 17, share-api.md 4).

Pure decisions over what the run has read: the account's own shares (by pwd_id), the row's dead
reason, the drive's folders. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from quarkctl.db.records import ResourceRow
from quarkctl.quark.linkcheck import CheckResult, parse_or_result
from quarkctl.quark.links import ShareLink
from quarkctl.quark.shares import MAX_ITEMS, PERMANENT, URL_PASSCODE, OwnShare, new_passcode, valid_passcode
from quarkctl.reports.reshare import ReshareOutcome

# Dead reasons the owner can heal by sharing again (quark-api.md 4.2; verdict.DEAD_CODES):
# expired 41019, cancelled 41012, invalidated 41011, files deleted from the share 41004 (the item
# must still be in the drive, checked below).
HEALABLE = frozenset({"share_expired", "share_cancelled", "share_invalid", "files_deleted"})
# Never re-shared: a takedown or a ban (41010, 41031) would fail again (41026) and puts the account at risk.
TAKEN_DOWN = frozenset({"content_violation", "sharer_banned"})
TAKEN_DOWN_CODES = frozenset({41010, 41031})


@dataclass(frozen=True)
class Plan:
    """A share to create for a row."""

    row: ResourceRow
    old: OwnShare
    fids: list[str]
    title: str
    passcode: str
    reason: str  # share_expired | share_cancelled | share_invalid | files_deleted | expiring

    @property
    def path(self) -> str:
        return self.old.path_info


def _skip(row: ResourceRow, action: str, reason: str, named: bool, *, path: str | None = None,
          dead: CheckResult | None = None) -> ReshareOutcome:
    return ReshareOutcome(row.id, row.name, row.link or "", action, reason, path=path, named=named,
                          api_code=dead.api_code if dead else None, message=dead.message if dead else None)


def same_share(link: ShareLink) -> Callable[[str | None], bool]:
    """Whether a stored link is `link`'s share: pwd_id and folder; the passcode does not matter (as
    check-links' same_share)."""

    def same(text: str | None) -> bool:
        other = parse_or_result(text)
        return isinstance(other, ShareLink) and (other.pwd_id, other.pdir_fid) == (link.pwd_id, link.pdir_fid)

    return same


def expiring(share: OwnShare, now: datetime, within: timedelta | None) -> bool:
    """A timed share (not permanent) still normal that ends within `within` of now."""
    if within is None or share.expired_type == PERMANENT or share.status != 1 or not share.expired_at:
        return False
    return share.expired_at <= int((now + within).timestamp() * 1000)


def plan_row(
    row: ResourceRow,
    dead: CheckResult | None,
    own: dict[str, OwnShare],
    *,
    now: datetime,
    within: timedelta | None,
    recorded_fids: Callable[[str], list[str] | None],
    in_drive: Callable[[str, list[str]], bool],
    named: bool = False,
) -> Plan | ReshareOutcome:
    """The plan for one row, or why it is not re-shared. `dead` is the row's dead verdict, None when
    the link is alive; `in_drive(folder, fids)` says whether those items are still in that folder."""
    link = parse_or_result(row.link)
    if not isinstance(link, ShareLink):
        return _skip(row, "skipped", "not_quark_link", named)
    share = own.get(link.pwd_id)
    if dead is not None and (dead.reason in TAKEN_DOWN or dead.api_code in TAKEN_DOWN_CODES):
        return _skip(row, "refused", "taken_down", named, dead=dead, path=share.path_info if share else None)
    if share is not None and share.failed_review:
        return _skip(row, "refused", "failed_review", named, path=share.path_info)
    if dead is None:
        if share is None or not expiring(share, now, within):
            return _skip(row, "skipped", "not_expiring" if within is not None and share is not None else "not_dead", named)
        reason = "expiring"
    elif dead.reason not in HEALABLE:
        return _skip(row, "skipped", "cannot_heal", named, dead=dead)
    else:
        reason = dead.reason
    if share is None:
        return _skip(row, "skipped", "not_own_share", named, dead=dead)
    if share.file_num <= 1:
        fids = [share.first_fid]
    else:
        recorded = recorded_fids(share.pwd_id)
        if not recorded or recorded[0] != share.first_fid:
            return _skip(row, "skipped", "several_items", named, path=share.path_info)
        fids = recorded
    if not fids or not fids[0] or len(fids) > MAX_ITEMS:
        return _skip(row, "skipped", "several_items", named, path=share.path_info)
    if not in_drive(share.path_info, fids):
        return _skip(row, "skipped", "item_missing", named, path=share.path_info, dead=dead)
    # The same kind as the old link: public, or a passcode (kept when Quark takes it, else a new one).
    passcode = ""
    if link.passcode or share.url_type == URL_PASSCODE:
        passcode = link.passcode if valid_passcode(link.passcode) else new_passcode()
    return Plan(row, share, fids, row.name.strip() or share.title, passcode, reason)
