"""Captures: the probe's exchanges as one JSON file, redacted before anything touches the disk.

Replaced by same-shaped placeholders, consistent inside one file (the same stoken always gets the
same placeholder, so a capture replays): the cookie (only its names are kept), stoken,
share_fid_token, share passcodes (in the request and in the link), nicknames, avatars, uids, the
mobile parameters (kps, sign, vcode), Set-Cookie values, and every fid of the user's own drive. Share pwd_ids and the share's file names stay: they
are what a reproduction needs (--redact-names replaces the names too).

The other drives' exchanges (issue 24) go in the same list, each with its `drive` (Quark's say "quark"), redacted
the same way: their passcodes wherever they appear (the link, a query, a form), the cookies they were handed
(Baidu's BAIDUID), who shared; `links` holds what quarkctl made of each of their links.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from quarkctl import __version__
from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.safefs import replace_file
from quarkctl.probe.calls import Exchange
from quarkctl.simulator.replay import FORMAT, read_capture  # noqa: F401 - the format the simulator replays; read_capture re-exported

FORMAT_VERSION = 1
REPORT_TO = "README.md, section \"Reporting a Quark change\""
# Key (anywhere in a body, query or request body) -> placeholder kind.
SECRET_KEYS = {
    "stoken": "STOKEN", "share_fid_token": "FIDTOKEN", "nickname": "NICK", "nick_name": "NICK",
    "avatarUri": "AVATAR", "avatar_url": "AVATAR", "avatar": "AVATAR", "uid": "UID", "__uid": "UID",
    "owner_ucid": "UCID", "mobilekps": "KPS", "kps": "KPS", "sign": "SIGN", "vcode": "VCODE",
    "passcode": "PWD",  # a share's passcode: the capture goes to us, the passcode stays with its owner (issue 23)
    # the other drives (issue 24): their passcode fields, and who shared (drive_replies.py's bodies)
    "pwd": "PWD", "SharePwd": "PWD", "receive_code": "PWD", "passwd": "PWD", "share_pwd": "PWD", "pass_code": "PWD",
    "nickName": "NICK", "display_name": "NICK", "ownerAccount": "ACCOUNT", "creator_id": "UID", "iconURL": "AVATAR",
    "randsk": "STOKEN", "share_token": "STOKEN",
}  # fmt: skip
INT_SECRET_KEYS = frozenset({"uk"})  # Baidu's sharer, a number (drive_replies.py BAIDU_INFO)
NAME_KEYS = frozenset({"file_name", "title", "path_info", "name", "to_pdir_name", "share_url",
                       "share_name", "share_title", "fileName", "FileName", "server_filename", "coName", "caName"})
OWN_DRIVE = frozenset({"account", "path_list", "sort", "growth_info"})  # answers about the user's own drive
_FID_KEY = re.compile(r"(^|_)fids?$")
_HEX = re.compile(r"^[0-9a-f]+$")
_MIN_SCRUB = 4  # shorter values are only replaced where their key names them


class Placeholders:
    """original -> placeholder, of the same length and alphabet where possible, unique in the file."""

    def __init__(self) -> None:
        self.mapping: dict[str, str] = {}
        self.kind_of: dict[str, str] = {}
        self._n = 0
        self.kinds: dict[str, int] = {}

    def get(self, value: str, kind: str) -> str:
        # A value that already is a placeholder stays, except a passcode: one that happens to spell a
        # placeholder ("PWD1") must still go
        if not value or value in ("0",) or (value in self.mapping.values() and kind != "PWD"):
            return value
        if value not in self.mapping:
            self._n += 1
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            shaped = _shaped(value, kind, self._n)
            # A passcode is never written as is, not even when it happens to spell its own placeholder ("9991");
            # other values may (a capture of a replayed capture keeps its placeholders, and so replays alike)
            while kind == "PWD" and (shaped == value or shaped in self.mapping.values()):
                self._n += 1
                shaped = _shaped(value, kind, self._n)
            self.mapping[value] = shaped
            self.kind_of[value] = kind
        return self.mapping[value]

    def scrub(self, text: str) -> str:
        for original in sorted((o for o in self.mapping if len(o) >= _MIN_SCRUB), key=len, reverse=True):
            if self.kind_of.get(original) == "PWD":
                # A passcode is 4-8 letters or digits: replaced where it stands alone, in any case (a drive may echo
                # it upper-cased), never inside a longer run such as a share id or a folder id that happens to hold
                # it (a new user's review, issue 24: "VNabcdEF..." became "VNPWD5EF...")
                text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(original)}(?![A-Za-z0-9])", self.mapping[original], text,
                              flags=re.IGNORECASE)
            elif original in text:
                text = text.replace(original, self.mapping[original])
        return text


def _shaped(value: str, kind: str, n: int) -> str:
    if _HEX.match(value.lower()) and len(value) >= 8:  # fids, fid tokens: stay hex, stay 32 long
        tag = f"{n:x}"
        return ("0" * (len(value) - len(tag)) + tag)[-len(value):] if len(value) > len(tag) else tag
    if value.isdigit():
        tag = str(n)
        return "9" * max(0, len(value) - len(tag)) + tag
    pad = len(value) - len(value.rstrip("="))  # base64 padding, as a stoken has it
    base = f"{kind}{n}"
    body_len = len(value) - pad
    return (base + "x" * max(0, body_len - len(base))) + "=" * pad


class Redactor:
    def __init__(self, *, cookie: str | None, redact_names: bool) -> None:
        self.ph = Placeholders()
        self.redact_names = redact_names
        for piece in (cookie or "").split(";"):
            name, eq, value = piece.strip().partition("=")
            if eq and value:
                self.ph.get(value.strip(), SECRET_KEYS.get(name.strip(), "COOKIE"))
        if cookie and cookie.strip():
            self.ph.get(cookie.strip(), "COOKIE")

    def _value(self, key: str | None, value: Any, own: bool) -> Any:
        if isinstance(value, dict):
            return {k: self._value(k, v, own) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(key, v, own) for v in value]
        if key in INT_SECRET_KEYS and isinstance(value, int) and not isinstance(value, bool):
            return int(self.ph.get(str(value), "UID"))  # a digit placeholder of the same length
        if not isinstance(value, str):
            return value
        if key in SECRET_KEYS:
            return self.ph.get(value, SECRET_KEYS[key])
        if own and key and _FID_KEY.search(key):
            return self.ph.get(value, "FID")
        if self.redact_names and key in NAME_KEYS:
            return self.ph.get(value, "NAME")
        return value

    def _set_cookie(self, header: str) -> str:
        first, sep, attributes = header.partition(";")
        name, _eq, value = first.partition("=")
        return f"{name.strip()}={self.ph.get(value.strip(), 'COOKIE')}{sep}{attributes}"

    def secret(self, value: str) -> None:
        """A value that must never be written, whatever key holds it (another drive's passcode)."""
        if value:
            self.ph.get(value, "PWD")

    def exchange(self, ex: Exchange) -> dict[str, Any]:
        for value in ex.secrets:
            self.secret(value)
        own = ex.endpoint in OWN_DRIVE and ex.drive == "quark"
        request = dict(ex.request)
        request["query"] = self._value(None, request.get("query") or {}, own)
        request["body"] = self._value(None, request.get("body"), own)
        reply = dict(ex.reply)
        reply["body"] = self._value(None, reply.get("body"), own)
        reply["set_cookie"] = [self._set_cookie(h) for h in reply.get("set_cookie") or []]
        link = ex.link
        if link and self.redact_names:
            link = link.split("#", 1)[0]  # a legacy sub-folder link spells folder names
        return {"drive": ex.drive, "endpoint": ex.endpoint, "link": link, "request": request, "reply": reply,
                "outcome": ex.outcome, "reason": ex.reason, "comparison": ex.comparison}  # fmt: skip

    def finish(self, data: Any) -> Any:
        """Every string once more: a secret quoted inside another value (a URL, a message) goes too."""
        if isinstance(data, dict):  # keys too: a drive may echo a passcode as a key (an attacker's review)
            return {(self.ph.scrub(k) if isinstance(k, str) else k): self.finish(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.finish(v) for v in data]
        return self.ph.scrub(data) if isinstance(data, str) else data


def redacted_exchanges(exchanges: list[Exchange], *, cookie: str | None, redact_names: bool,
                       secrets: Iterable[str] = ()) -> tuple[list[dict], Redactor]:
    redactor = Redactor(cookie=cookie, redact_names=redact_names)
    for value in secrets:
        redactor.secret(value)
    items = [redactor.exchange(ex) for ex in exchanges]
    return redactor.finish(items), redactor


def build_capture(exchanges: list[Exchange], *, cookie: str | None, redact_names: bool, now: datetime | None = None,
                  links: list[dict[str, Any]] | None = None, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """The capture document. `links`: the other drives' verdicts (probe/drives.py DriveProbe.as_dict), their
    passcodes in `secrets`; each exchange names its drive, and the replay serves Quark's only."""
    items, redactor = redacted_exchanges(exchanges, cookie=cookie, redact_names=redact_names, secrets=secrets)
    capture = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "quarkctl_version": __version__,
        "recorded_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "redacted": {"names": redact_names, "placeholders": dict(sorted(redactor.ph.kinds.items()))},
        "report_to": REPORT_TO, "exchanges": items,
    }  # fmt: skip
    if links:
        capture["links"] = redactor.finish(links)
    return capture


def write_capture(path: Path, capture: dict[str, Any]) -> None:
    try:
        # never through a planted link (issue 23), and readable by its owner only until they share it
        replace_file(path, (json.dumps(capture, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), 0o600)
    except OSError as exc:
        raise ConfigError(_("--record: cannot write {path}: {reason}").format(path=path, reason=exc.strerror)) from None
