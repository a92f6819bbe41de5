"""Notifications end to end where the process matters: the language, chosen at launch. The rest run
in process: tests/unit/commands/test_notify.py."""

from __future__ import annotations

import pytest
from conftest import Cli, share_url
from helpers.loopback import Receiver

from quarkctl.simulator import Share, Simulator
from unit.commands.test_notify import FAST, json_url


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def test_chinese_notification_with_a_fixed_title(sqlite_cli: Cli, sim: Simulator, receiver: Receiver) -> None:
    """In Chinese the body reads Chinese; QUARKCTL_NOTIFY_TITLE keeps the title a mail filter matches."""
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    sqlite_cli.db.seed([{"drama_name": "死链接", "link": share_url("dead00000001")}])  # type: ignore[attr-defined]
    proc = sqlite_cli.run("--lang", "zh_CN", "check-links", *FAST, "--notify", json_url(receiver),
                          env={"QUARKCTL_NOTIFY_TITLE": "[links] nightly"})
    assert proc.returncode == 0, proc.stderr
    message = receiver.requests[0].json()
    assert message["title"] == "[links] nightly"
    assert "失效" in message["message"] and f"- 死链接 {share_url('dead00000001')}" in message["message"]
    assert "newly" not in message["message"]
