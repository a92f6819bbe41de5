"""`check-links --reshare`: re-share each link the run found dead, right after marking it (issue 17).

Called on check-links' main thread (the one that owns the database). The reshare lock, the
account's client and its own-share list are taken on the first dead link, so a night without a
dead link costs nothing.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from quarkctl.db.database import Database
from quarkctl.db.records import ResourceRow
from quarkctl.errors import LockedError
from quarkctl.reshare.options import ReshareOptions
from quarkctl.jobs.frame import job_lock
from quarkctl.lock import Locks
from quarkctl.runtime.stop import StopSignal
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.reports.reshare import JOB, ReshareOutcome, ReshareReport
from quarkctl.reports.check import RunReport
from quarkctl.reshare.job import CookieRejected, Resharer


class CheckHook:
    def __init__(self, db: Database, make_client: Callable[[], QuarkClient], listener: Any, *, stop: StopSignal,
                 lock_dir: Path, clock: Callable[[], datetime], options: ReshareOptions, lock_shard: tuple[int, int] | None = None) -> None:
        self.db, self.make_client, self.listener, self.stop = db, make_client, listener, stop
        self.lock_dir, self.clock, self.options, self.lock_shard = lock_dir, clock, options, lock_shard
        self.report = ReshareReport(started_at=clock(), dry_run=options.dry_run)
        self.resharer: Resharer | None = None
        self.lock: Locks | None = None
        self.client: QuarkClient | None = None
        self.off = False  # locked, or the cookie was refused: no more re-shares this run

    def _check_run_id(self) -> int | None:
        """This check-links run's row in quarkctl_run, so its re-shares belong to it (`history show RUN`
        lists them). The check-links lock is held, so the one running on this host with our pid is ours."""
        if self.options.dry_run:
            return None
        host, pid = socket.gethostname(), os.getpid()
        for run in self.db.recent_runs(job="check-links", limit=5):
            if run["status"] == "running" and run.get("pid") == pid and run.get("host") == host:
                return int(run["id"])
        return None

    def _start(self) -> Resharer:
        self.lock = job_lock(self.lock_dir, JOB, self.db, self.lock_shard).acquire()  # beside check-links' own (jobs/frame.py)
        self.report.run_id = self._check_run_id()
        self.client = self.make_client()
        session = DriveSession(self.client, sleep=self.stop.sleep, retries=self.options.retries, backoff=self.options.backoff,
                               task_timeout=self.options.task_timeout, on_wait=self.listener.waiting)
        resharer = Resharer(self.db, session, self.options, self.listener, self.report, clock=self.clock,
                            sleep=self.stop.sleep, rng=random.Random(), stop=self.stop)
        resharer.recover()
        return resharer

    def __call__(self, row: ResourceRow, result: CheckResult) -> None:
        if self.off:
            return
        try:
            if self.resharer is None:
                self.resharer = self._start()
            if row.id in self.resharer.renewed:
                # The row got its new link earlier in this run (recovered, or a row of the same share);
                # check-links marks only the link it checked (Database.expire_share), so it stands.
                return
            self.resharer.consider(row, result)
        except LockedError:
            self.off = True
            self.report.abort_reason = "locked"
        except CookieRejected:
            self.off = True
            self.report.abort_reason = "cookie_rejected"
        except ApiFailure as exc:  # the share list or the drive could not be read: this row waits for the next run
            outcome = ReshareOutcome(row.id, row.name, row.link or "", "failed", "create_failed",
                                     api_code=exc.classified.api_code, message=exc.message)
            self.report.outcomes.append(outcome)
            self.listener.reshared(outcome)

    def close(self) -> None:
        self.report.finished_at = self.clock()
        if self.client is not None:
            self.client.close()
        if self.lock is not None:
            self.lock.release()


def with_reshare(report: RunReport, reshare: ReshareReport, db: Database | None = None) -> RunReport:
    """check-links' report with its re-shares: a row that could not be re-shared makes exit 1, a cookie
    refused while re-sharing exit 3 (when the check itself ended well). The run's row in history gets
    that exit code too, so `history` says what the command returned."""
    from quarkctl.errors import ExitCode

    report.reshare = reshare
    checked = int(report.exit_code)
    if checked == ExitCode.OK:
        if reshare.abort_reason == "cookie_rejected":
            report.exit_code = ExitCode.AUTH
        elif reshare.problems:
            report.exit_code = ExitCode.LINK_ERRORS
    reshare.exit_code = report.exit_code
    return settle_exit_code(report, checked, db)


def settle_exit_code(report: RunReport, checked: int, db: Database | None, *, interrupted: bool = False) -> RunReport:
    """The check run's row in history gets the exit code a job after the checks (--reshare, --reacquire) made;
    `interrupted`: a signal stopped that job, and the row says `interrupted` with its abort reason too."""
    from quarkctl.errors import DatabaseError

    if db is not None and report.run_id is not None and (int(report.exit_code) != checked or interrupted):
        try:
            if interrupted:
                db.set_run_interrupted(report.run_id, int(report.exit_code))
            else:
                db.set_run_exit_code(report.run_id, int(report.exit_code))
        except DatabaseError:
            pass  # the command's exit code still says it; history keeps the check's own
    return report
