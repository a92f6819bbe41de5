"""A dead code marks a row only as its evidence spelled it (an attacker's review of issue 24): with the HTTP
status the drive's dead samples came with (drives-replies.json) and a JSON media type, as Quark's rule
(quark/verdict.py DEAD_STATUSES) reads Quark's. Each drive's dead answer with another status, or as text/plain,
is `error`, trusted or not; 115's two spellings count only whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from quarkctl.providers.evidence import Evidence, Rule
from quarkctl.quark.verdict import Verdict
from quarkctl.simulator.drives_server import DrivesSimulator
from tests.unit.providers.test_drive_checks import LINKS, check

E, X = Verdict.ERROR, Verdict.EXPIRED
UC_DEAD = {"status": 404, "code": 41006, "message": "分享不存在"}
# (drive, the body, the status its evidence has, statuses it never came with)
DEAD = [
    ("uc", UC_DEAD, 404, [200, 401, 403, 407, 410]),
    ("uc", {"code": 41012, "message": "好友已取消了分享"}, 404, [200, 400, 401, 407]),
    ("uc", {"status": 403, "code": 41027, "message": "分享不存在"}, 403, [200, 404, 407]),
    ("aliyun", {"code": "NotFound.ShareLink", "message": "x"}, 404, [400, 401, 403, 407]),
    ("aliyun", {"code": "ShareLink.Cancelled", "message": "x"}, 400, [401, 404, 407]),
    ("123", {"code": 5103, "message": "此分享不存在"}, 200, [201, 400, 401, 403, 404, 407]),
    ("tianyi", {"res_code": "FileNotFound"}, 400, [200, 401, 404, 407]),
    ("tianyi", {"res_code": "ShareNotFound"}, 400, [200, 403]),
    ("115", {"state": False, "error": "分享已取消", "errno": 4100010}, 200, [400, 404, 407]),
    ("mobile", {"code": "200000727", "desc": "外链不存在/外链被分享者取消", "success": False, "data": None}, 200, [400, 407]),
]


@pytest.fixture
def dsim() -> Iterator[DrivesSimulator]:
    with DrivesSimulator() as sim:
        yield sim


def _serve(sim: DrivesSimulator, drive: str, status: int, body: Any, content_type: str | None = None) -> str:
    text, share_id, _ = LINKS[drive]
    endpoint = {"uc": "token", "115": "snap"}.get(drive, "share")
    sim.serve(drive, share_id, endpoint, status, body, content_type)
    return text


@pytest.mark.parametrize(("drive", "body", "seen", "others"), DEAD, ids=lambda v: str(v)[:20])
def test_a_dead_code_marks_only_with_its_seen_status(dsim: DrivesSimulator, drive: str, body: dict[str, Any], seen: int,
                                                     others: list[int]) -> None:
    assert check(dsim, _serve(dsim, drive, seen, body)).verdict is X  # the evidence's own spelling still marks
    for status in others:
        got = check(dsim, _serve(dsim, drive, status, body), trusted=frozenset({drive}))
        assert (got.verdict, got.reason) == (E, "unexpected_response"), (status, got)


@pytest.mark.parametrize(("drive", "body", "seen", "others"), DEAD, ids=lambda v: str(v)[:20])
@pytest.mark.parametrize("kind", ["text/plain", "text/plain; charset=utf-8", "application/octet-stream", "text/plain; x=json"])
def test_a_dead_code_marks_only_as_json(dsim: DrivesSimulator, drive: str, body: dict[str, Any], seen: int, others: list[int],
                                        kind: str) -> None:
    got = check(dsim, _serve(dsim, drive, seen, body, kind))
    assert got.verdict is E, got
    assert check(dsim, _serve(dsim, drive, seen, body, "application/json; charset=utf-8")).verdict is X


def test_uc_dead_code_whose_body_status_disagrees_is_no_dead_answer(dsim: DrivesSimulator) -> None:
    got = check(dsim, _serve(dsim, "uc", 404, {**UC_DEAD, "status": 200}))
    assert (got.verdict, got.reason) == (E, "unexpected_response")


@pytest.mark.parametrize(("drive", "status", "body"), [
    ("123", 403, {"code": 0, "message": "ok", "data": {"Expired": True}}),  # the code-only dead answer, trusted
    ("uc", 401, {"status": 401, "code": 41004, "message": "文件不存在"}),
    ("uc", 200, {"code": 41004, "message": "文件不存在"}),
    ("aliyun", 407, {"code": "ShareLink.Expired", "message": "x"}),
    ("tianyi", 200, {"res_code": "ShareExpiredError"}),
])
def test_trusting_a_drive_never_trusts_a_status_nobody_saw(dsim: DrivesSimulator, drive: str, status: int,
                                                           body: dict[str, Any]) -> None:
    got = check(dsim, _serve(dsim, drive, status, body), trusted=frozenset({drive}))
    assert got.verdict is E, got


@pytest.mark.parametrize("body", [
    {"state": True, "errno": 0, "data": "x", "share_state": 7},  # the review's: 115's own keys, the flat share_state
    {"state": True, "errno": 0, "share_state": 7},
    {"state": True, "api_state": True, "api_errno": 0, "share_state": 7},
    {"api_state": True, "api_errno": 0, "share_state": 7, "data": {"shareinfo": {"share_state": 7}}},
    {"state": True, "errno": 0, "data": {"share_state": 7}},
])
def test_115_reads_only_its_two_documented_shapes(dsim: DrivesSimulator, body: dict[str, Any]) -> None:
    got = check(dsim, _serve(dsim, "115", 200, body))
    assert (got.verdict, got.reason) == (E, "unexpected_response"), got


@pytest.mark.parametrize("body", [
    {"state": True, "error": "", "errno": 0, "data": {"shareinfo": {"share_state": 7, "forbid_reason": "链接已过期"}}},
    {"api_errno": 0, "api_state": True, "forbid_reason": "链接已过期", "share_state": 7, "share_state_label": "expired"},
])
def test_115_both_documented_shapes_still_mark(dsim: DrivesSimulator, body: dict[str, Any]) -> None:
    assert check(dsim, _serve(dsim, "115", 200, body)).verdict is X


def test_a_dead_rule_must_name_its_statuses() -> None:
    with pytest.raises(ValueError, match="HTTP statuses"):
        Rule(X, "share_not_found", Evidence.SEEN)


def test_115_violation_words_count_only_exactly(dsim: DrivesSimulator) -> None:
    trusted = frozenset({"115"})
    words = "分享的文件涉嫌违规，链接已失效"
    assert check(dsim, _serve(dsim, "115", 200, {"state": False, "errno": 4100009, "error": words}), trusted).verdict is X
    for other in (words + " (but this is a login page)", "请登录：" + words):
        got = check(dsim, _serve(dsim, "115", 200, {"state": False, "errno": 4100009, "error": other}), trusted)
        assert got.verdict is E, got
