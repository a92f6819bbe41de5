"""End to end: the installed `quarkctl` as a subprocess, the simulator as Quark, real databases."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from conftest import COOKIE_SECRETS, Cli, ResourceDB, add_valid, pwd, share_url
from quarkctl.simulator import Fault, Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
ANSI = re.compile(r"\x1b\[")


def assert_clean(proc: subprocess.CompletedProcess[str], *secrets: str) -> None:
    """No traceback, no secret, in anything the command printed."""
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        for secret in (*COOKIE_SECRETS, *secrets):
            assert secret not in stream


def one_error_line(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0]
    assert_clean(proc)
    return lines[0]


def seed_mix(sim: Simulator, db: ResourceDB) -> list[int]:
    add_valid(sim, "good00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    add_valid(sim, "pass00000001", passcode="ab12")
    return db.seed([
        {"drama_name": "好电影", "link": share_url("good00000001")},
        {"drama_name": "死链接", "link": share_url("dead00000001")},
        {"drama_name": "要提取码", "link": share_url("pass00000001")},
    ])


def test_exit_0_plain_lines_and_the_dead_link_marked(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    ids = seed_mix(sim, db)
    proc = cli.run("check-links", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc, db.url.password or "never-a-password")
    assert not ANSI.search(proc.stdout)  # not a terminal: no colour, no cursor control
    lines = proc.stdout.splitlines()
    # the database too, password masked (issue 23)
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO  check-links: 3 links to check in ", lines[0])
    assert lines[0].endswith(" in " + db.url.render_as_string(hide_password=True))
    assert any("[2/3] 死链接 https://pan.quark.cn/s/dead00000001 expired" in line and "41012 好友已取消了分享" in line for line in lines)
    assert any("[3/3] 要提取码" in line and "needs passcode" in line for line in lines)
    assert "summary: total 3, valid 1, expired 1, needs passcode 1, empty 0, errors 0, skipped 0, newly marked" in lines[-1]
    assert [db.rows()[i].is_expired for i in ids] == [0, 1, 0]


def test_exit_1_when_a_link_ends_in_error(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "flak00000001", faults=[Fault(kind="html", endpoint="token")])
    ids = db.seed([{"drama_name": "flaky", "link": share_url("flak00000001")}])
    proc = cli.run("check-links", *FAST, "--json")
    assert proc.returncode == 1
    document = json.loads(proc.stdout)
    assert document["results"][0]["verdict"] == "error" and document["results"][0]["reason"] == "bad_response"
    assert document["exit_code"] == 1
    assert db.rows()[ids[0]].is_expired == 0


def test_json_output(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    ids = seed_mix(sim, db)
    proc = cli.run("check-links", *FAST, "--json")
    assert proc.returncode == 0
    document = json.loads(proc.stdout)  # stdout is exactly one JSON object
    assert set(document) >= {"job", "started_at", "finished_at", "summary", "results", "exit_code"}
    assert document["job"] == "check-links" and document["exit_code"] == 0
    assert document["summary"] == {"total": 3, "valid": 1, "expired": 1, "needs_passcode": 1, "empty": 0, "errors": 0,
                                   "skipped": 0, "same_share": 0}
    assert [{k: r[k] for k in ("id", "name", "link", "verdict", "reason", "api_code")} for r in document["results"]] == [
        {"id": ids[0], "name": "好电影", "link": share_url("good00000001"), "verdict": "valid", "reason": "ok", "api_code": 0},
        {"id": ids[1], "name": "死链接", "link": share_url("dead00000001"), "verdict": "expired", "reason": "share_cancelled", "api_code": 41012},
        {"id": ids[2], "name": "要提取码", "link": share_url("pass00000001"), "verdict": "needs_passcode", "reason": "passcode_required", "api_code": 41008},
    ]
    assert "[1/3]" in proc.stderr  # progress goes to stderr


def test_quiet_prints_only_the_summary_and_log_file_gets_every_line(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    seed_mix(sim, db)
    log = cli.home / "logs" / "quarkctl.log"
    log.parent.mkdir()
    log.write_text("an earlier line\n")
    proc = cli.run("check-links", *FAST, "--quiet", "--log-file", str(log))
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 1 and "summary: total 3" in proc.stdout
    content = log.read_text()
    assert content.startswith("an earlier line\n")  # appended, not overwritten
    assert "[1/3] 好电影" in content and "summary: total 3" in content
    for secret in COOKIE_SECRETS:
        assert secret not in content


def test_default_embedded_sqlite_is_created_on_first_use(cli: Cli) -> None:
    proc = cli.run("check-links", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert (cli.home / "data" / "quarkctl" / "quarkctl.db").is_file()
    assert "check-links: 0 links to check" in proc.stdout


@pytest.mark.parametrize(
    ("env", "args", "needle"),
    [
        ({"DB_HOST": "127.0.0.1", "DB_PORT": "abc"}, [], "DB_PORT"),
        ({"QUARK_COOKIE": ""}, [], "QUARK_COOKIE"),
        ({"DATABASE_URL": "this is not a url"}, [], "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////nonexistent/dir/x.db"}, [], "no such SQLite file"),
        ({"DB_HOST": "127.0.0.1", "DB_PORT": "1", "DB_PASSWORD": "hunter2-db-secret"}, [], "cannot connect"),
        ({"QUARK_API_BASE": "ftp://example"}, [], "QUARK_API_BASE"),
        ({}, ["--min-delay", "5", "--max-delay", "1"], "--min-delay"),
        ({}, ["--env-file", "/nonexistent/.env"], "--env-file"),
    ],
    ids=["port", "cookie", "url", "sqlite-file", "unreachable-db", "api-base", "pacing", "env-file"],
)
def test_exit_2_configuration_errors_are_one_line(cli: Cli, env: dict, args: list, needle: str) -> None:
    proc = cli.run("check-links", *args, env=env)
    line = one_error_line(proc, 2, needle)
    assert "hunter2-db-secret" not in line


def test_exit_2_wrong_database_password_is_masked(cli: Cli, mysqldb: ResourceDB) -> None:
    url = mysqldb.url
    env = {"DB_HOST": url.host, "DB_PORT": str(url.port or 3306), "DB_USERNAME": url.username,
           "DB_PASSWORD": "Wr0ng-Passw0rd-Secret", "DB_DATABASE": url.database}
    proc = cli.run("check-links", env=env)
    line = one_error_line(proc, 2, "Access denied", "***")
    assert "Wr0ng-Passw0rd-Secret" not in line


def test_exit_2_usage_error(cli: Cli) -> None:
    proc = cli.run("check-links", "--concurrency", "0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_exit_3_rejected_cookie_checks_the_links_anonymously(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """No session behind the cookie: one warning, the links checked without it, the dead one marked, exit 3."""
    seed_mix(sim, db)
    proc = cli.run("check-links", *FAST, env={"QUARK_COOKIE": "__uid=expired; __puus=StaleCookieValue99"})
    assert proc.returncode == 3, proc.stderr
    assert "StaleCookieValue99" not in proc.stderr + proc.stdout
    warnings = [line for line in proc.stdout.splitlines() if " WARN " in line and "QUARK_COOKIE" in line]
    assert len(warnings) == 1, proc.stdout
    tokens = sim.requests(endpoint="token")
    assert len(tokens) == 3 and not any(r.has_cookie for r in tokens)
    assert sorted(r.is_expired for r in db.rows().values()) == [0, 0, 1]


def test_anonymous_checks_without_a_cookie(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    seed_mix(sim, db)
    proc = cli.run("check-links", *FAST, "--anonymous", env={"QUARK_COOKIE": ""})
    assert proc.returncode == 0, proc.stderr
    assert sim.requests(endpoint="account") == []
    assert not any(r.has_cookie for r in sim.log)


def test_exit_4_circuit_breaker(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """Two errors, a good link (the streak starts again), then three in a row: the breaker says three."""
    for n in range(10):
        add_valid(sim, pwd(n), faults=[Fault(kind="code", code=15000, endpoint="token")])
    add_valid(sim, "good00000001")
    links = [pwd(0), pwd(1), "good00000001", *(pwd(n) for n in range(2, 10))]
    db.seed([{"drama_name": f"r{i}", "link": share_url(link)} for i, link in enumerate(links)])
    proc = cli.run("check-links", *FAST, "--max-consecutive-errors", "3")
    assert proc.returncode == 4
    assert "3 links in a row failed" in proc.stdout and "errors 5" in proc.stdout
    assert len({r.pwd_id for r in sim.requests(endpoint="token")}) == 6


def test_pacing_measured_from_the_simulator_log(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    for n in range(7):
        add_valid(sim, pwd(n))
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(7)])
    proc = cli.run("check-links", "--min-delay", "0.1", "--max-delay", "0.15", "--rest-every", "3", "--rest-seconds", "1")
    assert proc.returncode == 0, proc.stderr
    starts = [r.t for r in sim.requests(endpoint="token")]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(gaps) == 6
    assert all(g >= 0.1 for g in gaps)
    assert gaps[2] >= 1.1 and gaps[5] >= 1.1  # the rest after links 3 and 6
    # no rest elsewhere; the bound leaves room for a loaded machine (lower bounds are what pacing promises)
    assert all(g < 1.0 for i, g in enumerate(gaps) if i not in (2, 5))
    assert proc.stdout.count("resting 1 s") == 2


def test_db_init_creates_missing_tables_and_leaves_existing_ones(cli: Cli, testdb: ResourceDB) -> None:
    cli.env["DATABASE_URL"] = testdb.url_text
    first = cli.run("db", "init")
    assert first.returncode == 0, first.stderr
    assert "created  cloud_resource" in first.stdout and "created  quarkctl_check" in first.stdout
    assert_clean(first, testdb.url.password or "never-a-password")
    testdb.seed([{"drama_name": "keep me", "link": share_url("good00000001")}])
    second = cli.run("db", "init")
    assert "present  cloud_resource" in second.stdout and "created" not in second.stdout
    assert [r.drama_name for r in testdb.rows().values()] == ["keep me"]
