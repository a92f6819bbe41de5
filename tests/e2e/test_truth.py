"""Issue 21 end to end: the installed `quarkctl` against the simulator, each path the outside reviews
found that marked a good link dead, hung a run or stopped it: a server error with dead-sounding words,
a server that drips its answer, a share that answers 31001, a stale sub-folder link in a live share."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, share_url
from quarkctl.quark.grace import STOP_GRACE
from quarkctl.simulator import Fault, Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
# What the reviews saw: a gateway's answer with no Quark code, in words that sound dead.
GATEWAY_WORDS = [
    (503, {"message": "服务繁忙，请求已取消"}),
    (500, {"message": "分享地址已失效"}),
    (502, {"status": 502, "message": "文件不存在"}),
    (403, {"message": "文件涉及违规内容"}),
]


@pytest.fixture
def db(testdb: ResourceDB, cli: Cli) -> ResourceDB:
    return on_database(cli, testdb)


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def _task(name: str, pwd_id: str) -> dict:
    return {"taskname": name, "shareurl": share_url(pwd_id), "savepath": f"/{name}", "pattern": "", "replace": ""}


def _config(cli: Cli, tasks: list[dict], **top: object) -> Path:
    """An autosave config in the command's home: the run's cookie unless `cookie` is given."""
    path = cli.home / "quark_config.json"
    path.write_text(json.dumps({"cookie": cli.env["QUARK_COOKIE"], **top, "tasklist": tasks}, ensure_ascii=False), encoding="utf-8")
    return path


def _verdicts(doc: dict) -> dict[str, tuple[str, str]]:
    return {link["name"]: (link["verdict"], link["reason"]) for link in doc["results"]}


# -- 1. a server error never marks a link dead, nor bans a task ------------------------------------------

def test_a_server_error_with_dead_words_marks_nothing(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    rows = []
    for n, (status, body) in enumerate(GATEWAY_WORDS):
        pwd_id = f"gate0000000{n}"
        add_valid(sim, pwd_id, faults=[Fault(kind="body", status=status, body=body, endpoint="token")])
        rows.append({"drama_name": f"r{n}", "link": share_url(pwd_id)})
    rows.append({"drama_name": "twin", "link": share_url("gate00000000") + "?pwd=zz99"})  # the same share again
    db.seed(rows)
    proc = cli.run("check-links", *FAST, "--json")
    doc = _json(proc)
    assert proc.returncode == 1  # errors, not deaths
    assert all(verdict == "error" for verdict, _ in _verdicts(doc).values()), doc["results"]
    assert all(not r.is_expired for r in db.rows().values())


def test_autosave_never_bans_on_a_server_error_with_dead_words(cli: Cli, sim: Simulator) -> None:
    tasks = []
    for n, (status, body) in enumerate(GATEWAY_WORDS):
        pwd_id = f"gate0000001{n}"
        add_valid(sim, pwd_id, faults=[Fault(kind="body", status=status, body=body, endpoint="token")])
        tasks.append(_task(f"t{n}", pwd_id))
    config = _config(cli, tasks)
    proc = cli.run("autosave", "--config", str(config), *FAST, "--json", "--no-sign")
    doc = _json(proc)
    assert [t["status"] for t in doc["tasks"]] == ["failed"] * len(GATEWAY_WORDS), doc["tasks"]
    assert all("shareurl_ban" not in t for t in json.loads(config.read_text(encoding="utf-8"))["tasklist"])


# -- 2. a dripping server: the request's deadline, and stops that stop -------------------------------------

def _drip(sim: Simulator, pwd_id: str) -> None:
    add_valid(sim, pwd_id, faults=[Fault(kind="drip", delay=0.3, endpoint="token")])


def test_a_dripping_answer_ends_within_the_timeout(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    _drip(sim, "drip00000001")
    add_valid(sim, "good00000001")
    db.seed([{"drama_name": "drip", "link": share_url("drip00000001")}, {"drama_name": "good", "link": share_url("good00000001")}])
    began = time.monotonic()
    proc = cli.run("check-links", *FAST, "--json", "--timeout", "2", "--retries", "0", timeout=60)
    elapsed = time.monotonic() - began
    doc = _json(proc)
    assert _verdicts(doc) == {"drip": ("error", "timeout"), "good": ("valid", "ok")}
    # One exchange of 2 s (a byte every 0.3 s would have kept it going for 20 minutes), plus start-up
    assert elapsed < 2 + STOP_GRACE + 10, elapsed
    assert not any(r.is_expired for r in db.rows().values())


def _wait_for(predicate, seconds: float = 30.0) -> None:
    """Polls a condition the test cannot be told of (another process's progress), bounded."""
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.05)


