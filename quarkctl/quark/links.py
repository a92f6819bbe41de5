"""Parse a stored share link into what the Quark API needs: pwd_id, passcode, sub-folder fid.

The one reader of links as people write and paste them (issue 21): check-links (parse_share_url) and
`resources import` (find_links) both use it, so a cell the import accepts is a link check-links reads the
same way. Forms (quark-api.md 2 and 7 "Link forms"):

- hosts `pan.quark.cn`, `www.quark.cn`, `quark.cn` (OpenList's `(www.|pan.)?quark.cn/s/`), with or
  without `https://`; `www.quark.cn` and `quark.cn` only for `/s/` paths;
- the passcode in the query as `pwd`, `passcode` or `pass`, any case of the key (the Quark page itself
  writes `?passcode=`), before an optional `#/list/share/...` fragment;
- else a passcode labelled in the text after the link, glued to it or not: `…/s/abc提取码：1234`,
  `…/s/abc，提取码1234`, `…/s/abc（提取码：1234）`, `… 密码: abcd`, `… pwd=abcd`. Only the text after the
  link is read (a name before it, like 达芬奇密码, is not a label). An archive password (`解压密码`, `解压码`,
  `压缩包密码`) is never the share passcode.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

QUARK_SHARE_HOST = "pan.quark.cn"
# Quark's share hosts. pan.quark.cn is the drive itself: anything there without /s/<id> is a malformed
# share link; the other two are share links only under /s/ (elsewhere they are Quark's web site).
SHARE_HOSTS = frozenset({QUARK_SHARE_HOST, "www.quark.cn", "quark.cn"})
ROOT_FID = "0"
# Share ids seen are 12 characters (quark-api.md 2); a far longer one is no link, and its same-share
# lookup (LIKE '%id%') defeated SQLite (an attacker's review: a 100,000-character id ended every run).
MAX_PWD_ID = 64
# Query keys that carry the passcode, compared in lower case (the Chinese ones once percent-decoded).
PASSCODE_KEYS = ("pwd", "passcode", "pass", "提取码", "密码", "访问码")

# A link in text: with a scheme, the run up to a space (urlsplit judges it); without one, only a Quark host
# and a path, that no other host name runs into ("evilquark.cn/s/x", "pan.quark.cn.evil.com/s/x" are not
# Quark's; a bare "pan.quark.cn", say an archive password, is no link).
_LINK_IN_TEXT = re.compile(
    r"https?://\S+"
    r"|(?<![A-Za-z0-9.\-_@/])(?:pan\.quark\.cn/|(?:www\.)?quark\.cn/s/)\S*",
    re.IGNORECASE,
)
# A Quark host somewhere in a URL urlsplit refuses: a malformed Quark URL rather than another site's.
_QUARK_HOST_NEAR = re.compile(r"(?<![A-Za-z0-9.\-])(?:(?:www|pan)\.)?quark\.cn(?![A-Za-z0-9.\-])", re.IGNORECASE)
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_NETLOC_END = re.compile(r"[/?#]")
# The id stops at the first character that is not a letter or digit: "abc提取码：1234" is "abc" and text;
# and before an English label glued to it with a separator: "…/s/abcpwd=1234" is "abc" and a passcode
# (read as one id, it was a made-up id that answers 41006 "no such share": a live link marked dead).
# A label is split off only after 8 id characters (ids seen are 12 hex, which never hold one), so a short
# id that happens to end in "code" stays whole.
_PWD_ID = re.compile(r"/s/([A-Za-z0-9]+?)(?=(?<=[A-Za-z0-9]{8})(?i:accesscode|passcode|password|pwd|pass|code)(?:\s*[:：=]|$)|[^A-Za-z0-9]|$)/?")
# After the id: a query of URL characters (ASCII, no space, no "#"), then a fragment. Fragment names of
# the legacy sub-folder form ("<fid>-第一季") may be written decoded, so a "-" starts a run of anything up
# to the next "/"; elsewhere a fragment ("/list/share/<fid>") has no brackets, commas or non-ASCII, so
# "#/list/share/<fid>提取码：1234" ends before 提 and "#/list/share(pwd:1234)" before the bracket.
_QUERY = re.compile(r"\?[!-\"$-~]*")
_FRAGMENT = re.compile(r"#(?:-[^/\s]*|[A-Za-z0-9/._~%!$&*+=:@?])*")
# What ends a sentence rather than the URL: "…?pwd=ab12." and "(…/s/abc)" lose the last character, and
# "…#/list/share/<fid>(提取码：1234)" the bracket that opens the text glued to it.
_URL_TAIL = ".,;:!?)]'(["
# Any other URL (not Quark's): ASCII URL characters only, so "https://a.example/x中文" ends before 中.
_OTHER_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
# A 32-hex fid at the start of a fragment segment; legacy segments add "-<name>".
_FID = re.compile(r"(?:^|/)([0-9a-fA-F]{32})(?=-|/|$)")
# Labelled values in the text after a link. Alternatives are tried left to right at each position, so an
# archive label ("解压密码", which contains 密码) is taken whole, with its value, and skipped; a share
# passcode is 4-8 letters or digits after 提取码/访问码/密码 (a separator or none) or after pwd/passcode/
# pass/code (a separator or a space: "password", "QRcode1234" are not labels).
_LABELLED = re.compile(
    # an archive's password: 解压/压缩/zip/rar/7z, up to four more characters (压缩包的密码, 解压用密码,
    # 文件解压需要密码, zip密码), then 密码 or 码; or 解压/压缩包 and the value at once
    r"(?:解压缩?|压缩|zip|rar|7z)[\s\u4e00-\u9fff]{0,10}?(?:密码|码|password|passcode|pwd|pass|code)\s*[:：=]?\s*[A-Za-z0-9.\-_~/:@%]*"
    r"|(?:解压缩?|压缩(?:包|文件)?)\s*[:：=]?\s*[A-Za-z0-9.\-_~/:@%]*"
    r"|(?:提取码|访问码|密码)\s*[:：=]?\s*(?P<cn>[A-Za-z0-9]{4,8})(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])(?:accesscode|passcode|password|pwd|pass|code)(?:\s*[:：=]\s*|\s+)(?P<en>[A-Za-z0-9]{4,8})(?![A-Za-z0-9])",
    re.IGNORECASE,
)


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


@dataclass(frozen=True)
class LinkInText:
    """One link found in text. `text[start:end]` is the link as written, without text glued to it or the
    punctuation that ends a sentence; `share` is the parsed Quark share link, or None with `error` the
    LinkError reason; `passcode_in_url` tells whether share.passcode came from the link's own query."""

    start: int
    end: int
    share: ShareLink | None = None
    error: str | None = None
    passcode_in_url: bool = False
    has_scheme: bool = True

    def stored_form(self, text: str) -> str:
        """The link to store: as written, with `https://` when it had no scheme and a passcode from the
        text after it added as `pwd=` (in the query, before any fragment)."""
        url = text[self.start : self.end]
        if not self.has_scheme:
            url = "https://" + url
        if self.share is None or not self.share.passcode or self.passcode_in_url:
            return url
        base, hash_, fragment = url.partition("#")
        return f"{base}{'&' if '?' in base else '?'}pwd={self.share.passcode}{hash_}{fragment}"


