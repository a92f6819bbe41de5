"""The full key sets of Quark's answers, so the simulator answers in Quark's shape, not only with the
keys quarkctl reads. Each builder cites the sample of tests/samples/quark-replies.json it follows
(tests/unit/simulator/test_contract.py holds the simulator to them). Values are realistic placeholders, derived
from the node so they are deterministic. Also the file kinds (`file_kind`) that both the shares
(model.py) and the drives (drive.py) give their files, so neither imports the other for them.
"""

from __future__ import annotations

import hashlib

# Share-page metadata groups (quark-replies.json share_token[0] and [10], captured; share_detail[0]).
SHARE_GROUPS = {"_t_group": "0:_s_vp:1", "_g_group": "3:_s_vtp:1;0:_s_vp:1;4:_s_wl:1;2:_s_bp:1"}
# A live token reply of 2026-07 (share_token[13], captured): the groups grew; the same two string keys.
TOKEN_GROUPS = {
    "_t_group": "0:_s_vp:1;8:_s_goback_auto_save:2;9:_s_wx_channel_preview_back:3",
    "_g_group": "2:_s_bp:1;7:_s_goback_app_pop:1;4:_s_wl:1;1:_s_ap:0;3:_s_vtp:1;0:_s_vp:1",
}
THUMB = "https://thumb.example/{}{}.jpg"
FILE_STRUCT = {"fir_source": "", "sec_source": "", "thi_source": "", "platform_source": ""}
VIDEO_SECONDS = 2700  # a typical episode (share_detail[0] list[1].duration)
# The keys every item carries with a fixed value (share_detail[0] and file_sort[0], captured).
_COMMON_FLAGS = {
    "series_dir": False, "upload_camera_root_dir": False, "fps": 0.0, "like": 0,
}  # fmt: skip
_SOURCE_FLAGS = {
    "ban": False, "cur_version_or_default": 0, "raw_name_space": 0, "save_as_source": False,
    "backup_source": False, "offline_source": False, "owner_drive_type_or_default": 0,
}  # fmt: skip


def owner_ucid(seed: str) -> str:
    return hashlib.md5(f"ucid:{seed}".encode()).hexdigest()[:24]


def _thumbs(fid: str) -> dict:
    return {"thumbnail": THUMB.format(fid, ""), "big_thumbnail": THUMB.format(fid, "_big"),
            "preview_url": THUMB.format(fid, "_preview")}  # fmt: skip


def _head(item: dict, ucid: str) -> dict:
    """The keys both listings start with, in Quark's order."""
    return {
        "fid": item["fid"], "file_name": item["file_name"], "pdir_fid": item["pdir_fid"],
        "category": item.get("category", 0), "file_type": item["file_type"], "size": item["size"],
        "format_type": item.get("format_type", ""), "status": item.get("status", 1), "tags": "",
        "owner_ucid": ucid, "l_created_at": item["created_at"], "l_updated_at": item["updated_at"],
    }  # fmt: skip


def _middle(item: dict) -> dict:
    return {
        "source": "", "file_source": "", "name_space": 0, "l_shot_at": 0, "source_display": "",
        **({"include_items": item.get("include_items", 0)} if item["dir"] else {}), **_COMMON_FLAGS,
        "operated_at": item["updated_at"], "risk_type": 0, "backup_sign": 0, "file_name_hl_start": 0,
        "file_name_hl_end": 0,
    }  # fmt: skip


def share_item(item: dict, pwd_id: str) -> dict:
    """A sharepage/detail list item with Quark's whole key set (share_detail[0] list, captured):
    `item` is the simulator's own (fid, file_name, pdir_fid, file_type, dir, file, size, category,
    format_type, obj_category, share_fid_token, created_at, updated_at, include_items, status).
    obj_category and the preview keys are omitempty on Quark: only files that have them show them."""
    video = item.get("obj_category") == "video"
    out = {
        **_head(item, owner_ucid(pwd_id)), "extra": "", **_middle(item), "file_struct": dict(FILE_STRUCT),
        "duration": VIDEO_SECONDS if video else 0, "event_extra": {"recent_created_at": item["created_at"]},
        "scrape_status": 0, "update_view_at": 0, "last_update_at": item["updated_at"],
        "share_fid_token": item["share_fid_token"], **_SOURCE_FLAGS, "dir": item["dir"], "file": item["file"],
        "created_at": item["created_at"], "updated_at": item["updated_at"], "_extra": {},
    }  # fmt: skip
    if item.get("obj_category") in ("video", "image"):
        out.update(_thumbs(item["fid"]))
    if video:
        out.update(video_max_resolution="1080p", video_width=1920, video_height=1080, video_rotate=0)
    if item.get("obj_category"):
        out["obj_category"] = item["obj_category"]
    return out


