"""A re-acquisition run's options (`resources acquire`) and their defaults: light, for the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quarkctl.runtime.pacing import PacingPolicy

DEFAULT_SAVEPATH = "/quarkctl/{name}"  # a folder per title under one root (issue 25)


@dataclass(frozen=True)
class AcquireOptions:
    ids: tuple[int, ...] = ()
    all_expired: bool = False
    names: tuple[str, ...] = ()  # new names: a row each when a result is taken (as the seed's collection job)
    savepath: str = DEFAULT_SAVEPATH
    limit: int = 3  # results saved per run: saves are writes to the owner's drive, few per night
    candidates: int = 5  # the best K results checked per row
    dry_run: bool = False
    min_video_mb: int = 50  # a video file below this is no episode or film: an ad clip, a sample (acquire/verify.py)
    deadline: datetime | None = None  # check-links' --until / --max-runtime: nothing is searched or saved after it
    # Issue 25's limits: 2-4 s between searches; the link check's own pace between candidate checks
    # (check-links' 1-3 s, a 10 s rest every 10); 3-6 s between saves, as between re-shares.
    search_pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(2.0, 4.0, 0, 0.0))
    check_pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(1.0, 3.0, 10, 10.0))
    save_pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(3.0, 6.0, 0, 0.0))
    retries: int = 2
    backoff: float = 2.0
    task_timeout: float = 120.0

    def as_dict(self) -> dict[str, Any]:
        return {"ids": list(self.ids), "all_expired": self.all_expired, "names": list(self.names), "savepath": self.savepath,
                "limit": self.limit, "candidates": self.candidates, "dry_run": self.dry_run,
                "min_video_mb": self.min_video_mb}
