"""`quarkctl probe LINK` for every drive (issue 24): the link's host decides the drive, its one check is made
once against the drives simulator, and the report, `--json` and `--record` say what check-links would do.
The language at launch: tests/e2e/test_probe_languages.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import COOKIE_SECRETS, Cli, add_valid, share_url
from helpers.mixed_drives import CHECKED, bases, link, share_id

from quarkctl.simulator import Share, Simulator
from quarkctl.simulator.drives_server import BAIDUID, DrivesSimulator
from quarkctl.simulator.replay import ReplayServer, read_capture

FAST = ["--no-pacing", "--lang", "en"]
PASSCODE = "q7Zx"  # a Baidu passcode in the link: it goes to the drive once, and nowhere else


@pytest.fixture
def dsim(cli: Cli) -> Iterator[DrivesSimulator]:
    with DrivesSimulator() as sim:
        cli.env.update(bases(sim))
        yield sim


def _json(done) -> dict:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def _seed(dsim: DrivesSimulator, drive: str, n: int, state: str, passcode: str = "") -> str:
    text = link(drive, n)
    dsim.add(drive, share_id(text), state, passcode=passcode)
    return text


@pytest.mark.parametrize("drive", CHECKED)
def test_each_drive_alive_is_valid_and_its_seen_dead_answer_would_mark(cli: Cli, dsim: DrivesSimulator, sim: Simulator,
                                                                        drive: str) -> None:
    alive, dead = _seed(dsim, drive, 1, "alive"), _seed(dsim, drive, 2, "dead")
    done = cli.run("probe", alive, dead, *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{drive} {alive}: quarkctl reads it as: valid\n" in done.stdout, done.stdout
    assert f"{drive} {dead}: quarkctl reads it as: expired (" in done.stdout, done.stdout
    assert "check-links would mark it expired" in done.stdout and "check-links would not mark it (valid)" in done.stdout
    assert f"== {drive} " in done.stdout  # each request shown, named by its drive
    doc = _json(cli.run("probe", alive, dead, "--json", *FAST))
    got = {entry["link"]: entry for entry in doc["links"]}
    assert (got[alive]["verdict"], got[alive]["would_mark"]) == ("valid", False)
    assert (got[dead]["verdict"], got[dead]["would_mark"]) == ("expired", True)
    assert {ex["drive"] for ex in doc["exchanges"]} == {drive}
    assert sim.requests() == []  # Quark is not asked at all when no Quark link is given, not even about the account
    # once per link per run (two runs): no retries, no guesses
    asked = [r for r in dsim.requests(drive) if r.share_id in (share_id(alive), share_id(dead))]
    assert len(asked) == 4, asked


def test_a_locked_baidu_link_sends_its_passcode_once_as_stored(cli: Cli, dsim: DrivesSimulator) -> None:
    opened = _seed(dsim, "baidu", 3, "locked", passcode=PASSCODE) + f"?pwd={PASSCODE}"
    bare = _seed(dsim, "baidu", 4, "locked", passcode="ab12")
    doc = _json(cli.run("probe", opened, bare, "--json", *FAST))
    verdicts = [(e["verdict"], e["reason"], e["would_mark"]) for e in doc["links"]]
    assert verdicts == [("valid", "ok", False), ("error", "passcode_state_unknown", False)]
    verify = dsim.requests("baidu", "verify")
    assert [(r.share_id, r.passcode) for r in verify] == [(share_id(opened), PASSCODE)]  # once; none for the bare link
    assert doc["exit_code"] == 0
    assert PASSCODE not in json.dumps(doc)  # --json is something to paste too
    assert "PWD" in doc["links"][0]["link"]


def test_a_locked_uc_link_without_its_passcode_needs_one(cli: Cli, dsim: DrivesSimulator) -> None:
    text = _seed(dsim, "uc", 5, "locked", passcode="k9k9")
    done = cli.run("probe", text, *FAST)
    assert done.returncode == 0, done.stdout
    assert "quarkctl reads it as: needs_passcode (passcode_required:" in done.stdout
    assert "check-links would not mark it (needs_passcode)" in done.stdout


def test_a_code_only_dead_answer_marks_only_when_trusted(cli: Cli, dsim: DrivesSimulator) -> None:
    text = _seed(dsim, "aliyun", 6, "unverified_dead")
    done = cli.run("probe", text, *FAST)
    assert done.returncode == 0, done.stdout
    assert "check-links would leave it alone; with --trust-unverified aliyun it would mark it expired" in done.stdout
    entry = _json(cli.run("probe", text, "--json", *FAST))["links"][0]
    assert (entry["verdict"], entry["reason"], entry["would_mark"], entry["marks_if_trusted"]) == (
        "error", "unverified_share_expired", False, True)


def test_an_answer_no_rule_reads_exits_1_and_asks_for_a_capture(cli: Cli, dsim: DrivesSimulator) -> None:
    text = _seed(dsim, "115", 7, "wrong_shape")
    done = cli.run("probe", text, *FAST)
    assert done.returncode == 1, done.stdout
    assert 'please send a capture (--record), as README.md, section "How to contribute a capture" describes' in done.stdout
    assert _json(cli.run("probe", text, "--json", *FAST))["links"][0]["understood"] is False


def test_a_drive_that_never_answers_exits_4(cli: Cli) -> None:
    """conftest points every drive at a closed port: no answer at all is exit 4, as for Quark."""
    doc = _json(cli.run("probe", link("tianyi", 8), "--json", *FAST))
    assert doc["exit_code"] == 4
    assert doc["exchanges"][0]["reply"]["transport_error"] == "connection_error"
    assert doc["links"][0]["verdict"] == "error"
    text = cli.run("probe", link("tianyi", 8), *FAST).stdout
    assert "Tianyi (189) could not be reached (exit 4): check the network, the proxy and QUARKCTL_API_BASE_<KEY>." in text, text
    assert "Quark could not be reached" not in text  # Quark was not asked at all


def test_xunlei_is_not_checked_and_asks_nothing(cli: Cli, dsim: DrivesSimulator) -> None:
    text = link("xunlei", 9)
    done = cli.run("probe", text, *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"xunlei {text}: not checked: unsupported (this drive's links cannot be checked without an account" in done.stdout
    assert dsim.requests() == []
    entry = _json(cli.run("probe", text, "--json", *FAST))["links"][0]
    assert (entry["checked"], entry["verdict"], entry["reason"], entry["requests"]) == (False, "skipped", "unsupported_drive", 0)


def test_a_link_no_drive_claims_is_one_line_and_exit_2(cli: Cli) -> None:
    done = cli.run("probe", "https://example.com/s/abcdefgh", *FAST)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "not a share link of any drive quarkctl knows (pan.quark.cn/s/…, drive.uc.cn/s/…, pan.baidu.com/s/1…" in done.stderr


def test_the_json_document_holds_quark_and_the_drives_side_by_side(cli: Cli, sim: Simulator, dsim: DrivesSimulator) -> None:
    add_valid(sim, "acc30a3cf8d4")
    text = _seed(dsim, "123", 10, "alive")
    doc = _json(cli.run("probe", share_url("acc30a3cf8d4"), text, "--json", *FAST))
    assert set(doc) == {"quarkctl_version", "exit_code", "interrupted", "endpoints", "capture", "report_to", "exchanges", "links"}
    assert doc["exit_code"] == 0 and set(doc["endpoints"]) >= {"account", "token", "detail"}  # Quark compared as before
    assert [e["drive"] for e in doc["exchanges"]][-1] == "123" and {e["drive"] for e in doc["exchanges"]} == {"quark", "123"}
    drive_ex = doc["exchanges"][-1]
    assert drive_ex["request"]["host"] == "www.123pan.com" and drive_ex["request"]["path"] == "/b/api/share/get"
    assert drive_ex["request"]["sent_to"] == dsim.base_url and drive_ex["reply"]["status"] == 200
    assert set(doc["links"][0]) == {"drive", "link", "checked", "verdict", "reason", "http_status", "api_code", "message",
                                    "requests", "would_mark", "marks_if_trusted", "understood"}


def test_the_capture_masks_passcodes_cookies_and_names_and_quark_still_replays(cli: Cli, sim: Simulator, dsim: DrivesSimulator,
                                                                              tmp_path: Path) -> None:
    sim.add_share(Share(pwd_id="acc30a3cf8d4", title="电影A", files=["a.mp4"]))  # a title that is not its pwd_id: names masked
    baidu = _seed(dsim, "baidu", 11, "locked", passcode=PASSCODE) + f"?pwd={PASSCODE}"
    aliyun = _seed(dsim, "aliyun", 12, "alive")
    dead = _seed(dsim, "baidu", 13, "dead")  # its answer names the sharer: "uk": 1099515023543
    capture = tmp_path / "baidu.json"
    done = cli.run("probe", share_url("acc30a3cf8d4"), baidu, aliyun, dead, "--record", str(capture), "--redact-names", *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    text = capture.read_text("utf-8")
    for secret in (PASSCODE, BAIDUID, "1099515023543", *COOKIE_SECRETS):
        assert secret not in text, secret
        assert secret not in done.stdout, secret
    assert "示例" not in text and "电影A" not in text  # Aliyun's share_name and file_name, Quark's title (--redact-names)
    assert "How to contribute a capture" in done.stdout
    recorded = read_capture(capture)
    drives = [ex["drive"] for ex in recorded["exchanges"]]
    assert drives.count("baidu") == 5 and drives.count("aliyun") == 1 and "quark" in drives  # home, info, verify; home, info
    verify = next(ex for ex in recorded["exchanges"] if ex["endpoint"] == "verify")
    assert verify["request"]["body"]["pwd"] != PASSCODE and len(verify["request"]["body"]["pwd"]) == len(PASSCODE)
    assert [(e["drive"], e["verdict"]) for e in recorded["links"]] == [("baidu", "valid"), ("aliyun", "valid"), ("baidu", "expired")]
    with ReplayServer(recorded) as replay:  # the same file still replays Quark's part
        again = cli.run("probe", share_url("acc30a3cf8d4"), "--json", *FAST, env={"QUARK_API_BASE": replay.base_url})
        assert replay.replay.gaps == []
    assert _json(again)["exit_code"] == 0
