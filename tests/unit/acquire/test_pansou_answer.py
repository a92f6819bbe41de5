"""Reading PanSou's answer (quarkctl/acquire/pansou_answer.py): times, links, duplicates, and properties that
must never break: any JSON body, however hostile, is a list of sound candidates or SearchUnavailable."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quarkctl.acquire.pansou_answer import (
    PANSOU_TYPES, REASONS, SearchUnavailable, candidates, dedupe_key, parse_datetime, search_data,
)
from quarkctl.providers.names import DRIVE_NAMES

UTC = timezone.utc


def wrapped(merged: Any) -> dict[str, Any]:
    return {"code": 0, "message": "success", "data": {"total": 1, "merged_by_type": merged}}


def test_pansous_type_keys_are_our_drive_names() -> None:
    # search-api.md section 1.5: baidu, 123, 115 (not baiduPan, pan123, pan115)
    assert tuple(PANSOU_TYPES) == DRIVE_NAMES
    assert set(PANSOU_TYPES.values()) == {"quark", "uc", "baidu", "aliyun", "123", "tianyi", "mobile", "115", "xunlei"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-10T15:30:22Z", datetime(2023, 6, 10, 15, 30, 22, tzinfo=UTC)),
        ("2023-06-10T15:30:22.123456789Z", datetime(2023, 6, 10, 15, 30, 22, 123456, tzinfo=UTC)),  # Go's nanoseconds
        ("2023-06-10T15:30:22.5Z", datetime(2023, 6, 10, 15, 30, 22, 500000, tzinfo=UTC)),
        ("2023-06-10T23:30:22+08:00", datetime(2023, 6, 10, 15, 30, 22, tzinfo=UTC)),
        ("2023-06-10T15:30:22-05:30", datetime(2023, 6, 10, 21, 0, 22, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),  # Go's zero time: PanSou does not know (section 1.6)
        ("0000-01-01T00:00:00Z", None),
        ("2023-13-10T15:30:22Z", None),
        ("2023-06-10T15:30:22+24:00", None),
        ("2023-06-10T15:30:22", None),  # no zone: not RFC 3339
        ("2023-06-10", None),
        ("", None),
        (None, None),
        (1686411022, None),
        ("２０２３-06-10T15:30:22Z", None),  # full-width digits are not digits here
    ],
)
def test_parse_datetime(text: Any, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


def test_dedupe_key_joins_one_share_and_keeps_others_apart() -> None:
    same = ["https://pan.quark.cn/s/abc", "https://pan.quark.cn/s/abc/", "HTTPS://PAN.QUARK.CN/s/abc?pwd=1234"]
    assert len({dedupe_key(u) for u in same}) == 1
    apart = ["https://pan.quark.cn/s/abc", "https://pan.quark.cn/s/ABC", "https://pan.baidu.com/share/init?surl=a",
             "https://pan.baidu.com/share/init?surl=b", "https://pan.quark.cn/s/abc#/list/share/fid1"]
    assert len({dedupe_key(u) for u in apart}) == len(apart)


def test_items_without_a_usable_link_are_passed_over() -> None:
    items = [{"url": u} for u in ("", "javascript:alert(1)", "ftp://x/s/1", "https://", "https://pan.quark.cn/s/a b",
                                  "https://[::1/s/x", "https://pan.quark.cn/s/" + "a" * 3000)]
    items += [None, 3, "https://pan.quark.cn/s/str", {"url": 5}, {"url": "https://pan.quark.cn/s/good", "note": 7, "password": ["x"]}]
    (only,) = candidates(wrapped({"quark": items}), ["quark"])
    assert (only.url, only.note, only.password, only.source, only.datetime) == ("https://pan.quark.cn/s/good", "", "", "", None)


def test_drives_come_in_the_order_asked_each_in_pansous_order() -> None:
    merged = {"baidu": [{"url": "https://pan.baidu.com/s/1b"}], "quark": [{"url": "https://pan.quark.cn/s/q1"},
                                                                        {"url": "https://pan.quark.cn/s/q2"}]}
    found = candidates(wrapped(merged), ["quark", "baidu"])
    assert [(c.drive, c.url[-2:]) for c in found] == [("quark", "q1"), ("quark", "q2"), ("baidu", "1b")]
    assert [c.drive for c in candidates(wrapped(merged), ["baidu"])] == ["baidu"]


@pytest.mark.parametrize("data", [{"total": 0}, {"total": 0, "merged_by_type": {}}, {"total": 3, "results": [{}]}])
def test_no_merged_links_is_no_candidates(data: dict[str, Any]) -> None:
    assert candidates({"code": 0, "message": "success", "data": data}, ["quark"]) == []


@pytest.mark.parametrize("body", [{"code": True, "data": {}}, {"code": "0", "data": {}}, {"data": {}}, {"code": 0, "data": None},
                                  {"error": "未授权：缺少认证令牌", "code": "AUTH_TOKEN_MISSING"}, None, "success", []])
def test_anything_but_the_success_wrapper_is_a_bad_answer(body: Any) -> None:
    with pytest.raises(SearchUnavailable) as caught:
        search_data(body)
    assert caught.value.reason == "bad_answer"


# --- properties ---------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=25,
)
URLS = st.one_of(
    st.sampled_from(["https://pan.quark.cn/s/abc", "https://pan.quark.cn/s/abc?pwd=x1", "http://PAN.quark.cn/s/abc/",
                     "https://pan.baidu.com/s/1ab", "magnet:?xt=urn:btih:1", "https://[::1", "https://x.y/\u202e", ""]),
    st.text(max_size=30),
    st.text(max_size=20).map(lambda s: "https://pan.quark.cn/s/" + s),
)
FIELD = {"url": URLS, "password": JSON | st.text(max_size=8), "note": JSON, "source": JSON,
         "datetime": JSON | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()) | st.just("0001-01-01T00:00:00Z")}
ITEM = st.fixed_dictionaries({}, optional=FIELD) | JSON
TYPE_KEY = st.sampled_from([*PANSOU_TYPES.values(), "others", "magnet", "pikpak"]) | st.text(max_size=6)
MERGED = st.dictionaries(TYPE_KEY, st.lists(ITEM, max_size=6) | JSON, max_size=4) | JSON
BODY = st.one_of(
    JSON,
    st.builds(wrapped, MERGED),
    st.fixed_dictionaries({"code": JSON | st.just(0), "message": JSON, "data": JSON | st.fixed_dictionaries({"merged_by_type": MERGED})}),
)
DRIVES = st.lists(st.sampled_from(DRIVE_NAMES), min_size=1, max_size=4)


@given(BODY, DRIVES)
def test_any_body_is_sound_candidates_or_search_unavailable(body: Any, drives: list[str]) -> None:
    try:
        found = candidates(body, drives)
    except SearchUnavailable as exc:
        assert exc.reason in REASONS and str(exc).strip() and "\n" not in exc.detail
        return
    keys = [dedupe_key(c.url) for c in found]
    assert len(keys) == len(set(keys))  # each share once
    for c in found:
        assert c.drive in drives
        assert c.url.lower().startswith(("http://", "https://")) and c.url == c.url.strip()
        assert all(isinstance(v, str) for v in (c.url, c.password, c.note, c.source))
        assert c.datetime is None or (c.datetime.utcoffset() is not None and c.datetime.year > 1)


@given(st.lists(st.tuples(st.integers(0, 30), st.booleans(), st.text("abc123", min_size=0, max_size=4)), max_size=12))
def test_dedupe_keeps_the_first_of_each_share_in_order(links: list[tuple[int, bool, str]]) -> None:
    items = [{"url": f"https://pan.quark.cn/s/s{n}" + ("/" if slash else "") + (f"?pwd={p}" if p else ""), "note": str(i)}
             for i, (n, slash, p) in enumerate(links)]
    found = candidates(wrapped({"quark": items}), ["quark"])
    firsts: dict[int, int] = {}
    for i, (n, _slash, _p) in enumerate(links):
        firsts.setdefault(n, i)
    assert [c.note for c in found] == [str(i) for i in firsts.values()]
    for c in found:  # the first passcode any copy carried
        n = int(c.url.split("/s/s")[1].split("/")[0].split("?")[0])
        carried = [p for (m, _s, p) in links if m == n and p]
        assert c.password == (carried[0] if carried else "")


@given(st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.timezones()))
def test_a_time_written_as_go_writes_it_reads_back_the_same_instant(moment: datetime) -> None:
    if moment.utcoffset() is None or moment.utcoffset() % timedelta(minutes=1):
        return  # RFC 3339 offsets are whole minutes
    parsed = parse_datetime(moment.isoformat())
    assert parsed is not None and parsed == moment
