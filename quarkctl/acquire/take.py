"""Take a verified search result into the owner's drive and share it as the owner's own link (issue 25):
a folder of its own (never one that exists: nothing in the drive is overwritten or deleted), the share's
root items saved into it, then one permanent share of the saved items titled with the row's name, made as
`resources reshare` makes shares (quark/shares.py, share-api.md 1.2)."""

from __future__ import annotations

from dataclasses import dataclass

from quarkctl.acquire.verify import Verified
from quarkctl.quark.drive import SAVE_CHUNK, DriveSession
from quarkctl.quark.shares import PERMANENT, Shares

FOLDER_TRIES = 20  # "<path> (2)" ... before giving up on a free folder name
_UNSAFE = str.maketrans({c: "_" for c in '/\\:*?"<>|\x00'})  # characters a drive folder name cannot hold


def folder_for(template: str, name: str) -> str:
    """--savepath with {name} replaced by the row's name (made safe as one folder name)."""
    safe = " ".join(name.translate(_UNSAFE).split())[:100] or "_"
    path = template.replace("{name}", safe)
    return "/" + "/".join(part for part in path.split("/") if part.strip())


@dataclass(frozen=True)
class Taken:
    path: str  # the drive folder the files were saved into
    fids: list[str]  # the saved top-level items
    link: str  # the owner's new share link


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


def save_into(session: DriveSession, verified: Verified, path: str) -> list[str]:
    """Make the folder and save the share's root items into it, SAVE_CHUNK at a time; the new top fids."""
    to_fid = session.mkdir(path)
    items = verified.items
    saved: list[str] = []
    for start in range(0, len(items), SAVE_CHUNK):
        chunk = items[start : start + SAVE_CHUNK]
        saved += session.save([str(i["fid"]) for i in chunk], [str(i.get("share_fid_token") or "") for i in chunk], to_fid,
                              verified.link.pwd_id, verified.stoken)
    return saved


def share_saved(session: DriveSession, fids: list[str], title: str) -> str:
    """One permanent share of the saved items, without a passcode (a resource site's links are public); its link."""
    shares = Shares(session)
    share_id = shares.create(fids, title, expired_type=PERMANENT)
    return shares.link(share_id).link
