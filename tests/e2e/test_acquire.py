"""Issue 25 through the installed command, where the process matters: `check-links --reacquire` (the rows it
finds dead get new links from the search service after the checks, in Chinese too), the lock between two
acquire runs (exit 75), SIGTERM during a search PanSou does not answer (exit 143, the partial report, no row
or intent half-written), PanSou refusing (exit 7, one line), and no secret in the output or the log file.
On SQLite and MariaDB (the `owner` fixture). Every wait is on the fake PanSou's `searching` event."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import COOKIE_SECRETS, QUARKCTL, Cli
from quarkctl.simulator.model import Share

FAST = ("--no-pacing",)
NAME = "庆余年 第二季"
WAIT = 30  # seconds: how long a test waits for the first run to reach its search before it fails


def _share(sim, pwd_id: str, files=("第01集.mp4", "第02集.mp4"), **kwargs) -> str:
    sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=[{"name": f, "size": 200_000_000} for f in files], **kwargs))
    return f"https://pan.quark.cn/s/{pwd_id}"


def _env(pansou, **more: str) -> dict[str, str]:
    return {"PANSOU_URL": pansou.base_url, **more}


def _taken_down(owner: Cli, sim, name: str = NAME, pwd_id: str = "down00000001", expired: int = 0) -> int:
    """A row whose share was taken down (41010) and whose files are gone: only a search brings it back."""
    (row,) = owner.db.seed([{"drama_name": name, "link": _share(sim, pwd_id, dead_code=41010), "is_expired": expired,
                             "share_count": 1}])
    return row


def _pending(owner: Cli) -> int:
    return int(owner.db.scalar("SELECT COUNT(*) FROM quarkctl_acquire WHERE status = 'pending'") or 0)


def _stopped(proc: subprocess.Popen[str], release) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_check_links_reacquire_in_chinese_and_the_next_check_finds_the_row_valid(owner: Cli, sim, pansou, tmp_path: Path) -> None:
    row = _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "trai00000001"), note=f"{NAME} 预告片")
    pansou.add(NAME, _share(sim, "good00000001"), note=f"{NAME} 1080p")
    log = tmp_path / "run.log"
    done = owner.run("check-links", "--reacquire", *FAST, "--log-file", str(log), env=_env(pansou, QUARKCTL_LANG="zh_CN"))
    assert done.returncode == 0, done.stdout + done.stderr
    stored = owner.db.rows()[row]
    assert stored.is_expired == 0 and stored.share_count == 2 and "down00000001" not in stored.link
    for text in (done.stdout, log.read_text(encoding="utf-8")):
        assert "重新获取：发现失效的行：1 个" in text  # no re-share named without --reshare
        assert f"#{row} {NAME} 已替换：https://pan.quark.cn/s/down00000001 -> {stored.link}" in text
        assert "已重新获取 1" in text and "https://pan.quark.cn/s/trai00000001" in text
    assert sorted(sim.drive().listdir(f"/quarkctl/{NAME}")) == ["第01集.mp4", "第02集.mp4"]
    again = owner.run("check-links", *FAST, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["summary"]["valid"] == 1
    shown = owner.run("history", "show", "1", env={"QUARKCTL_LANG": "zh_CN"})  # the first run: the re-acquiring check
    assert shown.returncode == 0 and stored.link in shown.stdout and "good00000001" in shown.stdout


def test_every_row_of_a_dead_share_gets_the_one_new_link_and_a_later_acquire_saves_nothing(owner: Cli, sim, pansou) -> None:
    """check-links marks the rows of one dead share together and hands --reacquire the row it checked; the others
    get its new link from the same save (a review of issue 25: they were left dead and saved again later)."""
    link = _share(sim, "down00000001", dead_code=41010)
    ids = owner.db.seed([{"drama_name": n, "link": link, "share_count": 1} for n in (NAME, f"{NAME} 4K", f"{NAME} 合集")])
    pansou.add(NAME, _share(sim, "good00000001"), note=f"{NAME} 1080p")
    done = owner.run("check-links", "--reacquire", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(done.stdout)["reacquire"]["results"]
    assert [(r["id"], r["action"], r["reason"]) for r in results] == [
        (ids[0], "replaced", "acquired"), (ids[1], "replaced", "same_share"), (ids[2], "replaced", "same_share")]
    rows = owner.db.rows()
    assert {rows[i].link for i in ids} == {results[0]["new_link"]} and {rows[i].is_expired for i in ids} == {0}
    assert len(sim.requests("save")) == 1 and len(sim.requests("share_create")) == 1
    later = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))
    assert later.returncode == 0 and json.loads(later.stdout)["results"] == [] and len(sim.requests("save")) == 1


def test_with_reshare_only_the_rows_it_cannot_heal_are_searched_for(owner: Cli, sim, pansou) -> None:
    own = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    healed, down = owner.db.seed([{"drama_name": "剧集A", "link": own.link, "share_count": 1}]) + [_taken_down(owner, sim)]
    sim.advance(days=8)  # the 7-day share runs out: a re-share heals it
    pansou.add("剧集A", _share(sim, "copy00000001"), note="剧集A 4K")
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    done = owner.run("check-links", "--reshare", "--reacquire", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(r["id"], r["action"]) for r in report["reshare"]["results"]] == [(healed, "reshared"), (down, "refused")]
    assert [(r["id"], r["action"]) for r in report["reacquire"]["results"]] == [(down, "replaced")]
    assert [r.first("kw") for r in pansou.requests("/api/search")] == [NAME]  # 剧集A was never searched for
    assert owner.db.rows()[down].is_expired == 0 and owner.db.rows()[healed].is_expired == 0


def test_a_taken_down_share_of_the_account_is_never_replaced_from_a_search(owner: Cli, sim, pansou) -> None:
    banned = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.take_down(banned, 41010)
    (row,) = owner.db.seed([{"drama_name": "剧集A", "link": banned.link}])
    pansou.add("剧集A", _share(sim, "copy00000001"), note="剧集A")
    done = owner.run("check-links", "--reshare", "--reacquire", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(r["action"], r["reason"]) for r in report["reshare"]["results"]] == [("refused", "taken_down")]
    assert [(r["id"], r["action"], r["reason"]) for r in report["reacquire"]["results"]] == [(row, "skipped", "own_share")]
    assert not pansou.requests("/api/search") and not sim.requests("save") and owner.db.rows()[row].is_expired == 1


def test_dry_run_plans_only(owner: Cli, sim, pansou) -> None:
    row = _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    before = owner.db.rows()
    done = owner.run("check-links", "--reacquire", "--dry-run", *FAST, "--json", env=_env(pansou))
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["reacquire"]["results"]
    assert (result["id"], result["action"], result["taken"]["url"]) == (row, "planned", "https://pan.quark.cn/s/good00000001")
    assert owner.db.rows() == before and not sim.requests("save") and not sim.requests("share_create")


def test_no_search_service_or_no_cookie_is_a_usage_error_before_any_check(owner: Cli, sim, pansou) -> None:
    row = _taken_down(owner, sim)
    unset = owner.run("check-links", "--reacquire", *FAST)
    assert unset.returncode == 2 and "PANSOU_URL" in unset.stderr and len(unset.stderr.strip().splitlines()) == 1
    anonymous = owner.run("check-links", "--reacquire", "--anonymous", *FAST, env=_env(pansou))
    assert anonymous.returncode == 2 and "--anonymous" in anonymous.stderr
    assert not sim.requests() and owner.db.rows()[row].is_expired == 0  # nothing was checked


@pytest.mark.parametrize("command", [("resources", "acquire", "--all-expired"), ("check-links", "--reacquire")])
def test_pansou_refusing_is_exit_7_one_line_and_nothing_else_changes(owner: Cli, sim, pansou, command) -> None:
    row = _taken_down(owner, sim, expired=1 if command[0] == "resources" else 0)
    pansou.enable_auth({"admin": "right-password"})
    done = owner.run(*command, *FAST, env=_env(pansou, PANSOU_USERNAME="admin", PANSOU_PASSWORD="wrong-password"))
    assert done.returncode == 7, done.stdout + done.stderr
    said = [line for line in done.stdout.splitlines() if "PANSOU_USERNAME" in line]
    assert len(said) == 1 and "ERROR" in said[0] and "nothing more was done" in said[0], done.stdout
    assert "Traceback" not in done.stderr and "wrong-password" not in done.stdout + done.stderr
    stored = owner.db.rows()[row]
    assert stored.is_expired == 1 and "down00000001" in stored.link  # marked by the check at most, nothing else changed
    assert not sim.requests("save") and not sim.requests("share_create")
    assert int(owner.db.scalar("SELECT exit_code FROM quarkctl_run ORDER BY id DESC LIMIT 1")) == 7  # history says it too


def test_a_full_drive_is_exit_4_and_a_row_with_no_result_is_not_a_failure(owner: Cli, sim, pansou) -> None:
    nothing = _taken_down(owner, sim, name="没人分享的剧", pwd_id="down00000002")
    _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    sim.account().base_capacity = 10
    full = owner.run("check-links", "--reacquire", *FAST, "--json", env=_env(pansou))
    assert full.returncode == 4, full.stdout + full.stderr
    report = json.loads(full.stdout)["reacquire"]
    assert report["aborted"] == "drive_full" and "the drive is full" in full.stderr
    assert [(r["id"], r["action"]) for r in report["results"]] == [(nothing, "left_dead")]
    sim.account().base_capacity = 10 ** 15
    left = owner.run("resources", "acquire", "--all-expired", *FAST, "--json", env=_env(pansou))  # acquire's own code: 1
    assert left.returncode == 1 and json.loads(left.stdout)["summary"]["replaced"] == 1
    again = _taken_down(owner, sim, name="也没人分享的剧", pwd_id="down00000003")
    night = owner.run("check-links", "--reacquire", *FAST, env=_env(pansou))  # check-links' code: a row left dead is listed, not exit 1
    assert night.returncode == 0, night.stdout + night.stderr
    assert f"#{again} 也没人分享的剧 left dead: searched «也没人分享的剧»: nothing found" in night.stdout and "left dead 1" in night.stdout


def test_secrets_are_never_in_the_output_or_the_log(owner: Cli, sim, pansou, tmp_path: Path) -> None:
    _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    pansou.enable_auth({"admin": "Pans0uSecretPassw0rd"})
    env = _env(pansou, PANSOU_USERNAME="admin", PANSOU_PASSWORD="Pans0uSecretPassw0rd")
    log = tmp_path / "run.log"
    runs = [owner.run("check-links", "--reacquire", *FAST, "--log-file", str(log), "--json", env=env),
            owner.run("resources", "acquire", "--all-expired", *FAST, "--log-file", str(log), env=env)]
    assert [r.returncode for r in runs] == [0, 0], [r.stdout + r.stderr for r in runs]
    assert json.loads(runs[0].stdout)["reacquire"]["summary"]["replaced"] == 1  # the sign-in worked
    said = "".join(r.stdout + r.stderr for r in runs) + log.read_text(encoding="utf-8")
    for secret in ("Pans0uSecretPassw0rd", *COOKIE_SECRETS, *pansou.tokens):
        assert secret not in said
    assert pansou.tokens  # a token was issued, and is checked above


def test_a_second_acquire_while_one_runs_exits_75(owner: Cli, sim, pansou) -> None:
    row = _taken_down(owner, sim, expired=1)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    release = pansou.stall()
    first = owner.popen("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
    try:
        assert pansou.searching.wait(WAIT), "the first run never searched"
        second = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))
        assert second.returncode == 75, second.stdout + second.stderr
        assert len(second.stderr.strip().splitlines()) == 1 and f"pid {first.pid}" in second.stderr
        # check-links --reacquire meanwhile: the checks run, its re-acquisition waits for the lock's holder
        other = _taken_down(owner, sim, name="剧集B", pwd_id="down00000002")
        checked = owner.run("check-links", "--reacquire", *FAST, "--json", env=_env(pansou))
        assert checked.returncode == 0, checked.stderr
        report = json.loads(checked.stdout)
        assert report["reacquire"]["aborted"] == "locked" and owner.db.rows()[other].is_expired == 1
        assert "another acquire run holds the lock" in checked.stderr
    finally:
        release.set()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out + err
    assert owner.db.rows()[row].is_expired == 0


@pytest.mark.parametrize("command", [("resources", "acquire", "--all-expired"), ("check-links", "--reacquire")])
def test_sigterm_during_a_search_stops_with_143_and_leaves_nothing_half_written(owner: Cli, sim, pansou, command) -> None:
    row = _taken_down(owner, sim, expired=1 if command[0] == "resources" else 0)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    release = pansou.stall()
    proc = owner.popen(*command, *FAST, env=_env(pansou))
    assert pansou.searching.wait(WAIT), "the run never searched"
    proc.send_signal(signal.SIGTERM)
    out, err = _stopped(proc, release)
    assert proc.returncode == 143, out + err
    assert "Traceback" not in err and "summary" in out  # the partial report
    assert "interrupted" in out + err  # check-links' too (a new user's review: no such line after its checks)
    stored = owner.db.rows()[row]
    assert stored.is_expired == 1 and "down00000001" in stored.link  # the row as before (check-links' mark stands)
    assert _pending(owner) == 0 and not sim.requests("save") and not sim.requests("share_create")
    again = owner.run("resources", "acquire", "--all-expired", *FAST, env=_env(pansou))  # the next run replaces it whole
    assert again.returncode == 0, again.stdout + again.stderr
    assert owner.db.rows()[row].is_expired == 0 and "down00000001" not in owner.db.rows()[row].link


def test_check_links_stopped_during_its_searches_says_143_and_interrupted_in_its_json_and_history(owner: Cli, sim, pansou) -> None:
    """A new user's review of issue 25: the command exited 143, but its JSON said exit_code 0, aborted null, and
    history said exit 0 finished."""
    _taken_down(owner, sim)
    pansou.add(NAME, _share(sim, "good00000001"), note=NAME)
    release = pansou.stall()
    proc = owner.popen("check-links", "--reacquire", *FAST, "--json", env=_env(pansou))
    assert pansou.searching.wait(WAIT), "the run never searched"
    proc.send_signal(signal.SIGTERM)
    out, err = _stopped(proc, release)
    assert proc.returncode == 143, out + err
    report = json.loads(out)
    assert (report["exit_code"], report["aborted"], report["reacquire"]["aborted"]) == (143, "interrupted", "interrupted")
    (run,) = json.loads(owner.run("history", "--json").stdout)["runs"]
    assert (run["exit_code"], run["status"], run["aborted"]) == (143, "interrupted", "interrupted")
    plain = owner.run("history").stdout
    assert "interrupted" in plain and "exit 143" in plain


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_demo_shows_one_reacquisition(tmp_path: Path, lang: str) -> None:
    """`quarkctl demo`: the taken-down 剧集G gets a new link of the demo account's own from the fake PanSou, the
    trailer among the results passed over; its line in the user's language, its result in the JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUARK", "DB_", "DATABASE_URL", "PANSOU", "LANG", "LC_"))}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
               QUARKCTL_LANG=lang, LANG="C.UTF-8")
    args = [QUARKCTL, "demo"] + (["--json"] if lang == "en" else [])
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    if lang == "en":
        checked = json.loads(done.stdout.splitlines()[0])
        (taken,) = [r for r in checked["reacquire"]["results"] if r["action"] == "replaced"]
        assert (taken["name"], taken["taken"]["url"]) == ("剧集G 第一季", "https://pan.quark.cn/s/7a6e0d0e4a13")
        assert [c["reason"] for c in taken["considered"]] == ["ok", "trailer"]
        assert checked["exit_code"] == 0 and not (tmp_path / "data").exists()
    else:
        assert "剧集G 第一季 已替换：https://pan.quark.cn/s/7a6e0d0e4a11 -> https://pan.quark.cn/s/" in done.stdout
        assert "预告" in done.stdout and "已重新获取 1" in done.stdout
