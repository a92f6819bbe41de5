"""Links as people paste them (issue 21, item 4): one reader for check-links and `resources import`.

For any share id and passcode, written in any of the forms people use (the passcode in the query under
any case of pwd/passcode/pass; labelled in text glued to the link, with any separator or bracket; next to
an archive password), parse_share_url gives exactly that id and passcode, never the archive password, and
what `resources import` stores for the same cell parses the same. Budgets: the hypothesis profile of
tests/conftest.py. Each @example is a literal form from the issue.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from quarkctl.quark.links import ROOT_FID, LinkError, ShareLink, find_links, parse_share_url
from quarkctl.resources.formats import parse_import, parse_text_line

FID = "0123456789abcdef0123456789abcdef"

# An id of 8 characters or more that ends in a label word ("…pwd") reads as an id and a glued label, by
# design (quarkctl/quark/links.py _PWD_ID; ids seen are 12 hex, which never end so): not generated.
_ENDS_IN_LABEL = re.compile(r"^[A-Za-z0-9]{8,}?(?i:accesscode|passcode|pwd|pass|code)$")
pwd_ids = st.from_regex(r"[A-Za-z0-9]{4,20}", fullmatch=True).filter(lambda i: not _ENDS_IN_LABEL.match(i))
passcodes = st.from_regex(r"[A-Za-z0-9]{4,8}", fullmatch=True)
# Quark's share hosts with or without a scheme (OpenList's (www.|pan.)?quark.cn/s/), in any case.
hosts = st.sampled_from(["https://pan.quark.cn", "http://pan.quark.cn", "pan.quark.cn", "HTTPS://PAN.QUARK.CN",
                         "https://www.quark.cn", "www.quark.cn", "https://quark.cn", "quark.cn", "Pan.Quark.cn"])
fragments = st.sampled_from([("", ROOT_FID), ("#/list/share", ROOT_FID), (f"#/list/share/{FID}", FID),
                             (f"#/list/share/{FID.upper()}", FID)])


def any_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(word, upper)))


# -- the forms ------------------------------------------------------------------------------------

@st.composite
def in_query(draw: st.DrawFn) -> tuple[str, ShareLink]:
    """`…/s/ID?PassCode=XXXX#/list/share/FID`: the key in any case, other parameters around it."""
    pwd_id, passcode, (fragment, fid) = draw(pwd_ids), draw(passcodes), draw(fragments)
    key = draw(st.sampled_from(["pwd", "passcode", "pass"]).flatmap(any_case))
    before = draw(st.sampled_from(["", "entry=share&", "pwd=&"]))  # an empty pwd= is no passcode
    after = draw(st.sampled_from(["", "&from=web", "&code=zzzz"]))
    pad = draw(st.sampled_from(["", "+", "%20"]))  # a query value is taken as given, stripped
    cell = f"{draw(hosts)}/s/{pwd_id}{draw(st.sampled_from(['', '/']))}?{before}{key}={pad}{passcode}{pad}{after}{fragment}"
    return cell, ShareLink(pwd_id, passcode, fid)


CN_LABELS = ["提取码", "密码", "访问码"]
SEPARATORS = ["", ":", "：", " : ", "： ", " ", "="]
BRACKETS = [("", ""), ("（", "）"), ("(", ")"), ("【", "】"), ("[", "]")]
# Between the link and the text glued to it: nothing, a space, a comma (ASCII or full-width), ...
GLUE = ["", " ", "  ", "，", ",", "、", "\t", "；"]
TRAILERS = ["", "。", " 复制这段内容后打开夸克APP", "，永久有效", "\n"]


@st.composite
def labelled(draw: st.DrawFn, passcode: str) -> str:
    """`提取码：XXXX`, `（提取码XXXX）`, `PassCode = XXXX`: a share passcode label and its value."""
    opening, closing = draw(st.sampled_from(BRACKETS))
    label = draw(st.one_of(st.sampled_from(CN_LABELS),
                           st.sampled_from(["pwd", "passcode", "pass", "code"]).flatmap(any_case)))
    separator = draw(st.sampled_from(SEPARATORS if not label.isascii() else [s for s in SEPARATORS if s]))
    return f"{opening}{label}{separator}{passcode}{closing}"


def glue_for(draw: st.DrawFn, text: str) -> str:
    glue = draw(st.sampled_from(GLUE))
    if not glue and text[:1].isascii() and text[:1].isalnum():
        glue = " "  # "…/s/abcpwd: 1234" would be one id: a glued ASCII label needs something between
    return glue


@st.composite
def glued(draw: st.DrawFn) -> tuple[str, ShareLink]:
    """`…/s/ID提取码：XXXX`, `…/s/ID，提取码XXXX`, `…/s/ID（提取码：XXXX）`, `…/s/ID 提取码: XXXX`."""
    pwd_id, passcode, (fragment, fid) = draw(pwd_ids), draw(passcodes), draw(fragments)
    text = draw(labelled(passcode))
    cell = f"{draw(hosts)}/s/{pwd_id}{fragment}{glue_for(draw, text)}{text}{draw(st.sampled_from(TRAILERS))}"
    return cell, ShareLink(pwd_id, passcode, fid)


ARCHIVE_LABELS = ["解压密码", "解压码", "压缩包密码", "解压缩密码", "压缩密码", "解压 密码"]
archive_values = st.one_of(passcodes, st.sampled_from(["www.xxx.com", "www.example.com", "1234", "pan.quark.cn"]))


@st.composite
def with_archive_password(draw: st.DrawFn) -> tuple[str, ShareLink]:
    """`…/s/ID 解压密码: xxxx`: the archive password is never the passcode; a share passcode labelled
    separately (before or after it) still is."""
    pwd_id, (fragment, fid) = draw(pwd_ids), draw(fragments)
    archive = f"{draw(st.sampled_from(ARCHIVE_LABELS))}{draw(st.sampled_from(SEPARATORS))}{draw(archive_values)}"
    share = draw(st.one_of(st.none(), passcodes))
    if share is None:
        text, passcode = archive, ""
    else:
        between = draw(st.sampled_from([" ", "，", "；", "、", "\t", " | "]))
        share_text = draw(labelled(share))
        text = f"{archive}{between}{share_text}" if draw(st.booleans()) else f"{share_text}{between}{archive}"
        passcode = share
    cell = f"{draw(hosts)}/s/{pwd_id}{fragment}{glue_for(draw, text)}{text}{draw(st.sampled_from(TRAILERS))}"
    return cell, ShareLink(pwd_id, passcode, fid)


def imported_link(cell: str, name: str | None) -> str:
    """What `resources import` stores for the cell: as a pasted text line (named or bare) and as a CSV cell."""
    line = cell.replace("\n", " ").replace("\t", " ").strip()  # one line; a tab would end up in a name
    parsed = parse_text_line(f"{name} {line}" if name else line)
    assert isinstance(parsed, tuple), parsed
    fmt, records, problems = parse_import(f"{name or 'x'} {line}\n", source="in.txt")
    assert (fmt, problems) == ("text", []) and records[0].values["link"] == parsed[1]
    out = io.StringIO()
    csv.writer(out).writerows([["drama_name", "link"], ["x", cell]])
    fmt, records, problems = parse_import(out.getvalue(), source="in.csv")
    if cell.isprintable():  # a tab or line break inside a link is refused (values.py), whatever the link
        assert (fmt, problems) == ("csv", []) and records[0].values["link"] == cell  # a CSV cell is stored as given
    return parsed[1]


def assert_read_as(cell: str, expected: ShareLink, name: str | None) -> None:
    assert parse_share_url(cell) == expected
    stored = imported_link(cell, name)
    assert parse_share_url(stored) == expected, stored  # import and check-links agree on the cell
    assert not stored.lstrip().lower().startswith(("pan.", "www.", "quark.")), stored  # a scheme is added


names = st.one_of(st.none(), st.sampled_from(["电影A", "剧集 第一季", "达芬奇密码", "链接："]))


@given(st.one_of(in_query(), glued(), with_archive_password()), names)
@example(("https://pan.quark.cn/s/abc提取码：1234", ShareLink("abc", "1234")), None)
@example(("https://pan.quark.cn/s/abc，提取码1234", ShareLink("abc", "1234")), None)
@example(("https://pan.quark.cn/s/abc（提取码：1234）", ShareLink("abc", "1234")), "电影A")
@example(("https://pan.quark.cn/s/abc 提取码: 1234", ShareLink("abc", "1234")), None)
@example(("https://pan.quark.cn/s/abc 密码:abcd", ShareLink("abc", "abcd")), None)
@example(("https://pan.quark.cn/s/abc密码：abcd", ShareLink("abc", "abcd")), None)
@example(("https://pan.quark.cn/s/abc?PWD=ab12", ShareLink("abc", "ab12")), None)
@example(("https://pan.quark.cn/s/abc?Passcode=ab12", ShareLink("abc", "ab12")), None)
@example(("https://pan.quark.cn/s/abc?passcode=ab12", ShareLink("abc", "ab12")), None)
@example(("https://pan.quark.cn/s/abc?pass=ab12", ShareLink("abc", "ab12")), None)
@example((f"https://pan.quark.cn/s/abc?PWD=ab12#/list/share/{FID}", ShareLink("abc", "ab12", FID)), None)
@example((f"https://pan.quark.cn/s/abc?passcode=ab12#/list/share/{FID}", ShareLink("abc", "ab12", FID)), None)
@example(("www.quark.cn/s/abc?pwd=ab12", ShareLink("abc", "ab12")), None)
@example(("https://www.quark.cn/s/abc?pwd=ab12", ShareLink("abc", "ab12")), None)
@example(("quark.cn/s/abc提取码：1234", ShareLink("abc", "1234")), None)
@example(("pan.quark.cn/s/abc 提取码: 1234", ShareLink("abc", "1234")), "剧集")
@example((f"https://pan.quark.cn/s/abc#/list/share/{FID}（提取码：1234）", ShareLink("abc", "1234", FID)), None)
@example((f"https://pan.quark.cn/s/abc#/list/share/{FID}(提取码:1234)", ShareLink("abc", "1234", FID)), None)
@example(("https://pan.quark.cn/s/abc 解压密码: 1234", ShareLink("abc")), None)
@example(("https://pan.quark.cn/s/abc解压密码：1234", ShareLink("abc")), None)
@example(("https://pan.quark.cn/s/abc 解压码 1234", ShareLink("abc")), None)
@example(("https://pan.quark.cn/s/abc 压缩包密码：abcd", ShareLink("abc")), None)
@example(("https://pan.quark.cn/s/abc 解压密码：www.xxx.com", ShareLink("abc")), None)
@example(("https://pan.quark.cn/s/abc 提取码：1234 解压密码：5678", ShareLink("abc", "1234")), None)
@example(("https://pan.quark.cn/s/abc 解压密码：5678，提取码：1234", ShareLink("abc", "1234")), None)
@example(("https://pan.quark.cn/s/abc 解压密码：pass 密码 1234", ShareLink("abc", "1234")), None)
@example(("https://pan.quark.cn/s/0000解压密码pan.quark.cn 提取码0000", ShareLink("0000", "0000")), None)  # found by hypothesis
def test_every_form_reads_as_the_id_and_passcode_written(case: tuple[str, ShareLink], name: str | None) -> None:
    cell, expected = case
    assert_read_as(cell, expected, name)


@pytest.mark.parametrize("text", [
    "https://drive.uc.cn/s/abc123?pwd=ab12", "https://pan.baidu.com/s/1abc 提取码: 1234", "evilquark.cn/s/abc123",
    "https://evilquark.cn/s/abc123", "pan.quark.cn.evil.com/s/abc123", "https://pan.quark.cn.evil.com/s/abc123",
    "https://www.quark.cn/", "https://quark.cn/download", "https://qq.quark.cn/s/abc123", "x.pan.quark.cn/s/abc123",
    "https://example.com/pan.quark.cn/s/abc123",
])
def test_other_hosts_are_not_quark_share_links(text: str) -> None:
    with pytest.raises(LinkError) as excinfo:
        parse_share_url(text)
    assert excinfo.value.reason == "unsupported_link"
    _fmt, records, problems = parse_import(f"名字 {text}\n", source="in.txt")
    # refused by import: no drive's link (issue 24: not only Quark's), or a UC or Baidu link too short to read
    assert not records and len(problems) == 1 and problems[0].message in (
        "no link on this line", f"link: not a share link of a known drive: {text.split()[0]}",
        f"link: a UC link without a share id quarkctl can read: {text}",
        f"link: a Baidu link without a share id quarkctl can read: {text.split()[0]}")


@given(st.from_regex(r"[a-z]{1,8}", fullmatch=True), pwd_ids, passcodes)
def test_a_host_that_only_ends_like_quarks_is_not_quarks(word: str, pwd_id: str, passcode: str) -> None:
    for host in (f"{word}quark.cn", f"{word}.pan.quark.cn", f"pan.quark.cn.{word}", f"{word}-quark.cn"):
        for text in (f"https://{host}/s/{pwd_id}?pwd={passcode}", f"{host}/s/{pwd_id} 提取码：{passcode}"):
            with pytest.raises(LinkError) as excinfo:
                parse_share_url(text)
            assert excinfo.value.reason == "unsupported_link", text


def test_a_name_before_the_link_is_not_read_for_a_passcode() -> None:
    """Only the text after the link is read: 达芬奇密码2006 is a film, not 密码 2006."""
    assert parse_share_url("达芬奇密码2006 https://pan.quark.cn/s/abc123") == ShareLink("abc123")
    assert parse_text_line("达芬奇密码2006 https://pan.quark.cn/s/abc123") == ("达芬奇密码2006", "https://pan.quark.cn/s/abc123")


def test_a_passcode_from_text_goes_into_the_query_before_the_fragment() -> None:
    line = f"剧集 https://pan.quark.cn/s/abc123#/list/share/{FID} 提取码：ab12"
    assert parse_text_line(line) == ("剧集", f"https://pan.quark.cn/s/abc123?pwd=ab12#/list/share/{FID}")
    assert parse_share_url(parse_text_line(line)[1]) == ShareLink("abc123", "ab12", FID)


@pytest.mark.parametrize("glued", ["pwd=Xtqm", "PWD:Xtqm", "passcode:Xtqm", "pass=Xtqm", "code：Xtqm"])
def test_an_english_label_glued_to_the_id_is_a_passcode_not_part_of_the_id(glued: str) -> None:
    """A new user's review (issue 21): `…/s/ad871899f37cpwd=Xtqm` was read as id `ad871899f37cpwd`, which
    answers 41006 (no such share), so a live link was marked dead and import stored it cut."""
    cell = f"g1 https://pan.quark.cn/s/ad871899f37c{glued}"
    assert parse_share_url(cell) == ShareLink("ad871899f37c", "Xtqm")
    [link] = find_links(cell)
    assert link.stored_form(cell) == "https://pan.quark.cn/s/ad871899f37c?pwd=Xtqm"


@pytest.mark.parametrize("label", ["压缩包的密码：", "解压用密码：", "解压的密码：", "解压后密码 ", "zip密码：", "RAR密码: ",
                                   "7z密码：", "文件解压需要密码："])
def test_every_archive_password_form_is_never_the_passcode(label: str) -> None:
    """An attacker's review (issue 21): these forms sent the archive's password as the share passcode."""
    assert parse_share_url(f"https://pan.quark.cn/s/abc123 {label}abcd").passcode == ""
    assert parse_share_url(f"https://pan.quark.cn/s/abc123 {label}abcd 提取码：wxyz").passcode == "wxyz"


def test_an_invisible_character_inside_the_id_is_not_a_cut() -> None:
    """A zero-width space pasted inside the id cut it short: a made-up id answers 41006, dead."""
    assert parse_share_url("https://pan.quark.cn/s/acc30a3\u200bcf8d4\ufeff").pwd_id == "acc30a3cf8d4"


def test_an_id_far_longer_than_quarks_is_malformed() -> None:
    with pytest.raises(LinkError) as caught:
        parse_share_url("https://pan.quark.cn/s/" + "a" * 100_000)
    assert caught.value.reason == "malformed_link"


@pytest.mark.parametrize("text", [
    "https://pan.quark.cn/s/ad871899f37cpwd Xtqm", "https://pan.quark.cn/s/ad871899f37ccode Xtqm",
    "https://pan.quark.cn/s/ad871899f37cpwd\u00a0Xtqm", "https://pan.quark.cn/s/ad871899f37caccesscode=Xtqm",
    "https://pan.quark.cn/s/ad8718\u034f99f37c?pwd=Xtqm",
])
def test_more_glued_forms_a_second_attack_found(text: str) -> None:
    """A re-test of the fixes (issue 21): each of these made a made-up id (41006, marked dead)."""
    assert parse_share_url(text) == ShareLink("ad871899f37c", "Xtqm")


@pytest.mark.parametrize("text", ["https://pan.quark.cn/s/abcode", "https://pan.quark.cn/s/a1b2pass"])
def test_a_short_id_ending_like_a_label_stays_whole(text: str) -> None:
    assert parse_share_url(text).pwd_id == text.rsplit("/", 1)[1]


@pytest.mark.parametrize("label", ["解压 密码：", "解压的时候需要输入密码：", "zip pwd: ", "rar pass: ", "zip code: "])
def test_more_archive_forms_a_second_attack_found(label: str) -> None:
    assert parse_share_url(f"https://pan.quark.cn/s/abc123 {label}abcd").passcode == ""
