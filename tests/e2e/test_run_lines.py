"""Issue 23, "friction to remove", through the installed `quarkctl`: a run's lines say what they are about.
The database in the first line (password masked), a retry's link and cause, why the exit code is 1, malformed
links of Quark rows in the summary, `reshare --expiring-within` listing only what it acts on, a long dry-run
plan cut outside a terminal, and the warnings of stderr in the --log-file too."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, share_url
from quarkctl.simulator import Fault, Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
# A plain line: `2026-12-07 02:00:01 INFO  text`
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO|WARN|ERROR) +")


@pytest.fixture
def db(testdb: ResourceDB, cli: Cli) -> ResourceDB:
    return on_database(cli, testdb)


def _texts(out: str) -> list[str]:
    """The plain lines without their time stamp and level."""
    return [STAMP.sub("", line) for line in out.splitlines()]


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


# -- 1. the database in the first line -------------------------------------------------------------------

def test_the_first_line_names_the_database_with_its_password_masked(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "okay00000001")
    db.seed([{"drama_name": "A", "link": share_url("okay00000001")}])
    label = db.url.render_as_string(hide_password=True)
    proc = cli.run("check-links", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert _texts(proc.stdout)[0] == f"check-links: 1 link to check in {label}"
    doc = _json(cli.run("check-links", *FAST, "--json"))
    assert doc["database"] == label
    if db.url.password:  # MariaDB: the password never shows, masked as everywhere
        assert "***" in label
        for out in (proc.stdout, json.dumps(doc)):
            assert str(db.url.password) not in out


def test_the_first_line_in_chinese_names_the_database_too(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "okay00000009")
    db.seed([{"drama_name": "A", "link": share_url("okay00000009")}])
    proc = cli.run("check-links", *FAST, env={"QUARKCTL_LANG": "zh_CN"})
    assert proc.returncode == 0, proc.stderr
    assert _texts(proc.stdout)[0] == f"check-links：共 1 个链接待检查，数据库 {db.url.render_as_string(hide_password=True)}"


def test_a_run_that_lost_its_env_file_says_it_uses_the_built_in_database(cli: Cli) -> None:
    """The cron job whose .env went missing: 0 links and exit 0, but its first line shows why."""
    proc = cli.run("check-links", *FAST)
    assert proc.returncode == 0, proc.stderr
    built_in = cli.home / "data" / "quarkctl" / "quarkctl.db"
    assert _texts(proc.stdout)[0] == f"check-links: 0 links to check in sqlite:///{built_in}"


def test_autosave_names_its_database_first(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "save00000001")
    config = _config(cli, [_task("剧", "save00000001")])
    proc = cli.run("autosave", "--config", str(config), *FAST, "--no-sign", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    label = db.url.render_as_string(hide_password=True)
    assert _texts(proc.stdout)[0] == f"autosave: 1 task, database {label}"
    doc = _json(cli.run("autosave", "--config", str(config), *FAST, "--no-sign", "--dry-run", "--json"))
    assert doc["database"] == label


# -- 2. a retry names its link and why ----------------------------------------------------------------------

def test_retry_lines_name_the_link_and_the_failure(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "risk00000001", faults=[Fault(kind="code", code=14021, endpoint="token", times=1)])
    add_valid(sim, "gate00000001", faults=[Fault(kind="http_error", status=502, endpoint="token", times=1)])
    risky, gate = db.seed([{"drama_name": "风控", "link": share_url("risk00000001")},
                           {"drama_name": "网关", "link": share_url("gate00000001")}])
    proc = cli.run("check-links", "--no-pacing", "--retry-backoff", "0.01")
    assert proc.returncode == 0, proc.stderr
    retries = [t for t in _texts(proc.stdout) if "retrying in" in t]
    assert len(retries) == 2, proc.stdout
    assert retries[0].startswith(f"#{risky} 风控 {share_url('risk00000001')}: Quark's risk control refused the request")
    assert "(14021" in retries[0]
    assert retries[1].startswith(f"#{gate} 网关 {share_url('gate00000001')}: Quark server error (HTTP 502); retrying in 0.01 s")


def test_autosave_retry_lines_name_the_task(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "save00000002", faults=[Fault(kind="code", code=14021, endpoint="token", times=1)])
    config = _config(cli, [_task("追更剧", "save00000002")])
    proc = cli.run("autosave", "--config", str(config), "--no-pacing", "--retry-backoff", "0.01", "--no-sign", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    (retry,) = [t for t in _texts(proc.stdout) if "retrying in" in t]
    assert retry.startswith("追更剧: Quark's risk control refused the request") and "14021" in retry


# -- 3. why the exit code is 1 -----------------------------------------------------------------------------

def test_the_summary_says_which_links_made_the_exit_code_1(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "okay00000002")
    add_valid(sim, "down00000001", faults=[Fault(kind="http_error", status=503, endpoint="token")])
    _, down = db.seed([{"drama_name": "fine", "link": share_url("okay00000002")},
                       {"drama_name": "down", "link": share_url("down00000001")}])
    proc = cli.run("check-links", *FAST)
    assert proc.returncode == 1
    texts = _texts(proc.stdout)
    assert texts[-1] == f"exit code 1: 1 link ended in error: #{down} (server_error)", proc.stdout
    assert texts[-2].startswith("summary: ")
    ok = cli.run("check-links", *FAST, "--limit", "1")
    assert ok.returncode == 0 and "exit code" not in ok.stdout


# -- 4. malformed links of Quark rows in the summary -------------------------------------------------------

def test_malformed_links_in_quark_rows_are_a_summary_warning(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    add_valid(sim, "okay00000003")
    ids = db.seed([
        {"drama_name": "good", "link": share_url("okay00000003")},
        {"drama_name": "other site", "link": "https://pan.baidu.com/s/1abc"},
        {"drama_name": "no share id", "link": "https://pan.quark.cn/list#/list/all"},
        {"drama_name": "garbage", "link": "看这里"},
        {"drama_name": "baidu row", "link": "https://pan.baidu.com/s/1def", "drive_type": "baidu"},  # not Quark's: no warning
    ])
    proc = cli.run("check-links", *FAST)
    warning = f"3 Quark rows hold no checkable share link (another site, no /s/<id>, or garbage): #{ids[1]}, #{ids[2]}, #{ids[3]}"
    (line,) = [line for line in proc.stdout.splitlines() if warning in line]
    assert " WARN " in line
    assert _json(cli.run("check-links", *FAST, "--json"))["malformed"] == ids[1:4]


# -- 5. reshare --expiring-within lists what it acts on ----------------------------------------------------

def test_reshare_expiring_within_lists_only_the_shares_it_acts_on(owner: Cli, sim: Simulator) -> None:
    soon = sim.own_shares.share("/追更/剧集A", expiry="1d", title="剧集A")
    later = sim.own_shares.share("/追更/剧集B", title="剧集B")  # permanent: not expiring
    add_valid(sim, "else00000001")  # someone else's live share
    soon_id, later_id, else_id = owner.db.seed([  # type: ignore[attr-defined]
        {"drama_name": "剧集A", "link": soon.link}, {"drama_name": "剧集B", "link": later.link},
        {"drama_name": "别人的", "link": share_url("else00000001")}])
    proc = owner.run("resources", "reshare", "--expiring-within", "3d", "--no-pacing", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    listed = [t for t in _texts(proc.stdout) if t.startswith("#")]
    assert listed == [f"#{soon_id} 剧集A would re-share (the share expires soon) from /追更"], proc.stdout
    assert "2 live shares left alone (not listed)" in proc.stdout
    doc = _json(owner.run("resources", "reshare", "--expiring-within", "3d", "--no-pacing", "--dry-run", "--json"))
    assert sorted(r["id"] for r in doc["results"]) == [soon_id, later_id, else_id]  # --json keeps every row


def test_reshare_retry_lines_name_their_row(owner: Cli, sim: Simulator) -> None:
    soon = sim.own_shares.share("/追更/剧集A", expiry="1d", title="剧集A")
    (row_id,) = owner.db.seed([{"drama_name": "剧集A", "link": soon.link}])  # type: ignore[attr-defined]
    sim.add_drive_fault(Fault(kind="code", code=15000, endpoint="path_list", times=1))  # the folder's lookup, once
    proc = owner.run("resources", "reshare", "--expiring-within", "3d", "--no-pacing", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    (retry,) = [t for t in _texts(proc.stdout) if "retrying in" in t]
    assert retry.startswith(f"#{row_id} 剧集A: Quark server error (15000") and retry.endswith("; retrying in 2 s")


# -- 6. a long dry-run plan is cut outside a terminal -------------------------------------------------------

def test_a_long_dry_run_plan_is_cut_outside_a_terminal(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    sim.add_share(Share(pwd_id="many00000001", title="many", files=[{"name": f"E{n:03}.mp4", "size": 1} for n in range(1, 61)]))
    config = _config(cli, [_task("many", "many00000001")])
    proc = cli.run("autosave", "--config", str(config), *FAST, "--no-sign", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "would save 60 files" in proc.stdout
    assert "E050.mp4" in proc.stdout and "E051.mp4" not in proc.stdout
    assert "... and 10 more" in proc.stdout
    code, screen = cli.on_terminal("autosave", "--config", str(config), *FAST, "--no-sign", "--dry-run")
    assert code == 0 and "E060.mp4" in screen and "more" not in screen
    doc = _json(cli.run("autosave", "--config", str(config), *FAST, "--no-sign", "--dry-run", "--json"))
    assert "E060.mp4" in json.dumps(doc, ensure_ascii=False)


# -- 7. warnings reach the log file -------------------------------------------------------------------------

def test_a_failed_notification_is_in_the_log_file_too(cli: Cli, sim: Simulator, db: ResourceDB, tmp_path: Path) -> None:
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    db.seed([{"drama_name": "死链接", "link": share_url("dead00000001")}])
    log = tmp_path / "logs" / "quarkctl.log"
    proc = cli.run("check-links", *FAST, "--log-file", str(log), "--notify", "nosuchscheme://x")
    assert proc.returncode == 0, proc.stderr
    (warning,) = [line for line in proc.stderr.splitlines() if line.startswith("warning: notification to ")]
    logged = log.read_text(encoding="utf-8").splitlines()
    assert logged[0].endswith(f"check-links: 1 link to check in {db.url.render_as_string(hide_password=True)}")
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WARN  ", logged[-1]) and logged[-1].endswith(warning)


def _task(name: str, pwd_id: str) -> dict:
    return {"taskname": name, "shareurl": share_url(pwd_id), "savepath": f"/{name}", "pattern": "", "replace": ""}


def _config(cli: Cli, tasks: list[dict]) -> Path:
    path = cli.home / "quark_config.json"
    path.write_text(json.dumps({"cookie": cli.env["QUARK_COOKIE"], "tasklist": tasks}, ensure_ascii=False), encoding="utf-8")
    return path
