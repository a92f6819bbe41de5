"""autosave asks Quark only what it must (issue 16): one stoken per share, each share folder listed
once per run, no target listing when the ledger answers, share pages that stop early, and an stoken
that expires mid-run fetched again once. In process, against the simulator on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import COOKIE
from quarkctl.autosave.options import AutosaveOptions
from quarkctl.autosave.run import run_autosave
from quarkctl.config.autosave.model import AutosaveConfig, Task
from quarkctl.runtime.pacing import PacingPolicy
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import DriveSession
from quarkctl.quark.share_cache import ShareCache
from quarkctl.reports.autosave import AutosaveReport, Listener, TaskResult
from quarkctl.simulator import Fault, Share, Simulator
from quarkctl.autosave.task import Ledger, Transfer, newest_first, task_key, until_startfid

MS = 1760700000000


@pytest.fixture(autouse=True)
def quick_tasks(sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1


def episodes(count: int, start: int = 0) -> list[dict]:
    """E000.mp4 ... : a higher number is a newer upload."""
    return [{"name": f"E{n:03d}.mp4", "size": 1, "updated_at": MS + n} for n in range(start, start + count)]


def show(sim: Simulator, pwd_id: str, seasons: dict[str, int]) -> Share:
    """A share that is one folder ("Show") of season folders, as the reference's template follows."""
    children = [{"name": name, "children": episodes(count)} for name, count in seasons.items()]
    return sim.add_share(Share(pwd_id=pwd_id, title="Show", files=[{"name": "Show", "children": children}]))


def season_url(sim: Simulator, pwd_id: str, season: str) -> str:
    root, sub = sim.fid_of(pwd_id, "Show"), sim.fid_of(pwd_id, f"Show/{season}")
    return f"https://pan.quark.cn/s/{pwd_id}#/list/share/{root}-Show/{sub}-{season}"


def task(name: str, url: str, savepath: str, pattern: str = r"\.mp4$", **extra: Any) -> dict:
    return {"taskname": name, "shareurl": url, "savepath": savepath, "pattern": pattern, "replace": "", **extra}


class Starts(Listener):
    """Calls `hook(task)` as each task starts."""

    def __init__(self, hook: Callable[[Task], None]) -> None:
        self.hook = hook

    def task_started(self, task: Task) -> None:
        self.hook(task)


def run(sim: Simulator, tasks: list[dict], ledger: Ledger, listener: Listener | None = None, **options: Any) -> AutosaveReport:
    config = AutosaveConfig(Path("quark_config.json"), {"cookie": COOKIE, "tasklist": tasks})
    opts = AutosaveOptions(pacing=PacingPolicy.off(), backoff=0.0, sign=False, **options)
    sim.clear_log()
    return run_autosave(config, config.tasks, opts, listener, ledger=ledger, sleep=lambda seconds: True,
                        make_client=lambda cookie: QuarkClient(cookie=cookie, api_base=sim.base_url, timeout=5.0))


def saved(report: AutosaveReport, index: int = 0) -> list[str]:
    return [node.name for node in report.tasks[index].added]


def detail_pages(sim: Simulator, pdir_fid: str | None = None) -> list[str]:
    return [r.query["_page"] for r in sim.requests(endpoint="detail") if pdir_fid in (None, r.query.get("pdir_fid"))]


# -- one stoken per share, each folder listed once ----------------------------------------------------


