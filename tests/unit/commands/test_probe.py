"""`quarkctl probe` through the installed command: against the simulator, a reshaped simulator, and
every capture of tests/captures/ replayed (issue 14)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from conftest import COOKIE, Cli, add_valid, share_url

from quarkctl.simulator import Fault, Share, Simulator
from quarkctl.simulator.replay import ReplayServer

CAPTURES = Path(__file__).resolve().parents[2] / "captures"
NAMES = sorted(p.name[: -len(".expect.json")] for p in CAPTURES.glob("*.expect.json"))
FAST = ["--no-pacing", "--lang", "en"]


def test_probe_against_the_simulator_is_as_expected_for_every_endpoint(cli: Cli, sim: Simulator) -> None:
    add_valid(sim, "acc30a3cf8d4")
    done = cli.run("probe", share_url("acc30a3cf8d4"), *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = [line for line in done.stdout.splitlines() if line and not line.startswith((" ", "=="))]
    assert {line.split(":")[0] for line in summary} >= {"account", "path_list", "token", "detail"}
    assert all(": as expected" in line for line in summary), summary
    assert "DIFFERENT" not in done.stdout


def test_a_share_with_folders_videos_and_an_image_is_as_expected(cli: Cli, sim: Simulator) -> None:
    """The samples show a folder and a video; an image (no video keys) is not a difference."""
    sim.add_share(Share(pwd_id="5bdd18e537b6", title="剧集B", files=[
        {"name": "S01", "children": ["E01.mkv", {"name": "字幕", "children": ["E01.ass"]}]}, "海报.jpg", "说明.txt"]))  # fmt: skip
    done = cli.run("probe", share_url("5bdd18e537b6"), *FAST)
    assert done.returncode == 0, done.stdout
    assert "DIFFERENT" not in done.stdout and "detail: as expected, calls: 2" in done.stdout


def test_a_rejected_cookie_says_why_it_exits_3(cli: Cli, sim: Simulator) -> None:
    done = cli.run("probe", *FAST, env={"QUARK_COOKIE": "__uid=nobody; __puus=NotKnownHere"})
    assert done.returncode == 3, done.stdout
    assert done.stdout.rstrip().endswith("Quark rejected the cookie (exit 3): put a fresh one in QUARK_COOKIE, or probe with --anonymous.")
    assert "NotKnownHere" not in done.stdout


def test_a_reshaped_reply_is_different_named_and_replays_exactly(cli: Cli, tmp_path: Path) -> None:
    """A scenario option drops one key of the token answer: DIFFERENT names it, exit 1, and the
    capture replays that very reply."""
    scenario = {"cookies": [COOKIE], "shares": [{"pwd_id": "acc30a3cf8d4", "title": "电影A", "files": ["a.mp4"]}],
                "reshape": [{"endpoint": "token", "drop": "data.title"}]}  # fmt: skip
    capture = tmp_path / "cap.json"
    with Simulator.from_scenario(scenario) as sim:
        done = cli.run("probe", share_url("acc30a3cf8d4"), "--record", str(capture), *FAST, env={"QUARK_API_BASE": sim.base_url})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "DIFFERENT: $.data.title: key missing" in done.stdout
    assert "token: DIFFERENT" in done.stdout
    recorded = json.loads(capture.read_text("utf-8"))
    token = next(ex for ex in recorded["exchanges"] if ex["endpoint"] == "token")
    assert "title" not in token["reply"]["body"]["data"]
    with ReplayServer(recorded) as replay:
        again = cli.run("probe", share_url("acc30a3cf8d4"), "--json", *FAST, env={"QUARK_API_BASE": replay.base_url})
    assert again.returncode == 1, again.stdout + again.stderr
    doc = json.loads(again.stdout)
    replayed = next(ex for ex in doc["exchanges"] if ex["endpoint"] == "token")
    assert replayed["reply"]["body"] == token["reply"]["body"]  # the same reply, byte for byte as JSON
    assert replayed["comparison"]["differences"] == ["$.data.title: key missing"]


LIVE_2026 = "alive, 2026-02 full body (url_type present)"  # quark-replies.json share_token[12], captured
LIVE_2025 = "alive (no passcode needed, or correct passcode)"  # share_token[0], captured before url_type


def _token_exchanges(done) -> list[dict]:
    return [ex for ex in json.loads(done.stdout)["exchanges"] if ex["endpoint"] == "token"]


def test_a_2026_shaped_token_reply_is_as_expected(cli: Cli, sim: Simulator) -> None:
    """Issue 21 item 6: live token replies carry data.url_type and larger metadata groups (share_token[12],
    [13]); the simulator answers so, and probe finds no difference, for a public and a passcode share."""
    add_valid(sim, "acc30a3cf8d4")
    add_valid(sim, "10cced123456", passcode="ab12")
    done = cli.run("probe", share_url("acc30a3cf8d4"), share_url("10cced123456", "ab12"), "--json", *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    tokens = _token_exchanges(done)
    assert [ex["reply"]["body"]["data"]["url_type"] for ex in tokens] == [1, 2]
    assert all("_s_goback_auto_save" in ex["reply"]["body"]["metadata"]["_t_group"] for ex in tokens)  # share_token[13]'s groups
    assert [ex["comparison"] for ex in tokens] == [{"as_expected": True, "differences": [], "sample": LIVE_2026, "note": None}] * 2
    text = cli.run("probe", share_url("acc30a3cf8d4"), *FAST)
    assert text.returncode == 0 and "token: as expected" in text.stdout and "DIFFERENT" not in text.stdout, text.stdout


def test_a_token_reply_without_url_type_is_as_expected_too(cli: Cli) -> None:
    """url_type is optional in the expected shape (probe/compare.py OPTIONAL_KEYS): the captures before 2026
    lack it, so a reply without it is held to those (share_token[0]) and probe still exits 0."""
    scenario = {"cookies": [COOKIE], "shares": [{"pwd_id": "acc30a3cf8d4", "title": "电影A", "files": ["a.mp4"]}],
                "reshape": [{"endpoint": "token", "drop": "data.url_type"}]}  # fmt: skip
    with Simulator.from_scenario(scenario) as sim:
        done = cli.run("probe", share_url("acc30a3cf8d4"), "--json", *FAST, env={"QUARK_API_BASE": sim.base_url})
    assert done.returncode == 0, done.stdout + done.stderr
    (token,) = _token_exchanges(done)
    assert "url_type" not in token["reply"]["body"]["data"]
    assert token["comparison"] == {"as_expected": True, "differences": [], "sample": LIVE_2025, "note": None}


@pytest.mark.parametrize("name", NAMES)
def test_each_capture_replays_to_its_stated_verdicts(sqlite_cli: Cli, name: str) -> None:
    expect = json.loads((CAPTURES / f"{name}.expect.json").read_text("utf-8"))
    capture = json.loads((CAPTURES / f"{name}.json").read_text("utf-8"))
    env = {"QUARK_COOKIE": expect["replay_cookie"] or ""}
    anonymous = [] if expect["replay_cookie"] else ["--anonymous"]
    with ReplayServer(capture) as replay:
        env["QUARK_API_BASE"] = replay.base_url
        done = sqlite_cli.run("probe", *expect["links"], "--json", *anonymous, *FAST, env=env)
        assert done.returncode == expect["probe_exit"], done.stdout + done.stderr
        doc = json.loads(done.stdout)
        outcomes: dict[str, list[str]] = {}
        for ex in doc["exchanges"]:
            outcomes.setdefault(ex["endpoint"], []).append(ex["outcome"])
        assert outcomes == expect["outcomes"]
        assert replay.replay.gaps == []
        ids = sqlite_cli.db.seed([{"drama_name": f"r{i}", "link": link} for i, link in enumerate(expect["check_links"])])  # type: ignore[attr-defined]
        checked = sqlite_cli.run("check-links", *anonymous, *FAST, "--retry-backoff", "0", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for rid, verdict in zip(ids, expect["check_links"].values()):
        got = sqlite_cli.db.scalar(f"SELECT verdict FROM quarkctl_check WHERE resource_id = {rid}")  # type: ignore[attr-defined]
        assert got == verdict, (name, rid, got)


def test_a_request_the_capture_does_not_hold_is_a_clear_404(cli: Cli) -> None:
    capture = json.loads((CAPTURES / "dead_share.json").read_text("utf-8"))
    with ReplayServer(capture) as replay:
        done = cli.run("probe", share_url("000000abcdef"), "--anonymous", "--json", *FAST, env={"QUARK_API_BASE": replay.base_url})
        assert replay.replay.gaps == [{"method": "POST", "path": "/1/clouddrive/share/sharepage/token", "pwd_id": "000000abcdef",
                                       "pdir_fid": "0", "_page": "1"}]  # fmt: skip
    assert done.returncode == 1
    token = json.loads(done.stdout)["exchanges"][0]
    assert token["reply"]["status"] == 404 and "000000abcdef" in token["reply"]["body"]["message"]


def test_probe_bad_link_is_a_usage_error(cli: Cli) -> None:
    done = cli.run("probe", "https://example.com/x", *FAST)
    assert done.returncode == 2 and "not a share link of any drive" in done.stderr and "Traceback" not in done.stderr


# -- doctor suggests the probe (issue 14) ------------------------------------------------------------


def _doctor(cli: Cli) -> dict[str, dict]:
    done = cli.run("doctor", "--json", "--lang", "en")
    assert "Traceback" not in done.stderr, done.stderr
    document = json.loads(done.stdout)
    return {f["name"]: f for f in document["checks"]}


def test_doctor_suggests_the_probe_when_the_account_answer_cannot_be_read(sqlite_cli: Cli, sim: Simulator) -> None:
    assert "probe" not in _doctor(sqlite_cli)  # a cookie Quark accepts: nothing to probe
    new_shape = {"status": 200, "code": 0, "message": "ok", "data": {"profile": {"nick": "x"}}}  # no member type, no nickname
    sim.account_faults.append(Fault("body", endpoint="account", body=new_shape))
    sim.add_drive_fault(Fault("code", endpoint="path_list", code=49999, status=400, message="新的错误"))  # nor the drive
    checks = _doctor(sqlite_cli)
    assert checks["cookie"]["status"] == "warn"
    assert checks["probe"]["status"] == "warn" and "account check" in checks["probe"]["message"]
    assert "quarkctl probe --record" in checks["probe"]["fix"] and "Reporting a Quark change" in checks["probe"]["fix"]


def test_doctor_does_not_suggest_the_probe_when_quark_is_unreachable(sqlite_cli: Cli) -> None:
    """An inconclusive account check after a network fault is the quark line's to report."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: connections are refused
    checks = _doctor_at(sqlite_cli, f"http://127.0.0.1:{port}")
    assert checks["quark"]["status"] == "fail" and checks["cookie"]["status"] == "warn"
    assert "probe" not in checks


