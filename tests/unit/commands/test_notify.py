"""Notifications: apprise's json:// sender pointed at a loopback receiver proves what goes out."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from conftest import COOKIE, COOKIE_SECRETS, Cli, add_valid, share_url
from helpers.loopback import HANG, Receiver

from quarkctl.hooks.monitoring import notify
from quarkctl.reports.autosave import AccountResult, AutosaveReport, SavedNode, TaskResult
from quarkctl.config.autosave.model import AutosaveConfig
from quarkctl.reports.check import RunReport
from quarkctl.errors import ExitCode
from quarkctl.redact import redact
from quarkctl.quark.signin import SignResult
from quarkctl.simulator import Share, Simulator

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def json_url(r: Receiver, path: str = "/hook") -> str:
    return f"json://{r.host}{path}"


def test_send_delivers_title_and_body_with_secrets_masked(receiver: Receiver) -> None:
    redact.add_cookie(COOKIE)
    secret = COOKIE_SECRETS[0]
    [delivery] = notify.send([json_url(receiver)], "【夸克自动转存】", f"saved 3 files; cookie {secret}")
    assert delivery.ok and delivery.error == ""
    [request] = receiver.requests
    payload = request.json()
    assert payload["title"] == "【夸克自动转存】"
    assert payload["message"].startswith("saved 3 files; cookie ")
    assert secret not in request.text


def test_a_500_and_a_bad_url_are_results_not_exceptions(receiver: Receiver) -> None:
    receiver.default = (500, "boom")
    deliveries = notify.send([json_url(receiver), "nosuchscheme://x"], "t", "b")
    assert [d.ok for d in deliveries] == [False, False]
    assert "500" in deliveries[0].error or "error" in deliveries[0].error.lower()
    assert deliveries[1].error == "not a valid apprise URL" and deliveries[1].target == "nosuchscheme://***"
    warnings = notify.warnings_for(deliveries)
    assert len(warnings) == 2 and all(w.startswith("warning: notification to ") for w in warnings)


def test_a_hanging_receiver_is_given_up_after_the_timeout(receiver: Receiver) -> None:
    receiver.answers[("POST", "/slow")] = HANG
    started = time.monotonic()
    [delivery] = notify.send([json_url(receiver, "/slow")], "t", "b", timeout=0.5)
    assert not delivery.ok
    assert time.monotonic() - started < 5


def test_split_urls_and_gather_order_without_repeats(tmp_path) -> None:
    assert notify.split_urls("json://a/x?to=a,b, ntfys://ntfy.sh/t,tgram://1:2/3  mailto://h") == [
        "json://a/x?to=a,b", "ntfys://ntfy.sh/t", "tgram://1:2/3", "mailto://h"]
    config = AutosaveConfig(tmp_path / "c.json", {"notify": ["json://c/1"], "push_config": {"NTFY_TOPIC": "q", "GOBOT_URL": "x"}})
    targets = notify.gather({"QUARKCTL_NOTIFY": "json://e/1 json://c/1"}, ["json://f/1"], config)
    assert targets.urls == ["json://e/1", "json://c/1", "ntfys://ntfy.sh/q", "json://f/1"]
    assert len(targets.warnings) == 1 and "GOBOT_URL" in targets.warnings[0]


def test_notify_must_be_a_list_of_urls(tmp_path) -> None:
    from quarkctl.errors import ConfigError
    with pytest.raises(ConfigError, match="notify"):
        notify.gather({}, [], AutosaveConfig(tmp_path / "c.json", {"notify": [1, 2]}))


@pytest.mark.parametrize("env, push, wanted", [
    ({}, {}, True), ({"QUARK_SIGN_NOTIFY": "false"}, {}, False), ({}, {"QUARK_SIGN_NOTIFY": False}, False),
    ({}, {"QUARK_SIGN_NOTIFY": "false"}, False), ({}, {"QUARK_SIGN_NOTIFY": True}, True),
])
def test_quark_sign_notify(tmp_path, env: dict, push: dict, wanted: bool) -> None:
    assert notify.sign_in_wanted(env, AutosaveConfig(tmp_path / "c.json", {"push_config": push})) is wanted


def autosave_report() -> AutosaveReport:
    report = AutosaveReport(started_at=NOW, finished_at=NOW)
    report.accounts = [AccountResult(1, True, "me", sign=SignResult(1, "signed", reward_today=20 * 1024**2, progress=3, target=7)),
                       AccountResult(2, False, message="require login")]
    saved = TaskResult(1, "三体", status="saved", savepath="/追更/三体",
                       added=[SavedNode("S01E03.mp4", "三体03.mp4", False, "f3"), SavedNode("sub", "sub", True, "d", [SavedNode("a.srt", "a.srt", False)])])
    saved.hooks = [{"hook": "emby", "ok": False, "message": "HTTP 500 from /emby/Library/Refresh"}]
    report.tasks = [saved, TaskResult(2, "死链", status="banned", message="分享者已取消分享"),
                    TaskResult(3, "平常", status="nothing_new"), TaskResult(4, "坏了", status="failed", reason="task_timeout")]
    return report


def test_autosave_message_has_trees_bans_failures_cookie_and_sign_in() -> None:
    body = notify.autosave_body(autosave_report())
    assert "[1/4] 三体: saved 2 files into /追更/三体" in body
    assert "├── S01E03.mp4  ← 三体03.mp4" in body and "└── 📁sub" in body and "    └── a.srt" in body
    assert "[2/4] 死链: banned: 分享者已取消分享" in body
    assert "[4/4] 坏了: failed: task_timeout" in body
    assert "平常" not in body
    assert "account 2: the cookie was rejected" in body
    assert "signed today +20.00 MB" in body
    assert "hook emby failed for 三体: HTTP 500" in body
    assert "signed today" not in notify.autosave_body(autosave_report(), include_sign=False)


def test_autosave_says_nothing_when_there_is_nothing_to_say() -> None:
    report = AutosaveReport(started_at=NOW, accounts=[AccountResult(1, True, "me", sign=SignResult(1, "already_signed"))],
                            tasks=[TaskResult(1, "平常", status="nothing_new")])
    assert notify.autosave_body(report) is None


def test_autosave_message_tells_an_unconfirmed_sign_in() -> None:
    """Issue 21: a sign answer without a reward that growth info does not confirm is worth a message."""
    unconfirmed = SignResult(1, "sign_unconfirmed", reason="empty_sign_answer")
    report = AutosaveReport(started_at=NOW, accounts=[AccountResult(1, True, "me", sign=unconfirmed)],
                            tasks=[TaskResult(1, "平常", status="nothing_new")])
    body = notify.autosave_body(report)
    assert body is not None and "account 1: me verified; sign-in not confirmed" in body and "signed today" not in body
    assert notify.autosave_body(report, include_sign=False) is None


def check_report(expired: int = 0, errors: int = 0, abort: str | None = None) -> RunReport:
    report = RunReport(started_at=NOW, finished_at=NOW)
    report.counts.update(total=5 + expired + errors, valid=5, expired=expired, errors=errors)
    report.newly_expired = [(i, f"剧{i}", share_url(f"dead0000000{i}")) for i in range(expired)]
    report.abort_reason = abort
    report.abort_streak = 3 if abort == "circuit_breaker" else 0  # the streak, not all the run's errors
    report.exit_code = ExitCode.ABORTED if abort else ExitCode.LINK_ERRORS if errors else ExitCode.OK
    return report


@pytest.mark.parametrize("notify_on, quiet_run, expired_run, error_run", [
    ("changes", False, True, True), ("always", True, True, True), ("errors", False, False, True)])
def test_notify_on(notify_on: str, quiet_run: bool, expired_run: bool, error_run: bool) -> None:
    assert (notify.check_links_body(check_report(), notify_on) is not None) is quiet_run
    assert (notify.check_links_body(check_report(expired=2), notify_on) is not None) is expired_run
    assert (notify.check_links_body(check_report(errors=1), notify_on) is not None) is error_run


def test_check_links_message_lists_names_links_counts_and_aborts() -> None:
    body = notify.check_links_body(check_report(expired=2, errors=5, abort="circuit_breaker"))
    assert body.splitlines()[0] == "2 links newly marked expired"
    assert f"- 剧1 {share_url('dead00000001')}" in body
    assert "total 12, valid 5, expired 2" in body
    assert "3 links in a row failed" in body and "exit code 4" in body


def test_answers_only_other_clients_call_dead_are_named_apart_from_links_not_checked() -> None:
    report = check_report(errors=3)
    report.errors = [(7, "server_error"), (8, "unverified_share_expired"), (9, "unverified_content_violation")]
    body = notify.check_links_body(report)
    assert "1 link could not be checked (it is checked again next run)" in body
    assert "2 links got an answer only other clients' code calls dead, left alone" in body and "#8, #9" in body


# -- end to end, through the installed command -------------------------------------------------------

FAST = ["--no-pacing", "--retry-backoff", "0"]


def test_check_links_notifies_and_pings(sqlite_cli: Cli, sim: Simulator, receiver: Receiver) -> None:
    add_valid(sim, "good00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    sqlite_cli.db.seed([{"drama_name": "好电影", "link": share_url("good00000001")},  # type: ignore[attr-defined]
                        {"drama_name": "死链接", "link": share_url("dead00000001")}])
    proc = sqlite_cli.run("check-links", *FAST, "--notify", json_url(receiver), "--ping-url", f"{receiver.url}/ping/abc")
    assert proc.returncode == 0, proc.stderr
    assert receiver.paths() == ["/ping/abc/start", "/hook", "/ping/abc"]
    message = receiver.requests[1].json()
    assert message["title"] == "quarkctl check-links: 1 newly expired"
    assert f"- 死链接 {share_url('dead00000001')}" in message["message"]
    for secret in COOKIE_SECRETS:
        assert secret not in receiver.requests[1].text


def test_failing_receivers_never_change_the_exit_code(sqlite_cli: Cli, sim: Simulator, receiver: Receiver) -> None:
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    sqlite_cli.db.seed([{"drama_name": "死链接", "link": share_url("dead00000001")}])  # type: ignore[attr-defined]
    receiver.default = (500, "down")
    proc = sqlite_cli.run("check-links", *FAST, "--notify", json_url(receiver), "--ping-url", f"{receiver.url}/p",
                          env={"QUARKCTL_NOTIFY": "nosuchscheme://x"})
    assert proc.returncode == 0
    assert "warning: monitoring ping (start) failed: HTTP 500" in proc.stderr
    assert "warning: monitoring ping (success) failed: HTTP 500" in proc.stderr
    assert proc.stderr.count("warning: notification to ") == 2
    assert "Traceback" not in proc.stderr


def test_autosave_sends_one_message_and_refreshes_emby(cli: Cli, sim: Simulator, receiver: Receiver) -> None:
    sim.tq_gap, sim.task_polls = 10, 1
    sim.add_share(Share(pwd_id="aaaa00000001", title="剧", files=[{"name": "E01.mp4", "size": 1, "updated_at": 1760700000000}]))
    config = cli.home / "quark_config.json"
    config.write_text(json.dumps({
        "cookie": COOKIE, "push_config": {"QUARK_SIGN_NOTIFY": True, "GOBOT_URL": "http://qq"}, "notify": [json_url(receiver)],
        "plugins": {"emby": {"url": f"{receiver.url}", "token": "EmbyToken123"}},
        "tasklist": [{"taskname": "剧", "shareurl": share_url("aaaa00000001"), "savepath": "/追更/剧", "pattern": "", "replace": "",
                      "addition": {"emby": {"media_id": "42"}}}],
    }, ensure_ascii=False), encoding="utf-8")
    proc = cli.run("autosave", "--config", str(config), *FAST, "--json", "--ping-url", f"{receiver.url}/hc")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["tasks"][0]["hooks"] == [{"hook": "emby", "ok": True, "message": "refreshed item 42"}]
    assert receiver.paths() == ["/hc/start", "/emby/Items/42/Refresh", "/hook", "/hc"]
    assert receiver.requests[1].headers["x-emby-token"] == "EmbyToken123"
    message = receiver.requests[2].json()
    assert message["title"] == "【夸克自动转存】"
    assert "剧: saved 1 file into /追更/剧" in message["message"] and "└── E01.mp4" in message["message"]
    assert "push_config GOBOT_URL" in proc.stderr  # the untranslatable key is named
    for secret in COOKIE_SECRETS:
        assert secret not in receiver.requests[2].text
    # Nothing new the second time: no message, but the pings still come.
    receiver.requests.clear()
    proc = cli.run("autosave", "--config", str(config), *FAST, "--json", "--ping-url", f"{receiver.url}/hc")
    assert proc.returncode == 0 and receiver.paths() == ["/hc/start", "/hc"]


def test_dry_run_sends_and_pings_nothing(cli: Cli, sim: Simulator, receiver: Receiver) -> None:
    sim.add_share(Share(pwd_id="aaaa00000001", title="剧", files=[{"name": "E01.mp4", "size": 1, "updated_at": 1760700000000}]))
    config = cli.home / "quark_config.json"
    config.write_text(json.dumps({"cookie": COOKIE, "notify": [json_url(receiver)],
                                  "tasklist": [{"taskname": "剧", "shareurl": share_url("aaaa00000001"), "savepath": "/x"}]}))
    proc = cli.run("autosave", "--config", str(config), *FAST, "--dry-run", "--ping-url", f"{receiver.url}/hc")
    assert proc.returncode == 0, proc.stderr
    assert receiver.requests == []


def test_notify_test_reports_each_target(cli: Cli, receiver: Receiver) -> None:
    receiver.answers[("POST", "/bad")] = (500, "no")
    proc = cli.run("notify", "test", "--notify", json_url(receiver, "/good"), "--notify", json_url(receiver, "/bad"))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"ok      json://{receiver.host}/good")
    assert lines[1].startswith(f"failed  json://{receiver.host}/bad")
    assert receiver.requests[0].json()["title"] == "quarkctl test notification"
    proc = cli.run("notify", "test")
    assert proc.returncode == 2 and proc.stderr.startswith("Error: no notification target")
