"""Wrapping text to a width in terminal cells, for English and Chinese alike (the help pages).

A Latin word (anything between spaces) is never broken unless it alone is wider than the line; a
line may break between any two Chinese characters, as Chinese is set, but not before a closing mark
(，。）…) nor after an opening one (（「…). Widths are display cells: a CJK character takes two
(rich.cells, the measure the terminal and the tests use).
"""

from __future__ import annotations

import re

from rich.cells import cell_len, chop_cells

_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CLOSING = "，。、；：！？）」』】》〉”’…%,.;:!?)]}"
_OPENING = "（「『【《〈“‘([{"
# One unbreakable piece: a CJK character, or a run of anything else but spaces and CJK characters;
# with the closing marks after it and the opening marks before it.
_PIECE = re.compile(rf"\s+|[{re.escape(_OPENING)}]*(?:[{_CJK}]|[^\s{_CJK}]+)[{re.escape(_CLOSING)}]*")


def pieces(text: str) -> list[str]:
    """The text as breakable pieces; spaces are pieces of their own."""
    found = _PIECE.findall(text)
    assert "".join(found) == text, text  # every character lands in one piece
    return found


def wrap(text: str, width: int) -> list[str]:
    """The text's lines, none wider than width cells (width >= 2); runs of spaces become one space,
    spaces at a line's end or start are dropped. An empty text is one empty line."""
    width = max(width, 2)
    lines: list[str] = []
    line, used, space = "", 0, False
    for piece in pieces(text):
        if piece.isspace():
            space = True
            continue
        size = cell_len(piece)
        gap = 1 if space and line else 0
        space = False
        if used + gap + size <= width:
            line, used = line + " " * gap + piece, used + gap + size
            continue
        if line:
            lines.append(line)
            line, used = "", 0
        if size <= width:
            line, used = piece, size
            continue
        *whole, line = chop_cells(piece, width)  # wider than any line (a long URL): folded
        lines.extend(whole)
        used = cell_len(line)
    lines.append(line)
    return lines
