"""An autosave (or sign-in) run's options and their defaults: light, for the command line (see checker/options.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from quarkctl.runtime.pacing import PacingPolicy


@dataclass(frozen=True)
class AutosaveOptions:
    dry_run: bool = False
    resave_deleted: bool = False
    sign: bool = True
    transfer: bool = True
    pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(1.0, 3.0, 0, 0.0))
    retries: int = 2
    backoff: float = 2.0
    task_timeout: float = 120.0
    max_runtime: timedelta | None = None  # --max-runtime: no new task after it (quarkctl.runtime.deadline)
    # --replace-dead (or the config's `replace_dead`): a task whose share died this run moves to a search result
    # that continues its series; without it the result is only suggested (autosave/replace.py)
    replace_dead: bool = False
    replace_candidates: int = 3  # the best results whose links are checked per dead task
    # Issue 25's limits: 2-4 s between searches, 1-3 s between the candidates' link checks
    search_pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(2.0, 4.0, 0, 0.0))
    check_pacing: PacingPolicy = field(default_factory=lambda: PacingPolicy(1.0, 3.0, 0, 0.0))
