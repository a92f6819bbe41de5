"""Daily sign-in (签到领空间) with the Android app's parameters, as the reference script does it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quarkctl.quark.drive import ApiFailure, DriveSession

_MPARAM = {key: re.compile(rf"(?<!\w){key}=([a-zA-Z0-9%+/=]+)[;&]?") for key in ("kps", "sign", "vcode")}
ALREADY_SIGNED = 44210  # cap_growth_sign_repeat


def mobile_params(cookie: str) -> dict[str, str]:
    """kps, sign and vcode from a cookie string; empty unless all three are there (%25 -> %, as the app encodes)."""
    found = {key: pattern.search(cookie) for key, pattern in _MPARAM.items()}
    if not all(found.values()):
        return {}
    return {key: match.group(1).replace("%25", "%") for key, match in found.items() if match}


@dataclass
class SignResult:
    account: int  # 1-based, as users number their cookies
    status: str  # signed | already_signed | skipped | failed
    member_type: str | None = None
    total_capacity: int | None = None
    sign_reward_total: int | None = None
    reward_today: int | None = None  # bytes
    progress: int | None = None
    target: int | None = None
    message: str | None = None  # Quark's words on a failure
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k != "extra"}


def sign_in(session: DriveSession, cookie: str, account: int) -> SignResult:
    mparam = mobile_params(cookie)
    if not mparam:
        return SignResult(account, "skipped")
    try:
        info_reply = session.call(lambda: session.client.growth_info(mparam))
    except ApiFailure as failure:
        return SignResult(account, "failed", message=failure.message)
    info = info_reply.data if isinstance(info_reply.data, dict) else {}
    cap_sign = info.get("cap_sign") or {}
    result = SignResult(
        account,
        "already_signed",
        member_type=info.get("member_type"),
        total_capacity=info.get("total_capacity"),
        sign_reward_total=(info.get("cap_composition") or {}).get("sign_reward", 0),
        reward_today=cap_sign.get("sign_daily_reward"),
        progress=cap_sign.get("sign_progress"),
        target=cap_sign.get("sign_target"),
    )
    if cap_sign.get("sign_daily"):
        return result
    try:
        reply = session.call(lambda: session.client.growth_sign(mparam), retry=False)
    except ApiFailure as failure:
        if failure.classified.api_code == ALREADY_SIGNED:
            return result
        result.status, result.message = "failed", failure.message
        return result
    data = reply.data if isinstance(reply.data, dict) else {}
    result.status = "signed"
    result.reward_today = data.get("sign_daily_reward", result.reward_today)
    result.progress = (result.progress or 0) + 1
    return result