def test_tasks_on_one_share_share_one_stoken_and_each_folder_is_listed_once(sim: Simulator) -> None:
    show(sim, "aaaa00000101", {"S1": 3, "S2": 2})
    s1, s2 = season_url(sim, "aaaa00000101", "S1"), season_url(sim, "aaaa00000101", "S2")
    tasks = [task("S1", s1, "/A/S1"), task("S2", s2, "/A/S2"), task("S1 again", s1, "/B/S1")]
    report = run(sim, tasks, Ledger())
    assert [t.status for t in report.tasks] == ["saved"] * 3
    assert len(sim.requests(endpoint="token")) == 1  # the reference asks three times
    assert detail_pages(sim, sim.fid_of("aaaa00000101", "Show/S1")) == ["1"]  # listed once for two tasks
    assert detail_pages(sim, sim.fid_of("aaaa00000101", "Show/S2")) == ["1"]
    drive = sim.drive()
    assert drive.listdir("/A/S1") == drive.listdir("/B/S1") == ["E000.mp4", "E001.mp4", "E002.mp4"]
    assert drive.listdir("/A/S2") == ["E000.mp4", "E001.mp4"]


def test_shares_with_another_passcode_or_id_get_their_own_stoken(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000102", title="x", files=episodes(2)))
    sim.add_share(Share(pwd_id="aaaa00000103", title="y", files=episodes(2), passcode="abcd"))
    tasks = [task("x", "https://pan.quark.cn/s/aaaa00000102", "/X"),
             task("y", "https://pan.quark.cn/s/aaaa00000103?pwd=abcd", "/Y"),
             task("y wrong", "https://pan.quark.cn/s/aaaa00000103?pwd=zzzz", "/Z")]
    report = run(sim, tasks, Ledger())
    # a wrong passcode never rides on another's token; it fails the task, never bans it (issue 21)
    assert [(t.status, t.reason) for t in report.tasks] == [("saved", ""), ("saved", ""), ("failed", "passcode_wrong")]
    assert [r.body["pwd_id"] for r in sim.requests(endpoint="token")] == ["aaaa00000102", "aaaa00000103", "aaaa00000103"]


def test_a_listing_cut_short_goes_on_from_its_last_page(sim: Simulator) -> None:
    """A task whose ledger knows the newest page stops there; another task on the same folder that needs
    every page gets the first one from memory and asks only for the rest."""
    sim.add_share(Share(pwd_id="aaaa00000104", title="x", files=episodes(120)))
    url = "https://pan.quark.cn/s/aaaa00000104"
    ledger = Ledger()
    run(sim, [task("old", url, "/Old")], ledger)
    before_new: list[list[str]] = []
    listener = Starts(lambda started: before_new.append(detail_pages(sim)) if started.name == "new" else None)
    report = run(sim, [task("old", url, "/Old"), task("new", url, "/New")], ledger, listener)
    assert [t.status for t in report.tasks] == ["nothing_new", "saved"]
    assert before_new == [["1"]]  # "old" stopped after page 1: its newest files are all known
    assert detail_pages(sim) == ["1", "2", "3"]  # "new" asked for pages 2 and 3 only
    assert len(sim.drive().listdir("/New")) == 120


# -- an stoken that expires mid-run --------------------------------------------------------------------


def test_an_stoken_that_expires_mid_run_is_fetched_again_once(sim: Simulator) -> None:
    show(sim, "aaaa00000105", {"S1": 2, "S2": 2})
    tasks = [task("S1", season_url(sim, "aaaa00000105", "S1"), "/E/S1"), task("S2", season_url(sim, "aaaa00000105", "S2"), "/E/S2")]

    def expire(started: Task) -> None:
        if started.name == "S2":
            sim.invalidate_stokens("aaaa00000105")  # the run's stoken dies between the two tasks

    report = run(sim, tasks, Ledger(), Starts(expire))
    assert [t.status for t in report.tasks] == ["saved", "saved"]
    assert len(sim.requests(endpoint="token")) == 2
    codes = [r.status for r in sim.requests(endpoint="detail", pwd_id="aaaa00000105")]
    assert codes == [200, 400, 200]  # S1; S2 refused (41016); S2 again with the fresh stoken
    assert len(sim.requests(endpoint="save")) == 2 and sim.drive().listdir("/E/S2") == ["E000.mp4", "E001.mp4"]


def test_an_stoken_that_keeps_expiring_fails_the_task_after_one_refresh(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000106", title="x", files=episodes(2)))
    sim.add_fault("aaaa00000106", Fault("stoken_expired", endpoint="detail"))
    report = run(sim, [task("x", "https://pan.quark.cn/s/aaaa00000106", "/X")], Ledger())
    result = report.tasks[0]
    assert (result.status, result.reason) == ("failed", "stoken_expired")  # transient: never a ban
    assert len(sim.requests(endpoint="token")) == 2 and len(sim.requests(endpoint="detail")) == 2


# -- no target listing when the ledger answers ---------------------------------------------------------


def test_no_target_listing_when_the_ledger_knows_every_file(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000107", title="x", files=[*episodes(3), {"name": "广告.txt", "updated_at": MS}]))
    tasks = [task("x", "https://pan.quark.cn/s/aaaa00000107", "/X")]
    ledger = Ledger()
    assert saved(run(sim, tasks, ledger)) == ["E002.mp4", "E001.mp4", "E000.mp4"]

    report = run(sim, tasks, ledger)
    assert report.tasks[0].status == "nothing_new" and sim.requests(endpoint="sort") == []
    dry = run(sim, tasks, ledger, dry_run=True)
    assert dry.tasks[0].status == "nothing_new" and dry.tasks[0].added == [] and sim.requests(endpoint="sort") == []

    sim.add_share(Share(pwd_id="aaaa00000107", title="x", files=[*episodes(4), {"name": "广告.txt", "updated_at": MS}]))
    dry = run(sim, tasks, ledger, dry_run=True)
    assert (dry.tasks[0].status, saved(dry)) == ("planned", ["E003.mp4"])  # the plan as before
    assert len(sim.requests(endpoint="sort")) == 1  # something may be saved: the target is listed
    report = run(sim, tasks, ledger)
    assert saved(report) == ["E003.mp4"] and len(sim.requests(endpoint="sort")) == 1
    assert sim.drive().listdir("/X") == ["E000.mp4", "E001.mp4", "E002.mp4", "E003.mp4"]


def test_resave_deleted_still_lists_the_target(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000108", title="x", files=episodes(2)))
    tasks = [task("x", "https://pan.quark.cn/s/aaaa00000108", "/X")]
    ledger = Ledger()
    run(sim, tasks, ledger)
    report = run(sim, tasks, ledger, resave_deleted=True)
    assert report.tasks[0].status == "nothing_new" and len(sim.requests(endpoint="sort")) == 1  # the ledger is ignored


def test_update_subdir_lists_the_target_and_takes_the_folder_fid_from_it(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000109", title="x", files=[{"name": "S01", "children": episodes(2)}, *episodes(1, start=10)]))
    tasks = [task("x", "https://pan.quark.cn/s/aaaa00000109", "/U", update_subdir="^S01$")]
    ledger = Ledger()
    run(sim, tasks, ledger)
    sim.add_share(Share(pwd_id="aaaa00000109", title="x", files=[{"name": "S01", "children": episodes(3)}, *episodes(1, start=10)]))
    report = run(sim, tasks, ledger)
    assert [c.name for c in report.tasks[0].added[0].children] == ["E002.mp4"]  # a folder it walks into: listed
    assert len(sim.requests(endpoint="sort")) == 2  # /U and /U/S01
    assert len(sim.requests(endpoint="path_list")) == 1  # /U/S01's fid came with the /U listing


# -- share pages that stop early -----------------------------------------------------------------------


def transfer_run(sim: Simulator, data: dict, ledger: Ledger, early_stop: bool) -> TaskResult:
    """One task through Transfer itself, so the same run can be made with every page (the reference's way)."""
    client = QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5.0)
    session = DriveSession(client, sleep=lambda seconds: True, backoff=0.0)
    shares = ShareCache(session)
    path = data["savepath"]
    fids = session.path_fids([path])
    fids = fids or {path: session.mkdir(path)}
    result = TaskResult(1, data["taskname"], savepath=path)
    config = AutosaveConfig(Path("quark_config.json"), {"cookie": COOKIE, "tasklist": [data]})
    transfer = Transfer(session, config.tasks[0], result, magic_regex={}, today=date.today(), ledger=ledger,
                        savepath_fids=fids, dry_run=False, resave_deleted=False, shares=shares, early_stop=early_stop)
    pwd_id = data["shareurl"].rsplit("/", 1)[1]
    result.added = transfer.check_and_save(pwd_id, shares.token(pwd_id, ""), "0", "")
    transfer.settle(True)  # as the job at the end of a task run: the scan marker for the next run
    client.close()
    return result


@pytest.mark.parametrize("startfid", [None, "E060.mp4"])
def test_early_paging_stop_saves_what_full_paging_saves(sim: Simulator, startfid: str | None) -> None:
    outcomes = {}
    for early_stop, pwd_id in ((True, "aaaa0000010a"), (False, "aaaa0000010b")):
        sim.add_share(Share(pwd_id=pwd_id, title="x", files=episodes(120)))
        extra = {"startfid": sim.fid_of(pwd_id, startfid)} if startfid else {}
        data = task("p", f"https://pan.quark.cn/s/{pwd_id}", f"/P{int(early_stop)}", **extra)
        ledger = Ledger()
        transfer_run(sim, data, ledger, early_stop)
        sim.add_share(Share(pwd_id=pwd_id, title="x", files=episodes(123)))  # three newer uploads on top
        sim.clear_log()
        result = transfer_run(sim, data, ledger, early_stop)
        outcomes[early_stop] = ([n.name for n in result.added], sorted(sim.drive().listdir(data["savepath"])), detail_pages(sim))
    (early, early_drive, early_pages), (full, full_drive, full_pages) = outcomes[True], outcomes[False]
    assert early == full == ["E122.mp4", "E121.mp4", "E120.mp4"] and early_drive == full_drive
    assert early_pages == ["1", "2"] and full_pages == ["1", "2", "3"]  # page 2 holds only known (or older) files


def test_no_early_stop_on_a_first_run_or_a_page_with_folders(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa0000010c", title="x", files=[{"name": f"D{n:02d}", "children": ["a.mp4"]} for n in range(60)]))
    tasks = [task("d", "https://pan.quark.cn/s/aaaa0000010c", "/D", pattern="", update_subdir="^D")]
    ledger = Ledger()
    run(sim, tasks, ledger)
    assert detail_pages(sim, "0") == ["1", "2"]  # nothing known yet: every page
    run(sim, tasks, ledger)
    assert detail_pages(sim, "0") == ["1", "2"]  # folders come first and may hide new files after them


def test_newest_first_and_until_startfid() -> None:
    page = [{"fid": "c", "updated_at": 3}, {"fid": "b", "updated_at": 3}, {"fid": "a", "updated_at": 1}]
    assert newest_first(page) and not newest_first(page[::-1])
    assert not newest_first([{"fid": "x"}, {"fid": "y", "updated_at": 1}])  # no time, no order known
    assert until_startfid(page, "b") == page[:2] and until_startfid(page, None) == page and until_startfid(page, "z") == page


# -- the early stop only after a clean run with the same filters (the scan marker) -------------------


def test_older_files_a_failed_save_left_are_found_by_a_full_listing(sim: Simulator) -> None:
    """The drive fills mid-save: the newest 100 are saved, the oldest 20 not. The next run must not stop
    on the pages of known files above them."""
    sim.add_share(Share(pwd_id="aaaa00000111", title="x", files=episodes(120)))
    tasks = [task("x", "https://pan.quark.cn/s/aaaa00000111", "/F")]
    ledger = Ledger()
    sim.account().base_capacity = 100  # bytes: the first save (100 files of 1 byte) fits, the second not
    first = run(sim, tasks, ledger)
    assert len(saved(first)) == 100 and first.tasks[0].problems  # 32003 on the second batch
    assert "E000.mp4" not in sim.drive().listdir("/F")

    sim.account().base_capacity = 10**9
    second = run(sim, tasks, ledger)
    assert detail_pages(sim) == ["1", "2", "3"]  # pages 1 and 2 hold only known files: listed on
    assert sorted(saved(second)) == [f"E{n:03d}.mp4" for n in range(20)]
    assert len(sim.drive().listdir("/F")) == 120

    third = run(sim, tasks, ledger)
    assert third.tasks[0].status == "nothing_new" and detail_pages(sim) == ["1"]  # clean now: the early stop again


def test_a_refused_save_clears_the_marker_a_clean_run_wrote(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000112", title="x", files=episodes(100)))
    tasks = [task("x", "https://pan.quark.cn/s/aaaa00000112", "/G")]
    ledger = Ledger()
    run(sim, tasks, ledger)
    assert ledger.clean_scan(task_key(AutosaveConfig(Path("c.json"), {"tasklist": tasks}).tasks[0])) is not None
    sim.add_share(Share(pwd_id="aaaa00000112", title="x", files=episodes(103)))  # three new on top
    sim.add_drive_fault(Fault("code", code=32003, endpoint="save", times=1))
    failed = run(sim, tasks, ledger)
    assert (failed.tasks[0].status, saved(failed)) == ("failed", [])
    run(sim, tasks, ledger)
    assert detail_pages(sim) == ["1", "2", "3"]  # not clean last time: every page
    assert len(sim.drive().listdir("/G")) == 103


def test_a_widened_pattern_lists_every_page(sim: Simulator) -> None:
    """E020..E119 saved under the old pattern; the new one also wants E000..E019, on page 3 only."""
    sim.add_share(Share(pwd_id="aaaa00000113", title="x", files=episodes(120)))
    url = "https://pan.quark.cn/s/aaaa00000113"
    ledger = Ledger()
    run(sim, [task("w", url, "/W", pattern=r"E(0[2-9]|1\d)\d")], ledger)
    run(sim, [task("w", url, "/W", pattern=r"E(0[2-9]|1\d)\d")], ledger)
    assert detail_pages(sim) == ["1"]  # clean, same filters: the early stop
    widened = run(sim, [task("w", url, "/W", pattern=r"\.mp4$")], ledger)
    assert detail_pages(sim) == ["1", "2", "3"]
    assert sorted(saved(widened)) == [f"E{n:03d}.mp4" for n in range(20)]


def test_the_marker_is_written_only_when_it_changes() -> None:
    writes: list[tuple[str, str | None]] = []
    stored = {"t": "abc"}
    ledger = Ledger(clean_scan=stored.get, mark_scan=lambda key, filters: writes.append((key, filters)))
    ledger.mark_scan("t", "abc")
    ledger.mark_scan("u", None)  # none stored, none to store
    assert writes == []  # the usual run writes nothing
    ledger.mark_scan("t", None)
    ledger.mark_scan("t", None)
    ledger.mark_scan("t", "def")
    assert writes == [("t", None), ("t", "def")]


# -- a stale stoken or share_fid_token at save time ---------------------------------------------------


@pytest.mark.parametrize("fault, reason", [
    (Fault("stoken_expired", endpoint="save", times=1), "stoken_expired"),  # the stoken dies between listing and save
    (Fault("code", code=41020, status=403, endpoint="save", times=1), "save_token_rejected"),
])
def test_a_stale_token_at_save_time_is_renewed_once_and_the_save_retried(sim: Simulator, fault: Fault, reason: str) -> None:
    sim.add_share(Share(pwd_id="aaaa00000114", title="x", files=episodes(3)))
    sim.add_fault("aaaa00000114", fault)
    report = run(sim, [task("x", "https://pan.quark.cn/s/aaaa00000114", "/T")], Ledger())
    result = report.tasks[0]
    assert (result.status, result.problems) == ("saved", [])
    assert sorted(saved(report)) == ["E000.mp4", "E001.mp4", "E002.mp4"]
    assert len(sim.requests(endpoint="token")) == 2  # the run's stoken, then one fresh
    assert detail_pages(sim) == ["1", "1"]  # the cached page went with the old stoken: listed again
    saves = sim.requests(endpoint="save")
    assert [r.status for r in saves] == [fault.status or 400, 200]
    assert saves[0].body["stoken"] != saves[1].body["stoken"]
    assert sorted(sim.drive().listdir("/T")) == ["E000.mp4", "E001.mp4", "E002.mp4"]


def test_a_token_still_stale_after_the_renewal_fails_the_task(sim: Simulator) -> None:
    sim.add_share(Share(pwd_id="aaaa00000115", title="x", files=episodes(2)))
    sim.add_fault("aaaa00000115", Fault("code", code=41020, status=403, endpoint="save"))
    report = run(sim, [task("x", "https://pan.quark.cn/s/aaaa00000115", "/T2")], Ledger())
    result = report.tasks[0]
    assert (result.status, result.reason) == ("failed", "save_token_rejected")  # transient: never a ban
    assert len(sim.requests(endpoint="token")) == 2 and len(sim.requests(endpoint="save")) == 2  # once, not more
    assert sim.drive().listdir("/T2") == []


def test_a_stoken_renewed_at_save_time_serves_the_rest_of_the_task(sim: Simulator) -> None:
    """update_subdir: the first sub-folder's save renews the stoken; the second sub-folder and the
    top-level files are listed and saved with the fresh one, without another renewal."""
    sim.add_share(Share(pwd_id="aaaa00000116", title="x", files=[
        {"name": "S01", "children": episodes(2)}, {"name": "S02", "children": episodes(2)}, *episodes(1, start=10)]))
    url = "https://pan.quark.cn/s/aaaa00000116"
    tasks = [task("x", url, "/R", pattern=r"\.mp4$", update_subdir="^S0")]
    ledger = Ledger()
    first = run(sim, tasks, ledger)
    assert first.tasks[0].status == "saved"
    sim.add_share(Share(pwd_id="aaaa00000116", title="x", files=[
        {"name": "S01", "children": episodes(3)}, {"name": "S02", "children": episodes(3)}, *episodes(2, start=10)]))
    sim.add_fault("aaaa00000116", Fault("stoken_expired", endpoint="save", times=1))
    report = run(sim, tasks, ledger)
    result = report.tasks[0]
    assert (result.status, result.problems) == ("saved", [])
    assert len(sim.requests(endpoint="token")) == 2
    assert [r.status for r in sim.requests(endpoint="save")] == [400, 200, 200, 200]
    assert detail_pages(sim, "0") == ["1", "1"]  # the top folder's items came with the old stoken: listed again
    drive = sim.drive()
    assert drive.listdir("/R/S01") == drive.listdir("/R/S02") == ["E000.mp4", "E001.mp4", "E002.mp4"]
    assert "E011.mp4" in drive.listdir("/R")


def test_every_chunk_after_a_renewal_is_saved_with_the_fresh_stokens_tokens(sim: Simulator) -> None:
    """150 files, two chunks: the first save is refused (41016); each chunk then takes its share_fid_tokens
    from the fresh stoken's listing, which goes only as far as the chunk needs."""
    sim.add_share(Share(pwd_id="aaaa00000117", title="x", files=episodes(150)))
    sim.add_fault("aaaa00000117", Fault("stoken_expired", endpoint="save", times=1))
    report = run(sim, [task("x", "https://pan.quark.cn/s/aaaa00000117", "/C")], Ledger())
    assert (report.tasks[0].status, len(saved(report))) == ("saved", 150)
    assert [r.status for r in sim.requests(endpoint="save")] == [400, 200, 200]
    assert detail_pages(sim) == ["1", "2", "3", "1", "2", "3"]  # pages 1-2 for the first chunk, then 3 for the second
    assert len(sim.drive().listdir("/C")) == 150
