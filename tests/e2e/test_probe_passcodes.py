"""A probe capture is sent to us: a share's passcode stays with its owner (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli, add_valid, share_url
from quarkctl.simulator import Simulator

FAST = ("--no-pacing", "--timeout", "5")


def test_a_capture_keeps_no_passcode(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    add_valid(sim, "10cced123456", passcode="zq7w")
    capture = tmp_path / "cap.json"
    done = cli.run("probe", share_url("10cced123456", "zq7w"), "--record", str(capture), *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    text = capture.read_text("utf-8")
    assert "zq7w" not in text
    recorded = json.loads(text)
    token = next(ex for ex in recorded["exchanges"] if ex["endpoint"] == "token")
    assert token["request"]["body"]["passcode"].startswith("PWD")  # in the request body and, scrubbed, in the link
    assert recorded["redacted"]["placeholders"].get("PWD") == 1
    assert (capture.stat().st_mode & 0o077) == 0  # the owner's until they send it