def _doctor_at(cli: Cli, base: str) -> dict[str, dict]:
    done = cli.run("doctor", "--json", "--lang", "en", env={"QUARK_API_BASE": base})
    return {f["name"]: f for f in json.loads(done.stdout)["checks"]}


def test_doctor_suggests_the_probe_after_a_run_that_saw_an_unknown_code(sqlite_cli: Cli, sim: Simulator) -> None:
    add_valid(sim, "good00000001")
    add_valid(sim, "odd000000001")
    sim.add_fault("odd000000001", Fault("code", endpoint="token", code=49999, status=400, message="新的错误"))
    db = sqlite_cli.db  # type: ignore[attr-defined]
    db.seed([{"drama_name": "好", "link": share_url("good00000001")}])
    assert sqlite_cli.run("check-links", *FAST, "--retry-backoff", "0").returncode == 0
    assert "probe" not in _doctor(sqlite_cli)  # the last run knew every answer
    db.seed([{"drama_name": "怪", "link": share_url("odd000000001")}])
    sqlite_cli.run("check-links", *FAST, "--retry-backoff", "0")
    assert db.scalar("SELECT COUNT(*) FROM quarkctl_check WHERE reason = 'unknown_code'") == 1
    probe = _doctor(sqlite_cli)["probe"]
    assert probe["status"] == "warn" and "codes 49999" in probe["message"] and "run 2 " in probe["message"]
    assert "quarkctl probe --record" in probe["fix"]
