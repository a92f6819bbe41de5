"""Issue 25's re-acquisition through the installed command against what an attacker's review fed it: a search
service's text with lone surrogates, Quark failing outside the link checks, a row no search can be made for, a
PanSou address with a token. Each ends with one clear line and a documented exit code, never a traceback, and the
run's history records the code the command returned. On SQLite and MariaDB (the `owner` fixture)."""

from __future__ import annotations

import json

import pytest

from conftest import Cli
from quarkctl.simulator.model import Fault
from tests.e2e.test_acquire import FAST, NAME, _env, _share, _taken_down

SURROGATE = NAME + " \ud800 4K"  # JSON's "\ud800": a lone surrogate no UTF-8 output can hold


def _answer(pansou, url: str, note: str) -> None:
    body = {"code": 0, "message": "success", "data": {"total": 1, "merged_by_type": {"quark": [
        {"url": url, "password": "", "note": note, "datetime": "2024-01-01T00:00:00Z", "source": "tg:x\ud800"}]}}}
    pansou.fail(200, json.dumps(body).encode(), content_type="application/json", times=None)


def _history(owner: Cli) -> list[tuple[str, str, int]]:
    return [(r["job"], r["status"], r["exit_code"]) for r in json.loads(owner.run("history", "--json").stdout)["runs"]]


def test_a_lone_surrogate_in_a_note_is_stored_and_printed(owner: Cli, sim, pansou) -> None:
    row = _taken_down(owner, sim, expired=1)
    _answer(pansou, _share(sim, "good00000001"), SURROGATE)
    planned = owner.run("resources", "acquire", "--all-expired", *FAST, "--dry-run", env=_env(pansou))
    assert planned.returncode == 0 and "Traceback" not in planned.stderr, planned.stderr
    done = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
    assert done.returncode == 0, done.stderr
    assert f"«{NAME} \ufffd 4K»" in done.stdout  # stored and shown as U+FFFD
    assert owner.db.rows()[row].is_expired == 0
    assert owner.db.scalar("SELECT candidate_note FROM quarkctl_acquire") == f"{NAME} \ufffd 4K"


