"""Hostile input through the installed command (issue 15, item 5): a few of the cases the fuzz tests
(tests/unit/**/test_fuzz_*.py) found, as a user meets them. Never exit 70, never a traceback, one
`Error:` line naming what is wrong; hostile Quark answers leave the link unmarked.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import COOKIE_SECRETS, Cli, share_url
from helpers.loopback import Receiver

DEEP = "[" * 100_000
HUGE_NUMBER = "1" * 5000


def one_error_line(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        assert all(secret not in stream for secret in COOKIE_SECRETS)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.mark.parametrize(("option", "value"), [
    ("--max-age", "²d"),
    ("--max-age", "9" * 30 + "d"),
    ("--shard", "1/" + "9" * 5000),
    ("--shard", "٣/٥"),
    ("--until", "²:00"),
    ("--max-runtime", "9" * 30 + "s"),
])
def test_bad_option_values_are_one_line_and_exit_2(sqlite_cli: Cli, option: str, value: str) -> None:
    proc = sqlite_cli.run("check-links", option, value, "--no-pacing")
    one_error_line(proc, 2, option)


@pytest.mark.parametrize(("text", "needle"), [
    (DEEP, "nested too deeply"),
    ('{"cookie": ' + HUGE_NUMBER + "}", "4300 digits"),
    ('{"cookie": "a", "tasklist": [', "invalid JSON at line 1"),
])
def test_a_hostile_autosave_config_is_one_line_naming_the_file(cli: Cli, text: str, needle: str) -> None:
    config = cli.home / "quark_config.json"
    config.write_text(text, encoding="utf-8")
    one_error_line(cli.run("autosave", "--config", str(config), "--dry-run"), 2, "quark_config.json", needle)
    one_error_line(cli.run("autosave", "--config", str(config), "--dry-run", env={"TASKLIST": DEEP}), 2)


def test_a_hostile_import_names_each_bad_line(sqlite_cli: Cli) -> None:
    bad = sqlite_cli.home / "bad.jsonl"
    bad.write_text("\n".join([DEEP, '{"drama_name": ' + HUGE_NUMBER + "}",
                              json.dumps({"drama_name": "a", "link": "https://[pan.quark.cn/s/x"})]) + "\n")
    proc = sqlite_cli.run("resources", "import", str(bad))
    one_error_line(proc, 2, "3 bad lines")
    assert "bad.jsonl:1: not JSON: nested too deeply" in proc.stderr
    assert "bad.jsonl:2: not JSON: a number with more than 4300 digits" in proc.stderr
    assert "bad.jsonl:3: link:" in proc.stderr


@pytest.mark.parametrize("answer", [
    (200, '{"status":404,"code":41004,"message":"文件'),  # truncated
    (200, '{"data":' * 50_000 + "1" + "}" * 50_000),  # nested past the recursion limit
    (404, {"status": "404", "code": "41004", "message": "文件已被分享者删除"}),  # numbers as strings
    (200, {"status": 200, "code": 0, "data": None}),  # null where the token's object belongs
    (200, "x" * (9 * 2**20)),  # over the 8 MB cap
], ids=["truncated", "deep", "numbers-as-strings", "null-data", "9-mb"])
def test_hostile_quark_answers_are_errors_never_expired(sqlite_cli: Cli, answer: tuple) -> None:
    db = sqlite_cli.db  # type: ignore[attr-defined]
    [row] = db.seed([{"drama_name": "hostile", "link": share_url("abcd1234")}])
    # The account check gets its captured shape (quark-replies.json account_info[0]); the share pages get the hostile one.
    account = {"success": True, "code": "OK", "data": {"nickname": "fuzz", "avatarUri": "", "mobilekps": "", "config": {}}}
    with Receiver(default=answer, answers={("GET", "/account/info"): (200, account)}) as quark:
        proc = sqlite_cli.run("check-links", "--json", "--no-pacing", "--retries", "0",
                              env={"QUARK_API_BASE": quark.url})
        assert quark.requests, "the run asked the hostile server"
    assert proc.returncode == 1, (proc.stdout[-500:], proc.stderr[-2000:])  # finished; a link could not be checked
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["summary"]["errors"], doc["summary"]["expired"]) == (1, 0), doc["summary"]
    assert doc["results"][0]["verdict"] == "error" and doc["exit_code"] == 1
    assert db.rows()[row].is_expired == 0
