"""Every drive's link forms (issue 24, drives-api.md sections 4-11): the real shapes the reference quotes,
pasted text included, read by the drive whose host the link has and by no other."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers.drive_links import FORMS, drive_links
from quarkctl.providers.base import DriveSetup, Link
from quarkctl.providers.linkforms import DriveLink
from quarkctl.providers.registry import PROVIDERS, open_drives
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

DRIVES = open_drives(DriveSetup(lambda: None), PROVIDERS)


@pytest.mark.parametrize(("text", "drive", "share_id", "code"), FORMS)
def test_each_form_is_read_by_its_drive_alone(text: str, drive: str, share_id: str, code: str) -> None:
    link = DRIVES.read(text)
    assert isinstance(link, Link), link
    assert (link.drive, link.share_id) == (drive, share_id)
    assert getattr(link.native, "passcode", None) == code
    others = [name for name, provider in DRIVES.by_name.items() if name != drive and provider.parse(text) is not None]
    assert others == []


def test_one_share_whatever_its_form() -> None:
    """Baidu's /s/1<surl> and share/init?surl=<surl> are one share; the passcode does not matter."""
    a, b = DRIVES.read("https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12"), DRIVES.read("pan.baidu.com/share/init?surl=AbCdEfGh")
    assert isinstance(a, Link) and isinstance(b, Link) and a.same_share(b)


@pytest.mark.parametrize("text", [
    "https://drive.uc.cn/s/" + "a" * 30,  # an id past the reference's length: never cut to a made-up id
    "https://pan.baidu.com/", "https://www.123pan.com/about", "https://cloud.189.cn/",
])
def test_a_drives_host_without_a_readable_link_is_an_error_never_a_cut_id(text: str) -> None:
    assert DRIVES.read(text) == CheckResult(Verdict.ERROR, "malformed_link")


@pytest.mark.parametrize("text", [
    "https://drive.uc.cn.evil.example/s/d60d722172f84", "evilpan.baidu.com/s/1AbCdEfGh", "https://example.com/?u=pan.baidu.com/s/1AbCdEfGh",
    "not a link", "", "https://pan.baidu.com.example.org/s/1AbCdEfGh",
])
def test_lookalikes_are_nobodys(text: str) -> None:
    assert DRIVES.read(text) == CheckResult(Verdict.SKIPPED, "unsupported_link")


def test_the_first_link_decides() -> None:
    link = DRIVES.read("备用 https://pan.baidu.com/s/1AbCdEfGh 提取码: ab12 主 https://drive.uc.cn/s/d60d722172f84 提取码: cd34")
    assert isinstance(link, Link) and (link.drive, link.native) == ("baidu", DriveLink("AbCdEfGh", "ab12"))


def test_a_bare_quark_link_first_is_quarks() -> None:
    text = "pan.quark.cn/s/abcd00000001 备用 drive.uc.cn/s/d60d722172f84"
    assert DRIVES["uc"].parse(text) is None
    link = DRIVES.read(text)
    assert isinstance(link, Link) and link.drive == "quark"


@pytest.mark.parametrize(("after", "code"), [
    (" 解压密码：abcd", ""), (" 压缩包密码 abcd 提取码 wxyz", "wxyz"), (" codex1234", ""), (" code: ab12", "ab12"),
    (" pwd ab12", "ab12"), ("\n分享密码：ab12", "ab12"), (" 达芬奇密码", ""),
])
def test_labels_after_the_link(after: str, code: str) -> None:
    """An archive's password is never the passcode; an English label needs a separator or a space."""
    link = DRIVES.read("https://drive.uc.cn/s/d60d722172f84" + after)
    assert isinstance(link, Link) and link.native == DriveLink("d60d722172f84", code)


# --- properties ---------------------------------------------------------------------------------

@given(drive_links(), st.text(max_size=20))
def test_a_link_of_one_drive_is_read_by_it_alone(found: tuple[str, str, str, str], tail: str) -> None:
    drive, share_id, code, text = found
    claims = {name: provider.parse(text + " " + tail) for name, provider in DRIVES.by_name.items()}
    assert [name for name, claim in claims.items() if claim is not None] == [drive]
    link = claims[drive]
    assert isinstance(link, Link)
    assert (link.share_id, getattr(link.native, "passcode", None)) == (share_id, code)


HOSTS = ["drive.uc.cn/s/", "pan.baidu.com/s/1", "pan.baidu.com/share/init?surl=", "www.alipan.com/s/", "alywp.net/", "www.123pan.com/s/",
         "x.share.123pan.cn/123pan/", "cloud.189.cn/t/", "h5.cloud.189.cn/share.html#/t/", "caiyun.139.com/m/i?",
         "yun.139.com/shareweb/#/w/i/", "115.com/s/", "pan.xunlei.com/s/", "https://", "提取码：", "（访问码：", "?pwd=",
         "%EF%BC%88", "#password=", "\n", " ", "\u200b", "abcd1234", "-", "_"]


@given(st.lists(st.one_of(st.sampled_from(HOSTS), st.text(max_size=6)), max_size=10).map("".join))
@example("https://pan.baidu.com/s/1" + "a" * 5000)
def test_parse_never_raises(text: str) -> None:
    for provider in DRIVES.by_name.values():
        found = provider.parse(text)
        assert found is None or isinstance(found, (Link, CheckResult))
