"""The episodes a note or a file name names (issue 25: a replacement must continue the series): E01, EP01,
S01E05, 第1集, 01-24集, 全24集, 共24集, 更新至12集. A count ("全24集") is episodes 1 to 24."""

from __future__ import annotations

import re

from quarkctl.acquire.titles import NUM, cn_number, normalise

_UNIT = r"[集话話期回]"
# No two `\s*` may meet around an optional part ("第?\s*", "\s*第?\s*"): a long run of spaces made such a
# pattern quadratic (an attacker's review, issue 25: a note of 100,000 spaces took 161 s). `(?:第\s*)?` reads
# the same notes; tests/unit/acquire/test_rank_linear.py holds every pattern here to it.
_TO = r"\s*[-~～—至到]\s*"
_RANGES = (
    re.compile(rf"(?:全|共)\s*({NUM})\s*{_UNIT}", re.ASCII),  # a count: 1..N
    re.compile(rf"更新\s*(?:至|到)\s*(?:第\s*)?({NUM})\s*{_UNIT}?", re.ASCII),  # so far: 1..N
)
_SPANS = (
    re.compile(rf"(?:第\s*)?({NUM}){_TO}(?:第\s*)?({NUM})\s*{_UNIT}", re.ASCII),
    re.compile(rf"第\s*({NUM})\s*{_UNIT}()", re.ASCII),
    # E05, EP05, S01E05, E01-E12, EP01-12: an "e" after a digit (S01E05) or after no letter
    re.compile(rf"(?:(?<=\d)|(?<![a-z0-9]))ep?\s?(\d{{1,4}})(?:{_TO}(?:ep?)?(\d{{1,4}}))?(?![0-9])", re.ASCII),
)
MAX_SPAN = 2000  # no series has more; a larger "range" is a misread number


def episodes_in(text: str) -> set[int] | range:
    """The episode numbers `text` names: a range when it names one run of them ("全24集", "01-24集",
    "E01-E12"), else a set (empty when it names none)."""
    text = normalise(text)
    runs: list[range] = []
    singles: set[int] = set()
    for pattern in _RANGES:
        for match in pattern.finditer(text):
            last = cn_number(match.group(1))
            if last is not None and 0 < last <= MAX_SPAN:
                runs.append(range(1, last + 1))
    for pattern in _SPANS:
        for match in pattern.finditer(text):
            first = cn_number(match.group(1))
            last = cn_number(match.group(2)) if match.group(2) else None
            if first is None:
                continue
            if last is not None and first < last <= first + MAX_SPAN:
                runs.append(range(first, last + 1))
            else:
                singles.add(first)
    for run in runs:
        singles.update(run)
    if runs and len(singles) == max(singles) - min(singles) + 1:  # one unbroken run, however it was written
        return range(min(singles), max(singles) + 1)
    return singles