def drive_item(item: dict, owner: str, has_sub_dirs: bool = False) -> dict:
    """A file/sort list item (file_sort[0] list, captured): like a share item without extra,
    file_struct, share_fid_token and last_update_at; folders say has_sub_dirs, videos last_play_info."""
    video = item.get("obj_category") == "video"
    out = {
        **_head(item, owner_ucid(owner)), **_middle(item), "duration": VIDEO_SECONDS if video else 0,
        "event_extra": {"is_open": False, "recent_created_at": item["created_at"], "view_at": 0},
        **({"has_sub_dirs": has_sub_dirs} if item["dir"] else {}), "scrape_status": 0, "update_view_at": 0,
        **_SOURCE_FLAGS, "dir": item["dir"], "file": item["file"], "created_at": item["created_at"],
        "updated_at": item["updated_at"], "_extra": {},
    }  # fmt: skip
    if item.get("obj_category") in ("video", "image"):
        out.update(_thumbs(item["fid"]))
    if item.get("obj_category"):
        out["obj_category"] = item["obj_category"]
    if video:
        out["last_play_info"] = {"time": 0}
    return out


def first_file(item: dict) -> dict:
    """The share object's `first_file` (share_detail[0] data.share.first_file, captured): no name, no size."""
    return {
        "fid": item["fid"], "category": item.get("category", 0), "file_type": item["file_type"],
        "format_type": item.get("format_type", ""), "name_space": 0, "series_dir": False,
        "upload_camera_root_dir": False, "fps": 0.0, "like": 0, "risk_type": 0, "file_name_hl_start": 0,
        "file_name_hl_end": 0, "duration": VIDEO_SECONDS if item.get("obj_category") == "video" else 0,
        "scrape_status": 0, "ban": False, "cur_version_or_default": 0, "save_as_source": False,
        "backup_source": False, "offline_source": False, "owner_drive_type_or_default": 0,
        "dir": item["dir"], "file": item["file"], "_extra": {},
    }  # fmt: skip


def share_info(pwd_id: str, title: str, passcode: str | None, roots: list[dict], items: list[dict],
               expired_at: int, link: str, expired_type: int = 1) -> dict:  # fmt: skip
    """detail's `share` object with _fetch_share=1 (share_detail[0] data.share, captured), without
    `expired_left` (the server adds it: it is the time left, per request). `roots`: the first layer in
    the sharer's order; `items`: every node."""
    files = [it for it in items if not it["dir"]]
    stamps = [it["created_at"] for it in roots] or [0]
    digest = int(hashlib.md5(pwd_id.encode()).hexdigest()[:8], 16)
    info = {
        "title": title, "share_type": 0, "share_id": hashlib.md5(f"share:{pwd_id}".encode()).hexdigest(),
        "pwd_id": pwd_id, "share_url": link, "url_type": 2 if passcode else 1,
        "first_fid": roots[0]["fid"] if roots else "", "expired_type": expired_type, "file_num": len(roots),
        "created_at": min(stamps), "updated_at": max(it["updated_at"] for it in roots) if roots else 0,
        "expired_at": expired_at, "audit_status": 1, "status": 1, "click_pv": 10 + digest % 990,
        "save_pv": digest % 97, "download_pv": 0,
    }  # fmt: skip
    if roots:
        info["first_file"] = first_file(roots[0])
    info.update({
        "path_info": f"/{title or pwd_id}", "partial_violation": False, "size": sum(it["size"] for it in files),
        "first_layer_file_categories": sorted({it.get("category", 0) for it in roots}),
        "pic_total": sum(it.get("obj_category") == "image" for it in files),
        "video_total": sum(it.get("obj_category") == "video" for it in files),
        "is_all_image_file": int(bool(files) and all(it.get("obj_category") == "image" for it in files)),
        "is_owner": 0, "file_only_num": sum(not it["dir"] for it in roots), "download_pvlimited": False,
    })  # fmt: skip
    return info


