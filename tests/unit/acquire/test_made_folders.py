"""A result, a refused result and a dead share are keyed by the share and its sub-folder (acquire/made.py key_of, a
second review of issue 25): results differing only in the sub-folder are never merged."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quarkctl.acquire.made import Made, MadeLinks, key_of
from quarkctl.reports.acquire import Considered
from quarkctl.acquire.options import AcquireOptions
from tests.conftest import ResourceDB
from tests.unit.acquire.test_job import Found, Result, _run, _share

_ID = st.text(alphabet="0123456789abcdef", min_size=12, max_size=12)
_FID = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
_FORMS = ("https://pan.quark.cn/s/{pwd}#/list/share/{fid}", "https://pan.quark.cn/s/{pwd}#/list/share/{fid}-name",
          "https://pan.quark.cn/s/{pwd}?pwd=ab12#/list/share/{fid}")


def _url(form: int, pwd: str, fid: str | None) -> str:
    return f"https://pan.quark.cn/s/{pwd}" if fid is None else _FORMS[form].format(pwd=pwd, fid=fid)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pwd=_ID, first=st.one_of(st.none(), _FID), second=st.one_of(st.none(), _FID),
       forms=st.tuples(st.integers(0, len(_FORMS) - 1), st.integers(0, len(_FORMS) - 1)))
def test_results_differing_only_in_the_sub_folder_are_never_merged(testdb: ResourceDB, pwd, first, second, forms) -> None:
    a, b = _url(forms[0], pwd, first), _url(forms[1], pwd, second)
    assert (key_of(a) == key_of(b)) == (first == second)
    testdb.create_schema()
    db = testdb.database()
    try:
        made = MadeLinks(db)
        made.remember(Made("https://pan.quark.cn/s/new000000001", Considered(a, "x", "tg", 0, "ok"), "/x", 3))
        found = made.for_result(b)
        assert (found is not None) == (first == second)
    finally:
        db.close()


def test_a_legacy_fragment_names_its_folder() -> None:
    assert key_of("https://pan.quark.cn/s/abcdef123456#/list/share/0123456789abcdef0123456789abcdef") == (
        "abcdef123456", "0123456789abcdef0123456789abcdef")
    assert key_of("https://pan.quark.cn/s/abcdef123456") == ("abcdef123456", "0")


def test_rows_of_other_folders_of_one_dead_share_are_not_given_its_new_link(sim, testdb: ResourceDB) -> None:
    """Two rows whose dead links name two folders of one share hold different content: each gets its own result,
    never the other's link as "the same dead share" (acquire/job.py after, acquire/run.py)."""
    testdb.create_schema()
    _share(sim, "dead00000001", dead_code=41010)
    _share(sim, "good00000001")
    _share(sim, "good00000002")
    old1 = "https://pan.quark.cn/s/dead00000001#/list/share/" + "1" * 32
    old2 = "https://pan.quark.cn/s/dead00000001#/list/share/" + "2" * 32
    a, b = testdb.seed([{"drama_name": "X剧", "link": old1, "is_expired": 1},
                        {"drama_name": "Y剧", "link": old2, "is_expired": 1}])
    search = Found({"X剧": [Result("https://pan.quark.cn/s/good00000001", note="X剧")],
                    "Y剧": [Result("https://pan.quark.cn/s/good00000002", note="Y剧")]})
    report = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.resource_id, o.action, o.reason) for o in report.outcomes] == [(a, "replaced", "acquired"),
                                                                              (b, "replaced", "acquired")]
    rows = testdb.rows()
    assert rows[a].link != rows[b].link and search.asked == ["X剧", "Y剧"]
    # a later row of the first folder is given the first folder's link, of the second the second's: no search
    (c,) = testdb.seed([{"drama_name": "Y剧 导演剪辑版", "link": old2, "is_expired": 1}])
    later = _run(sim, testdb, search, AcquireOptions(all_expired=True))
    assert [(o.resource_id, o.reason) for o in later.outcomes] == [(c, "same_share")]
    assert testdb.rows()[c].link == rows[b].link
