"""What a Quark answer means. The classification of API answers lives here and only here.

Rules from quark-api.md section 4.2, narrowed by section 7 and issues 21 and 23: dead only on explicit codes
in a JSON answer with the HTTP status Quark's captured dead answers come with, never on an unknown code and
never on words alone; passcode problems mean the share lives; transient failures are retried and never mark
a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the verdicts are read without HTTP (resources, history); urllib3 loads with the client
    from quarkctl.quark.client import ApiReply


class Verdict(str, Enum):
    """The result of checking one link (machine values: they appear in JSON and the history)."""

    VALID = "valid"
    EXPIRED = "expired"
    NEEDS_PASSCODE = "needs_passcode"
    EMPTY = "empty"  # code 0 and an empty root: not proof of death (quark-api.md 4.2.6); the run decides
    ERROR = "error"
    SKIPPED = "skipped"


class Outcome(Enum):
    """What one API answer means, before retries decide the verdict."""

    OK = "ok"
    DEAD = "dead"
    NEEDS_PASSCODE = "needs_passcode"
    AUTH = "auth"
    TRANSIENT = "transient"
    TOKEN_EXPIRED = "token_expired"  # transient, and the next try needs a fresh stoken
    UNKNOWN = "unknown"


DEAD_CODES = {
    41004: "files_deleted",
    41006: "share_not_found",
    41011: "share_invalid",
    41012: "share_cancelled",
    41019: "share_expired",
    41010: "content_violation",
    41031: "sharer_banned",
}
# The HTTP status each dead code comes with, exactly as captured (quark-replies.json share_token[3], [4], [5],
# [6], [8], [14], [15], [16]: 404, the body's status the same; share_token[9]: 41031 with 403). 41019 has no
# captured status (share_token[7] is parsed); quark-api.md 4.1 gives 404. Nothing else was ever seen with a
# dead code: a 401 is a login wall, a 407 a proxy's, a 429 or 5xx a server's or a gateway's (an attacker's
# review, issue 23: 407/401 + 41004 was marked expired), and a 200 only in a belief the source corrected
# (quark-api.md 7). Any other status is `error`.
DEAD_STATUSES: dict[int, frozenset[int]] = {code: frozenset({403} if code == 41031 else {404}) for code in DEAD_CODES}
PASSCODE_CODES = {41007: "passcode_wrong", 41008: "passcode_required", 41021: "passcode_attempts_limited"}
AUTH_CODES = {31001: "cookie_rejected", 50051: "cookie_rejected"}
TRANSIENT_CODES = {14021: "risk_control", 15000: "server_error"}
STOKEN_EXPIRED_MESSAGE = "stoken过期"
# Codes that heal with a fresh stoken (and a fresh listing, whose share_fid_tokens come with it):
# 41016 分享的stoken过期; 41020 转存文件token校验异常 on save (quark-api.md 4.1, quark-replies.json save[1],
# captured: cause unestablished, likely a stale stoken/fid_token). Never dead, never unknown.
# 14001 "Bad Parameter: [非法token]" comes intermittently on detail for a stoken that starts with "+"
# (quark-api.md 7; quark-replies.json share_detail[2]): a fresh stoken heals it, and it is never dead.
TOKEN_CODES = {41016: "stoken_expired", 41020: "save_token_rejected", 14001: "bad_parameter"}
# Save refusals that say nothing about the link (quark-replies.json save[3], captured: 404 用户禁止转存自己的分享).
REFUSED_CODES = {41017: "own_share"}
# There is no dead-by-message rule: no Quark error without a numeric `code` has ever been seen
# (quark-api.md 7, last line), while a gateway's 503 "服务繁忙，请求已取消" has (issue 21).


@dataclass(frozen=True)
class Classified:
    outcome: Outcome
    reason: str
    api_code: int | None = None
    http_status: int | None = None
    message: str | None = None  # Quark's own words, shown as sent
    retry_after: float | None = None


def _is_ok(reply: ApiReply) -> bool:
    code, status = reply.code, reply.status
    # Some OK answers omit one of the two fields; missing counts as OK only beside an OK one.
    if code is None and status is None:
        return False
    return code in (0, None) and status in (200, None)


def _dead_status(reply: ApiReply, code: int) -> bool:
    """The HTTP status is one a captured dead answer of this code has (DEAD_STATUSES), and the body's own
    status, when it has one, says the same (quark-api.md 3.1: HTTP status mirrors JSON status)."""
    allowed = DEAD_STATUSES[code]
    return reply.http_status in allowed and reply.status in (None, reply.http_status)


def json_media_type(header: str | None) -> bool:
    """`application/json` or any `type/sub+json`, parameters ignored, parsed as a media type (the email
    package's header parser), not searched for the word: `text/html; x=json` is an HTML page, and two
    Content-Type headers joined by a comma are no one type."""
    if header is None:
        return False
    message = Message()
    message["Content-Type"] = header
    # get_content_type() falls back to text/plain on what it cannot parse, and lowercases the rest
    media = message.get_content_type()
    _, _, subtype = media.partition("/")
    return not any(c.isspace() for c in media) and (media == "application/json" or subtype.endswith("+json"))


def _unambiguous(reply: ApiReply) -> bool:
    """What a dead answer also has (an attacker's review, issue 23): no key spelled twice (json keeps the last
    `code`), and a JSON media type. No captured sample records an answer of Quark's without one (and
    quark-api.md 3.1 warns of gateway pages), so a missing Content-Type is not trusted for a dead verdict."""
    return not reply.duplicate_keys and json_media_type(reply.content_type)


def classify(reply: ApiReply) -> Classified:
    """The one rule (issues 21, 23): DEAD only on a documented dead code (DEAD_CODES) in a JSON Quark error
    envelope with that code's captured HTTP status (DEAD_STATUSES). Every other answer, whatever its
    message, status or shape, is something else."""

    def result(outcome: Outcome, reason: str) -> Classified:
        return Classified(outcome, reason, reply.code, reply.http_status, reply.message, reply.retry_after)

    if reply.transport_error:
        return result(Outcome.TRANSIENT, reply.transport_error)
    if reply.http_status == 429:
        return result(Outcome.TRANSIENT, "rate_limited")
    if reply.body is None:
        if (reply.http_status or 0) >= 500:
            return result(Outcome.TRANSIENT, "server_error")
        return result(Outcome.TRANSIENT, "bad_response")
    if reply.account_envelope and reply.endpoint != "account":
        # The account service's spelling on a drive or share call (an attacker's review, issue 21:
        # `{"success": false}` on one share's token dropped the cookie): no drive answer looks so.
        if max(reply.http_status or 0, reply.status or 0) >= 500:
            return result(Outcome.TRANSIENT, "server_error")
        return result(Outcome.UNKNOWN, "unexpected_response")
    if reply.account_envelope:  # pan.quark.cn/account/info: success/string code, judged in its own terms
        if (reply.http_status or 0) >= 500:
            return result(Outcome.TRANSIENT, "server_error")
        if reply.account_ok is False or reply.http_status == 401:
            return result(Outcome.AUTH, "cookie_rejected")
        if reply.account_ok and (reply.http_status or 200) < 400:
            return result(Outcome.OK, "ok")
        return result(Outcome.UNKNOWN, "unknown_code")
    if reply.malformed_numbers:  # never dead, never valid on a malformed envelope (issue 15)
        return result(Outcome.UNKNOWN, "unexpected_response")
    if _is_ok(reply) and (reply.http_status or 200) < 400:
        return result(Outcome.OK, "ok")
    code, message = reply.code, reply.message or ""
    server_error = max(reply.http_status or 0, reply.status or 0) >= 500
    if code in TOKEN_CODES:
        return result(Outcome.TOKEN_EXPIRED, TOKEN_CODES[code])
    if code in AUTH_CODES or (code is None and (reply.status == 401 or reply.http_status == 401)):
        return result(Outcome.AUTH, AUTH_CODES.get(code or 0, "cookie_rejected"))
    if code in DEAD_CODES:
        if _dead_status(reply, code) and _unambiguous(reply):
            return result(Outcome.DEAD, DEAD_CODES[code])
        if server_error:
            return result(Outcome.TRANSIENT, "server_error")
        return result(Outcome.UNKNOWN, "unexpected_response")  # a 200, 401 or 407, say: no dead reply is spelled so
    if code in PASSCODE_CODES:
        return result(Outcome.NEEDS_PASSCODE, PASSCODE_CODES[code])
    if STOKEN_EXPIRED_MESSAGE in message:  # the words OL's forks re-fetch on, whatever the code (quark-api.md 4.1)
        return result(Outcome.TOKEN_EXPIRED, "stoken_expired")
    if code in TRANSIENT_CODES:
        return result(Outcome.TRANSIENT, TRANSIENT_CODES[code])
    if server_error:
        return result(Outcome.TRANSIENT, "server_error")
    if code in REFUSED_CODES:
        return result(Outcome.UNKNOWN, REFUSED_CODES[code])
    if "提取码" in message:  # CP-ui prompts for a passcode on these words (quark-api.md 4.2 rule 4)
        return result(Outcome.NEEDS_PASSCODE, "passcode_required")
    return result(Outcome.UNKNOWN, "unknown_code")