def test_a_lone_surrogate_under_check_links_reacquire_json(owner: Cli, sim, pansou) -> None:
    row = _taken_down(owner, sim)
    _answer(pansou, _share(sim, "good00000001"), SURROGATE)
    done = owner.run("check-links", "--reacquire", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["reacquire"]["results"][0]["action"] == "replaced" and owner.db.rows()[row].is_expired == 0
    assert _history(owner) == [("check-links", "finished", 0)]


def test_a_lone_surrogate_in_pansous_error_is_one_line_exit_7(owner: Cli, sim, pansou) -> None:
    _taken_down(owner, sim, expired=1)
    pansou.fail(500, b'{"code":500,"message":"boom \\ud800"}', content_type="application/json", times=None)
    done = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 7 and "Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["aborted"] == "search_unavailable" and "boom \ufffd" in done.stderr, done.stderr


@pytest.mark.parametrize("endpoint", ["share_list", "path_list"])  # the own shares' list, the free folder's lookup
def test_quark_failing_outside_the_checks_fails_the_row_not_the_run(owner: Cli, sim, pansou, endpoint: str) -> None:
    first = _taken_down(owner, sim, expired=1)
    second = _taken_down(owner, sim, name="电影B", pwd_id="down00000002", expired=1)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    pansou.add("电影B", _share(sim, "good00000002"), note="电影B")
    sim.add_drive_fault(Fault(kind="http_error", endpoint=endpoint, status=500, times=None))
    done = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 1 and "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    results = json.loads(done.stdout)["results"]
    assert [(r["id"], r["action"], r["reason"]) for r in results] == [(first, "failed", "quark_failed"),
                                                                               (second, "failed", "quark_failed")]
    assert owner.db.rows()[first].link.endswith("down00000001") and not sim.requests("save")
    assert _history(owner) == [("acquire", "finished", 1)]
    shown = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
    assert f"#{first} {NAME} failed: Quark did not answer a request" in shown.stdout + shown.stderr


def test_quark_failing_under_check_links_reacquire_is_exit_1_in_history(owner: Cli, sim, pansou) -> None:
    _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    sim.add_drive_fault(Fault(kind="http_error", endpoint="share_list", status=500, times=None))
    done = owner.run("check-links", "--reacquire", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 1 and json.loads(done.stdout)["reacquire"]["results"][0]["reason"] == "quark_failed", done.stderr
    assert _history(owner) == [("check-links", "finished", 1)]


def test_an_overlong_title_is_searched_for_its_start_and_a_refused_search_fails_that_row_only(owner: Cli, sim, pansou) -> None:
    huge = _taken_down(owner, sim, name="巨" * 250, pwd_id="down00000009", expired=1)  # MariaDB's column holds 255
    row = _taken_down(owner, sim, expired=1)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    done = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 1 and json.loads(done.stdout)["aborted"] is None  # 1: the long title is left dead
    assert [len(r.first("kw") or "") for r in pansou.requests("/api/search")] == [100, len(NAME)]  # acquire/pansou.py MAX_KEYWORD
    assert owner.db.rows()[row].is_expired == 0 and owner.db.rows()[huge].is_expired == 1
    # a server that refuses a search's request (a URL too long for it): that row fails, the others go on
    owner.db.seed([{"drama_name": "电影B", "link": _share(sim, "down00000003", dead_code=41010), "is_expired": 1}])
    pansou.fail(414, "<html><title>414 Request-URI Too Large</title></html>", content_type="text/html", times=1)
    pansou.add("电影B", _share(sim, "good00000002"), note="电影B")
    done = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    results = json.loads(done.stdout)
    assert done.returncode == 1 and results["aborted"] is None
    assert [(r["action"], r["reason"]) for r in results["results"]] == [("failed", "query_refused"), ("replaced", "acquired")]
    assert "HTTP 414 (414 Request-URI Too Large)" in results["results"][0]["message"]


@pytest.mark.parametrize("name", ["   ", "\u3000", "\t"])
def test_a_row_whose_name_is_only_white_space_is_left_alone(owner: Cli, sim, pansou, name: str) -> None:
    (blank,) = owner.db.seed([{"drama_name": name, "link": _share(sim, "down00000002", dead_code=41010), "is_expired": 1}])
    row = _taken_down(owner, sim, expired=1)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    done = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert [(r["id"], r["action"], r["reason"]) for r in json.loads(done.stdout)["results"]] == [
        (blank, "skipped", "no_name"), (row, "replaced", "acquired")]


def test_a_token_in_pansou_url_is_never_shown(owner: Cli, sim, pansou) -> None:
    _taken_down(owner, sim, expired=1)
    secret = "S3cretT0kenValue"
    env = {"PANSOU_URL": f"{pansou.base_url}/?token={secret}#{secret}x"}
    for args in (("resources", "acquire", "--all-expired", *FAST), ("resources", "acquire", "--all-expired", *FAST, "--json"),
                 ("check-links", "--reacquire", *FAST, "--json")):
        done = owner.run(*args, env=env)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr  # PANSOU_URL takes no query
        said = done.stdout + done.stderr
        assert secret not in said and "token=***" in said, said


def test_check_links_reacquire_ends_at_its_deadline_when_pansou_stalls(owner: Cli, sim, pansou) -> None:
    """--timeout 100 for PanSou, a deadline 3 s on: the run ends at the deadline's cut (STOP_GRACE), well within the
    60 s this test waits, or it fails (an attacker's review, issue 25: 61 s)."""
    row = _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    release = pansou.stall()
    try:
        done = owner.run("check-links", "--reacquire", *FAST, "--max-runtime", "3s", "--timeout", "100", "--json",
                         env=_env(pansou), timeout=60)
    finally:
        release.set()
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["reacquire"]["results"]
    assert (result["id"], result["action"], result["reason"]) == (row, "skipped", "deadline")
    assert owner.db.rows()[row].is_expired == 1 and not sim.requests("save")


def test_check_links_reacquire_ends_at_its_deadline_when_a_save_never_finishes(owner: Cli, sim, pansou) -> None:
    """Quark's save task never finishes (its own timeout is 120 s): the deadline's cut ends it; the intent stays
    pending, for a later run's recovery to share what was saved."""
    row = _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    sim.task_polls = 10**9
    done = owner.run("check-links", "--reacquire", *FAST, "--max-runtime", "5s", "--json", env=_env(pansou), timeout=60)
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["reacquire"]["results"]
    assert (result["id"], result["action"], result["reason"]) == (row, "skipped", "deadline")
    assert owner.db.rows()[row].is_expired == 1 and len(sim.requests("save")) == 1
    assert owner.db.scalar("SELECT status FROM quarkctl_acquire") == "pending"
