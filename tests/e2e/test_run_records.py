"""Reports that tell the truth (issue 23), through the installed command: each run is recorded as the job it
was, with that job's own counts and the way it ended (`history`, `history show`, `--json`)."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, share_url
from quarkctl.quark.grace import STOP_GRACE
from quarkctl.simulator import Fault, Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def _runs(cli: Cli, *args: str) -> list[dict]:
    return _json(cli.run("history", "--json", *args))["runs"]


# -- resources revive: a job of its own, counting what it revived ----------------------------------------

def _revivable(sim: Simulator, db: ResourceDB) -> None:
    """Two rows marked expired whose shares work again, one really dead, one valid row revive never looks at."""
    add_valid(sim, "back00000001")
    add_valid(sim, "back00000002")
    add_valid(sim, "live00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    db.seed([{"drama_name": "back1", "link": share_url("back00000001"), "is_expired": 1},
             {"drama_name": "back2", "link": share_url("back00000002"), "is_expired": 1},
             {"drama_name": "dead", "link": share_url("dead00000001"), "is_expired": 1},
             {"drama_name": "live", "link": share_url("live00000001"), "is_expired": 0}])


def test_revive_is_its_own_job_and_counts_what_it_revived(cli: Cli, sim: Simulator, sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    _revivable(sim, db)
    dry = _json(cli.run("resources", "revive", *FAST, "--dry-run", "--json"))
    assert dry["job"] == "revive" and dry["summary"]["revived"] == 2, dry["summary"]
    assert _runs(cli) == []  # a dry run is not recorded
    real = _json(cli.run("resources", "revive", *FAST, "--json"))
    assert real["job"] == "revive" and real["summary"]["revived"] == 2 and real["summary"]["total"] == 3, real["summary"]
    assert sum(not r.is_expired for r in db.rows().values()) == 3

    runs = _runs(cli)
    assert [(r["job"], r["status"], r["counts"]["revived"], r["counts"]["total"]) for r in runs] == [("revive", "finished", 2, 3)]
    assert _runs(cli, "--job", "revive") == runs and _runs(cli, "--job", "check-links") == []
    text = cli.run("history")
    assert text.returncode == 0 and " revive " in text.stdout and "marked valid again 2" in text.stdout, text.stdout
    shown = _json(cli.run("history", "show", str(runs[0]["id"]), "--json"))
    assert shown["run"]["job"] == "revive" and sorted(i["verdict"] for i in shown["items"]) == ["expired", "valid", "valid"]

    again = _json(cli.run("resources", "revive", *FAST, "--json"))  # nothing left to revive
    assert again["summary"]["revived"] == 0 and again["summary"]["total"] == 1


def test_recheck_expired_counts_revived_and_stays_check_links(cli: Cli, sim: Simulator, sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    _revivable(sim, db)
    dry = _json(cli.run("check-links", "--recheck-expired", *FAST, "--dry-run", "--json"))
    real = _json(cli.run("check-links", "--recheck-expired", *FAST, "--json"))
    assert dry["job"] == real["job"] == "check-links"
    assert dry["summary"]["revived"] == real["summary"]["revived"] == 2
    assert _runs(cli)[0]["counts"]["revived"] == 2
    plain = _json(cli.run("check-links", *FAST, "--json"))  # over valid rows only: nothing to revive, no such count
    assert "revived" not in plain["summary"]


@pytest.mark.parametrize("args", [["check-links", "--recheck-expired"], ["resources", "revive"]], ids=["recheck", "revive"])
def test_a_dry_run_does_not_list_expired_rows_as_newly_marked(cli: Cli, sim: Simulator, sqlitedb: ResourceDB, args: list[str]) -> None:
    db = on_database(cli, sqlitedb)
    _revivable(sim, db)
    dry = _json(cli.run(*args, *FAST, "--dry-run", "--json"))
    assert [r["name"] for r in dry["results"] if r["verdict"] == "expired"] == ["dead"]
    assert not any(r["marked"] for r in dry["results"])
    text = cli.run(*args, *FAST, "--dry-run")
    assert "newly marked expired 0" in text.stdout, text.stdout


# -- an interrupted autosave says so, and names the tasks it did not run -----------------------------------

def _wait_for(predicate, seconds: float = 30.0) -> None:
    """Polls a condition the test cannot be told of (another process's progress), bounded."""
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_autosave_names_the_tasks_it_did_not_run(cli: Cli, sim: Simulator, sqlitedb: ResourceDB,
                                                                 signum: int) -> None:
    from helpers.loopback import Receiver

    cli.env["DATABASE_URL"] = sqlitedb.url_text
    add_valid(sim, "frst00000001")
    add_valid(sim, "drip00000001", faults=[Fault(kind="drip", delay=0.3, endpoint="token")])
    add_valid(sim, "left00000001")
    add_valid(sim, "left00000002")
    tasks = [{"taskname": name, "shareurl": share_url(pwd_id), "savepath": f"/{name}", "pattern": "", "replace": ""}
             for name, pwd_id in (("first", "frst00000001"), ("drip", "drip00000001"), ("later1", "left00000001"),
                                  ("later2", "left00000002"))]
    config = cli.home / "quark_config.json"
    config.write_text(json.dumps({"cookie": cli.env["QUARK_COOKIE"], "tasklist": tasks}), encoding="utf-8")
    log = cli.home / "run.log"
    with Receiver() as receiver:
        proc = cli.popen("autosave", "--config", str(config), *FAST, "--json", "--no-sign", "--timeout", "600",
                         "--log-file", str(log), "--notify", f"json://{receiver.host}/hook")
        try:
            _wait_for(lambda: sim.requests(endpoint="token", pwd_id="drip00000001"))
            proc.send_signal(signum)
            out, err = proc.communicate(timeout=STOP_GRACE + 30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        messages = [r.json()["message"] for r in receiver.requests]
    assert proc.returncode == (130 if signum == signal.SIGINT else 143), err
    doc = json.loads(out)
    assert doc["aborted"] == "interrupted" and doc["not_run"] == ["later1", "later2"], doc
    assert [(t["name"], t["status"], t["reason"]) for t in doc["tasks"]] == [
        ("first", "saved", ""), ("drip", "failed", "interrupted"), ("later1", "skipped", "interrupted"),
        ("later2", "skipped", "interrupted")]
    assert sim.requests(pwd_id="left00000001") == []  # nothing started after the signal
    line = "interrupted: 2 of 4 tasks not run: later1, later2"
    assert line in err and line in log.read_text(encoding="utf-8"), err
    assert len(messages) == 1 and line in messages[0], (messages, err)
    runs = _runs(cli)
    assert runs[0]["status"] == "interrupted" and runs[0]["counts"]["skipped"] == 2, runs[0]
    shown = cli.run("history", "show", str(runs[0]["id"])).stdout
    assert "#3 later1 skipped: interrupted" in shown and "#4 later2 skipped: interrupted" in shown, shown


# -- a run killed with SIGKILL: its counts come from the verdicts it recorded ------------------------------

def test_a_killed_runs_counts_come_from_its_recorded_verdicts(cli: Cli, sim: Simulator, sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    add_valid(sim, "kill00000001")
    sim.add_share(Share(pwd_id="kill00000002", title="d", dead_code=41012, files=[]))
    add_valid(sim, "kill00000003")
    db.seed([{"drama_name": "a", "link": share_url("kill00000001")}, {"drama_name": "b", "link": share_url("kill00000002")},
             {"drama_name": "c", "link": share_url("kill00000003")}])
    # the third link is 30 s of pacing away: the run is killed long before it
    proc = cli.popen("check-links", "--min-delay", "0", "--max-delay", "0", "--rest-every", "2", "--rest-seconds", "30")
    try:
        _wait_for(lambda: db.scalar("SELECT COUNT(*) FROM quarkctl_check") == 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    [run] = _runs(cli)
    assert run["status"] == "abandoned", run
    assert {k: run["counts"][k] for k in ("total", "valid", "expired", "errors")} == {"total": 2, "valid": 1, "expired": 1, "errors": 0}
    text = cli.run("history").stdout
    assert "abandoned" in text and "total 2, valid 1, expired 1" in text, text


def test_a_run_the_circuit_breaker_stopped_is_recorded_as_aborted(cli: Cli, sim: Simulator, sqlitedb: ResourceDB) -> None:
    db = on_database(cli, sqlitedb)
    rows = []
    for n in range(4):
        pwd_id = f"busy0000000{n}"
        add_valid(sim, pwd_id, faults=[Fault(kind="body", status=503, body={"message": "busy"}, endpoint="token")])
        rows.append({"drama_name": f"r{n}", "link": share_url(pwd_id)})
    db.seed(rows)
    proc = cli.run("check-links", *FAST, "--retries", "0", "--max-consecutive-errors", "2", "--json")
    assert proc.returncode == 4 and json.loads(proc.stdout)["aborted"] == "circuit_breaker", proc.stderr
    [run] = _runs(cli)
    assert (run["status"], run["exit_code"], run["aborted"]) == ("aborted", 4, "circuit_breaker"), run
