"""Parse a stored share link into what the Quark API needs: pwd_id, passcode, sub-folder fid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

QUARK_SHARE_HOST = "pan.quark.cn"
ROOT_FID = "0"

_URL_IN_TEXT = re.compile(r"https?://\S+", re.IGNORECASE)
_PWD_ID = re.compile(r"^/s/([A-Za-z0-9]+)")
# A 32-hex fid at the start of a fragment segment; legacy segments add "-<name>".
_FID = re.compile(r"(?:^|/)([0-9a-fA-F]{32})(?=-|/|$)")
# Free text next to a link, as people paste it: "提取码: abcd", "密码：abcd", "pwd=abcd".
_PASSCODE_IN_TEXT = re.compile(r"(?:提取码|密码|pwd)\s*[:：=]?\s*([A-Za-z0-9]{4,8})", re.IGNORECASE)


class LinkError(ValueError):
    """The link cannot be checked; `reason` is the machine-readable reason code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ShareLink:
    pwd_id: str
    passcode: str = ""
    pdir_fid: str = ROOT_FID

    @property
    def is_subfolder(self) -> bool:
        return self.pdir_fid != ROOT_FID


def parse_share_url(text: str) -> ShareLink:
    """Raise LinkError('unsupported_link') for other hosts, LinkError('malformed_link') for a Quark URL without an id,
    LinkError('malformed_url') for a Quark URL that is not a well-formed URL at all."""
    text = (text or "").strip()
    match = _URL_IN_TEXT.search(text)
    if match:
        url, rest = match.group(0), text[: match.start()] + " " + text[match.end() :]
    elif text.lower().startswith(QUARK_SHARE_HOST):
        url, rest = "https://" + text.split()[0], " ".join(text.split()[1:])
    else:
        raise LinkError("unsupported_link")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # "https://[pan.quark.cn/..." (a bracket read as IPv6), netloc characters NFKC changes
        raise LinkError("malformed_url" if QUARK_SHARE_HOST in url.lower() else "unsupported_link") from None
    if host != QUARK_SHARE_HOST:
        raise LinkError("unsupported_link")
    id_match = _PWD_ID.match(parts.path)
    if not id_match:
        raise LinkError("malformed_link")
    passcode = (parse_qs(parts.query).get("pwd") or [""])[0].strip()
    if not passcode:
        text_match = _PASSCODE_IN_TEXT.search(rest)
        passcode = text_match.group(1) if text_match else ""
    fids = _FID.findall(parts.fragment.split("/list/share", 1)[-1]) if "/list/share" in parts.fragment else []
    return ShareLink(pwd_id=id_match.group(1), passcode=passcode, pdir_fid=fids[-1].lower() if fids else ROOT_FID)
