"""Take a verified search result into the owner's drive and share it as the owner's own link (issue 25):
a folder of its own (never one that exists: nothing in the drive is overwritten or deleted), the share's
root items saved into it, then one permanent share of the saved items titled with the row's name, made as
`resources reshare` makes shares (quark/shares.py, share-api.md 1.2)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from quarkctl.acquire.verify import LIST_DEPTH, Verified, counts_as_video
from quarkctl.quark.drive import SAVE_CHUNK, DriveSession
from quarkctl.quark.shares import PERMANENT, Shares

FOLDER_TRIES = 20  # "<path> (2)" ... before giving up on a free folder name
_UNSAFE = str.maketrans({c: "_" for c in '/\\:*?"<>|\x00'})  # characters a drive folder name cannot hold


def folder_for(template: str, name: str) -> str:
    """--savepath with {name} replaced by the row's name (made safe as one folder name)."""
    # control and format characters (an escape, a right-to-left mark) are no part of a folder name or a share's title
    visible = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    safe = " ".join(visible.translate(_UNSAFE).split())[:100].strip(".") or "_"
    path = template.replace("{name}", safe)
    return "/" + "/".join(part for part in path.split("/") if part.strip() and part.strip() not in (".", ".."))


class NoFreeFolder(Exception):
    """Every name tried for the save folder exists already."""


def free_folder(session: DriveSession, path: str) -> str:
    """`path`, or `path (2)`, `path (3)` ...: the first that does not exist."""
    tries = [path] + [f"{path} ({n})" for n in range(2, FOLDER_TRIES + 1)]
    found = session.path_fids(tries)
    free = next((each for each in tries if each not in found), None)
    if free is None:
        raise NoFreeFolder(path)
    return free


def ready_folder(session: DriveSession, wanted: str, path: str) -> tuple[str, str]:
    """The folder to save into, made now and empty (its path and fid): `path`, made if it is still missing (or the
    empty one an earlier try of this row made), else the next free name. Just before the save, so a folder another
    tool or a person made at `path` since free_folder chose it is never saved into nor shared (an attacker's review,
    issue 25)."""
    fid = session.path_fids([path]).get(path) or session.mkdir(path)
    if not session.list_dir(fid):
        return path, fid
    path = free_folder(session, wanted)
    fid = session.mkdir(path)
    if session.list_dir(fid):  # taken again at once: not worth a race
        raise NoFreeFolder(path)
    return path, fid


def save_into(session: DriveSession, verified: Verified, to_fid: str, before_save: Callable[[], None] = lambda: None) -> str:
    """Save the share's root items into the folder `to_fid` (ready_folder), SAVE_CHUNK at a time; the folder's fid.
    `before_save` is called before the first save request (acquire/job.py records that a save is sent)."""
    before_save()
    items = verified.items
    for start in range(0, len(items), SAVE_CHUNK):
        chunk = items[start : start + SAVE_CHUNK]
        session.save([str(i["fid"]) for i in chunk], [str(i.get("share_fid_token") or "") for i in chunk], to_fid,
                     verified.link.pwd_id, verified.stoken)
    return to_fid


def videos_in(session: DriveSession, fid: str, min_bytes: int, depth: int = LIST_DEPTH) -> tuple[int, int]:
    """(items, video files) in a drive folder, its sub-folders `depth` deep, counted as verify.py counts a share's
    (no ad clip, none under `min_bytes`): a save cut short and padded with ad clips is not the result's count (an
    attacker's review, issue 25)."""
    items = session.list_dir(fid)
    videos = sum(counts_as_video(item, min_bytes) for item in items)
    if depth > 0:
        videos += sum(videos_in(session, str(item["fid"]), min_bytes, depth - 1)[1] for item in items if item.get("dir") and item.get("fid"))
    return len(items), videos


def is_empty(session: DriveSession, path: str) -> bool:
    """The folder holds nothing (or is not there): a save that failed left nothing to share."""
    fid = session.path_fids([path]).get(path)
    return fid is None or not session.list_dir(fid)


def existing_share(session: DriveSession, folder_fid: str) -> str | None:
    """The link of the account's live share of just this folder, if it has one (share-api.md 1.1: first_fid): a run
    killed after Quark made the share, before the row got it, left it; the recovery gives it instead of a second
    public share of the same files (an attacker's review, issue 25)."""
    shares = Shares(session)
    for share in shares.mine():
        if share.first_fid == folder_fid and share.file_num == 1 and share.status == 1 and not share.failed_review:
            return share.share_url or shares.link(share.share_id).link
    return None


def share_saved(session: DriveSession, folder_fid: str, title: str) -> str:
    """One permanent share of the folder the files were saved into, without a passcode (a resource site's links are
    public); its link. The folder, not its items: a share holds at most 100 items (quark/shares.py MAX_ITEMS; an
    attacker's review, issue 25: a season of 120 episodes never got its share), and `resources reshare` re-creates a
    share of one item."""
    shares = Shares(session)
    share_id = shares.create([folder_fid], title, expired_type=PERMANENT)
    return shares.link(share_id).link
