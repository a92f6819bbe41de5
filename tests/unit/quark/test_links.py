import pytest

from quarkctl.quark.links import LinkError, ShareLink, parse_share_url

FID_A = "a" * 32
FID_B = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://pan.quark.cn/s/1ed94d530d63", ShareLink("1ed94d530d63")),
        ("  https://pan.quark.cn/s/1ed94d530d63  ", ShareLink("1ed94d530d63")),
        ("https://pan.quark.cn/s/1ed94d530d63?pwd=Xtqm", ShareLink("1ed94d530d63", "Xtqm")),
        ("https://PAN.QUARK.CN/s/abc123", ShareLink("abc123")),
        ("http://pan.quark.cn/s/abc123", ShareLink("abc123")),
        ("pan.quark.cn/s/abc123", ShareLink("abc123")),
        # root listing hash: still the root
        ("https://pan.quark.cn/s/abc123#/list/share", ShareLink("abc123")),
        # new sub-folder form (fid only)
        (f"https://pan.quark.cn/s/abc123#/list/share/{FID_B}", ShareLink("abc123", "", FID_B)),
        # legacy path form: one fid-name segment per level, the last fid wins
        (f"https://pan.quark.cn/s/abc123#/list/share/{FID_A}-%E7%AC%AC%E4%B8%80%E5%AD%A3/{FID_B}-E*101x", ShareLink("abc123", "", FID_B)),
        # passcode before the hash is not swallowed by it
        (f"https://pan.quark.cn/s/abc123?pwd=ab12#/list/share/{FID_B}", ShareLink("abc123", "ab12", FID_B)),
        # free text as people paste it
        ("链接：https://pan.quark.cn/s/abc123 提取码：Q1w2", ShareLink("abc123", "Q1w2")),
        ("https://pan.quark.cn/s/abc123 密码: zz99", ShareLink("abc123", "zz99")),
    ],
)
def test_parses_quark_share_links(text: str, expected: ShareLink) -> None:
    assert parse_share_url(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://pan.baidu.com/s/1abcdef", "unsupported_link"),
        ("https://www.aliyundrive.com/s/xyz", "unsupported_link"),
        ("https://drive.uc.cn/s/abc", "unsupported_link"),
        ("https://pan.quark.cn.evil.example/s/abc", "unsupported_link"),
        ("not a link at all", "unsupported_link"),
        ("", "unsupported_link"),
        ("https://pan.quark.cn/list/all", "malformed_link"),
        ("https://pan.quark.cn/s/", "malformed_link"),
        ("https://pan.quark.cn/", "malformed_link"),
    ],
)
def test_rejects_what_is_not_a_checkable_quark_link(text: str, reason: str) -> None:
    with pytest.raises(LinkError) as excinfo:
        parse_share_url(text)
    assert excinfo.value.reason == reason


@pytest.mark.parametrize("text", ["https://[pan.quark.cn/s/abc", "http://pan.quark.cn]/s/abc", "https://pan.quark.cn\uff03/s/abc"])
def test_a_malformed_url_has_its_own_reason_and_message(text: str) -> None:
    """Not "a link without a share id": the URL itself cannot be read (issue 15 round 2)."""
    from quarkctl.config.autosave.model import AutosaveConfig
    from quarkctl.config.autosave.validation import validate
    from quarkctl.quark.linkcheck import parse_or_result
    from quarkctl.quark.verdict import Verdict
    from quarkctl.render.messages import reason_text
    from quarkctl.resources.values import validate as validate_row

    with pytest.raises(LinkError) as excinfo:
        parse_share_url(text)
    assert excinfo.value.reason == "malformed_url"
    result = parse_or_result(text)
    assert (result.verdict, result.reason) == (Verdict.ERROR, "malformed_url")
    assert reason_text("malformed_url") == "a malformed URL: stray brackets or characters around pan.quark.cn"
    config = AutosaveConfig(None, {"cookie": "c", "tasklist": [{"taskname": "t", "shareurl": text, "savepath": "/x"}]})
    assert any("a malformed URL" in str(p) and "share id" not in str(p) for p in validate(config))
    _values, problems = validate_row({"drama_name": "x", "link": text})
    assert problems == [f"link: a malformed URL, stray brackets or characters around pan.quark.cn: {text}"]


def test_a_malformed_url_elsewhere_is_still_not_a_quark_link() -> None:
    with pytest.raises(LinkError) as excinfo:
        parse_share_url("https://[example.com/s/abc")
    assert excinfo.value.reason == "unsupported_link"
