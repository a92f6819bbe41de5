"""What a row's name searches for, and the name its results are ranked against (a new user's review of issue 25:
`庆余年 (另一链接)` and `Dune (2021)` were searched as they stand, so the note in brackets had to be in a result's
title too). Pure: no HTTP, no database.

A part in brackets is a note about the row (`(另一链接)`, `[4K]`): it is dropped, unless it names a season or a year
(`(第二季)`, `(2021)`), which the ranking keeps. The search leaves the year out as well, as the reference's UI does
(search-api.md 3.3): a result's note rarely names it, and the ranking still prefers the right one by it.
"""

from __future__ import annotations

import re

from quarkctl.acquire.titles import normalise, seasons_in, years_in

_BRACKETED = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]")
_SPACES = re.compile(r"\s+")


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _kept(inner: str, *, year: bool) -> bool:
    text = normalise(inner)
    return bool(seasons_in(text)) or (year and bool(years_in(text)) and _tidy(re.sub(r"\d{4}", "", inner)) == "")


def wanted_name(name: str) -> str:
    """The name the results are ranked against: bracketed notes out, a bracketed season or year kept
    (`庆余年 (另一链接)` -> `庆余年`, `Dune (2021)` -> `Dune 2021`). A name that is all notes stays as it is."""
    cleaned = _tidy(_BRACKETED.sub(lambda m: f" {m.group(1)} " if _kept(m.group(1), year=True) else " ", name))
    return cleaned or name.strip()


def search_keyword(name: str) -> str:
    """What the search service is asked: wanted_name() without the bracketed year (`Dune (2021)` -> `Dune`)."""
    cleaned = _tidy(_BRACKETED.sub(lambda m: f" {m.group(1)} " if _kept(m.group(1), year=False) else " ", name))
    return cleaned or name.strip()