def _signal_once_dripping(cli: Cli, sim: Simulator, pwd_id: str, signum: int, *args: str) -> tuple:
    """Starts the installed command, signals it once the dripping share's token request is in flight;
    (process, stdout, stderr, seconds from the signal to the exit)."""
    return _signal_when(cli, lambda: sim.requests(endpoint="token", pwd_id=pwd_id), signum, *args)


def _signal_when(cli: Cli, ready, signum: int, *args: str) -> tuple:
    """Starts the installed command, signals it once `ready()` is true; (process, stdout, stderr, seconds
    from the signal to the exit)."""
    proc = cli.popen(*args)
    try:
        _wait_for(ready)
        sent = time.monotonic()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=STOP_GRACE + 20)
        return proc, out, err, time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_a_drip_ends_the_run_within_the_grace(cli: Cli, sim: Simulator, db: ResourceDB, signum: int, code: int) -> None:
    _drip(sim, "drip00000002")
    add_valid(sim, "good00000002")
    db.seed([{"drama_name": "drip", "link": share_url("drip00000002")}, {"drama_name": "good", "link": share_url("good00000002")}])
    proc, out, err, elapsed = _signal_once_dripping(cli, sim, "drip00000002", signum, "check-links", *FAST, "--json", "--timeout", "600")
    assert proc.returncode == code, err
    assert elapsed < STOP_GRACE + 5, elapsed
    doc = json.loads(out)
    assert doc["aborted"] == "interrupted" and _verdicts(doc) == {"drip": ("error", "interrupted")}
    assert sim.requests(pwd_id="good00000002") == []  # nothing new after the signal
    history = cli.run("history", "--json")
    assert history.returncode == 0 and json.loads(history.stdout)["runs"][0]["status"] == "interrupted", history.stdout


