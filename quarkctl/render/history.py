"""A past run on one line, as `quarkctl history` and `quarkctl schedule` list them; a past check's evidence."""

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


def check_evidence(item: dict[str, Any]) -> str:
    """The drive's code and words as a check row keeps them (db/runs.py drive_of): `41012 好友已取消了分享`,
    `ShareNotFound 分享不存在`; words that begin with the code already (providers/evidence.py) once."""
    code, message = item.get("code"), item.get("message")
    if code is None and item.get("api_code") is not None:
        code = str(item["api_code"])
    if code == "0" or (code and isinstance(message, str) and message.split(" ", 1)[0] == code):
        code = None  # 0: the drive's "ok", never evidence (as api_code 0 was not)
    return " ".join(str(x) for x in (code, message) if x)
