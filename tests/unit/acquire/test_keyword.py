"""acquire/keyword.py: what a row's name searches for and is ranked against (a new user's review of issue 25)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quarkctl.acquire.keyword import search_keyword, wanted_name
from quarkctl.acquire.rank import Wanted

title = st.text(alphabet="庆余年沙丘剧集ABCdune ", min_size=1, max_size=10).filter(lambda t: t.strip())
note = st.sampled_from(["(另一链接)", "【4K】", "[备用]", "（高清）"])


def test_examples() -> None:
    assert (search_keyword("庆余年 (另一链接)"), wanted_name("庆余年 (另一链接)")) == ("庆余年", "庆余年")
    assert (search_keyword("Dune (2021)"), Wanted.of_row(wanted_name("Dune (2021)")).year) == ("Dune", 2021)
    assert search_keyword("庆余年 (第二季)") == "庆余年 第二季" and Wanted.of_row(wanted_name("庆余年 (第二季)")).season == 2
    assert search_keyword("1917") == "1917" and search_keyword("【4K】") == "【4K】"  # a name that is all notes stays


@given(title=title, note=note, year=st.integers(1950, 2030))
def test_a_note_never_reaches_the_search_and_the_year_always_reaches_the_ranking(title: str, note: str, year: int) -> None:
    name = f"{title} {note} ({year})"
    keyword = search_keyword(name)
    assert keyword == " ".join(title.split()) and note not in keyword and str(year) not in keyword
    assert Wanted.of_row(wanted_name(name)).year == year