def passcode_in_text(text: str, labels: re.Pattern[str] = _LABELLED) -> str:
    """The share passcode labelled in `text` (the first one), "" when none; archive passwords are skipped.
    `labels`: the label forms, with the value in a group `cn` or `en` (another drive's: providers/linkforms.py)."""
    for match in labels.finditer(text):
        value = match.group("cn") or match.group("en")
        if value:
            return value
    return ""


def without_passcodes(text: str) -> str:
    """`text` with every labelled share passcode (label and value) taken out; archive passwords stay."""
    return _LABELLED.sub(lambda m: "" if m.group("cn") or m.group("en") else m.group(0), text)


def _passcode_in_query(query: str) -> str:
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.strip().lower() in PASSCODE_KEYS and value.strip():
            return value.strip()
    return ""


def _read(text: str, start: int, token: str) -> LinkInText:
    """The link that starts `token` (a run without spaces at text[start:]): where it ends, and what it is."""
    has_scheme = bool(_SCHEME.match(token))
    url = token if has_scheme else "https://" + token
    shift = 0 if has_scheme else len("https://")  # url offsets to token offsets
    scheme_end = _SCHEME.match(url).end()  # type: ignore[union-attr]
    found = _NETLOC_END.search(url, scheme_end)
    netloc_end = found.start() if found else len(url)

    def other(reason: str) -> LinkInText:
        run = _OTHER_URL.match(token).group(0).rstrip(_URL_TAIL)  # type: ignore[union-attr]
        return LinkInText(start, start + max(len(run), 1), error=reason, has_scheme=has_scheme)

    try:
        parts = urlsplit(url[:netloc_end])
        host = (parts.hostname or "").lower()
    except ValueError:  # "https://[pan.quark.cn/..." (a bracket read as IPv6), netloc characters NFKC changes
        if _QUARK_HOST_NEAR.search(url[:netloc_end]):
            return LinkInText(start, start + len(token), error="malformed_url", has_scheme=has_scheme)
        return other("unsupported_link")
    id_match = _PWD_ID.match(url, netloc_end)
    on_share_path = url.startswith("/s/", netloc_end)
    if host not in SHARE_HOSTS or (host != QUARK_SHARE_HOST and not on_share_path):
        return other("unsupported_link")
    if not id_match:
        return LinkInText(start, start + len(token), error="malformed_link", has_scheme=has_scheme)
    end = id_match.end()
    if id_match.group(0).endswith("/") and end < len(url) and url[end] not in "?#":
        end -= 1  # "…/s/abc/提取码" : the slash is not part of anything
    query = _QUERY.match(url, end)
    if query:
        end = query.end()
    fragment = _FRAGMENT.match(url, end)
    if fragment:
        end = fragment.end()
    while end > id_match.end(1) and url[end - 1] in _URL_TAIL:
        end -= 1
    query_text = url[query.start() + 1 : min(query.end(), end)] if query else ""
    fragment_text = url[fragment.start() + 1 : end] if fragment and fragment.start() < end else ""
    passcode = _passcode_in_query(query_text)
    fids = _FID.findall(fragment_text.split("/list/share", 1)[-1]) if "/list/share" in fragment_text else []
    share = ShareLink(pwd_id=id_match.group(1), passcode=passcode, pdir_fid=fids[-1].lower() if fids else ROOT_FID)
    return LinkInText(start, start + end - shift, share=share, passcode_in_url=bool(passcode), has_scheme=has_scheme)


