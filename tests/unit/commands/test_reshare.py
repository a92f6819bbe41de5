"""Issue 17 end to end: the installed `quarkctl` against the simulator's own shares, on SQLite and MariaDB."""

from __future__ import annotations

import json
from datetime import datetime, timezone


from tests.conftest import Cli

FAST = ("--no-pacing",)


def _seed(cli: Cli, rows):
    return cli.db.seed(rows)


def _share_count(sim) -> int:
    return len(sim.own_shares.of())


def test_expired_7day_share_is_reshared_by_check_links(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "share_count": 1}])
    sim.advance(days=8)  # the 7-day share runs out: its link answers 41019
    done = owner.run("check-links", *FAST, "--reshare", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    (outcome,) = report["reshare"]["results"]
    assert outcome["action"] == "reshared" and outcome["reason"] == "share_expired"
    row = owner.db.rows()[row_id]
    assert row.link == outcome["new_link"] != old.link
    assert row.is_expired == 0 and row.share_count == 2 and row.last_share_time is not None
    new = sim.own_shares.get(row.link.rsplit("/", 1)[-1].split("?")[0])
    assert new is not None and new.fids == old.fids and new.title == "剧集A"
    again = owner.run("check-links", *FAST, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["summary"]["valid"] == 1


def test_check_links_reshare_summary_counts_the_re_shared(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    _seed(owner, [{"drama_name": "剧集A", "link": old.link, "share_count": 1}])
    sim.advance(days=8)
    done = owner.run("check-links", *FAST, "--reshare")
    assert done.returncode == 0, done.stderr
    (summary,) = [line for line in (done.stdout + done.stderr).splitlines() if "summary:" in line]
    assert "re-shared 1" in summary


def test_takedown_and_failed_review_are_reported_and_untouched(owner: Cli, sim) -> None:
    banned = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.take_down(banned, 41010)
    flagged_share = sim.own_shares.share("/追更/剧集B", title="剧集B")
    sim.own_shares.cancel(flagged_share)
    sim.own_shares.flag("/追更/剧集B")  # a new share of it fails review: 41026
    ids = _seed(owner, [{"drama_name": "剧集A", "link": banned.link, "is_expired": 1},
                        {"drama_name": "剧集B", "link": flagged_share.link, "is_expired": 1}])
    before = owner.db.rows()
    count = _share_count(sim)
    done = owner.run("resources", "reshare", *[str(i) for i in ids], *FAST, "--json")
    results = {r["id"]: r for r in json.loads(done.stdout)["results"]}
    assert done.returncode == 1, done.stderr
    assert results[ids[0]]["action"] == "refused" and results[ids[0]]["reason"] == "taken_down"
    assert results[ids[1]]["action"] == "refused" and results[ids[1]]["reason"] == "failed_review"
    assert _share_count(sim) == count  # no share was made
    after = owner.db.rows()
    assert [(r.link, r.is_expired, r.share_count) for r in after.values()] == [(r.link, r.is_expired, r.share_count) for r in before.values()]
    plain = owner.run("resources", "reshare", str(ids[0]), *FAST)
    assert "not re-shared: taken down for violating content" in plain.stdout


def test_multi_item_share_not_made_by_quarkctl_is_reported(owner: Cli, sim) -> None:
    multi = sim.own_shares.share(["/多项/a.mp4", "/多项/b.mp4"], title="多项")
    sim.own_shares.cancel(multi)
    (row_id,) = _seed(owner, [{"drama_name": "多项", "link": multi.link, "is_expired": 1}])
    done = owner.run("resources", "reshare", "--all-expired", *FAST)
    assert done.returncode == 0, done.stderr
    assert "several items; re-share by hand from /多项" in done.stdout
    assert owner.db.rows()[row_id].link == multi.link


def test_multi_item_share_made_by_add_reshare_from_heals(owner: Cli, sim) -> None:
    added = owner.run("resources", "add", "多项", "--reshare-from", "/多项")
    assert added.returncode == 0, added.stderr
    (row,) = owner.db.rows().values()
    made = sim.own_shares.get(row.link.rsplit("/", 1)[-1].split("?")[0])
    assert made is not None and len(made.fids) == 2
    sim.own_shares.cancel(made)
    owner.run("resources", "set-status", str(row.id), "--expired")
    done = owner.run("resources", "reshare", str(row.id), *FAST, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["action"] == "reshared"
    assert sorted(sim.own_shares.get(owner.db.rows()[row.id].link.rsplit("/", 1)[-1]).fids) == sorted(made.fids)


def test_expiring_share_is_renewed_before_it_dies(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", expiry="1d", title="剧集A")
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link}])
    done = owner.run("resources", "reshare", "--expiring-within", "3d", "--cancel-old", *FAST, "--json")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["action"] == "reshared" and result["reason"] == "expiring"
    row = owner.db.rows()[row_id]
    assert row.link != old.link and row.is_expired == 0
    assert old.cancelled  # --cancel-old


def test_dry_run_writes_nothing(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.cancel(old)
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "is_expired": 1}])
    count = _share_count(sim)
    done = owner.run("resources", "reshare", "--all-expired", "--dry-run", *FAST)
    assert done.returncode == 0, done.stderr
    assert "would re-share" in done.stdout and "/追更" in done.stdout
    assert _share_count(sim) == count
    assert owner.db.rows()[row_id].link == old.link
    assert owner.db.scalar("select count(*) from quarkctl_reshare") in (0, None)


