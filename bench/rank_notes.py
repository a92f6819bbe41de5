"""Benchmark: ranking's time on hostile notes grows linearly with their length (an attacker's review, issue 25:
a note of 100,000 spaces took 161 s, quadratic in acquire/episodes.py's patterns).

    python bench/rank_notes.py            # ~40 seconds; exits 1 when a ratio is over the target

acquire/rank.py reads MAX_NOTE characters of a note; here the bound is lifted, so the patterns themselves are
timed. Each note is a prefix (what a pattern starts from) then a long run of one piece; judge() is timed on
runs of N and 4N characters, the best of 3 kept (a shared machine's noise: N large enough to time). Linear time makes the ratio about 4, quadratic 16:
the target is at most 10 (a shared machine's noise).
"""

from __future__ import annotations

import sys
import time

from quarkctl.acquire import rank
from quarkctl.acquire.pansou_answer import Candidate
from quarkctl.acquire.rank import Wanted, judge

N = 16_000
TARGET = 10.0
PREFIXES = ["庆余年", "庆余年 第1", "庆余年 1-", "庆余年 更新至", "庆余年 全", "庆余年 e1", "庆余年 s1", "庆余年 season", "庆余年 第1-",
            "Sherlock"]
RUNS = [" ", "\t", "-", "第", "1", ".", " 1", "e", "1 -", "第1 "]


def timed(wanted: Wanted, note: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        judge(wanted, Candidate("https://pan.quark.cn/s/abcdef123456", "", note, None, "tg:x", "quark"))
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    rank.MAX_NOTE = 10**9  # the patterns, not the bound
    worst = 0.0
    for prefix in PREFIXES:
        name = prefix.split()[0]  # the title the prefix names: the note is read past the title match
        wanted = Wanted.of_row(name)
        for run in RUNS:
            short, long = (prefix + run * (n // len(run)) + "x" for n in (N, 4 * N))
            ratio = timed(wanted, long) / max(timed(wanted, short), 1e-6)
            worst = max(worst, ratio)
            if ratio > TARGET:
                print(f"{name!r} {prefix!r} + {run!r}: {ratio:.1f}x for 4x the length")
    print(f"worst ratio {worst:.1f} for 4x the note (linear 4, quadratic 16; target <= {TARGET:g})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
