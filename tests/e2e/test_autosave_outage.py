"""A network outage in autosave is not a rejected cookie (issue 23): Quark not answering the account check is
exit 4 with a line that says so; a cookie Quark refuses stays exit 3. Through the installed command."""

from __future__ import annotations

import json
import socket

from conftest import Cli, share_url
from quarkctl.simulator import Simulator


def config(cli: Cli, cookie: str) -> str:
    path = cli.home / "quark_config.json"
    path.write_text(json.dumps({"cookie": cookie, "tasklist": [
        {"taskname": "A", "shareurl": share_url("abcdef123456"), "savepath": "/A"}]}), encoding="utf-8")
    return str(path)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_quark_unreachable_is_exit_4_not_a_rejected_cookie(cli: Cli) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    done = cli.run("autosave", "--config", config(cli, "__uid=u1; __puus=abcdefgh12345"), "--no-pacing", "--retry-backoff", "0",
                   "--json", env={"QUARK_API_BASE": base})
    assert done.returncode == 4, done.stderr
    doc = json.loads(done.stdout)
    assert doc["aborted"] == "account_unreachable" and doc["exit_code"] == 4
    text = cli.run("autosave", "--config", config(cli, "__uid=u1; __puus=abcdefgh12345"), "--no-pacing", "--retry-backoff", "0",
                   env={"QUARK_API_BASE": base})
    assert "Quark did not answer the account check" in text.stdout and "rejected" not in text.stdout


def test_a_refused_cookie_stays_exit_3(cli: Cli, sim: Simulator) -> None:
    done = cli.run("autosave", "--config", config(cli, "__uid=nobody; __puus=NotKnownHere1"), "--no-pacing", "--json")
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["aborted"] == "no_account"
