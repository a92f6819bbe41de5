"""How the other drives' links are found in a row's text (issue 24): the first link decides the drive, and
a passcode comes from the link itself or, failing that, from a label in the text after it.

Each drive module gives its host pattern (what starts its link, no scheme) and its link pattern (from the
host on: id, then what the reference's regex reads of the passcode). The first link in the text is found
over every drive's hosts and any `http(s)://` URL, so a row holding a Baidu link and then a UC one is
Baidu's: a link of one drive is never read as another's, whatever else the text holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from quarkctl.quark.links import passcode_in_text, visible

# A passcode labelled after the link (drives-api.md section 1, rule 8: ATV's labels), on the same line or
# the next: "提取码：abcd", "密码 abcd", "pwd=abcd", "（访问码：abcd）". Written with [A-Za-z0-9], never \w
# (Unicode \w swallows a glued 提取码). An archive's password (解压密码) is taken whole and skipped, as
# quark/links.py does. `#` (ATV) is not a label here: it starts every URL fragment.
_LABELLED = re.compile(
    r"(?:解压缩?|压缩包?)[\s\u4e00-\u9fff]{0,6}?(?:密码|码)\s*[:：=]?\s*[A-Za-z0-9]*"
    r"|(?:分享密码|提取码|访问码|验证码|密码|密钥)\s*[=:：]?\s*(?P<cn>[A-Za-z0-9]{4,6})(?![A-Za-z0-9])"
    # an English label needs a separator or a space before its value: "codex1234" is no label (quark/links.py)
    r"|(?<![A-Za-z0-9])(?:share_pwd|pass_code|passcode|password|pwd|code)(?:\s*[=:：]\s*|\s+)(?P<en>[A-Za-z0-9]{4,6})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ANY_URL = r"https?://\S+"
# An English passcode label glued to the id: "…/s/abcdef123456pwd=ab12" is the id "abcdef123456" and a
# passcode; read as one id it names no share and the drive answers dead (an attacker's review, issue 24: a live
# link marked dead on every drive). Split, like quark/links.py's _PWD_ID, only before a separator and after 4 id
# characters (123's keys may be short: "AbC-dEfpwd=ab12"), so a tiny id that happens to end in "code" stays whole.
_GLUED_LABEL = re.compile(r"(?<=[A-Za-z0-9_-]{4})(?=(?:accesscode|passcode|password|share_pwd|pass_code|pwd|pass|code)\s*[:：=])",
                          re.IGNORECASE)
MAX_ID = 64  # no share id seen is longer than 30 (Xunlei); a longer one is no link


@dataclass(frozen=True)
class DriveLink:
    """One drive's link as it was read: the drive's own share id, the passcode as stored (sent once,
    never guessed), a sub-folder when the link opens one, and the host it was written with (123's
    mirrors each answer on their own host: drives-api.md section 7, KUN)."""

    share_id: str
    passcode: str = ""
    folder: str = ""
    host: str = ""


class LinkForms:
    """Every drive's host pattern, for finding the first link of a text."""

    def __init__(self) -> None:
        self.hosts: dict[str, str] = {}  # drive -> host pattern (no groups)
        self._first: re.Pattern[str] | None = None
        self._anchored: dict[str, re.Pattern[str]] = {}

    def add(self, drive: str, host_pattern: str) -> None:
        self.hosts[drive] = host_pattern
        self._first = None

    @property
    def first(self) -> re.Pattern[str]:
        if self._first is None:
            bare = "|".join(f"(?:{p})" for p in self.hosts.values())
            # A bare host counts only where no other host name runs into it ("evilpan.baidu.com" is not Baidu's)
            self._first = re.compile(rf"{_ANY_URL}|(?<![A-Za-z0-9.\-_@/])(?:{bare})/", re.IGNORECASE)
        return self._first

    def anchored(self) -> dict[str, re.Pattern[str]]:
        """Each drive's host as a link starts with it (scheme optional, a path after it)."""
        if len(self._anchored) != len(self.hosts):
            self._anchored = {drive: re.compile(rf"(?:https?://)?(?:{p})(?=/)", re.IGNORECASE) for drive, p in self.hosts.items()}
        return self._anchored

    def links(self, text: str) -> list[tuple[int, int]]:
        """Where each link starts, and where the text after it (up to the next link) ends."""
        starts = [m.start() for m in self.first.finditer(text)]
        return [(start, starts[n + 1] if n + 1 < len(starts) else len(text)) for n, start in enumerate(starts)]


FORMS = LinkForms()
# Quark's bare hosts too (quark/links.py reads its own links): "pan.quark.cn/s/x drive.uc.cn/s/y" is Quark's
FORMS.add("quark", r"(?:(?:pan|www)\.)?quark\.cn")


def clean(text: str | None) -> str:
    """The text without invisible format characters, combining marks and blank letters: a zero-width space
    pasted into an id would cut it short, and a made-up id reads as "no such share" (the Quark rule,
    quark/links.py); with an English passcode label glued to an id split off."""
    kept = visible(text or "")
    return _GLUED_LABEL.sub(" ", kept) if "/" in kept else kept


def read_first(text: str | None, link: re.Pattern[str]) -> tuple[re.Match[str], str] | None:
    """The text's first link when `link` (anchored at the host, scheme optional) reads it, with the text
    after it (up to the next link) for a labelled passcode; None when the first link is not this drive's."""
    text = clean(text)
    if "/" not in text:
        return None
    found = FORMS.links(text)
    if not found:
        return None
    start, end = found[0]
    match = link.match(text, start, end)
    if match is None:
        return None
    return match, text[match.end():end]


def first_drive(text: str | None) -> str | None:
    """The drive whose host starts the text's first link (any drive's, Quark's too); None when the first link
    is another site's or there is none. A row's first link decides its drive (issue 24)."""
    text = clean(text)
    found = FORMS.links(text) if "/" in text else []
    if not found:
        return None
    start, end = found[0]
    return next((drive for drive, host in FORMS.anchored().items() if host.match(text, start, end)), None)


def host_first(text: str | None, host: re.Pattern[str]) -> bool:
    """The text's first link is on this host (read or not: a link of this drive the drive cannot read)."""
    text = clean(text)
    found = FORMS.links(text) if "/" in text else []
    return bool(found) and host.match(text, found[0][0], found[0][1]) is not None


def passcode(match: re.Match[str], after: str, *groups: int) -> str:
    """The passcode in the link's own groups (URL-encoded labels decoded), else one labelled after it."""
    for group in groups:
        value = match.group(group)
        if value:
            return unquote(value)
    rest = unquote(after) if "%" in after else after
    return passcode_in_text(rest, _LABELLED)


def scheme(pattern: str) -> str:
    """A link pattern that may start with `http(s)://`, anchored where FORMS found the link."""
    return rf"(?:https?://)?{pattern}"
