"""The whole check-links job: the run frame (quarkctl/jobs/frame.py), the account check, then the run (run.py)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from quarkctl.checker.options import CheckOptions
from quarkctl.config.settings import Settings
from quarkctl.db.database import Database
from quarkctl.jobs.frame import run_frame
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.account import AccountState, check_account
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.cookie import SessionCookie
from quarkctl.quark.grace import GraceCutter
from quarkctl.reports.check import JOB, Listener, RunReport
from quarkctl.runtime.clock import utcnow
from quarkctl.runtime.stop import StopSignal

from .reacquire import DeadRows, Reacquire, reacquire as run_reacquire, with_reacquire
from .run import run_check

def execute(
    settings: Settings,
    options: CheckOptions,
    listener: Listener,
    *,
    stop: StopSignal,
    lock_dir: Path,
    anonymous: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    reacquire: Reacquire | None = None,
) -> RunReport:
    """The whole job: the run frame (database, lock), account check, run. Raises QuarkctlError subclasses.

    `reacquire`: check-links --reacquire's search service and options (checker/reacquire.py).
    The account check never blocks the link check (share pages answer logged out): a cookie that
    cannot be verified is used anyway, one Quark clearly rejects is dropped and the run ends with exit 3."""
    session = SessionCookie(None if anonymous else settings.cookie)

    def make_client() -> QuarkClient:
        return QuarkClient(cookie=session, api_base=settings.api_base, timeout=timeout)

    # Shards of one table run side by side; a whole run excludes them (quarkctl/lock.py, README: one table, several hosts)
    with run_frame(settings, JOB, stop=stop, lock_dir=lock_dir, shard=options.shard, dry_run=options.dry_run,
                   prepare=lambda db: db.prepare_for_check(dry_run=options.dry_run)) as db:
        account = None
        if session.active:
            # a stop leaves the account check STOP_GRACE s too (an attacker's review: 59 s after SIGTERM)
            with GraceCutter(stop.is_set) as cutter, cutter.watch(make_client()) as client:
                account = check_account(client, sleep=stop.sleep, retries=options.retries, backoff=options.backoff,
                                        stop_signum=lambda: stop.signum, on_wait=partial(listener.waiting, account=True))
            if account.state is AccountState.REJECTED:
                session.drop()
        if (not options.reshare or not session.active) and reacquire is None:
            return run_check(db, make_client, options, listener, stop=stop, session=session, account=account, timeout=timeout,
                             api_bases=settings.api_bases)
        from quarkctl.reshare.hook import CheckHook, with_reshare  # issue 17: --reshare

        hook = None
        if options.reshare and session.active:
            hook = CheckHook(db, make_client, listener, stop=stop, lock_dir=lock_dir, clock=utcnow, options=options.reshare_options(),
                             lock_shard=options.shard)
        dead = DeadRows(hook) if reacquire is not None else None  # issue 25: --reacquire, after the checks
        try:
            report = run_check(db, make_client, options, listener, stop=stop, session=session, account=account,
                               on_dead=dead or hook, timeout=timeout, api_bases=settings.api_bases)
        finally:
            if hook is not None:
                hook.close()
        if hook is not None:
            report = with_reshare(report, hook.report, db)
        if dead is None or reacquire is None:
            return report
        try:
            reacquired = run_reacquire(db, make_client, dead.wanted(hook.report if hook else None), reacquire, listener, stop=stop,
                                       lock_dir=lock_dir, session=session, clock=utcnow, checked=report,
                                       reshared=hook is not None)
        except BaseException as exc:
            # the checks' run is in history already: it records the code the command ends with (an attacker's review,
            # issue 25: history said 0 for a run that crashed with exit 70)
            failed(db, report, exc)
            raise
        return with_reacquire(report, reacquired, db, stop=stop)


def failed(db: Database, report: RunReport, exc: BaseException) -> None:
    """The run's history entry gets the exit code `exc` ends the command with: its own, 70 for a bug, 130/143 for a
    stop (launch.py's mapping)."""
    from quarkctl.errors import DatabaseError, ExitCode, QuarkctlError

    if isinstance(exc, QuarkctlError):
        code = int(exc.exit_code)
    elif isinstance(exc, KeyboardInterrupt):
        code = int(ExitCode.SIGINT)
    elif isinstance(exc, Exception):
        code = int(ExitCode.INTERNAL)
    else:
        return  # SystemExit and the like: their code is their own
    if report.run_id is not None:
        try:
            db.set_run_exit_code(report.run_id, code)
        except DatabaseError:
            pass  # the command's exit code still says it
