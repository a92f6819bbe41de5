"""The account check in its own envelope, and a cookie that never blocks the link check.

pan.quark.cn/account/info answers `{success, code: "OK", data}` (quark-replies.json account_info,
captured): only `data.nickname` proves a login. check-links goes on whatever that check says; only a
clear rejection drops the cookie (links checked anonymously, exit 3, a notification).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import COOKIE, COOKIE_SECRETS, Cli, ResourceDB, add_valid, share_url
from helpers.loopback import Receiver

from quarkctl.quark.account import AccountState, check_account, probe_drive, read_account
from quarkctl.render.messages import account_why
from quarkctl.checker.options import CheckOptions
from quarkctl.checker.run import run_check
from quarkctl.quark.cookie import SessionCookie
from quarkctl.errors import ExitCode
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.quark.client import ApiReply, QuarkClient
from quarkctl.simulator import Fault, Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]


def account_check(sim: Simulator, cookie: str | None, *faults: Fault, retries: int = 0):
    sim.account_faults[:] = list(faults)
    with QuarkClient(cookie=cookie, api_base=sim.base_url, timeout=2) as client:
        return check_account(client, sleep=lambda s: True, retries=retries, backoff=0)


# -- reading one answer -------------------------------------------------------------------------------

def test_the_account_envelope_verifies_with_a_nickname(sim: Simulator) -> None:
    check = account_check(sim, COOKIE)
    assert check.state is AccountState.VERIFIED and check.nickname.startswith("sim-")
    assert [r.query.get("fr") for r in sim.requests(endpoint="account")] == ["pc"]


@pytest.mark.parametrize("cookie", [None, "__uid=stranger; __puus=NotAKnownSession1"])
def test_no_session_is_a_rejection(sim: Simulator, cookie: str | None) -> None:
    """The service answers success:true, code OK and an empty data without a session."""
    check = account_check(sim, cookie)
    assert (check.state, check.reason) == (AccountState.REJECTED, "no_session")
    assert account_why(check.reason, check.evidence) == "the account service answered without a session: the cookie is not a login"  # no "(OK)"


@pytest.mark.parametrize(("body", "status", "state", "reason"), [
    ({"success": False, "code": "NOT_LOGIN", "msg": "未登录"}, 200, AccountState.REJECTED, "cookie_rejected"),
    ({"status": 401, "code": 31001, "message": "require login [guest]"}, 401, AccountState.REJECTED, "cookie_rejected"),
    # the drive envelope with a nickname (what some clients read): lenient about how success is spelled
    ({"status": 200, "code": 0, "message": "ok", "data": {"nickname": "夸父"}}, 200, AccountState.VERIFIED, "ok"),
    ({"success": True, "code": "OK", "data": {"avatarUri": "x", "user": {"name": "夸父"}}}, 200, AccountState.INCONCLUSIVE, "unexpected_response"),
    ({"success": True, "code": "MAINTENANCE", "data": {}}, 200, AccountState.REJECTED, "cookie_rejected"),
    ({"success": True, "code": "OK", "data": {}}, 502, AccountState.INCONCLUSIVE, "server_error"),
    ({"status": 200, "code": 0, "message": "ok"}, 200, AccountState.REJECTED, "no_session"),
])
def test_each_envelope_in_its_own_terms(sim: Simulator, body: dict, status: int, state: AccountState, reason: str) -> None:
    check = account_check(sim, COOKIE, Fault(kind="body", endpoint="any", body=body, status=status))
    assert (check.state, check.reason) == (state, reason)


def test_a_string_code_is_not_a_drive_code() -> None:
    reply = ApiReply("account", 200, {"success": True, "code": "OK", "data": {"nickname": "n"}})
    assert reply.code is None and reply.account_envelope and reply.account_ok is True
    assert ApiReply("token", 200, {"status": 200, "code": 0}).account_envelope is False
    assert ApiReply("account", 200, {"success": False, "msg": "未登录"}).message == "未登录"


@pytest.mark.parametrize("fault", [Fault(kind="reset", endpoint="any"), Fault(kind="html", endpoint="any"),
                                   Fault(kind="garbage", endpoint="any")])
def test_no_answer_or_garbage_is_inconclusive_after_the_retries(sim: Simulator, fault: Fault) -> None:
    check = account_check(sim, COOKIE, fault, retries=2)
    assert check.state is AccountState.INCONCLUSIVE
    assert check.reason in ("connection_error", "bad_response")
    assert len(sim.requests(endpoint="account")) == 3


def test_the_drive_decides_when_the_account_service_cannot(sim: Simulator) -> None:
    with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=2) as client:
        assert probe_drive(client).state is AccountState.VERIFIED
    with QuarkClient(cookie="__uid=stranger", api_base=sim.base_url, timeout=2) as client:
        assert probe_drive(client).state is AccountState.REJECTED


# -- the session cookie: __puus rotation ----------------------------------------------------------------

def test_a_rotated_puus_is_kept_for_the_rest_of_the_run(sim: Simulator) -> None:
    add_valid(sim, "good00000001")
    session = SessionCookie(COOKIE)
    with QuarkClient(cookie=session, api_base=sim.base_url, timeout=2) as client:
        assert read_account(client.account_info()).verified
        client.share_token("good00000001")
    first, second = sim.requests()
    assert first.puus == "Sup3rSecretPuusValue"
    assert second.puus not in (None, "Sup3rSecretPuusValue")  # the value Quark set
    assert session.rotated == {"__puus"}
    assert "__uid=sim-user-1" in (session.header() or "")


def test_set_cookie_merging_keeps_the_session() -> None:
    session = SessionCookie("__uid=u1;__puus=old1; b=2")
    session.merge(["__puus=new22222; Path=/; HttpOnly", "__puus=; Max-Age=0", "junk", "c=3"])
    assert session.header() == "__uid=u1; __puus=new22222; b=2; c=3"
    session.drop()
    assert session.header() is None and not session.active
    assert SessionCookie(None).header() is None and SessionCookie("  ").header() is None


# -- check-links: the check never blocks the links ---------------------------------------------------------

def seed(sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "good00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    db.seed([{"drama_name": "好电影", "link": share_url("good00000001")},
             {"drama_name": "死链接", "link": share_url("dead00000001")}])


def test_a_reset_on_the_account_service_only_does_not_stop_the_run(sqlite_cli: Cli, sim: Simulator) -> None:
    """pan.quark.cn resetting TLS handshakes (issue 12) while the share API answers: exit 0."""
    add_valid(sim, "good00000001")
    sqlite_cli.db.seed([{"drama_name": "好电影", "link": share_url("good00000001")}])  # type: ignore[attr-defined]
    sim.account_faults.append(Fault(kind="reset", endpoint="any"))
    proc = sqlite_cli.run("check-links", *FAST, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["account"] == {"state": "inconclusive", "reason": "connection_error", "during_run": False}
    assert doc["summary"]["valid"] == 1
    warnings = [line for line in proc.stderr.splitlines() if " WARN " in line]
    assert len(warnings) == 1 and "quarkctl doctor" in warnings[0], proc.stderr
    assert all(r.has_cookie for r in sim.requests(endpoint="token"))  # the run went on with the cookie


def test_a_rejected_cookie_checks_anonymously_notifies_and_exits_3(sqlite_cli: Cli, sim: Simulator) -> None:
    seed(sim, sqlite_cli.db)  # type: ignore[attr-defined]
    with Receiver() as receiver:
        proc = sqlite_cli.run("check-links", *FAST, "--notify", f"json://{receiver.host}/hook",
                              env={"QUARK_COOKIE": "__uid=expired; __puus=StaleCookieValue99"})
        messages = [r.json() for r in receiver.requests if r.path == "/hook"]
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "StaleCookieValue99" not in proc.stdout + proc.stderr + json.dumps(messages)
    warn = [line for line in proc.stdout.splitlines() if " WARN " in line and "QUARK_COOKIE" in line]
    assert len(warn) == 1 and "without it" in warn[0]
    tokens = sim.requests(endpoint="token")
    assert len(tokens) == 2 and not any(r.has_cookie for r in tokens)  # anonymously
    assert [r.is_expired for r in sqlite_cli.db.rows().values()] == [0, 1]  # type: ignore[attr-defined]
    assert len(messages) == 1 and "cookie needs renewing" in messages[0]["message"]


def test_a_cookie_rejected_mid_run_goes_anonymous(sqlitedb: ResourceDB, sim: Simulator) -> None:
    """31001 on a share call with a cookie the account service still confirms: that link again without it,
    the cookie kept for the rest (issue 21: 31001 is not always the cookie)."""
    for n in range(3):
        add_valid(sim, f"good0000000{n}")
    sim.add_fault("good00000001", Fault(kind="code", code=31001, endpoint="token", times=1))
    sqlitedb.create_schema()
    sqlitedb.seed([{"drama_name": f"r{n}", "link": share_url(f"good0000000{n}")} for n in range(3)])
    db = sqlitedb.database()
    session = SessionCookie(COOKIE)
    try:
        report = run_check(db, lambda: QuarkClient(cookie=session, api_base=sim.base_url, timeout=5),
                           CheckOptions(pacing=PacingPolicy.off(), backoff=0), session=session)
    finally:
        db.close()
    assert report.summary["valid"] == 3 and report.exit_code is ExitCode.OK
    assert session.active and not report.cookie_dropped_mid_run
    assert [r.has_cookie for r in sim.requests(endpoint="token")] == [True, True, False, True]
    assert len(sim.requests(endpoint="account")) == 1


# -- autosave: a login is needed, so the drive decides when the account service cannot ---------------------

def write_config(cli: Cli, cookie: str = COOKIE) -> Path:
    path = cli.home / "quark_config.json"
    data = {"cookie": cookie, "tasklist": [{"taskname": "剧", "shareurl": share_url("aaaa00000001"), "savepath": "/剧",
                                            "pattern": "", "replace": ""}]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_autosave_goes_on_when_the_drive_takes_an_unverified_cookie(cli: Cli, sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1
    sim.add_share(Share(pwd_id="aaaa00000001", title="x", files=["01.mp4"]))
    sim.account_faults.append(Fault(kind="reset", endpoint="any"))
    proc = cli.run("autosave", "--config", str(write_config(cli)), *FAST, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["accounts"][0]["state"] == "drive_accepts" and doc["tasks"][0]["status"] == "saved"
    assert sim.drive().listdir("/剧") == ["01.mp4"]
    later = [r for r in sim.requests() if r.endpoint not in ("account", "path_list")]
    assert later and all(r.puus not in (None, "Sup3rSecretPuusValue") for r in later)  # path_list rotated __puus
    for secret in (*COOKIE_SECRETS, *(r.puus for r in later)):
        assert secret not in proc.stdout + proc.stderr


def test_autosave_skips_the_transfers_for_a_rejected_cookie(cli: Cli, sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000001", title="x", files=["01.mp4"]))
    proc = cli.run("autosave", "--config", str(write_config(cli, "__uid=expired; __puus=StaleCookieValue99")), *FAST)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "StaleCookieValue99" not in proc.stdout + proc.stderr
    assert "without a session" in proc.stdout
    assert sim.requests(endpoint="save") == [] and sim.requests(endpoint="token") == []