def test_crash_between_creation_and_row_update_is_recovered(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.cancel(old)
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "is_expired": 1}])
    # What a run that died after `POST share` leaves: its intent, and the new share in the account.
    from quarkctl.db.database import Database

    db = Database(owner.db.url)
    db.prepare_for_reshare(dry_run=False)
    db.reshare_intent(None, row_id, old.link, old.fids, "剧集A", "share_cancelled", datetime.now(timezone.utc))
    db.close()
    made = sim.own_shares.share("/追更/剧集A", title="剧集A")
    count = _share_count(sim)
    done = owner.run("resources", "reshare", "--all-expired", *FAST, "--json")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["action"] == "recovered"
    assert _share_count(sim) == count  # no second share
    assert owner.db.rows()[row_id].link == made.link
    assert owner.db.scalar("select status from quarkctl_reshare") == "done"
    run_id = json.loads(owner.run("history", "--json").stdout)["runs"][0]["id"]
    listed = owner.run("history", "show", str(run_id))
    assert listed.returncode == 0 and f"{old.link} -> {made.link}" in listed.stdout, listed.stdout + listed.stderr
    shown = owner.run("resources", "show", str(row_id))
    assert "re-shares:" in shown.stdout and f"{old.link} -> {made.link}" in shown.stdout
    chain = json.loads(owner.run("resources", "show", str(row_id), "--json").stdout)["reshares"]
    assert [(c["old_link"], c["new_link"], c["status"]) for c in chain] == [(old.link, made.link, "done")]


def _pwd(link: str) -> str:
    return link.rsplit("/", 1)[-1].split("?")[0]


def test_polled_creation_path_reads_the_share_id_from_the_task(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.cancel(old)
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "is_expired": 1}])
    sim.own_shares.task_polls = 2  # POST share answers only a task id; the task is pending twice (task[0])
    sim.tq_gap = 1  # ms: the poll gap the reply asks for, kept short
    done = owner.run("resources", "reshare", "--all-expired", *FAST, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["action"] == "reshared"
    assert len(sim.requests("share_create")) == 1 and len(sim.requests("task")) == 3  # pending, pending, done
    new = sim.own_shares.get(_pwd(owner.db.rows()[row_id].link))
    assert new is not None and new.fids == old.fids and not new.cancelled


def test_limit_creates_at_most_n_shares(owner: Cli, sim) -> None:
    a = sim.own_shares.share("/追更/剧集A", title="剧集A")
    b = sim.own_shares.share("/追更/剧集B", title="剧集B")
    for share in (a, b):
        sim.own_shares.cancel(share)
    ids = _seed(owner, [{"drama_name": "剧集A", "link": a.link, "is_expired": 1},
                        {"drama_name": "剧集B", "link": b.link, "is_expired": 1}])
    done = owner.run("resources", "reshare", "--all-expired", "--limit", "1", *FAST, "--json")
    assert done.returncode == 0, done.stderr
    results = {r["id"]: r for r in json.loads(done.stdout)["results"]}
    assert (results[ids[0]]["action"], results[ids[1]]["action"], results[ids[1]]["reason"]) == ("reshared", "skipped", "limit")
    assert len(sim.requests("share_create")) == 1
    rows = owner.db.rows()
    assert rows[ids[0]].link != a.link and rows[ids[1]].link == b.link and rows[ids[1]].is_expired == 1


def test_a_rejected_cookie_exits_3_and_says_nothing_more_was_reshared(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.cancel(old)
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "is_expired": 1}])
    done = owner.run("resources", "reshare", "--all-expired", *FAST, env={"QUARK_COOKIE": "__pus=rejected; __puus=nope"})
    assert done.returncode == 3, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "nothing more was re-shared" in out and "nothing more was checked" not in out
    assert "nope" not in out  # the cookie never shows
    assert owner.db.rows()[row_id].link == old.link and not sim.requests("share_create")


