"""What resources add and import make of every drive's links (issue 24), below the command line: the drive_type
a line without one gets, the links refused, the disagreeing drive_type warned about, and the pasted line stored
so that it reads as it was written (resources/values.py, formats.py, drives.py)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers.drive_links import ALNUM, FORMS, drive_links
from quarkctl.providers.names import DRIVE_NAMES, DRIVE_TYPES
from quarkctl.resources.drives import claim, drive_named, spellings
from quarkctl.resources.formats import parse_text_line
from quarkctl.resources.values import drive_warning, validate


@st.composite
def any_drive_link(draw: st.DrawFn) -> tuple[str, str]:
    """(drive, a link of it as one line): every drive's maker, and Quark's."""
    if draw(st.booleans()):
        pwd_id, code = draw(st.text(ALNUM, min_size=8, max_size=20)), draw(st.text(ALNUM, min_size=4, max_size=4))
        return "quark", f"https://pan.quark.cn/s/{pwd_id}?pwd={code}"
    drive, _id, _code, text = draw(drive_links())
    return drive, text.replace("\n", " ")  # a line break is no part of a stored link: the label follows a space


def native(text: str) -> object:
    found = claim(text)
    assert found is not None and found.readable, text
    return (found.drive, getattr(found.found, "native", None))


@given(any_drive_link())
@example(("baidu", "https://pan.baidu.com/share/init?surl=AbCdEfGh&pwd=ab12"))
def test_a_line_without_drive_type_gets_its_links_drive(found: tuple[str, str]) -> None:
    drive, text = found
    values, problems = validate({"drama_name": "x", "link": text}, need_link=True)
    assert problems == []
    assert values["drive_type"] == drive
    assert drive_warning(values) is None


@pytest.mark.parametrize(("text", "drive"), [(text.replace("\n", " "), drive) for text, drive, _id, _code in FORMS])
def test_every_form_the_reference_quotes_gets_its_drive(text: str, drive: str) -> None:
    values, problems = validate({"drama_name": "x", "link": text})
    assert (problems, values["drive_type"]) == ([], drive)
    # a default for lines without one wins over the link, and says it disagrees when it names another drive
    values, problems = validate({"drama_name": "x", "link": text}, drive_type="115" if drive != "115" else "uc")
    assert problems == [] and values["drive_type"] in ("115", "uc")
    assert drive in (drive_warning(values) or "")


@given(any_drive_link(), st.text("电影剧集纪录片动画第二季ABC ", min_size=1, max_size=12).map(str.strip).filter(bool))
def test_a_pasted_line_is_stored_as_its_drive_reads_it(found: tuple[str, str], name: str) -> None:
    """The rule import must never break: the stored link names the same share, passcode and folder as the line."""
    drive, text = found
    parsed = parse_text_line(f"{name} {text}")
    assert isinstance(parsed, tuple), parsed
    stored_name, link = parsed
    assert stored_name == name
    assert native(link) == native(text)
    assert native(link)[0] == drive  # type: ignore[index]


@pytest.mark.parametrize(("line", "name", "link"), [
    ("链接: https://pan.baidu.com/s/1AbCdEfGh 提取码: 9x8y 电影", "电影", "https://pan.baidu.com/s/1AbCdEfGh?pwd=9x8y"),
    ("剧 https://115.com/s/swfsfjg3h7i 访问码：ab12", "剧", "https://115.com/s/swfsfjg3h7i?password=ab12"),
    ("剧 drive.uc.cn/s/d60d722172f84 提取码:Qw3r", "剧", "https://drive.uc.cn/s/d60d722172f84?pwd=Qw3r"),
    ("剧 https://caiyun.139.com/w/i/2rJV89vKpVPsr 提取码:ab12", "剧", "https://caiyun.139.com/w/i/2rJV89vKpVPsr 提取码：ab12"),
    ("https://www.123pan.com/s/yXg6Vv-enZ7v", "https://www.123pan.com/s/yXg6Vv-enZ7v", "https://www.123pan.com/s/yXg6Vv-enZ7v"),
    # the name as written: combining marks (Thai, Vietnamese) are cleaned out of the link only
    ("ก่า Tiếng Việt https://pan.baidu.com/s/1AbC\u200bdEfGh", "ก่า Tiếng Việt", "https://pan.baidu.com/s/1AbCdEfGh"),
])
def test_pasted_lines_of_other_drives(line: str, name: str, link: str) -> None:
    """The passcode goes where the drive's own link form carries it (`?pwd=`, 115's `?password=`), else it stays
    labelled after the link (139's links carry none); a scheme is added to a bare host."""
    assert parse_text_line(line) == (name, link)


@pytest.mark.parametrize(("line", "problem"), [
    ("两个 https://pan.baidu.com/s/1AbCdEfGh https://drive.uc.cn/s/d60d722172f84", "more than one link"),
    ("两个 pan.baidu.com/s/1AbCdEfGh pan.quark.cn/s/abcd00000001", "more than one link"),
    ("只有名字", "no link"),
])
def test_a_line_holds_one_link(line: str, problem: str) -> None:
    parsed = parse_text_line(line)
    assert isinstance(parsed, str) and problem in parsed


@pytest.mark.parametrize(("link", "drive_type", "needle"), [
    ("https://example.com/s/abc", None, "not a share link of a known drive"),
    ("https://example.com/s/abc", "quark", "not a share link of a known drive"),
    ("https://example.com/s/abc", "百度网盘", "not a share link of a known drive"),  # a spelling of one of our drives
    ("https://pan.baidu.com/s/1ab", None, "Baidu link without a share id"),
    ("https://www.123pan.com/about", "123", "123pan link without a share id"),
    ("https://pan.quark.cn/list", None, "Quark link without a share id"),
])
def test_links_refused(link: str, drive_type: str | None, needle: str) -> None:
    given = {"drama_name": "x", "link": link} | ({"drive_type": drive_type} if drive_type else {})
    _values, problems = validate(given)
    assert len(problems) == 1 and needle in problems[0]


def test_a_drive_type_of_none_of_our_drives_keeps_any_link() -> None:
    values, problems = validate({"drama_name": "x", "link": "https://example.com/book/1", "drive_type": "ebook"})
    assert (problems, values["drive_type"]) == ([], "ebook")
    # ...but a link of one of our drives on it is still read, and said to disagree
    values, problems = validate({"drama_name": "x", "link": "https://pan.baidu.com/s/1AbCdEfGh", "drive_type": "ebook"})
    assert problems == [] and "baidu" in (drive_warning(values) or "")


@given(st.sampled_from(sorted((drive, spelling) for drive, names in DRIVE_TYPES.items() for spelling in names)),
       st.sampled_from(["", " ", "\t"]), st.booleans())
def test_every_spelling_names_its_drive_and_agrees_with_its_links(pair: tuple[str, str], pad: str, upper: bool) -> None:
    drive, spelling = pair
    written = pad + (spelling.upper() if upper else spelling) + pad
    assert drive_named(written) == drive
    assert set(spellings(written)) == DRIVE_TYPES[drive]
    assert drive in DRIVE_NAMES


def test_a_spelling_that_agrees_is_no_warning() -> None:
    assert drive_warning({"drive_type": "百度", "link": "https://pan.baidu.com/s/1AbCdEfGh"}) is None
    assert drive_warning({"drive_type": "", "link": "https://pan.baidu.com/s/1AbCdEfGh"}) is None
    assert spellings("Ebook ") == ("ebook",)
