"""Human words for machine values (verdicts, reasons, abort reasons): one translatable table."""

from __future__ import annotations

from quarkctl.i18n import _


def N_(message: str) -> str:
    """Mark for extraction; translated where it is shown."""
    return message


VERDICTS = {
    "valid": N_("valid"),
    "expired": N_("expired"),
    "needs_passcode": N_("needs passcode"),
    "error": N_("error"),
    "skipped": N_("skipped"),
}

REASONS = {
    "ok": N_("the share lists its files"),
    "empty_subfolder": N_("this sub-folder is empty, the share itself lives"),
    "empty_share": N_("the share is empty"),
    "files_deleted": N_("the shared files were deleted"),
    "share_not_found": N_("no such share"),
    "share_invalid": N_("the share was invalidated"),
    "share_cancelled": N_("the owner cancelled the share"),
    "share_expired": N_("the share's time limit passed"),
    "content_violation": N_("taken down for violating content"),
    "sharer_banned": N_("the sharer's account is banned"),
    "passcode_required": N_("a passcode (提取码) is needed: add ?pwd=... to the stored link"),
    "passcode_wrong": N_("the stored passcode (提取码) is wrong"),
    "passcode_attempts_limited": N_("too many passcode attempts, try later"),
    "cookie_rejected": N_("Quark rejected the cookie"),
    "risk_control": N_("Quark's risk control refused the request (try later)"),
    "server_error": N_("Quark server error"),
    "rate_limited": N_("rate limited by Quark (HTTP 429)"),
    "bad_response": N_("Quark answered something that is not JSON"),
    "timeout": N_("no answer in time"),
    "connection_error": N_("could not connect to Quark"),
    "stoken_expired": N_("the share token expired"),
    "unknown_code": N_("an answer quarkctl does not know; the link was left alone"),
    "unexpected_response": N_("an answer of an unexpected shape; the link was left alone"),
    "unsupported_link": N_("not a Quark share link (only pan.quark.cn links are checked)"),
    "malformed_link": N_("a Quark link without a share id (/s/<id>)"),
    "interrupted": N_("interrupted before it could be retried"),
}

ABORTS = {
    "cookie_rejected": N_("Quark rejected the cookie during the run; nothing more was checked. Copy a fresh cookie."),
    "circuit_breaker": N_(
        "{n} links in a row failed with transient errors (Quark is rate-limiting or the network is down); "
        "nothing more was checked."
    ),
    "interrupted": N_("interrupted by a signal; this is a partial report."),
}


def verdict_text(verdict: str) -> str:
    return _(VERDICTS.get(verdict, verdict))


def reason_text(reason: str) -> str:
    return _(REASONS[reason]) if reason in REASONS else reason


def abort_text(reason: str, **values: object) -> str:
    return _(ABORTS[reason]).format(**values) if reason in ABORTS else reason
