"""Reports that tell the truth (issue 23), through the installed command: each run is recorded as the job it
was, with that job's own counts and the way it ended (`history`, `history show`, `--json`)."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import Cli, ResourceDB, add_valid, on_database, share_url
from quarkctl.simulator import Share, Simulator

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