def test_a_second_reshare_run_exits_75(owner: Cli, sim) -> None:
    from quarkctl.db.database import Database
    from quarkctl.lock import RunLock, lock_path

    label = Database(owner.db.url).label
    with RunLock(lock_path(owner.home / "state" / "quarkctl" / "locks", "reshare", label), "reshare"):
        done = owner.run("resources", "reshare", "--all-expired", *FAST)
    assert done.returncode == 75, done.stdout + done.stderr
    assert "reshare" in done.stderr and not sim.requests("share_list")


def test_a_run_interrupted_after_the_share_was_made_is_finished_by_the_next(owner: Cli, sim) -> None:
    from quarkctl.simulator.model import Fault

    old = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.cancel(old)
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "is_expired": 1, "share_count": 1}])
    # Quark makes the share, then share/password fails: the link of the new share never comes.
    sim.add_drive_fault(Fault("code", endpoint="share_password", code=32003, times=1))
    first = owner.run("resources", "reshare", "--all-expired", *FAST, "--json")
    assert first.returncode == 1, first.stdout + first.stderr
    (result,) = json.loads(first.stdout)["results"]
    assert (result["action"], result["reason"]) == ("failed", "link_failed")
    row = owner.db.rows()[row_id]
    assert (row.link, row.is_expired, row.share_count) == (old.link, 1, 1)
    assert owner.db.scalar("select status from quarkctl_reshare") == "pending"
    made = [s for s in sim.own_shares.of() if s is not old]
    assert len(made) == 1
    second = owner.run("resources", "reshare", "--all-expired", *FAST, "--json")
    assert second.returncode == 0, second.stdout + second.stderr
    (result,) = json.loads(second.stdout)["results"]
    assert result["action"] == "recovered" and result["new_link"] == made[0].link
    row = owner.db.rows()[row_id]
    assert (row.link, row.is_expired, row.share_count) == (made[0].link, 0, 2)
    assert len(sim.requests("share_create")) == 1  # one POST share over both runs
    assert owner.db.scalar("select count(*) from quarkctl_reshare where status = 'done'") == 1


def test_rows_of_one_dead_share_all_get_the_new_link(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    ids = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "share_count": 1},
                        {"drama_name": "剧集A 备份", "link": old.link + "?pwd=", "share_count": 3},
                        {"drama_name": "别的", "link": "https://pan.quark.cn/s/ffffffffffff"}])
    sim.advance(days=8)
    done = owner.run("check-links", *FAST, "--reshare", "--json")
    report = json.loads(done.stdout)
    results = report["reshare"]["results"]
    assert [(r["id"], r["action"]) for r in results if r["id"] != ids[2]] == [(ids[0], "reshared"), (ids[1], "reshared")], results
    assert len(sim.requests("share_create")) == 1
    rows = owner.db.rows()
    new = rows[ids[0]].link
    assert new != old.link and rows[ids[1]].link == new
    assert [(rows[i].is_expired, rows[i].share_count) for i in ids[:2]] == [(0, 2), (0, 4)]
    chain = json.loads(owner.run("resources", "show", str(ids[1]), "--json").stdout)["reshares"]
    assert [(c["old_link"], c["new_link"]) for c in chain] == [(old.link + "?pwd=", new)]


