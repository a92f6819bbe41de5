"""Forms an attacker's review of issue 24 found read as another share (a live link marked dead on the made-up
id's "no such share"): a passcode label glued to the id, another drive's bare link before a Quark one, a query
key read as 139's id, a blank letter inside an id. Each must read the share as written, or no share at all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.drive_links import ALNUM, MAKERS
from quarkctl.providers.base import DriveSetup, Link
from quarkctl.providers.registry import PROVIDERS, open_drives
from quarkctl.quark.links import parse_share_url

DRIVES = open_drives(DriveSetup(lambda: None), PROVIDERS)
# drive -> a link with the id's place marked, where a label can be glued right after the id
BARE = {
    "uc": "https://drive.uc.cn/s/{id}", "baidu": "https://pan.baidu.com/s/1{id}", "aliyun": "https://www.alipan.com/s/{id}",
    "123": "https://www.123pan.com/s/{id}", "tianyi": "https://cloud.189.cn/t/{id}", "mobile": "https://caiyun.139.com/w/i/{id}",
    "115": "https://115.com/s/{id}", "xunlei": "https://pan.xunlei.com/s/{id}", "quark": "https://pan.quark.cn/s/{id}",
}
LABELS = ["pwd=", "pwd:", "PWD=", "password=", "passcode=", "code:", "code：", "pwd = "]
_ID = st.text(ALNUM, min_size=8, max_size=14)


def test_a_short_123_key_with_a_glued_label() -> None:
    assert _read("https://www.123pan.com/s/AbC-dEfpwd=ab12") == ("123", "AbC-dEf", "ab12")


def _read(text: str) -> tuple[str, str, str]:
    found = DRIVES.read(text)
    assert isinstance(found, Link), (text, found)
    return found.drive, found.share_id, getattr(found.native, "passcode", "")


@pytest.mark.parametrize("drive", sorted(BARE))
@given(share_id=_ID, code=st.text(ALNUM, min_size=4, max_size=4), label=st.sampled_from(LABELS))
def test_a_label_glued_to_the_id_is_a_passcode_never_part_of_the_id(drive: str, share_id: str, code: str, label: str) -> None:
    text = BARE[drive].format(id=share_id) + label + code
    got_drive, got_id, got_code = _read(text)
    assert got_drive == drive
    assert got_id == share_id
    assert got_code == code


@pytest.mark.parametrize("drive", sorted(set(MAKERS) - {"xunlei"}))
@given(data=st.data())
def test_another_drives_bare_link_before_a_quark_link_is_that_drives(drive: str, data: st.DataObject) -> None:
    ids, make = MAKERS[drive]
    share_id, code = data.draw(ids), data.draw(st.text(ALNUM, min_size=4, max_size=4))
    own = make(share_id, code).removeprefix("https://")
    for between in (" 备用 ", " 夸克：", "\n"):
        text = own + between + "https://pan.quark.cn/s/9373614e3dfe"
        assert DRIVES.owner(text) == drive, text


def test_a_quark_link_first_stays_quarks_and_a_plain_site_first_still_reads_quark() -> None:
    assert DRIVES.owner("pan.quark.cn/s/9373614e3dfe 备用 https://pan.baidu.com/s/1AbCdEfGh") == "quark"
    assert DRIVES.owner("见 https://example.com/post/1 https://pan.quark.cn/s/9373614e3dfe") == DRIVES.owner(
        "https://example.com/post/1 https://pan.quark.cn/s/9373614e3dfe")


@pytest.mark.parametrize("text", [
    "https://caiyun.139.com/m/i?shareLinkID=0F5CJUOsdWbBp",
    "https://caiyun.139.com/m/i?utm_source=wx&0F5CJUOsdWbBp",
    "https://caiyun.feixin.10086.cn/portalweb/0F5CJUOsdWbBp",
])
def test_a_139_query_key_or_path_segment_is_never_the_id(text: str) -> None:
    found = DRIVES.read(text)
    assert not (isinstance(found, Link) and found.share_id in ("shareLinkID", "utm_source", "portalweb")), found


@pytest.mark.parametrize("blank", ["\u3164", "\u2800", "\u115f", "\uffa0"])
@pytest.mark.parametrize("drive", sorted(BARE))
def test_a_blank_letter_inside_an_id_is_dropped_not_a_cut(blank: str, drive: str) -> None:
    assert _read(BARE[drive].format(id=f"abcd{blank}ef123456"))[1] == "abcdef123456"


def test_quark_reads_a_glued_password_label_too() -> None:
    link = parse_share_url("https://pan.quark.cn/s/acc30a3cf8d4password=ab12")
    assert (link.pwd_id, link.passcode) == ("acc30a3cf8d4", "ab12")


def test_a_dead_quark_share_marks_its_rows_but_not_a_row_whose_first_link_is_another_drives(cli, sim, testdb) -> None:
    """check-links on a table: a Baidu link (no https://) before a dead Quark link keeps the row Baidu's, checked
    on Baidu (alive), never marked with the Quark share's rows (same_share)."""
    import json

    from conftest import on_database
    from helpers.mixed_drives import bases
    from quarkctl.simulator.drives_server import DrivesSimulator
    from quarkctl.simulator.model import Share

    db = on_database(cli, testdb)
    sim.add_share(Share(pwd_id="9373614e3dfe", title="gone", dead_code=41012))
    with DrivesSimulator() as dsim:
        cli.env.update(bases(dsim))
        dsim.add("baidu", "LiveBaidu01", "alive")
        quark_row, baidu_row = db.seed([
            {"drama_name": "夸克", "link": "https://pan.quark.cn/s/9373614e3dfe"},
            {"drama_name": "百度", "link": "pan.baidu.com/s/1LiveBaidu01 备用 https://pan.quark.cn/s/9373614e3dfe", "drive_type": "baidu"},
        ])
        done = cli.run("check-links", "--no-pacing", "--json")
    results = {r["id"]: r for r in json.loads(done.stdout)["results"]}
    assert (results[quark_row]["verdict"], results[baidu_row]["verdict"], results[baidu_row]["drive"]) == ("expired", "valid", "baidu")
    rows = db.rows()
    assert (rows[quark_row].is_expired, rows[baidu_row].is_expired) == (1, 0)
