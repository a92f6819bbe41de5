"""What each drive other than Quark answers its share check, by the share's state (issue 24), in the shapes
of tests/samples/drives-replies.json. Every drive knows the states the checks are tested on: alive, dead,
locked (a passcode share: its right passcode opens it), rate_limited, captcha, html, wrong_shape and
server_error, plus what it has of its own (unverified_dead: a dead answer only clients' code expects).

A reply is (HTTP status, body): a dict is served as JSON, a str as an HTML (or XML) page, None as nothing.
"""

from __future__ import annotations

import random
from typing import Any

Body = dict[str, Any] | str | None
Answer = tuple[int, Body]

ANTI_BOT_HTML = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>安全验证</title></head>"
                 "<body><div>访问过于频繁，请完成安全验证后继续访问</div></body></html>")
PAGE_HTML = "<!DOCTYPE html><html><head><title>{title}</title></head><body><div id=\"app\"></div></body></html>"
XML_ERROR = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><code>ShareNotFound</code><message>share not found</message></error>"
COMMON_STATES = ("alive", "dead", "locked", "rate_limited", "captcha", "html", "wrong_shape", "server_error")


def _common(drive_page: str) -> dict[str, Answer]:
    return {
        "rate_limited": (429, None),
        "captcha": (200, ANTI_BOT_HTML),
        "html": (200, PAGE_HTML.format(title=drive_page)),
        "server_error": (502, PAGE_HTML.format(title="502 Bad Gateway")),
    }


def _uc(code: int, message: str, status: int) -> Answer:
    return status, {"status": status, "code": code, "message": message, "req_id": f"{random.getrandbits(40):x}",
                    "timestamp": 1765000000, "metadata": {}}


# drives-replies.json `uc` (the sharepage/token samples), drives-api.md section 4
UC: dict[str, Answer] = {
    **_common("UC网盘"),
    "alive": (200, {"status": 200, "code": 0, "message": "ok", "data": {"stoken": "sim-stoken", "share_type": 0},
                    "metadata": {}}),
    "dead": _uc(41006, "分享不存在", 404),  # uc[0], seen
    "dead_403": _uc(41027, "分享不存在", 403),  # uc[1]
    "cancelled": _uc(41012, "好友已取消了分享", 404),
    "blocked": _uc(41010, "文件涉及违规内容", 404),  # no status in uc[0][4]: Quark's for 41010
    "locked": _uc(41008, "需要提取码", 404),
    "unverified_dead": _uc(41004, "文件不存在", 404),
    "html": (403, PAGE_HTML.format(title="403 Forbidden")),  # the wrong host's answer (uc, seen)
    "wrong_shape": (200, {"status": 200, "code": 0, "message": "ok", "data": {}}),  # code 0 without a stoken
}

# drives-replies.json `baidu` (shorturlinfo), drives-api.md section 5
BAIDU_INFO: dict[str, Answer] = {
    **_common("百度网盘-链接不存在"),  # a dead page's title: HTML still decides nothing
    "alive": (200, {"errno": 0, "request_id": 1, "shareid": 4521890342, "uk": 1099515023543}),
    "dead": (200, {"errno": -21, "request_id": 1, "shareid": 4521890342, "uk": 1099515023543}),
    "locked": (200, {"errno": -9, "request_id": 1}),
    "locked_dead": (200, {"errno": -9, "request_id": 1}),
    "unverified_dead": (200, {"errno": -9, "request_id": 1}),
    "link_error": (200, {"errno": 140, "shareid": 0}),
    "captcha": (200, {"errno": -62, "request_id": 206026661042873124}),
    "rate_limited": (200, {"errno": -64, "request_id": 1}),
    "wrong_shape": (200, {"shareid": 0, "uk": 0}),  # no errno (KUN: anti-bot)
}
# drives-replies.json `baidu` (share/verify), drives-api.md section 5
BAIDU_VERIFY: dict[str, Answer] = {
    "right": (200, {"errno": 0, "err_msg": "", "request_id": 4817740255807962253, "randsk": "sim-randsk"}),
    "wrong": (200, {"errno": -9, "err_msg": "", "request_id": 4817706520363686291}),
    "locked_dead": (200, {"errno": 105, "err_msg": "", "request_id": 86755293159184387}),
    "unverified_dead": (200, {"errno": -7, "err_msg": "", "request_id": 1}),
}
BAIDU_NO_COOKIE: Answer = (302, "x" * 135)  # without BAIDUID (KUN: a 302, body 135 bytes)

# drives-replies.json `aliyun` (get_share_by_anonymous), drives-api.md section 6
ALIYUN: dict[str, Answer] = {
    **_common("阿里云盘"),
    "alive": (200, {"share_name": "示例", "file_infos": [{"file_id": "64a1b2c3d4e5", "file_name": "示例", "type": "folder"}],
                    "expiration": "", "file_count": 1, "has_pwd": False, "creator_id": "c0ffee", "display_name": "sim"}),
    "locked": (200, {"share_name": "示例", "file_infos": [], "expiration": "", "file_count": 1, "has_pwd": True,
                     "creator_id": "c0ffee"}),
    "dead": (404, {"code": "NotFound.ShareLink", "message": "The resource share_link cannot be found"}),
    "cancelled": (400, {"code": "ShareLink.Cancelled", "message": "share_link is cancelled by the creator"}),
    "unverified_dead": (400, {"code": "ShareLink.Expired", "message": "share_link is expired"}),
    "rate_limited": (429, {"code": "ParamFlowException", "message": "127.0.0.1", "requestId": "0a0070ce16876966157198835e6f2c",
                           "resultCode": "ParamFlowException"}),
    "wrong_shape": (200, {"file_count": 1}),
}

