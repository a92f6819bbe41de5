"""One answer of Quark's, in either of its two envelopes, read leniently: what its code, status, message
and data are. What an answer means is quark/verdict.py's alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


ACCOUNT_OK_CODES = ("OK", "ok", "0")  # how the account service spells success in its string `code`


@dataclass(frozen=True)
class ApiReply:
    """One answer, in either of Quark's two envelopes (quark-replies.json `_meta`):
    - drive (drive-pc, drive-m): `{status: int, code: int, message: str, data?, metadata?}`;
    - account (pan.quark.cn/account/info): `{success: bool, code: "OK", data: {...}, msg?}`.
    """

    endpoint: str
    http_status: int | None  # None when no HTTP answer came (timeout, refused, reset)
    body: dict[str, Any] | None  # the JSON object, None when the body was not one
    transport_error: str | None = None  # "timeout" | "connection_error"
    retry_after: float | None = None
    snippet: str = ""  # start of a non-JSON body or the transport error, for the report
    content_type: str | None = None  # the Content-Type header; None when not known (a test's reply)
    duplicate_keys: bool = False  # the JSON spelled a key twice somewhere: which one counts is anyone's guess

    @property
    def account_envelope(self) -> bool:
        """The account family: a boolean `success` or a word for `code` ("OK"; a number in quotes is the
        drive's code spelled as a string)."""
        body = self.body or {}
        code = body.get("code")
        return isinstance(body.get("success"), bool) or (isinstance(code, str) and not _is_number(code))

    @property
    def account_ok(self) -> bool | None:
        """The account family's own verdict: True/False, None when it says neither clearly."""
        body = self.body or {}
        success, code = body.get("success"), body.get("code")
        if success is False or (isinstance(code, str) and code.strip() not in ACCOUNT_OK_CODES):
            return False
        if success is True or (isinstance(code, str) and code.strip() in ACCOUNT_OK_CODES):
            return True
        return None

    @property
    def code(self) -> int | None:
        """The drive envelope's numeric code (the account family's "OK" is not one)."""
        return _as_int((self.body or {}).get("code"))

    @property
    def status(self) -> int | None:
        return _as_int((self.body or {}).get("status"))

    @property
    def malformed_numbers(self) -> bool:
        """The drive envelope's `code` or `status` is there but is no int: spelled as text ("41004"), which
        no captured reply does (quark-replies.json `_meta.envelope_drive`), or of another kind ([], {},
        1.5, true). Such an answer is not trusted to mean anything, nor read as one without a code."""
        body = self.body or {}
        return any(key in body and body[key] is not None
                   and (isinstance(body[key], bool) or not isinstance(body[key], int) or body[key] not in _INT_RANGE)
                   for key in ("code", "status"))

    @property
    def message(self) -> str | None:
        body = self.body or {}
        for key in ("message", "msg"):  # the account family's optional words are `msg`
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def data(self) -> Any:
        return (self.body or {}).get("data")

    @property
    def metadata(self) -> dict[str, Any]:
        """The drive envelope's `metadata` (`_total`, `tq_gap`), {} when it is missing or not an object."""
        value = (self.body or {}).get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def total(self) -> int | None:
        """A listing's `metadata._total`, None when Quark sent none or not a whole number (then
        malformed_total says which)."""
        value = self.metadata.get("_total")
        return value if _whole(value) else None

    @property
    def malformed_total(self) -> bool:
        """`metadata` is there but no object, or its `_total` is there but no whole number >= 0 ("7", 7.0,
        true, -1). Every captured listing spells it as a JSON integer (quark-replies.json share_detail[0],
        share_detail[3], file_sort[0], share_mypage[0]), so a listing so spelled is of another shape: an
        attacker's review (issue 23) had `"7"` read as no total, an empty share on the way to a mark."""
        body = self.body or {}
        metadata = body.get("metadata")
        if metadata is None:
            return False
        if not isinstance(metadata, dict):
            return True
        value = metadata.get("_total")
        return value is not None and not (_whole(value) and value >= 0)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in _INT_RANGE


_NUMBER = re.compile(r"\s*-?[0-9]{1,18}\s*")  # ASCII: isdigit() takes "²", which int() refuses


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


_INT_RANGE = range(-(2**31), 2**31)  # codes and statuses are small; a larger number is no answer of Quark's


def _as_int(value: Any) -> int | None:
    """An int, or one spelled as a string ("0", "200"): lenient about how an answer spells its numbers.
    One out of range is none (an attacker's review: a 30-digit code crashed the run's database write)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in _INT_RANGE else None
    number = int(value) if isinstance(value, str) and _is_number(value) else None
    return number if number is not None and number in _INT_RANGE else None

