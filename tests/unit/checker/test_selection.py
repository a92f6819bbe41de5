"""check-links --drives selects rows (a new user's review of issue 24): a row of a drive the run left out is
neither checked, recorded nor counted toward --limit, so --max-age still sees it unchecked; and a breaker
that ends a one-drive run counts the rows it never reached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from conftest import ResourceDB, run_checks as run
from helpers.mixed_drives import bases, link, seed_every_drive, share_id
from quarkctl.errors import ExitCode
from quarkctl.simulator import Simulator
from quarkctl.simulator.drives_server import DrivesSimulator


@pytest.fixture
def dsim(monkeypatch: pytest.MonkeyPatch) -> Iterator[DrivesSimulator]:
    with DrivesSimulator() as sim:
        for name, value in bases(sim).items():
            monkeypatch.setenv(name, value)
        yield sim


def _history(db: ResourceDB) -> set[int]:
    with db.engine().connect() as conn:
        return {int(r) for (r,) in conn.execute(text("SELECT resource_id FROM quarkctl_check"))}


def test_a_run_of_some_drives_leaves_the_others_unrecorded_and_out_of_its_limit(testdb: ResourceDB, sim: Simulator,
                                                                              dsim: DrivesSimulator) -> None:
    mixed = seed_every_drive(testdb, sim, dsim, states=("alive", "dead", "locked"), drives=("uc", "baidu"), quark=2)
    report, recorder = run(testdb, sim, drives=("baidu",), limit=2, batch_size=1)
    checked = [o.row.id for o in recorder.outcomes]
    # the first two Baidu rows, though uc rows come before each of them in the table
    assert checked == mixed.of("baidu")[:2] and recorder.total == report.selected == 2
    assert _history(testdb) == set(checked)
    assert not dsim.requests("uc") and report.summary["skipped"] == 0

    # --max-age: every row the first run did not select is still due; the two it checked are not
    report, recorder = run(testdb, sim, max_age=timedelta(hours=1), retries=0)
    again = {o.row.id for o in recorder.outcomes}
    assert again == set(mixed.ids.values()) - set(checked) and recorder.total == len(again)


def test_every_row_of_the_chosen_drive_is_counted(testdb: ResourceDB, sim: Simulator, dsim: DrivesSimulator) -> None:
    mixed = seed_every_drive(testdb, sim, dsim, states=("alive", "dead"), drives=("uc", "baidu"), quark=2)
    report, recorder = run(testdb, sim, drives=("uc", "quark"))
    assert recorder.total == report.summary["total"] == len(mixed.of("uc")) + len(mixed.of("quark"))
    assert set(report.drives) == {"uc", "quark"}
    assert report.not_selected == len(mixed.of("baidu")) + 1  # and the Xunlei row


def test_a_one_drive_run_whose_breaker_trips_counts_the_rows_left(testdb: ResourceDB, sim: Simulator,
                                                                 dsim: DrivesSimulator) -> None:
    seed_every_drive(testdb, sim, dsim, states=("alive",), drives=("uc",), quark=1, xunlei=0)
    for n in range(8):  # Baidu fails every request
        text = link("baidu", 50 + n)
        dsim.add("baidu", share_id(text), "server_error")
        testdb.seed([{"drama_name": f"down {n}", "link": text, "drive_type": "baidu"}])
    report, recorder = run(testdb, sim, drives=("baidu",), retries=0, max_consecutive_errors=2, batch_size=3)
    assert report.tripped == {"baidu": 2} and report.unchecked == {"baidu": 6}
    assert report.drives["baidu"]["unchecked"] == 6 and len(recorder.outcomes) == 2
    assert (report.abort_reason, report.exit_code) == ("circuit_breaker", ExitCode.ABORTED)


# Rows of a few kinds: a drive's link each, a text no drive reads, a Quark link
KINDS = {"quark": "https://pan.quark.cn/s/mixq{:08d}", "uc": "https://drive.uc.cn/s/d60d7221{:05d}",
         "baidu": "https://pan.baidu.com/s/1AbCdEf{:03d}", "xunlei": "https://pan.xunlei.com/s/VOgB-u2O5Nac{:04d}",
         None: "no link {}"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(list(KINDS)), max_size=30),
       chosen=st.sets(st.sampled_from(["quark", "uc", "baidu", "xunlei"]), min_size=1),
       limit=st.one_of(st.none(), st.integers(0, 12)), batch=st.integers(1, 7))
def test_the_feed_gives_exactly_the_selected_rows_in_order_up_to_the_limit(tmp_path_factory: pytest.TempPathFactory,
                                                                           kinds: list[str | None], chosen: set[str],
                                                                           limit: int | None, batch: int) -> None:
    """Whatever the table, the drives chosen, --limit and the batch size: the feed hands out the selected rows,
    in table order, the first `limit` of them, never another drive's; more() says whether one is left."""
    from quarkctl.checker.feed import Feed
    from quarkctl.checker.options import CheckOptions
    from quarkctl.checker.selection import selects
    from quarkctl.db.records import Selection
    from quarkctl.providers.base import DriveSetup
    from quarkctl.providers.names import DRIVE_NAMES
    from quarkctl.providers.registry import open_drives
    from sqlalchemy.engine import URL

    path = tmp_path_factory.mktemp("feed") / "feed.db"
    db = ResourceDB(URL.create("sqlite", database=str(path)), "sqlite")
    db.create_schema()
    ids = db.seed([{"drama_name": f"row {n}", "link": KINDS[kind].format(n)} for n, kind in enumerate(kinds)])
    drives = open_drives(DriveSetup(lambda: None), DRIVE_NAMES)
    options = CheckOptions(drives=tuple(d for d in DRIVE_NAMES if d in chosen), limit=limit, batch_size=batch)
    lanes = dict.fromkeys(options.drives or ())
    wanted = [i for i, kind in zip(ids, kinds) if (kind in chosen if kind is not None else "quark" in chosen)]
    database = db.database()
    try:
        feed = Feed(database, options, Selection(), keep=lambda row: selects(drives.owner(row.link), lanes, options))
        expected = wanted if limit is None else wanted[:limit]
        got: list[int] = []
        while not feed.exhausted:
            got += [row.id for row in feed.next()]
            assert feed.more() == (len(got) < len(expected)), (got, expected)
        assert got == expected
        assert feed.fetched == len(expected) and feed.fetched + feed.left_out <= len(ids)
    finally:
        database.close()
