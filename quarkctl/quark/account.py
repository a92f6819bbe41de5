"""Is the cookie a login? The account check both jobs start with, read in the account service's terms.

`pan.quark.cn/account/info` is another service than the drive (quark-replies.json `account_info`,
captured): `{"success": true, "code": "OK", "data": {"nickname", "avatarUri", "mobilekps", "config"}}`.
Without a session it answers the same envelope with an empty `data`, so only a `data.nickname` proves
a login (the reference script tests `data`). Anything else we cannot read is inconclusive, never a
rejection: the check must not stop a link check that needs no login (share pages answer logged out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from quarkctl.errors import Interrupted
from quarkctl.i18n import _
from quarkctl.runtime.pacing import Sleeper, WaitListener
from quarkctl.quark.client import ApiReply, QuarkClient
from quarkctl.quark.retry import RetryPolicy
from quarkctl.quark.verdict import Classified, Outcome, classify


class AccountState(str, Enum):
    VERIFIED = "verified"
    REJECTED = "rejected"  # Quark said clearly: no session
    INCONCLUSIVE = "inconclusive"  # no answer, or one we cannot read


@dataclass(frozen=True)
class AccountCheck:
    state: AccountState
    reason: str  # a verdict reason word (messages.REASONS): ok, cookie_rejected, no_session, timeout, ...
    nickname: str = ""
    evidence: str = ""  # HTTP status / code / Quark's words, for the one line the user reads

    @property
    def verified(self) -> bool:
        return self.state is AccountState.VERIFIED


def _evidence(reply: ApiReply, classified: Classified) -> str:
    body = reply.body or {}
    code = body.get("code") if body.get("code") not in (None, "") else None
    parts = [str(x) for x in (reply.http_status if reply.http_status not in (None, 200) else None, code,
                              classified.message or reply.snippet or reply.transport_error) if x not in (None, "")]
    return " ".join(parts)


def read_account(reply: ApiReply) -> AccountCheck:
    """What one account/info answer says about the cookie."""
    classified = classify(reply)
    evidence = _evidence(reply, classified)
    if classified.outcome is Outcome.AUTH:  # success:false, or 401/31001 from a drive-style gateway
        return AccountCheck(AccountState.REJECTED, "cookie_rejected", evidence=evidence)
    if classified.outcome is Outcome.OK:
        data = reply.data
        nickname = data.get("nickname") if isinstance(data, dict) else None
        if isinstance(nickname, str) and nickname:
            return AccountCheck(AccountState.VERIFIED, "ok", nickname=nickname)
        if not data:  # {} or null: the service answered, and there is no session behind the cookie
            return AccountCheck(AccountState.REJECTED, "no_session")  # its "OK" would only confuse
        return AccountCheck(AccountState.INCONCLUSIVE, "unexpected_response", evidence=evidence)
    return AccountCheck(AccountState.INCONCLUSIVE, classified.reason, evidence=evidence)


def check_account(client: QuarkClient, *, sleep: Sleeper, retries: int, backoff: float,
                  stop_signum: Callable[[], int | None] = lambda: None, on_wait: WaitListener | None = None) -> AccountCheck:
    """read_account, with the transient failures retried by the policy a link's retries follow."""
    check = AccountCheck(AccountState.INCONCLUSIVE, "interrupted")
    cause: Classified | None = None  # the failure retried: its line says why
    policy = RetryPolicy(sleep, retries, backoff, on_wait)
    for attempt in range(policy.attempts):
        if attempt and not policy.wait(attempt, cause.retry_after if cause else None, cause):
            raise Interrupted(_("interrupted while verifying the cookie"), stop_signum())
        reply = client.account_info()
        check = read_account(reply)
        classified = classify(reply)
        if check.state is not AccountState.INCONCLUSIVE or classified.outcome is not Outcome.TRANSIENT:
            break
        cause = classified
    return check


def probe_drive(client: QuarkClient) -> AccountCheck:
    """When account/info cannot be read: does the drive itself take the cookie? One path_list of "/"
    (a read, quark-api.md 3.2), as autosave's first drive call would make anyway."""
    reply = client.path_list(["/"])
    classified = classify(reply)
    evidence = _evidence(reply, classified)
    if classified.outcome is Outcome.OK:
        return AccountCheck(AccountState.VERIFIED, "ok")
    if classified.outcome is Outcome.AUTH:
        return AccountCheck(AccountState.REJECTED, "cookie_rejected", evidence=evidence)
    return AccountCheck(AccountState.INCONCLUSIVE, classified.reason, evidence=evidence)