def test_check_links_reshare_stores_the_exit_code_it_returns(owner: Cli, sim) -> None:
    from quarkctl.simulator.model import Fault

    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    _seed(owner, [{"drama_name": "剧集A", "link": old.link}])
    sim.advance(days=8)
    sim.add_drive_fault(Fault("code", endpoint="share_create", code=32003, times=1))  # Quark does not make the share
    done = owner.run("check-links", *FAST, "--reshare", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    (result,) = json.loads(done.stdout)["reshare"]["results"]
    assert (result["action"], result["reason"]) == ("failed", "create_failed")
    (run,) = json.loads(owner.run("history", "--json").stdout)["runs"]
    assert run["exit_code"] == 1


def test_a_row_renewed_earlier_in_the_run_stays_valid_when_its_old_link_is_checked(owner: Cli, sim) -> None:
    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    # Row 2 was marked dead on an earlier night, so marking row 1 does not take it along; the check
    # reaches it after row 1's re-share gave it the new link, with the old link it read at the start.
    ids = _seed(owner, [{"drama_name": "剧集A", "link": old.link}, {"drama_name": "剧集A 2", "link": old.link, "is_expired": 1}])
    sim.advance(days=8)
    done = owner.run("check-links", *FAST, "--recheck-expired", "--reshare", "--json")
    report = json.loads(done.stdout)
    assert [r["id"] for r in report["results"]] == ids, report["results"]
    assert [(r["id"], r["action"]) for r in report["reshare"]["results"]] == [(ids[0], "reshared"), (ids[1], "reshared")]
    rows = owner.db.rows()
    assert rows[ids[0]].link == rows[ids[1]].link != old.link
    assert [rows[i].is_expired for i in ids] == [0, 0] and len(sim.requests("share_create")) == 1


def test_check_links_reshare_says_why_re_sharing_stopped(owner: Cli, sim) -> None:
    from quarkctl.db.database import Database
    from quarkctl.lock import RunLock, lock_path

    old = sim.own_shares.share("/追更/剧集A", expiry="7d", title="剧集A")
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "share_count": 1}])
    sim.advance(days=8)
    label = Database(owner.db.url).label
    with RunLock(lock_path(owner.home / "state" / "quarkctl" / "locks", "reshare", label), "reshare"):
        done = owner.run("check-links", *FAST, "--reshare")
    assert "another reshare run holds the lock; nothing was re-shared this run." in done.stdout + done.stderr
    assert owner.db.rows()[row_id].is_expired == 1  # marked, not re-shared: the next run may


# -- acceptance findings (helper Q1) ----------------------------------------------------------------


def test_a_reshare_run_in_history_counts_in_its_own_words(owner: Cli, sim) -> None:
    banned = sim.own_shares.share("/追更/剧集B", title="剧集B")
    sim.own_shares.take_down(banned, 41010)
    old = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.cancel(old)
    (row_id, _banned_id) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "is_expired": 1},
                                         {"drama_name": "剧集B", "link": banned.link, "is_expired": 1}])
    assert owner.run("resources", "reshare", "--all-expired", *FAST).returncode == 0
    listed = owner.run("history", "--lang", "en")
    line = next(x for x in listed.stdout.splitlines() if " reshare " in x)
    assert "total 2, re-shared 1" in line and "refused 1" in line and "valid" not in line, line
    (run,) = json.loads(owner.run("history", "--json").stdout)["runs"]
    assert run["counts"]["reshared"] == 1 and run["counts"]["refused"] == 1
    shown = owner.run("resources", "show", str(row_id), "--lang", "en")
    assert f"the share was cancelled, done: {old.link} -> " in shown.stdout, shown.stdout


def test_a_named_row_not_yet_marked_is_checked_now(owner: Cli, sim) -> None:
    """`resources reshare ID` on a row check-links has not marked yet: its link is asked now, not assumed alive."""
    old = sim.own_shares.share("/追更/剧集A", title="剧集A")
    sim.own_shares.cancel(old)
    (row_id,) = _seed(owner, [{"drama_name": "剧集A", "link": old.link, "is_expired": 0}])
    done = owner.run("resources", "reshare", str(row_id), *FAST, "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reshare: 1 row to consider" in done.stdout
    assert f"re-shared (the share was cancelled): {old.link} -> " in done.stdout
    assert owner.db.rows()[row_id].link != old.link


def test_check_links_reshare_without_the_cookie_is_a_usage_error(owner: Cli) -> None:
    done = owner.run("check-links", "--reshare", "--anonymous")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["Error: --reshare needs the cookie (it shares from your own drive): drop --anonymous"]
