"""What check-links' verdicts mean for the table: when `empty` becomes `expired` (which rows are one share: providers/base.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from quarkctl.db.database import Database
from quarkctl.db.records import ResourceRow
from quarkctl.db.loss import CheckLoss
from quarkctl.checker.options import CheckOptions
from quarkctl.providers.base import Link
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict


def empty_verdict(db: Database, loss: CheckLoss, options: CheckOptions, row: ResourceRow, link: Link,
                  result: CheckResult, now: datetime) -> CheckResult:
    """`empty` is `expired` once the row's unbroken streak of empty sightings of its current share is
    --empty-grace old (quark-api.md 4.2.6: content under review lists empty for a while). A folder link
    stays `empty`: a folder may legitimately be empty."""
    grace = options.empty_grace
    if result.verdict is not Verdict.EMPTY or link.is_subfolder:
        return result
    if not grace:
        return replace(result, verdict=Verdict.EXPIRED)  # --empty-grace 0: at once, reason empty_share
    since = loss.call(lambda: db.empty_since(row.id), None)
    if not options.dry_run:  # the streak counts for this row's current share only
        link_since = loss.call(lambda: db.empty_link_since(row.id, link.key, now), now)
        since = max(since, link_since) if since is not None else None
    if since is None or now - since < grace:
        return result
    return replace(result, verdict=Verdict.EXPIRED, reason="still_empty")