def test_the_deadline_closes_a_dripping_link_after_the_grace(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    _drip(sim, "drip00000003")
    db.seed([{"drama_name": "drip", "link": share_url("drip00000003")}])
    began = time.monotonic()
    proc = cli.run("check-links", *FAST, "--json", "--timeout", "600", "--max-runtime", "1s", timeout=60)
    elapsed = time.monotonic() - began
    doc = _json(proc)
    assert _verdicts(doc) == {"drip": ("error", "interrupted")}
    assert proc.returncode == 1 and elapsed < 1 + STOP_GRACE + 10, (proc.returncode, elapsed)


# -- 3. 31001 on one share is that link's error ----------------------------------------------------------

@pytest.mark.parametrize("anonymous", [True, False])
def test_31001_on_one_share_never_ends_the_run(cli: Cli, sim: Simulator, db: ResourceDB, anonymous: bool) -> None:
    add_valid(sim, "aaaa00000001")
    add_valid(sim, "auth00000001", faults=[Fault(kind="code", code=31001, status=401, endpoint="token")])
    add_valid(sim, "aaaa00000002")
    db.seed([{"drama_name": n, "link": share_url(p)} for n, p in [("a", "aaaa00000001"), ("b", "auth00000001"), ("c", "aaaa00000002")]])
    proc = cli.run("check-links", *FAST, "--json", *(["--anonymous"] if anonymous else []))
    doc = _json(proc)
    assert _verdicts(doc) == {"a": ("valid", "ok"), "b": ("error", "login_required"), "c": ("valid", "ok")}
    assert doc["aborted"] is None
    assert proc.returncode == 1  # with a cookie the account service confirms: kept, only this link errs
    assert not any(r.is_expired for r in db.rows().values())


# -- 4. a stale sub-folder never kills a live share -------------------------------------------------------

def _folders(sim: Simulator, pwd_id: str, **share: object) -> str:
    sim.add_share(Share(pwd_id=pwd_id, title="剧", files=[{"name": "S1", "children": [{"name": "E01.mp4", "size": 1}]},
                                                          {"name": "E00.mp4", "size": 1}], **share))
    return f"https://pan.quark.cn/s/{pwd_id}#/list/share/{sim.fid_of(pwd_id, 'S1')}"


def test_a_stale_folder_link_in_a_live_share_is_reported_not_marked(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    link = _folders(sim, "fold00000001", faults=[Fault(kind="code", code=41004, status=404, endpoint="detail", times=1)])
    db.seed([{"drama_name": "folder", "link": link}])
    proc = cli.run("check-links", *FAST, "--json")
    doc = _json(proc)
    assert _verdicts(doc) == {"folder": ("error", "folder_gone")}
    assert proc.returncode == 1 and not any(r.is_expired for r in db.rows().values())
    plain = cli.run("check-links", *FAST, "--dry-run")
    assert "folder" in plain.stdout


def test_a_folder_link_of_a_dead_share_is_expired(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    link = _folders(sim, "fold00000002", detail_code=41004)  # the token answers, every listing says dead
    [row_id] = db.seed([{"drama_name": "folder", "link": link}])
    doc = _json(cli.run("check-links", *FAST, "--json"))
    assert _verdicts(doc) == {"folder": ("expired", "files_deleted")}
    assert db.rows()[row_id].is_expired


def test_sigterm_during_a_dripping_autosave_ends_it_within_the_grace(cli: Cli, sim: Simulator) -> None:
    _drip(sim, "drip00000004")
    config = _config(cli, [_task("drip", "drip00000004")])
    proc, _, err, elapsed = _signal_once_dripping(cli, sim, "drip00000004", signal.SIGTERM,
                                                  "autosave", "--config", str(config), *FAST, "--json", "--no-sign", "--timeout", "600")
    assert proc.returncode == 143 and elapsed < STOP_GRACE + 5, (proc.returncode, elapsed, err)
    assert "Traceback" not in err
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]


def test_a_folder_id_the_share_does_not_have_is_folder_gone(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """The simulator answers an unknown folder 41013 文件夹不存在 (not a dead code): the root decides too."""
    _folders(sim, "fold00000003")
    db.seed([{"drama_name": "folder", "link": f"https://pan.quark.cn/s/fold00000003#/list/share/{'e' * 32}"}])
    doc = _json(cli.run("check-links", *FAST, "--json"))
    assert _verdicts(doc) == {"folder": ("error", "folder_gone")}


@pytest.mark.parametrize("anonymous", [True, False])
def test_resources_add_check_on_a_login_walled_share_is_not_the_cookies_fault(cli: Cli, sim: Simulator, db: ResourceDB,
                                                                              anonymous: bool) -> None:
    add_valid(sim, "auth00000002", faults=[Fault(kind="code", code=31001, status=401, endpoint="token")])
    proc = cli.run("resources", "add", "墙", share_url("auth00000002"), "--check", *(["--anonymous"] if anonymous else []))
    assert proc.returncode == 1, proc.stderr
    assert "login" in proc.stderr and "QUARK_COOKIE" not in proc.stderr and "Traceback" not in proc.stderr
    assert db.rows() == {}


def test_autosave_goes_on_after_a_login_walled_share_when_the_login_holds(cli: Cli, sim: Simulator) -> None:
    """A new user's review: one share answering 31001 stopped autosave at that task (exit 3), though the
    account service confirmed the login; the tasks after it were never run."""
    add_valid(sim, "auth00000003", faults=[Fault(kind="code", code=31001, status=401, endpoint="token")])
    add_valid(sim, "good00000003")
    tasks = [_task("wall", "auth00000003"), _task("good", "good00000003")]
    config = _config(cli, tasks)
    proc = cli.run("autosave", "--config", str(config), *FAST, "--json", "--no-sign")
    doc = _json(proc)
    assert [(t["status"], t["reason"]) for t in doc["tasks"]] == [("failed", "login_required"), ("saved", "")]
    assert proc.returncode == 1 and doc.get("aborted") is None


def test_a_dry_run_does_not_sign_in(cli: Cli, sim: Simulator) -> None:
    """A new user's review: `autosave --dry-run` signed in for real (README: the plan, nothing written)."""
    add_valid(sim, "good00000004")
    signing = cli.env["QUARK_COOKIE"] + "; sign=signValue1; vcode=vcodeValue1"  # the mobile parameters: it signs
    sim.cookies.append(signing)  # the same account, known by this cookie too
    config = _config(cli, [_task("t", "good00000004")], cookie=signing)
    assert cli.run("autosave", "--config", str(config), *FAST, "--json").returncode == 0
    assert sim.requests(endpoint="growth_sign")  # a real run signs
    sim.clear_log()
    proc = cli.run("autosave", "--config", str(config), *FAST, "--json", "--dry-run")
    assert proc.returncode == 0 and sim.requests(endpoint="growth_sign") == []


@pytest.mark.parametrize("cookie", ["__uid=秘密; __puus=abc", "__uid=a\r\nX-Evil: 1; __puus=abc"])
def test_a_cookie_that_cannot_be_sent_is_one_line_and_exit_2(cli: Cli, sim: Simulator, db: ResourceDB, cookie: str) -> None:
    add_valid(sim, "good00000005")
    db.seed([{"drama_name": "g", "link": share_url("good00000005")}])
    proc = cli.run("check-links", *FAST, env={"QUARK_COOKIE": cookie})
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "QUARK_COOKIE" in proc.stderr, proc.stderr
    assert "秘密" not in proc.stderr + proc.stdout and sim.requests() == []


# -- an attacker's review -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"status": 404, "code": 41004000000000000000000000000},  # crashed the run: too large for an SQL integer
    {"success": False, "message": "服务繁忙"},  # the account service's spelling: dropped the cookie for the run
    {"code": "SHARE_CANCELLED"},
    {"status": 401},  # no code: asks the account service, which confirms the login
])
def test_one_odd_share_answer_is_that_links_error(cli: Cli, sim: Simulator, db: ResourceDB, body: dict) -> None:
    add_valid(sim, "odd000000001", faults=[Fault(kind="body", status=body.get("status", 200), body=body, endpoint="token")])
    add_valid(sim, "good00000006")
    db.seed([{"drama_name": "odd", "link": share_url("odd000000001")}, {"drama_name": "good", "link": share_url("good00000006")}])
    proc = cli.run("check-links", *FAST, "--json")
    doc = _json(proc)
    assert proc.returncode == 1 and doc["aborted"] is None, proc.stderr
    assert _verdicts(doc)["odd"][0] == "error" and _verdicts(doc)["good"] == ("valid", "ok")
    assert doc["account"]["during_run"] is False  # the cookie was kept
    assert all(r.has_cookie for r in sim.requests(pwd_id="good00000006", endpoint="token"))


@pytest.mark.parametrize("endpoint", ["sort", "path_list"])
def test_a_dead_code_from_the_users_own_drive_never_bans_the_share(cli: Cli, sim: Simulator, endpoint: str) -> None:
    """An attacker's review: file/sort answering 41006 banned a live share's task for good."""
    add_valid(sim, "good00000007")
    sim.add_drive_fault(Fault("code", endpoint=endpoint, code=41006, status=404))
    config = _config(cli, [_task("t", "good00000007")])
    doc = _json(cli.run("autosave", "--config", str(config), *FAST, "--json", "--no-sign"))
    assert doc["tasks"][0]["status"] == "failed"
    assert "shareurl_ban" not in json.loads(config.read_text(encoding="utf-8"))["tasklist"][0]


@pytest.mark.parametrize("option", ["--notify", "--ping-url"])
def test_a_dripping_notification_or_ping_target_does_not_hold_the_run(cli: Cli, sim: Simulator, db: ResourceDB, option: str) -> None:
    """An attacker's review: the end-of-run notification to a target that drips its answer held the
    process (and its SIGTERM) for 12 minutes; a dripping ping URL held it before the first link."""
    from helpers.loopback import DRIP, Receiver

    add_valid(sim, "good00000008")
    db.seed([{"drama_name": "g", "link": share_url("good00000008")}])
    with Receiver(default=DRIP) as target:
        url = f"json://{target.host}/notify" if option == "--notify" else f"{target.url}/ping"
        began = time.monotonic()
        proc = cli.run("check-links", *FAST, option, url, "--notify-on", "always", timeout=90)
        elapsed = time.monotonic() - began
    assert proc.returncode == 0 and "warning" in proc.stderr + proc.stdout, (proc.stdout, proc.stderr)
    assert target.requests and elapsed < 40, elapsed  # a minute of dripping per request, cut at ~11 s


def test_sigterm_during_the_start_up_cookie_check_ends_within_the_grace(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "good00000009")
    db.seed([{"drama_name": "g", "link": share_url("good00000009")}])
    sim.account_faults.append(Fault(kind="drip", delay=0.3, endpoint="account"))
    proc, _, _, elapsed = _signal_when(cli, lambda: sim.requests(endpoint="account"), signal.SIGTERM,
                                       "check-links", *FAST, "--timeout", "600")
    assert proc.returncode == 143 and elapsed < STOP_GRACE + 5, (proc.returncode, elapsed)


def test_bad_cells_never_end_the_run(cli: Cli, sim: Simulator, sqlitedb: ResourceDB) -> None:
    """An attacker's review: a BLOB link (exit 70) and a 100,000-character id (the same-share lookup
    defeated SQLite, exit 2) ended every nightly run; a 2 MB link was printed whole."""
    db = on_database(cli, sqlitedb)
    add_valid(sim, "good0000000a")
    db.seed([{"drama_name": "long", "link": "https://pan.quark.cn/s/" + "a" * 100_000},
             {"drama_name": "junk", "link": "x" * 2_000_000},
             {"drama_name": "good", "link": share_url("good0000000a")}])
    import sqlite3

    with sqlite3.connect(db.url.database) as conn:
        conn.execute("INSERT INTO cloud_resource (drama_name, drive_type, link, is_expired) VALUES ('blob', 'quark', ?, 0)",
                     (b"https://pan.quark.cn/s/\xff\xfe",))
    proc = cli.run("check-links", *FAST)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "good0000000a valid" in proc.stdout and len(proc.stdout) < 20_000
    assert not any(r.is_expired for r in db.rows().values())


def test_a_secret_echoed_by_a_server_is_not_stored(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """An attacker's review: masked on screen, yet stored whole in quarkctl_check and shown by `history show`
    in a shell without the cookie."""
    from conftest import COOKIE_SECRETS

    echo = {"status": 400, "code": 49999, "message": f"bad cookie {cli.env['QUARK_COOKIE']}"}
    add_valid(sim, "echo00000001", faults=[Fault(kind="body", status=400, body=echo, endpoint="token")])
    db.seed([{"drama_name": "echo", "link": share_url("echo00000001")}])
    assert cli.run("check-links", *FAST).returncode == 1
    stored = db.scalar("SELECT message FROM quarkctl_check")
    assert stored and not any(secret in stored for secret in COOKIE_SECRETS), stored
    shown = cli.run("history", "show", "1", env={"QUARK_COOKIE": ""})
    assert not any(secret in shown.stdout for secret in COOKIE_SECRETS)


def test_sigterm_while_notifications_drip_ends_at_once_with_143(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    """A re-test (issue 21): three dripping targets took 32 s after SIGTERM and exited 0."""
    from helpers.loopback import DRIP, Receiver

    add_valid(sim, "good0000000b")
    db.seed([{"drama_name": "g", "link": share_url("good0000000b")}])
    with Receiver(default=DRIP) as target:
        urls = [arg for n in range(3) for arg in ("--notify", f"json://{target.host}/n{n}")]
        proc, _, _, elapsed = _signal_when(cli, lambda: target.requests, signal.SIGTERM,
                                           "check-links", *FAST, *urls, "--notify-on", "always")
    assert proc.returncode == 143 and elapsed < 5, (proc.returncode, elapsed)


def test_sigterm_while_a_media_server_hook_drips_ends_at_once(cli: Cli, sim: Simulator) -> None:
    """A re-test (issue 21): an emby server dripping its answer held autosave 13 minutes past SIGTERM."""
    from helpers.loopback import DRIP, Receiver

    add_valid(sim, "good0000000c")
    with Receiver(default=DRIP) as emby:
        config = _config(cli, [_task("t", "good0000000c")], plugins={"emby": {"url": emby.url, "token": "k"}})
        proc, _, _, elapsed = _signal_when(cli, lambda: emby.requests, signal.SIGTERM,
                                           "autosave", "--config", str(config), *FAST, "--no-sign")
    assert proc.returncode == 143 and elapsed < 5, (proc.returncode, elapsed)
