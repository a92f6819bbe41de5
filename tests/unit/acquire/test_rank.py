"""Choosing a re-acquisition candidate (issue 25): every reason, in Chinese and English notes shaped like
PanSou's (search-api.md section 1.13: TG posts' titles, plugins' work titles), the seed's score, the order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from quarkctl.acquire.pansou_answer import candidates
from quarkctl.acquire.rank import KEPT, REASONS, Wanted, judge, quality, rank
from tests.unit.acquire.helpers import LINK, Found

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


def reason(name: str, note: str, alias: str | None = None, **found: object) -> str:
    return judge(Wanted.of_row(name, alias), Found(note, **found)).reason


# -- the wanted title, from a row's name and alias -------------------------------------------------------

@pytest.mark.parametrize(("name", "alias", "titles", "season", "year"), [
    ("庆余年 第二季", None, ("庆余年",), 2, None),
    ("庆余年2", "", ("庆余年",), 2, None),
    ("Foundation S02", None, ("foundation",), 2, None),
    ("沙丘 (2021)", None, ("沙丘",), None, 2021),
    ("沙丘2021", None, ("沙丘",), None, 2021),
    ("沙丘", "Dune (2021)", ("沙丘", "dune"), None, 2021),  # the alias gives the year the name does not
    ("庆余年", "庆余年.S01E01.2160p.mkv", ("庆余年",), 1, None),  # the seed's alias: the first saved file's name
    ("ＦＯＵＮＤＡＴＩＯＮ　Ｓ０２", None, ("foundation",), 2, None),  # full-width
    ("1917", None, ("1917",), None, None),  # a number that is the whole title stays the title
    ("Blade Runner 2049", None, ("blade runner 2049",), None, None),  # 2040 on is no year
    ("Toy Story 3", None, ("toy story 3",), None, None),  # a Latin title keeps its number
    ("庆余年 / Joy of Life", "Joy of Life S02 | 庆余年2", ("庆余年", "joy of life"), 2, None),  # names after a slash or bar
    ("Fate/Zero", None, ("fate/zero",), None, None),  # a slash without spaces is the title's
])
def test_the_wanted_title_season_and_year(name, alias, titles, season, year):
    wanted = Wanted.of_row(name, alias)
    assert (wanted.titles, wanted.season, wanted.year, wanted.drive) == (titles, season, year, "quark")


# -- kept ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "note"), [
    ("庆余年 第二季", "庆余年 第二季 (2024) 4K 杜比视界 全36集"),
    ("庆余年 第二季", "名称：庆余年第二季 更新至12集 国语中字"),
    ("庆余年 第二季", "【庆余年2】4K HDR 全36集"),
    ("庆余年 第二季", "庆余年 2 完结"),
    ("庆余年2", "庆余年.S02E05.2160p.WEB-DL"),
    ("庆余年", "电视剧庆余年 全46集 1080P"),  # a genre label glued before the title
    ("庆余年", "庆余年 第1-2季 合集"),  # a note of both seasons holds the first
    ("庆余年", "庆余年全集"),
    ("Foundation S02", "Foundation.S02.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265"),
    ("Foundation S02", "基地 Foundation Season 2 (2023) 1080p"),
    ("The Last of Us", "The.Last.of.Us.S01.COMPLETE.1080p"),
    ("沙丘 (2021)", "沙丘 Dune (2021) 4K REMUX"),
    ("沙丘 (2021)", "沙丘 (2022) 蓝光"),  # a year off by one (a festival year, a release year) is the same film
    ("凡人修仙传", "凡人修仙传"),  # search-api.md 1.13 (a)
    ("速度与激情", "速度与激情全集1-10"),  # 1.13 (b): the whole series holds the first
])
def test_kept(name, note):
    assert reason(name, note) == KEPT


# -- passed over, one reason each -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "note"), [
    ("庆余年", "庆余年之范闲外传"),  # another title built on this one
    ("庆余年", "庆余年 外传"),
    ("庆余年", "新庆余年 全46集"),  # the title inside another one
    ("庆余年", "庆余年华 4K"),
    ("庆余年", "长安十二时辰 4K"),
    ("庆余年", "庆余年剧场版"),
    ("Dune", "Dunes of Arrakis 1080p"),
    ("沙丘", "沙丘：预言 S01"),  # a subtitle after a colon: another work
    ("Dune", "Dune: The Sisterhood S01"),
    ("Dune (2021)", "Dune - Part Two (2024) 2160p"),
    ("24", "242 4K"),  # a number title: the number goes on
    ("Foundation S02", "Foundations of Physics 1080p"),
    ("庆余年", ""),
])
def test_title_mismatch(name, note):
    assert reason(name, note) == "title_mismatch"


@pytest.mark.parametrize(("name", "note"), [
    ("庆余年 第二季", "庆余年：第二季 4K"), ("庆余年", "庆余年 - 4K 全46集"), ("沙丘", "沙丘：Dune 2021"), ("Mission: Impossible", "Mission Impossible 1996"),
    ("庆余年", "庆余年 | Joy of Life"), ("庆余年", "庆余年 / Joy of Life S01"),
])
def test_a_colon_before_a_marker_or_another_script_is_no_subtitle(name, note):
    assert reason(name, note) == KEPT


@pytest.mark.parametrize("note", ["庆余年2 先导预告", "庆余年 第二季 花絮", "庆余年2 片花合集", "Joy of Life S02 Official Trailer",
                                  "Joy of Life S02 teaser", "庆余年2 角色PV", "庆余年2预告"])
def test_trailer(note):
    assert reason("庆余年 第二季", note, "Joy of Life") == "trailer"


@pytest.mark.parametrize("note", ["庆余年2 样片", "Joy of Life S02 sample 2160p", "庆余年 第二季 Samples"])
def test_sample(note):
    assert reason("庆余年 第二季", note, "Joy of Life") == "sample"


@pytest.mark.parametrize(("name", "note"), [
    ("庆余年 第二季", "庆余年 第一季 全46集"),
    ("庆余年 第二季", "庆余年 4K"),  # no season named: the first
    ("庆余年 第二季", "庆余年 01-46集"),  # episodes, not a season
    ("庆余年", "庆余年2 4K"),  # a season-less row wants the first
    ("庆余年", "庆余年 第二季 更新至12集"),
    ("庆余年", "庆余年 S02 1080p"),
    ("Foundation", "Foundation Season 2 2160p"),
    ("Foundation S02", "Foundation.S01.1080p.BluRay"),
    ("Foundation S02", "Foundation S03E01"),
    ("流浪地球2", "流浪地球 4K"),  # the first film for the second
    ("The Office", "The Office S00 Specials"),  # specials are no season of the show
    ("庆余年 第二季", "庆余年 1-2季合集"),  # a pack holding other seasons too: passed over for a row of one season
])
def test_other_season(name, note):
    assert reason(name, note) == "other_season"


@pytest.mark.parametrize(("name", "note"), [
    ("沙丘 (2021)", "沙丘 (1984) 4K 修复版"),
    ("沙丘 (2021)", "沙丘 Dune 1984 1080p"),
    ("Dune (2021)", "Dune.1984.BluRay.1080p"),
])
def test_other_year(name, note):
    assert reason(name, note) == "other_year"


def test_a_year_only_on_one_side_is_no_reason():
    assert reason("沙丘", "沙丘 (1984)") == KEPT
    assert reason("沙丘 (2021)", "沙丘 4K") == KEPT
    assert reason("沙丘 (2021)", "沙丘 1984/2021 合集") == KEPT  # one of the note's years is the row's


@pytest.mark.parametrize(("drive", "url"), [
    ("baidu", "https://pan.baidu.com/s/1abcdef"), ("uc", "https://drive.uc.cn/s/abc"), ("", LINK + "abc123def456"),
])
def test_other_drive(drive, url):
    assert reason("庆余年", "庆余年 4K", url=url, drive=drive) == "other_drive"


def test_a_drive_named_as_a_table_spells_it_is_the_same_drive():
    assert reason("庆余年", "庆余年 4K", drive="夸克网盘") == KEPT
    assert judge(Wanted.of_row("庆余年", drive="baidu"), Found("庆余年", url="https://pan.baidu.com/s/1abc", drive="baidu")).kept


@pytest.mark.parametrize("url", ["", "   ", "https://pan.quark.cn/s/", "https://pan.baidu.com/s/1abcdef", "not a link"])
def test_no_link(url):
    assert reason("庆余年", "庆余年 4K", url=url) == "no_link"


def test_a_reason_is_the_first_that_applies():
    # another drive wins over everything; a title mismatch over a trailer word
    assert reason("庆余年", "新庆余年 预告", url="", drive="baidu") == "other_drive"
    assert reason("庆余年", "新庆余年 预告") == "title_mismatch"
    assert reason("庆余年", "庆余年2 预告") == "trailer"
    assert set(REASONS) == {"other_drive", "no_link", "title_mismatch", "trailer", "sample", "other_season", "other_year"}


def test_a_title_word_is_no_trailer_word():
    """Markers are read around the title: "Trailer Park Boys" is a title, not a trailer."""
    assert reason("Trailer Park Boys", "Trailer Park Boys S01 1080p") == KEPT
    assert reason("Trailer Park Boys", "Trailer Park Boys S01 trailer") == "trailer"


# -- the seed's score ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("note", "score", "terms"), [
    ("庆余年 4K 杜比视界 HDR 蓝光 REMUX", 100 + 80 + 70 + 50 + 40, ("4k", "杜比", "hdr", "蓝光", "remux")),
    ("Foundation.S02.2160p.DV.HDR10.Atmos", 100 + 80 + 70, ("2160p", "atmos", "hdr")),
    ("庆余年 1080P", 50, ("1080p",)),
    ("庆余年 720p", 20, ("720p",)),
    ("庆余年 1080p 720p", 70, ("1080p", "720p")),
    ("庆余年 4K 2160p", 100, ("4k",)),  # one pattern counts once
    ("庆余年", 0, ()),
    ("", 0, ()),
    ("television", 80, ("vision",)),  # the seed's regex as it is: users recognise its scores
    ("ＨＤＲ 4Ｋ", 0, ()),  # note.lower() only, as the seed: full-width letters score nothing
])
def test_quality_is_the_seeds_score(note, score, terms):
    total, found = quality(note)
    assert total == score
    assert tuple(term for term, _ in found) == terms


def test_the_score_and_terms_are_in_the_detail():
    choice = judge(Wanted.of_row("庆余年 第二季"), Found("庆余年2 4K HDR 更新至12集"))
    assert choice.score == 170
    assert choice.detail.as_json() == {"quality": [{"term": "4k", "points": 100}, {"term": "hdr", "points": 70}],
                                       "title": "庆余年", "seasons": [2], "years": [], "word": None, "episodes": [1, 12]}


# -- the order -------------------------------------------------------------------------------------

def test_kept_first_by_score_then_newest_then_search_order():
    notes = [("庆余年 720p", T0), ("新庆余年 4K", T0), ("庆余年 4K", T0 - timedelta(days=3)), ("庆余年 4K", None),
             ("庆余年 4K", T0), ("庆余年 预告 4K", T0), ("庆余年 4K", T0)]
    found = [Found(note, url=f"{LINK}id{n}", datetime=when) for n, (note, when) in enumerate(notes)]
    order = rank(Wanted.of_row("庆余年"), found)
    assert [found.index(c.candidate) for c in order] == [4, 6, 2, 3, 0, 1, 5]
    assert [c.kept for c in order] == [True] * 5 + [False] * 2
    assert [c.reason for c in order[5:]] == ["title_mismatch", "trailer"]


def test_zero_and_naive_times():
    """PanSou's zero time (0001-01-01) counts as no time; a naive time is read as UTC, never a TypeError."""
    zero = datetime(1, 1, 1, tzinfo=timezone.utc)
    found = [Found("庆余年", url=LINK + "a1", datetime=zero), Found("庆余年", url=LINK + "a2", datetime=datetime(2026, 1, 1)),
             Found("庆余年", url=LINK + "a3", datetime=None), Found("庆余年", url=LINK + "a4", datetime=T0)]
    order = rank(Wanted.of_row("庆余年"), found)
    assert [c.candidate.url[-2:] for c in order] == ["a4", "a2", "a1", "a3"]