# drives-replies.json `pan123` (share/get), drives-api.md section 7
PAN123: dict[str, Answer] = {
    **_common("123云盘"),
    "alive": (200, {"code": 0, "message": "ok", "data": {"InfoList": [{"FileId": 1, "FileName": "示例"}], "Next": "-1"}}),
    "dead": (200, {"code": 5103, "message": "此分享不存在"}),
    "locked": (200, {"code": 5103, "message": "提取码错误"}),
    "unverified_dead": (200, {"code": 0, "message": "ok", "data": {"Expired": True}}),
    "captcha": (403, ANTI_BOT_HTML),
    "wrong_shape": (200, {"code": "0", "message": "ok"}),
}

# drives-replies.json `tianyi` (getShareInfoByCodeV2), drives-api.md section 8
TIANYI: dict[str, Answer] = {
    **_common("天翼云盘"),
    "alive": (200, {"res_code": 0, "res_message": "成功", "shareId": 12352119146336, "fileId": "524321225683250810",
                    "fileName": "示例.mp4", "fileSize": 292013164, "isFolder": False, "needAccessCode": 0}),
    # tianyi[0], seen: a locked share's answer has no shareId
    "locked": (200, {"res_code": 0, "res_message": "成功", "accessCode": "",
                     "creator": {"iconURL": "", "nickName": "sim", "oper": False, "ownerAccount": "173****0000@189.cn",
                                 "superVip": 0, "vip": 0},
                     "expireTime": 6, "expireType": 1, "fileCreateDate": "2026-05-09 11:38:51", "fileId": "924221132626570583",
                     "fileLastOpTime": "2026-05-09 11:38:51", "fileName": "示例", "fileSize": 0, "fileType": "", "isFolder": True,
                     "needAccessCode": 1, "reviewStatus": 1, "shareDate": 1778297931000, "shareMode": 1, "shareType": 1}),
    "dead": (400, {"res_code": "ShareNotFound",
                   "res_message": "shareUserRightcheck() - sessionKey=null, shareId=99900011122233344, share not found or invalid. "}),
    "file_not_found": (400, {"res_code": "FileNotFound", "res_message": "file not found"}),
    "unverified_dead": (400, {"res_code": "ShareExpiredError", "res_message": "share expired"}),
    "wrong_shape": (200, XML_ERROR),  # what 189 answers without a JSON Accept
}

# drives-replies.json `caiyun` (getOutLinkInfoV6), drives-api.md section 9
MOBILE: dict[str, Answer] = {
    **_common("移动云盘"),
    "alive": (200, {"code": "0", "desc": "", "success": True, "data": {"caLst": [], "coLst": [{"coName": "示例"}]}}),
    "locked": (200, {"code": "9188", "desc": "提取码非法", "success": False, "data": None}),
    "dead": (200, {"code": "200000727", "desc": "外链不存在/外链被分享者取消", "success": False, "data": None}),
    "unverified_dead": (200, {"code": "200000401", "desc": "外链已过期", "success": False, "data": None}),
    "wrong_shape": (200, {"resultCode": "0", "desc": "", "data": "c2ltLWVuY3J5cHRlZA=="}),  # the encrypted spelling
}

# drives-replies.json `pan115` (share/snap), drives-api.md section 10
PAN115: dict[str, Answer] = {
    **_common("115网盘"),
    "alive": (200, {"state": True, "error": "", "errno": 0, "data": {"shareinfo": {"share_state": 1, "share_title": "示例",
                                                                                   "forbid_reason": ""}, "list": []}}),
    "expired": (200, {"state": True, "error": "", "errno": 0, "data": {"shareinfo": {"share_state": 7, "share_title": "示例",
                                                                                     "forbid_reason": "链接已过期"}}}),
    "dead": (200, {"state": False, "error": "分享已取消", "errno": 4100010}),
    "locked": (200, {"state": False, "error": "请输入访问码", "errno": 4100012}),
    "wrong_code": (200, {"state": False, "error": "访问码错误", "errno": 4100008}),
    "unverified_dead": (200, {"state": False, "error": "分享的文件涉嫌违规，链接已失效", "errno": 4100009}),
    "rate_limited": (200, {"state": False, "errno": 1, "error": "操作过于频繁"}),
    "wrong_shape": (200, {"state": "1", "errno": "0"}),
}

TABLES: dict[str, dict[str, Answer]] = {"uc": UC, "baidu": BAIDU_INFO, "aliyun": ALIYUN, "123": PAN123, "tianyi": TIANYI,
                                        "mobile": MOBILE, "115": PAN115}
