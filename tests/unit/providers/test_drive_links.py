"""Every drive's link forms (issue 24, drives-api.md sections 4-11): the real shapes the reference quotes,
pasted text included, read by the drive whose host the link has and by no other."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from quarkctl.providers.base import DriveSetup, Link
from quarkctl.providers.linkforms import DriveLink
from quarkctl.providers.registry import PROVIDERS, open_drives
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict

DRIVES = open_drives(DriveSetup(lambda: None), PROVIDERS)

# (text, drive, share id, passcode): the ids and forms the reference quotes
FORMS = [
    # UC (section 4)
    ("https://drive.uc.cn/s/d60d722172f84?public=1#/list/share", "uc", "d60d722172f84", ""),
    ("https://drive.uc.cn/s/d60d722172f84?public=1&password=ab12#/list/share/abc-名字", "uc", "d60d722172f84", "ab12"),
    ("https://fast.uc.cn/s/d60d722172f84?pwd=x1y2", "uc", "d60d722172f84", "x1y2"),
    ("资源 https://drive.uc.cn/s/d60d722172f84 提取码:Qw3r", "uc", "d60d722172f84", "Qw3r"),
    ("https://drive.uc.cn/s/d60d722172f84\n提取码：abcd", "uc", "d60d722172f84", "abcd"),
    # Baidu (section 5): the API's surl is the /s/ id without its leading 1
    ("https://pan.baidu.com/s/1AbCdEfGh-ij_k?pwd=ab12", "baidu", "AbCdEfGh-ij_k", "ab12"),
    ("https://pan.baidu.com/share/init?surl=AbCdEfGh-ij_k&pwd=ab12", "baidu", "AbCdEfGh-ij_k", "ab12"),
    ("https://pan.baidu.com/wap/init?surl=AbCdEfGh", "baidu", "AbCdEfGh", ""),
    ("链接: https://pan.baidu.com/s/1AbCdEfGh 提取码: 9x8y 复制这段内容后打开百度网盘", "baidu", "AbCdEfGh", "9x8y"),
    ("https://yun.baidu.com/s/1AbCdEfGh\n密码：q1w2", "baidu", "AbCdEfGh", "q1w2"),
    ("https://pan.baidu.com/s/1AbCdEfGh提取码：q1w2", "baidu", "AbCdEfGh", "q1w2"),
    # Aliyun (section 6)
    ("https://www.alipan.com/s/4F9AbCdEfGh", "aliyun", "4F9AbCdEfGh", ""),
    ("https://www.aliyundrive.com/s/4F9AbCdEfGh/folder/64a1b2c3d4e5 提取码: 8x8x", "aliyun", "4F9AbCdEfGh", "8x8x"),
    ("https://www.aliyundrive.com/t/4F9AbCdEfGh?password=abcd", "aliyun", "4F9AbCdEfGh", "abcd"),
    ("https://alywp.net/4F9AbCdEfGh 提取码：ab12", "aliyun", "4F9AbCdEfGh", "ab12"),
    # 123 (section 7): every mirror, .html, per-user hosts, 提取码 glued or percent-encoded
    ("https://www.123pan.com/s/yXg6Vv-enZ7v", "123", "yXg6Vv-enZ7v", ""),
    ("https://www.123pan.cn/s/yXg6Vv-enZ7v.html?pwd=abcd", "123", "yXg6Vv-enZ7v", "abcd"),
    ("https://www.123684.com/s/yXg6Vv-enZ7v提取码:abcd", "123", "yXg6Vv-enZ7v", "abcd"),
    ("https://www.123865.com/s/yXg6Vv-enZ7v%E6%8F%90%E5%8F%96%E7%A0%81%3Aq1w2", "123", "yXg6Vv-enZ7v", "q1w2"),
    ("https://1814215835.share.123pan.cn/123pan/yXg6Vv-enZ7v", "123", "yXg6Vv-enZ7v", ""),
    ("https://www.123912.com/s/yXg6Vv-enZ7v 提取码：q1w2", "123", "yXg6Vv-enZ7v", "q1w2"),
    ("https://www.123592.com/s/yXg6Vv-enZ7v", "123", "yXg6Vv-enZ7v", ""),
    # Tianyi (section 8): the access code full-width after the link, or percent-encoded
    ("https://cloud.189.cn/t/AbCdEf123456（访问码：ab12）", "tianyi", "AbCdEf123456", "ab12"),
    ("https://cloud.189.cn/t/AbCdEf123456%EF%BC%88%E8%AE%BF%E9%97%AE%E7%A0%81%EF%BC%9Aab12%EF%BC%89", "tianyi", "AbCdEf123456", "ab12"),
    ("https://cloud.189.cn/web/share?code=AbCdEf123456", "tianyi", "AbCdEf123456", ""),
    ("https://h5.cloud.189.cn/share.html#/t/AbCdEf123456", "tianyi", "AbCdEf123456", ""),
    ("https://h5.cloud.189.cn/share/AbCdEf123456?accessCode=qq11", "tianyi", "AbCdEf123456", "qq11"),
    ("https://cloud.189.cn/t/AbCdEf123456 访问码：zx12", "tianyi", "AbCdEf123456", "zx12"),
    # 139 (section 9): the id in the query or the fragment
    ("https://caiyun.139.com/m/i?0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("https://caiyun.139.com/w/i/2rJV89vKpVPsr 提取码:ab12", "mobile", "2rJV89vKpVPsr", "ab12"),
    ("https://yun.139.com/shareweb/#/w/i/0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("https://yun.139.com/link/w/i/0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("http://caiyun.139.com/front/#/detail?linkID=0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("https://caiyun.feixin.10086.cn/0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    # 115 (section 10): password in the query or the fragment, a trailing # or &#
    ("https://115.com/s/swfsfjg3h7i?password=ab12", "115", "swfsfjg3h7i", "ab12"),
    ("https://115cdn.com/s/swfsfjg3h7i?password=ab12&#", "115", "swfsfjg3h7i", "ab12"),
    ("https://anxia.com/s/swfsfjg3h7i#password=ab12", "115", "swfsfjg3h7i", "ab12"),
    ("https://115.com/s/swfsfjg3h7i\n访问码：ab12", "115", "swfsfjg3h7i", "ab12"),
    # Xunlei (section 11)
    ("https://pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1?pwd=ab12#", "xunlei", "VOgB-u2O5NaciNH2WsBVJXNhA1", "ab12"),
    ("https://pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1 提取码：ab12", "xunlei", "VOgB-u2O5NaciNH2WsBVJXNhA1", "ab12"),
    # Quark keeps its own forms
    ("https://pan.quark.cn/s/abcd00000001?pwd=1234", "quark", "abcd00000001", "1234"),
]


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

ALNUM = string.ascii_letters + string.digits
# drive -> how a link of it is written from an id and a passcode; ids as the reference's patterns allow
MAKERS = {
    "uc": (st.text(ALNUM, min_size=8, max_size=24), lambda i, p: f"https://drive.uc.cn/s/{i}?pwd={p}"),
    "baidu": (st.text(ALNUM + "_-", min_size=5, max_size=24), lambda i, p: f"https://pan.baidu.com/s/1{i}?pwd={p}"),
    "aliyun": (st.text(ALNUM, min_size=8, max_size=14), lambda i, p: f"https://www.alipan.com/s/{i} 提取码：{p}"),
    "123": (st.text(ALNUM + "_-", min_size=1, max_size=30), lambda i, p: f"https://www.123pan.com/s/{i}?pwd={p}"),
    "tianyi": (st.text(ALNUM, min_size=8, max_size=14), lambda i, p: f"https://cloud.189.cn/t/{i}（访问码：{p}）"),
    "mobile": (st.text(ALNUM + "_-", min_size=8, max_size=20), lambda i, p: f"https://caiyun.139.com/w/i/{i}\n提取码:{p}"),
    "115": (st.text(ALNUM, min_size=8, max_size=24), lambda i, p: f"https://115.com/s/{i}?password={p}"),
    "xunlei": (st.text(ALNUM + "_-", min_size=8, max_size=30), lambda i, p: f"https://pan.xunlei.com/s/{i}?pwd={p}"),
}


@st.composite
def drive_links(draw: st.DrawFn) -> tuple[str, str, str, str]:
    drive = draw(st.sampled_from(sorted(MAKERS)))
    ids, make = MAKERS[drive]
    share_id, code = draw(ids), draw(st.text(ALNUM, min_size=4, max_size=4))
    return drive, share_id, code, make(share_id, code)


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
