"""Daily sign-in (签到领空间) with the Android app's parameters, as the reference script does it.

A sign-in counts only when Quark says so: a `sign_daily_reward` in the sign answer, 44210 (already
signed today), or growth info's `cap_sign.sign_daily` read again after a sign answer that carried no
reward. A request Quark did not carry out can answer 200 + code 0 + `data: {}` (quark-api.md 7,
quark-replies.json growth_sign[3]): that is `sign_unconfirmed`, never "signed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from quarkctl.quark.drive import ApiFailure, DriveSession
from quarkctl.quark.verdict import Outcome

_MPARAM = {key: re.compile(rf"(?<!\w){key}=([a-zA-Z0-9%+/=]+)[;&]?") for key in ("kps", "sign", "vcode")}
ALREADY_SIGNED = 44210  # cap_growth_sign_repeat

# SignResult.status (machine values: the same in the JSON of every language)
SIGNED, ALREADY, UNCONFIRMED, SKIPPED, FAILED = "signed", "already_signed", "sign_unconfirmed", "skipped", "failed"
SIGN_STATUSES = (SIGNED, ALREADY, UNCONFIRMED, SKIPPED, FAILED)
# SignResult.reason (machine values)
# 401/31001 on a growth call: kps/sign/vcode expired or wrong (quark-api.md 1.4; growth_sign[4]'s note:
# an expired sign/vcode answers 31001 require login [guest])
PARAMS_REJECTED = "sign_params_rejected"
CONFIRMED_BY_INFO = "confirmed_by_growth_info"  # signed: the sign answer had no reward, growth info shows the day signed
EMPTY_ANSWER = "empty_sign_answer"  # sign_unconfirmed: code 0 without a reward, and growth info does not show the day signed
RECHECK_FAILED = "growth_info_unreadable"  # sign_unconfirmed: code 0 without a reward, and growth info could not be read again


def mobile_params(cookie: str) -> dict[str, str]:
    """kps, sign and vcode from a cookie string; empty unless all three are there (%25 -> %, as the app encodes)."""
    found = {key: pattern.search(cookie) for key, pattern in _MPARAM.items()}
    if not all(found.values()):
        return {}
    return {key: match.group(1).replace("%25", "%") for key, match in found.items() if match}


@dataclass
class SignResult:
    account: int  # 1-based, as users number their cookies
    status: str  # signed | already_signed | sign_unconfirmed | skipped | failed
    member_type: str | None = None
    total_capacity: int | None = None
    sign_reward_total: int | None = None
    reward_today: int | None = None  # bytes; None unless Quark said what today's sign-in gave
    progress: int | None = None
    target: int | None = None
    message: str | None = None  # Quark's words on a failure
    reason: str | None = None  # machine value: PARAMS_REJECTED, a verdict reason (server_error, ...), EMPTY_ANSWER, ...
    api_code: int | None = None
    http_status: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Signed or already signed: the day's sign-in is done."""
        return self.status in (SIGNED, ALREADY)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "extra"}


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _read_info(result: SignResult, info: dict[str, Any]) -> dict[str, Any]:
    """The account's figures from a growth info `data` into `result`; returns its cap_sign."""
    cap_sign = _dict(info.get("cap_sign"))
    member = info.get("member_type")
    result.member_type = member if isinstance(member, str) else None
    result.total_capacity = _number(info.get("total_capacity"))
    result.sign_reward_total = _number(_dict(info.get("cap_composition")).get("sign_reward"))
    result.progress, result.target = _number(cap_sign.get("sign_progress")), _number(cap_sign.get("sign_target"))
    return cap_sign


def _failed(result: SignResult, failure: ApiFailure) -> SignResult:
    classified = failure.classified
    result.status, result.message = FAILED, failure.message
    result.reason = PARAMS_REJECTED if failure.outcome is Outcome.AUTH else classified.reason
    result.api_code, result.http_status = classified.api_code, classified.http_status
    return result


def sign_in(session: DriveSession, cookie: str, account: int) -> SignResult:
    mparam = mobile_params(cookie)
    result = SignResult(account, SKIPPED)
    if not mparam:
        return result
    try:
        info_reply = session.call(lambda: session.client.growth_info(mparam))
    except ApiFailure as failure:
        return _failed(result, failure)
    cap_sign = _read_info(result, _dict(info_reply.data))
    if cap_sign.get("sign_daily") is True:
        result.status, result.reward_today = ALREADY, _number(cap_sign.get("sign_daily_reward"))
        return result
    try:
        reply = session.call(lambda: session.client.growth_sign(mparam), retry=False)
    except ApiFailure as failure:
        if failure.classified.api_code == ALREADY_SIGNED:  # 44210: as before, with growth info's figures
            result.status, result.reward_today = ALREADY, _number(cap_sign.get("sign_daily_reward"))
            return result
        return _failed(result, failure)
    reward = _number(_dict(reply.data).get("sign_daily_reward"))
    if reward is not None:
        result.status, result.reward_today = SIGNED, reward
        result.progress = (result.progress or 0) + 1
        return result
    # Code 0 without a reward (data empty, missing or of another shape): maybe nothing was signed
    # (growth_sign[3]). Growth info, read again, says whether the day is signed; nothing is assumed.
    try:
        again = session.call(lambda: session.client.growth_info(mparam))
    except ApiFailure as failure:
        result.status, result.reason, result.message = UNCONFIRMED, RECHECK_FAILED, failure.message
        result.api_code, result.http_status = failure.classified.api_code, failure.classified.http_status
        return result
    info = _dict(again.data)
    cap_sign = _read_info(result, info) if info.get("cap_sign") is not None else cap_sign
    if cap_sign.get("sign_daily") is True:
        result.status, result.reason = SIGNED, CONFIRMED_BY_INFO
        result.reward_today = _number(cap_sign.get("sign_daily_reward"))
        return result
    result.status, result.reason = UNCONFIRMED, EMPTY_ANSWER
    result.api_code, result.http_status = reply.code, reply.http_status
    return result