def test_a_choice_as_json():
    choice = judge(Wanted.of_row("庆余年 第二季"), Found("庆余年 第一季", datetime=T0))
    assert choice.as_json() == {
        "url": LINK + "abc123def456", "note": "庆余年 第一季", "datetime": "2026-11-29T02:00:00+00:00", "drive": "quark",
        "score": 0, "kept": False, "reason": "other_season",
        "detail": {"quality": [], "title": "庆余年", "seasons": [1], "years": [], "word": None, "episodes": []},
    }


def test_pansous_candidates_rank_as_they_come():
    """PanSou's answer (search-api.md 1.4, 1.6: the wrapper, a zero time, a passcode in its own field) read
    by acquire/pansou_answer.py, ranked as is: its Candidate is rank()'s."""
    body = {"code": 0, "message": "success", "data": {"total": 5, "merged_by_type": {
        "quark": [
            {"url": LINK + "aaaa1111", "password": "", "note": "庆余年2 预告", "datetime": "2026-11-28T10:00:00Z", "source": "tg:x"},
            {"url": LINK + "bbbb2222", "password": "ab12", "note": "庆余年 第二季 1080P 全36集", "datetime": "0001-01-01T00:00:00Z",
             "source": "plugin:y"},
            {"url": LINK + "cccc3333", "password": "", "note": "庆余年第二季 4K 杜比视界", "datetime": "2026-06-01T00:00:00Z", "source": "tg:z"},
            {"url": LINK + "dddd4444", "password": "", "note": "庆余年 第一季 4K", "datetime": "2026-11-28T00:00:00Z", "source": "tg:z"},
        ],
        "baidu": [{"url": "https://pan.baidu.com/s/1abc", "password": "1234", "note": "庆余年2 4K", "datetime": "2026-11-28T00:00:00Z"}],
    }}}
    found = candidates(body, ["quark", "baidu"])
    order = rank(Wanted.of_row("庆余年 第二季"), found)
    assert [(c.candidate.url[-8:], c.reason, c.score) for c in order] == [
        ("cccc3333", KEPT, 180), ("bbbb2222", KEPT, 50), ("aaaa1111", "trailer", 0), ("dddd4444", "other_season", 100),
        ("m/s/1abc", "other_drive", 100),
    ]
    assert order[1].candidate.password == "ab12" and order[1].candidate.datetime is None
