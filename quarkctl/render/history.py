"""A past run on one line, as `quarkctl history` and `quarkctl schedule` list them."""

from __future__ import annotations

from typing import Any

from quarkctl.i18n import _
from quarkctl.render.clock import duration, local_time
from quarkctl.render.messages import count_text, run_state_text


def pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal cells: a Chinese character takes two."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def run_line(run: Any) -> str:
    """`#12    check-links  2026-05-01 02:00:00     3m05s  exit 0   finished    total 2, ...` of an
    ops/history.py RunRecord (read by its attributes: render sits below ops)."""
    counts = ", ".join(count_text(key, value) for key, value in run.counts.items())
    code = "-" if run.exit_code is None else str(run.exit_code)
    exit_text = _("exit {code}").format(code=code)
    return (f"#{run.id:<5} {run.job:<12} {local_time(run.started_at)}  {duration(run.duration):>8}  "
            f"{pad(exit_text, 8)} {pad(run_state_text(run.state), 11)} {counts}")
