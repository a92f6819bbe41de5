"""Benchmark 3: peak memory on a big table. quarkctl walks keyset batches; the baseline loads every row.

    python bench/memory.py                          # ~4 minutes: 1,000,000 rows, quarkctl stops after --limit
    python bench/memory.py --rows 200000 --limit 20000   # a quicker look

Both run as their own process (peak RSS from wait4) against a simulator that answers at once, pacing
off, on two table sizes: quarkctl should stay flat while the baseline grows with the table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SimProcess, seed_sqlite  # noqa: E402

HERE = Path(__file__).resolve().parent


def peak_mb(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(peak RSS MB, seconds, exit code) of one child process."""
    start = time.monotonic()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.monotonic() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="the big table")
    parser.add_argument("--limit", type=int, default=200_000, help="quarkctl stops after this many links")
    parser.add_argument("--baseline-links", type=int, default=1000, help="links the baseline checks after loading every row")
    args = parser.parse_args()
    sizes = sorted({args.rows // 10, args.rows})
    with tempfile.TemporaryDirectory() as tmp, SimProcess() as sim:
        env = {**os.environ, "QUARK_API_BASE": sim.base, "HOME": tmp, "XDG_STATE_HOME": tmp, "XDG_DATA_HOME": tmp}
        print(f"peak RSS, pacing off, simulator answering at once; quarkctl --limit {args.limit}, baseline checks {args.baseline_links} links")
        for rows in sizes:
            url = seed_sqlite(Path(tmp) / f"t{rows}.db", rows)
            text = url.render_as_string(hide_password=False)
            limit = min(args.limit, rows)
            q_mb, q_s, q_rc = peak_mb(["quarkctl", "check-links", "--anonymous", "--no-pacing", "--concurrency", "4",
                                       "--batch-size", "1000", "--limit", str(limit), "--quiet", "--database-url", text], env)  # fmt: skip
            code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from _common import baseline_check; "
                    f"from sqlalchemy.engine import make_url; baseline_check(make_url({text!r}), {sim.base!r}, {args.baseline_links})")
            b_mb, b_s, b_rc = peak_mb([sys.executable, "-c", code], env)
            print(f"  {rows:>9,} rows   quarkctl {q_mb:6.0f} MB ({limit:,} links in {q_s:.0f} s, exit {q_rc})"
                  f"   baseline {b_mb:6.0f} MB ({b_s:.0f} s, exit {b_rc})   baseline / quarkctl {b_mb / q_mb:.1f}x")


if __name__ == "__main__":
    main()