def token_data(stoken: str, title: str, expired_at: int, expired_type: int = 1, url_type: int = 1) -> dict:
    """A live token reply's data as of 2026 (share_token[12] and [13], captured): share_token[0]'s keys
    (subscribed, stoken, share_type, author {member_type, avatar_url, nick_name}, expired_type,
    expired_at, title) plus `url_type` between author and expired_type. url_type 1 is what both
    captures of a public share show; 2 for a passcode share is inferred (the detail's share object and
    share/password say 2 for one: share_password[2]). A timed share's type and end as share_password[1]
    has them. Older captures lack url_type: the probe takes it as optional (probe/compare.py)."""
    return {
        "subscribed": False, "stoken": stoken, "share_type": 0,
        "author": {"member_type": "NORMAL", "avatar_url": "https://img.example/avatar_sharer.png", "nick_name": "sim-sharer"},
        "url_type": url_type, "expired_type": expired_type, "expired_at": expired_at, "title": title,
    }  # fmt: skip


SAVE_PENDING = {"share": {"meaning_link": True},
                "save_as": {"is_pack": "0", "save_as_top_fids": [], "save_as_select_top_fids": []}}  # fmt: skip
"""What a save task shows before it is done (task[0], captured, a share task at status 0)."""


def sign_rewards(daily: int, target: int) -> list[dict]:
    """cap_sign.sign_rewards (growth_info[0], captured): one per day of the cycle, the last doubled."""
    rewards = []
    for day in range(1, target + 1):
        cap = daily * 2 if day == target else daily
        highlight = {"highlight": "翻倍"} if day == target else {}
        rewards.append({"name": f"+{cap // (1024 * 1024)}MB", **highlight, "reward_cap": cap})
    return rewards


def member_status(member_type: str) -> dict:
    """growth_info[0] data.member_status (captured): PAID for the level the account has."""
    return {level: "PAID" if level == member_type else "UNPAID" for level in ("Z_VIP", "VIP", "SUPER_VIP", "MINI_VIP")}


# extension -> (obj_category, category, format_type); category 1 = video and 4 = doc are attested,
# the other numbers are inferred. A fixed table, not `mimetypes`, so output is the same on every host.
_VIDEO = ("video", 1)
_KINDS: dict[str, tuple[str, int, str]] = {
    "mp4": (*_VIDEO, "video/mp4"), "mkv": (*_VIDEO, "video/x-matroska"), "avi": (*_VIDEO, "video/x-msvideo"),
    "mov": (*_VIDEO, "video/quicktime"), "ts": (*_VIDEO, "video/mp2t"), "flv": (*_VIDEO, "video/x-flv"),
    "rmvb": (*_VIDEO, "application/vnd.rn-realmedia-vbr"), "wmv": (*_VIDEO, "video/x-ms-wmv"),
    "m4v": (*_VIDEO, "video/x-m4v"), "webm": (*_VIDEO, "video/webm"),
    "mp3": ("audio", 2, "audio/mpeg"), "flac": ("audio", 2, "audio/flac"), "m4a": ("audio", 2, "audio/mp4"),
    "jpg": ("image", 3, "image/jpeg"), "jpeg": ("image", 3, "image/jpeg"), "png": ("image", 3, "image/png"),
    "txt": ("doc", 4, "text/plain"), "pdf": ("doc", 4, "application/pdf"), "srt": ("doc", 4, "text/plain"),
    "ass": ("doc", 4, "text/plain"), "nfo": ("doc", 4, "text/plain"), "epub": ("doc", 4, "application/epub+zip"),
    "zip": ("archive", 5, "application/zip"), "rar": ("archive", 5, "application/x-rar-compressed"),
    "7z": ("archive", 5, "application/x-7z-compressed"),
}
_OTHER = ("", 0, "application/octet-stream")


def file_kind(name: str) -> tuple[str, int, str]:
    """(obj_category, category, format_type) by the file name's extension."""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    return _KINDS.get(ext, _OTHER)
