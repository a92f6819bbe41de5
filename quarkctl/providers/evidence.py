"""What a drive's answer may do to a row, by the evidence behind it (issue 24; drives-api.md section 1).

Each drive lists its known answers as Rules, each tagged as drives-api.md tags it: `seen` / `seen-partial`
(a real server's reply, measured on real shares) or `code` (only what some client's code expects). A dead
rule marks a row expired only when seen; a code-only dead rule does so only for a drive the user opted in
(`trust_unverified`), else the answer is `error`, reason `unverified_<reason>`. A dead rule names the HTTP
statuses its evidence came with, and marks only an answer with one of them and a JSON media type (Quark's
rule, quark/verdict.py DEAD_STATUSES: a 401 login wall, a 407 proxy or a text/plain page is no drive's dead
answer). Whatever no rule names is `error`. This module decides nothing else: each drive's module reads its
own envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict, json_media_type
from quarkctl.providers.web import WebReply


class Evidence(str, Enum):
    SEEN = "seen"
    SEEN_PARTIAL = "seen-partial"
    CODE = "code"  # client code or fixtures only: never measured on a real dead share


@dataclass(frozen=True)
class Rule:
    verdict: Verdict
    reason: str
    evidence: Evidence
    # The HTTP statuses the evidence saw this answer with: a dead rule marks only with one of them
    statuses: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.verdict is Verdict.EXPIRED and not self.statuses:
            raise ValueError(f"a dead rule ({self.reason}) names the HTTP statuses its evidence saw")

    def spelled_as_seen(self, reply: WebReply) -> bool:
        """A dead answer as its evidence spells it: one of its statuses, a JSON media type, no key twice."""
        return (reply.http_status in self.statuses and json_media_type(reply.content_type)
                and not reply.duplicate_keys)

    def decide(self, trusted: bool) -> tuple[Verdict, str]:
        if self.verdict is Verdict.EXPIRED and self.evidence is Evidence.CODE and not trusted:
            return Verdict.ERROR, f"unverified_{self.reason}"
        return self.verdict, self.reason


def seen(verdict: Verdict, reason: str, *statuses: int) -> Rule:
    return Rule(verdict, reason, Evidence.SEEN, frozenset(statuses))


def partial(verdict: Verdict, reason: str, *statuses: int) -> Rule:
    return Rule(verdict, reason, Evidence.SEEN_PARTIAL, frozenset(statuses))


def code_only(verdict: Verdict, reason: str, *statuses: int) -> Rule:
    return Rule(verdict, reason, Evidence.CODE, frozenset(statuses))


# Reasons of the answers that never decide anything (the reasons are machine values: JSON and history)
RATE_LIMITED = "rate_limited"
CAPTCHA = "captcha_required"
RISK_CONTROL = "risk_control"
LOGIN_REQUIRED = "login_required"
HTML_PAGE = "html_page"
UNKNOWN_CODE = "unknown_code"
UNEXPECTED = "unexpected_response"  # the drive's envelope, but not in a shape any known answer has
BAD_RESPONSE = "bad_response"  # no JSON at all
SERVER_ERROR = "server_error"
PASSCODE_UNKNOWN = "passcode_state_unknown"  # a passcode answer that dead shares give too (Baidu -9)
# What a retry may heal: the rest is final for this link (a rate limit is the pacer's, not a retry's)
RETRYABLE = frozenset({"timeout", "connection_error", SERVER_ERROR})
# The drive asks to be left alone a while (drives-api.md section 1 rule 5: back off; HD pauses the drive 1 h,
# 115 6 h): the run loop's per-drive pacer reads these
BACK_OFF = frozenset({RATE_LIMITED, CAPTCHA, RISK_CONTROL})
# What counts toward the run's circuit breaker: the drive, not the link, is in trouble
TRANSIENT = RETRYABLE | BACK_OFF


def code_and_words(code: object, message: object) -> tuple[int | None, str | None]:
    """The drive's code and message as CheckResult carries them: a whole-number code as api_code; a code
    spelled in words (Aliyun's "ShareLink.Cancelled", 189's "ShareNotFound", 139's "05010003") starts the
    message instead, so the evidence reads the same in the report and the history."""
    words = message if isinstance(message, str) and message else None
    if isinstance(code, bool) or code is None or code == "":
        return None, words
    if isinstance(code, int) and -(2**31) <= code < 2**31:
        return code, words
    text = str(code)[:80]
    if text.lstrip("-").isascii() and text.lstrip("-").isdigit() and str(int(text)) == text and -(2**31) <= int(text) < 2**31:
        return int(text), words
    return None, f"{text} {words}" if words else text


def code_text(code: object) -> str | None:
    """The drive's code as the history keeps it (quarkctl_check_drive): its text, 80 characters at most."""
    return None if isinstance(code, bool) or code is None or code == "" else str(code)[:80]


def result(verdict: Verdict, reason: str, reply: WebReply | None, code: object = None, message: object = None,
           requests: int = 0) -> CheckResult:
    api_code, words = code_and_words(code, message)
    if words is None and reply is not None and reply.body is None and reply.snippet:
        words = reply.snippet  # an HTML page or a transport error: its first words are the evidence
    return CheckResult(verdict, reason, api_code, reply.http_status if reply else None, words, requests,
                       transient=reason in TRANSIENT, code=code_text(code))


def by_rule(rule: Rule | None, trusted: bool, reply: WebReply, code: object, message: object) -> CheckResult:
    """The verdict a rule allows; no rule: `error`, unknown_code; a dead code with a status or media type its
    evidence never had: `error`, unexpected_response (a rule's statuses)."""
    if rule is None:
        return result(Verdict.ERROR, UNKNOWN_CODE, reply, code, message)
    if rule.verdict is Verdict.EXPIRED and not rule.spelled_as_seen(reply):
        return result(Verdict.ERROR, UNEXPECTED, reply, code, message)
    verdict, reason = rule.decide(trusted)
    return result(verdict, reason, reply, code, message)


def no_answer(reply: WebReply) -> CheckResult | None:
    """What every drive says of an answer that is no drive's answer at all: a transport error, a rate limit,
    a server error, an HTML page, a body that is no JSON object, a key spelled twice. None: read it."""
    if reply.transport_error:
        return result(Verdict.ERROR, reply.transport_error, reply)
    if reply.http_status == 429:
        return result(Verdict.ERROR, RATE_LIMITED, reply)
    if (reply.http_status or 0) >= 500:
        return result(Verdict.ERROR, SERVER_ERROR, reply)
    if reply.obj is None:
        return result(Verdict.ERROR, HTML_PAGE if reply.is_html else BAD_RESPONSE, reply)
    if reply.duplicate_keys or (reply.content_type is not None and "html" in reply.content_type.lower()):
        return result(Verdict.ERROR, UNEXPECTED, reply)
    return None