def find_links(text: str) -> list[LinkInText]:
    """Every link in `text`, in order: Quark share links parsed (a passcode labelled after a link, up to the
    next link, is its passcode unless its query has one), other URLs with error "unsupported_link"."""
    text = text or ""
    links: list[LinkInText] = []
    if "://" not in text and "quark.cn/" not in text.lower():
        return links  # no link: skip the scan
    pos = 0
    while (match := _LINK_IN_TEXT.search(text, pos)) is not None:
        links.append(_read(text, match.start(), match.group(0)))
        pos = links[-1].end
    for n, link in enumerate(links):
        if link.share is not None and not link.share.passcode:
            after = text[link.end : links[n + 1].start if n + 1 < len(links) else len(text)]
            passcode = passcode_in_text(after)
            if passcode:
                links[n] = LinkInText(link.start, link.end, ShareLink(link.share.pwd_id, passcode, link.share.pdir_fid),
                                      has_scheme=link.has_scheme)
    return links


# Blank letters that show as nothing and are never a separator people type (the Hangul fillers, the braille
# blank): inside an id they would cut it short like a zero-width space (an attacker's review, issue 24)
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> str:
    """The text without invisible format characters, combining marks and blank letters: none is part of any
    link, and one pasted inside an id would cut it short, and a made-up id answers "no such share"."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Mn") and ch not in _BLANK_LETTERS)


def parse_share_url(text: str) -> ShareLink:
    """The first link in `text`. Raise LinkError('unsupported_link') for other hosts (or no link),
    LinkError('malformed_link') for a Quark URL without an id, LinkError('malformed_url') for a Quark URL
    that is not a well-formed URL at all."""
    # Invisible format characters and combining marks (a zero-width space or U+034F pasted inside the id)
    # would cut the id short, and a
    # made-up id answers 41006, dead (an attacker's review, issue 21): they are no part of any link.
    links = find_links(visible(text or "").strip())
    if not links:
        raise LinkError("unsupported_link")
    if links[0].share is None:
        raise LinkError(links[0].error or "unsupported_link")
    if len(links[0].share.pwd_id) > MAX_PWD_ID:
        raise LinkError("malformed_link")
    return links[0].share
