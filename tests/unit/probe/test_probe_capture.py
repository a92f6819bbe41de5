"""quarkctl.probe: the comparison, redaction, capture format and capture -> samples (issue 14)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from quarkctl.runtime.pacing import Pacer, PacingPolicy
from quarkctl.probe import samples
from quarkctl.probe.capture import build_capture
from quarkctl.probe.compare import compare, shape_diff
from quarkctl.probe.run import run_probe
from quarkctl.probe.tosamples import merge_into, to_samples
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.links import parse_share_url
from quarkctl.simulator import Share, Simulator
from quarkctl.simulator.replay import ReplayServer
from quarkctl.simulator.reshape import Reshape

REPLIES = Path(os.environ.get("QUARKCTL_REPLIES") or Path(__file__).parents[2] / "samples" / "quark-replies.json")
CAPTURES = Path(__file__).parents[2] / "captures"
COOKIE = "__uid=probe-uid-77; __puus=KnownPuusSecretValue; kps=KnownKpsSecret; sign=KnownSignSecret; vcode=KnownVcode99"
LINK = "https://pan.quark.cn/s/acc30a3cf8d4"


def _probe(base: str, record: Path | None = None):
    with QuarkClient(cookie=COOKIE, api_base=base, timeout=5) as client:
        return run_probe(client, cookie=COOKIE, links=[(LINK, parse_share_url(LINK))],
                         pacer=Pacer(PacingPolicy.off(), lambda s: True), record=record)  # fmt: skip


def test_the_shipped_expected_shapes_are_in_step_with_the_samples() -> None:
    """Rebuild with: python -m quarkctl.probe.samples tests/samples/quark-replies.json"""
    assert samples.load() == samples.build(json.loads(REPLIES.read_text("utf-8")))


def test_shape_differences_name_the_key() -> None:
    assert shape_diff({"data": {"a": 1, "b": ""}}, {"data": {"a": 2, "b": "x"}}) == []
    assert shape_diff({"data": {"a": 1}}, {"data": {}}) == ["$.data.a: key missing"]
    assert shape_diff({"data": {"a": 1}}, {"data": {"a": 1, "z": True}}) == ["$.data.z: new key"]
    assert shape_diff({"data": {"a": 1}}, {"data": {"a": "1"}}) == ["$.data.a: type changed (number expected, string received)"]
    folder, file = {"dir": True, "file_type": 0, "n": 1}, {"dir": False, "file_type": 1, "fps": 0.0}
    assert shape_diff({"list": [folder, file]}, {"list": [{**file, "fps": 1}]}) == []  # a page of files only
    assert shape_diff({"list": [file]}, {"list": []}) == []  # an empty page: nothing to compare
    video = {**file, "obj_category": "video", "video_width": 1920}
    image = {**file, "obj_category": "image", "thumbnail": ""}
    # An image where the samples show only a video: its own keys, so only the shared keys' types count.
    assert shape_diff({"list": [folder, video]}, {"list": [image]}) == []
    assert shape_diff({"list": [folder, video]}, {"list": [{**image, "fps": "0"}]}) == [
        "$.list[0].fps: type changed (number expected, string received)"]
    # A video is still held to the video sample.
    assert shape_diff({"list": [folder, video]}, {"list": [{**file, "obj_category": "video"}]}) == ["$.list[0].video_width: key missing"]
    # The contract's rule for the simulator (cover=True) demands every kind the sample shows.
    assert shape_diff({"list": [folder, file]}, {"list": [file]}, cover=True) == ["$.list[0]: no element of that kind received"]
    assert shape_diff({"code": 0, "message": ""}, {"code": 0}, extras=frozenset({"message"})) == []
    assert shape_diff({"code": 0, "message": ""}, {"code": 0}, extras=frozenset({"message"}), cover=True) == ["$.message: key missing"]


def test_compare_unknown_code_and_not_json() -> None:
    expected = samples.load()
    odd = compare("token", 404, {"status": 404, "code": 49999, "message": "新"}, known_code=False, expected=expected)
    assert not odd.expected and odd.differences[0].startswith("unknown code 49999")
    html = compare("token", 502, None, known_code=True, expected=expected, snippet="<html>", content_type="text/html")
    assert not html.expected and html.differences == ["not JSON (HTTP 502, text/html): <html>"]
    dead = compare("token", 404, {"status": 404, "code": 41006, "message": "分享不存在", "req_id": "r"}, known_code=True, expected=expected)
    assert dead.expected, dead


def test_a_capture_holds_no_secret_byte_for_byte_and_still_replays(tmp_path: Path) -> None:
    share = Share(pwd_id="acc30a3cf8d4", title="电影A", files=[{"name": "S01", "children": ["e1.mkv"]}, "a.mp4"])
    capture_path = tmp_path / "capture.json"
    with Simulator(cookies=[COOKIE], shares=[share], drive=["/追更/"]) as sim:
        report = _probe(sim.base_url, capture_path)
        stokens = list(sim._stokens)  # what the simulator issued
        nickname = "sim-user"
    assert report.exit_code == 0 and len(stokens) == 1
    raw = capture_path.read_bytes()
    secrets = [COOKIE, *[p.split("=", 1)[1] for p in COOKIE.split("; ")], stokens[0], nickname]
    for secret in secrets:
        assert secret.encode() not in raw, secret
    capture = json.loads(raw)
    assert capture["format"] == "quarkctl-capture" and capture["quarkctl_version"] and capture["recorded_at"]
    token = next(ex for ex in capture["exchanges"] if ex["endpoint"] == "token")
    detail = next(ex for ex in capture["exchanges"] if ex["endpoint"] == "detail")
    placeholder = token["reply"]["body"]["data"]["stoken"]
    assert len(placeholder) == len(stokens[0]) and detail["request"]["query"]["stoken"] == placeholder  # consistent
    assert "电影A" in raw.decode() and "acc30a3cf8d4" in raw.decode()  # the share's own names and id stay
    with ReplayServer(capture) as replay:
        again = _probe(replay.base_url)
        assert replay.replay.gaps == []
    assert [(ex.endpoint, ex.outcome) for ex in again.exchanges] == [(ex.endpoint, ex.outcome) for ex in report.exchanges]
    assert again.exit_code == 0


def test_redact_names_replaces_the_share_names(tmp_path: Path) -> None:
    share = Share(pwd_id="acc30a3cf8d4", title="电影A", files=["秘密文件.mp4"])
    with Simulator(cookies=[COOKIE], shares=[share]) as sim:
        report = _probe(sim.base_url)
    text = json.dumps(build_capture(report.exchanges, cookie=COOKIE, redact_names=True), ensure_ascii=False)
    assert "秘密文件" not in text and "电影A" not in text and "acc30a3cf8d4" in text


def test_a_replayed_detail_needs_a_stoken_the_capture_issued() -> None:
    capture = json.loads((CAPTURES / "alive_share.json").read_text("utf-8"))
    with ReplayServer(capture) as replay, QuarkClient(api_base=replay.base_url, timeout=5) as client:
        assert client.share_detail("abcdef123456", "made-up-stoken").code == 41016
        stoken = client.share_token("abcdef123456").data["stoken"]
        assert client.share_detail("abcdef123456", stoken).code == 0


def test_capture_to_samples_speaks_the_contract_tests_cases(tmp_path: Path) -> None:
    capture = json.loads((CAPTURES / "account.json").read_text("utf-8"))
    new = to_samples(capture)
    assert new["share_token"][0]["case"].startswith("alive") and new["share_token"][0]["kind"] == "captured"
    assert new["account_info"][0]["case"].startswith("good cookie")
    dead = to_samples(json.loads((CAPTURES / "dead_share.json").read_text("utf-8")))
    assert dead["share_token"][0]["case"].startswith("dead: share_not_found (41006)")
    target = tmp_path / "replies.json"
    target.write_text(json.dumps({"_meta": {}, "share_token": []}), "utf-8")
    assert merge_into(target, new) == sum(len(v) for v in new.values()) - 1  # two detail pages, one body
    assert merge_into(target, new) == 0  # already there


def test_reshape_drops_or_renames_one_key() -> None:
    assert Reshape("token", drop="data.title").apply({"data": {"title": "t", "x": 1}}) == {"data": {"x": 1}}
    assert Reshape("token", rename="data.stoken", to="st").apply({"data": {"stoken": "s"}}) == {"data": {"st": "s"}}
    with pytest.raises(ValueError):
        Reshape("token")


def test_the_samples_command_appends_a_capture_and_refuses_another_file(tmp_path: Path, capsys) -> None:
    """`python -m quarkctl.probe.tosamples CAPTURE --into SAMPLES` (it was the simulator's
    --capture-to-samples: the simulator now depends on no product feature, issue 22)."""
    from quarkctl.probe import tosamples

    samples = tmp_path / "quark-replies.json"
    samples.write_text('{"share_token": []}', "utf-8")
    capture = Path(__file__).parents[2] / "captures" / "alive_share.json"
    assert tosamples.main([str(capture), "--into", str(samples)]) == 0
    assert json.loads(samples.read_text("utf-8"))["share_token"]
    assert tosamples.main([str(samples)]) == 2 and "not a quarkctl capture" in capsys.readouterr().err
