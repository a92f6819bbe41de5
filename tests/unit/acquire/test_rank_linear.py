"""A hostile note costs no more than a real one (an attacker's review, issue 25: a note of 100,000 spaces held
ranking, and the run with it, for minutes): judge() reads at most MAX_NOTE characters of a note, whatever follows,
and the patterns it runs read no differently for it. The patterns' own linearity is measured by bench/rank_notes.py
(ratios of times, not a timed unit test)."""

from __future__ import annotations

from hypothesis import given, strategies as st

from quarkctl.acquire import episodes, rank, titles
from quarkctl.acquire.episodes import episodes_in
from quarkctl.acquire.rank import MAX_NAME, MAX_NOTE, Wanted, judge
from quarkctl.acquire.titles import seasons_in
from tests.unit.acquire.helpers import Found

NFKC_GROWTH = 18  # the most characters NFKC makes of one (U+FDFA): the normalised note's bound
# What each pattern starts from, before the long run that made them quadratic
PREFIXES = ["庆余年", "庆余年 第1", "庆余年 1-", "庆余年 更新至", "庆余年 全", "庆余年 e1", "庆余年 s1", "庆余年 season", "庆余年 第1-", "Sherlock"]
RUNS = [" ", "\t", "\u3000", "-", "第", "1", ".", " 1", "e", "ﷺ"]


class Spy:
    """The longest text each reader was handed."""

    def __init__(self, monkeypatch) -> None:
        self.longest: dict[str, int] = {}
        for module, name in ((rank, "episodes_in"), (rank, "years_in"), (rank, "find_title"), (rank, "note_seasons"),
                             (rank, "longer_title"), (titles, "seasons_in")):
            monkeypatch.setattr(module, name, self.wrap(name, getattr(module, name)))

    def wrap(self, name, real):
        def spied(*args):
            self.longest[name] = max(self.longest.get(name, 0), max(map(_size, args)))
            return real(*args)

        return spied


def _size(arg) -> int:
    """A text's length: a note (titles.Compact), the note around a title (titles.TitleMatch) or a string."""
    return len(arg.text if isinstance(arg, titles.Compact) else arg.rest if isinstance(arg, titles.TitleMatch) else arg)


@given(st.sampled_from(PREFIXES), st.sampled_from(RUNS), st.integers(MAX_NOTE, 20 * MAX_NOTE), st.sampled_from(["", "x", "第2季", " 4K"]))
def test_a_long_note_is_read_up_to_max_note(prefix: str, run: str, length: int, suffix: str) -> None:
    note = prefix + run * (length // len(run)) + suffix
    for name in ("庆余年", "庆余年 第二季", "Sherlock"):
        whole, cut = judge(Wanted.of_row(name), Found(note)), judge(Wanted.of_row(name), Found(note[:MAX_NOTE]))
        assert (whole.kept, whole.reason, whole.score, whole.detail) == (cut.kept, cut.reason, cut.score, cut.detail)


def test_the_readers_never_see_more_than_the_bound(monkeypatch) -> None:
    spy = Spy(monkeypatch)
    for prefix in PREFIXES:
        for run in RUNS:
            for name in ("庆余年", "庆余年 第二季", "Sherlock", "巨" * 70_000 + " " * 70_000 + "|x"):
                judge(Wanted.of_row(name), Found(prefix + run * 100_000 + "x"))
    assert spy.longest and max(spy.longest.values()) <= NFKC_GROWTH * MAX_NOTE, spy.longest
    assert set(spy.longest) >= {"episodes_in", "find_title", "note_seasons"}  # the spy did see them


def test_a_long_name_is_read_up_to_max_name() -> None:
    assert Wanted.of_row("巨" * 70_000).titles == ("巨" * MAX_NAME,)
    assert Wanted.of_row("庆余年" + " " * 70_000 + "| Joy of Life").titles == ("庆余年",)  # the part after the bound is not read


# The rewritten patterns read what the old ones read: `(?:第\s*)?` for `第?\s*` changes no answer
@given(st.lists(st.sampled_from(["第", "1", "二", "-", "至", " ", "集", "季", "更新", "到", "全", "e", "p", "s", "x", "~", "部"]), max_size=14)
       .map("".join))
def test_the_patterns_read_real_notes_as_before(text: str) -> None:
    import re

    num, unit, to = titles.NUM, episodes._UNIT, r"\s*(?:[-~～—至到])\s*"
    old_spans = re.compile(rf"第?\s*({num}){to}第?\s*({num})\s*{unit}", re.ASCII)
    old_update = re.compile(rf"更新\s*(?:至|到)\s*第?\s*({num})\s*{unit}?", re.ASCII)
    old_season = re.compile(rf"第\s*({num})\s*(?:\s*(?:[-~～—至到]|to)\s*第?\s*({num})\s*)?[季部]", re.ASCII)
    for old, new in ((old_spans, episodes._SPANS[0]), (old_update, episodes._RANGES[1]), (old_season, titles._SEASON_MARKS[0])):
        assert [m.groups() for m in old.finditer(text)] == [m.groups() for m in new.finditer(text)], (old.pattern, text)
    assert isinstance(episodes_in(text), (set, range)) and isinstance(seasons_in(text), set)
