"""`quarkctl doctor`: is this machine ready to run the jobs? One finding per check, each with a fix.

`CHECKS` runs in order and shares what it learns through a `Context` (the settings, the database,
whether Quark answered), so a database that cannot be reached is one failure, not five, and a
network fault is never reported as a bad cookie. A job with more to check adds its functions.
"""
from __future__ import annotations

import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from quarkctl.config import settings
from quarkctl.config.autosave.loading import config_path, load
from quarkctl.config.autosave.validation import validate
from quarkctl.quark.account import AccountCheck, AccountState, check_account, probe_drive
from quarkctl.db.database import Database
from quarkctl.db.engine import REQUIRED_COLUMNS
from quarkctl.db.schema import OWN_TABLES, cloud_resource
from quarkctl.errors import QuarkctlError
from quarkctl.i18n import _, ngettext
from quarkctl.quark.client import DRIVE_PC, PAN
from quarkctl.quark.signin import mobile_params
from quarkctl.quark.verdict import Outcome, classify
from quarkctl.render.messages import account_why
from quarkctl.ops.doctor_runs import check_locks, check_runs, check_schedule, check_timezone, check_unknown_codes, local_zone_name
from quarkctl.ops.findings import FAIL, OK, PROBE_SHARE, WARN, Check, Context, Finding, probe_fix

__all__ = ["CHECKS", "FAIL", "OK", "WARN", "Check", "Context", "Finding", "check_autosave_config", "check_cookie",
           "check_database", "check_locks", "check_quark", "check_runs", "check_schedule", "check_settings",
           "check_tables", "check_timezone", "check_unknown_codes", "exit_code", "local_zone_name", "run_doctor"]


def check_settings(ctx: Context) -> Iterator[Finding]:
    try:
        ctx.env = settings.read_environment(ctx.env_file)
        ctx.env.update({name: value for name, value in ctx.flags.items() if value})
        ctx.settings = settings.load(ctx.env, need_cookie=False)
    except QuarkctlError as exc:
        yield Finding("settings", FAIL, str(exc), _("correct that setting in the .env file or the environment (README, Configuration)"))
        return
    path = ctx.env_file or Path.cwd() / ".env"
    if not path.is_file():
        yield Finding("settings", OK, _("no .env file ({path}): settings come from the environment").format(path=path))
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH) and ctx.settings.cookie:
        yield Finding("settings", WARN, _("{path} holds the cookie and others may read it").format(path=path),
                      f"chmod 600 {path}")  # a command: never translated
    else:
        yield Finding("settings", OK, _("read {path}").format(path=path))


def check_quark(ctx: Context) -> Iterator[Finding]:
    """Both hosts the jobs use answer with JSON; a network fault shows here, not as a cookie fault."""
    if ctx.settings is None:
        return
    where = ctx.settings.api_base or f"{PAN}, {DRIVE_PC}"
    with ctx.client(cookie=None) as client:
        replies = [client.account_info(), client.share_token(PROBE_SHARE)]
    faults = [c for c in (classify(r) for r in replies) if c.outcome is Outcome.TRANSIENT]
    ctx.quark_answers = not faults
    if not faults:
        yield Finding("quark", OK, _("{where} answer").format(where=where))
        return
    fault = faults[0]
    evidence = " ".join(str(x) for x in (fault.api_code, fault.message) if x)
    detail = f"{fault.reason} {evidence}".strip()
    if len(faults) == 1 and classify(replies[0]).outcome is Outcome.TRANSIENT:
        # Only the account service fails (a firewall that resets some TLS clients, README Troubleshooting):
        # share calls work, so check-links runs; the cookie just cannot be verified there.
        ctx.quark_answers = True
        yield Finding("quark", WARN, _("the share API answers, the account service (pan.quark.cn) does not: {detail}").format(detail=detail),
                      _("check-links still runs; see README, Troubleshooting: the account service does not answer"))
    elif fault.reason in ("risk_control", "rate_limited"):
        yield Finding("quark", WARN, _("Quark answers but refuses for now: {detail}").format(detail=detail),
                      _("wait an hour and keep the schedule to a few runs a day (README, Troubleshooting: risk control)"))
    else:
        yield Finding("quark", FAIL, _("cannot reach {where}: {detail}").format(where=where, detail=detail),
                      _("check this machine's network, DNS and proxy (HTTPS_PROXY); QUARK_API_BASE if you set it"))


def _account_finding(ctx: Context, name: str, cookie: str, accepted: str, fresh_cookie: str) -> Finding:
    """One line for a cookie: account/info first; when that cannot tell, the drive (cookies with __uid)."""
    with ctx.client(cookie=cookie) as client:
        check: AccountCheck = check_account(client, sleep=lambda seconds: True, retries=0, backoff=0)
        drive = probe_drive(client) if check.state is AccountState.INCONCLUSIVE and "__uid" in cookie else None
    why = account_why(check.reason, check.evidence)
    if check.verified:
        return Finding(name, OK, accepted.format(name=check.nickname or "?"))
    if check.state is AccountState.REJECTED or (drive is not None and drive.state is AccountState.REJECTED):
        shown = why if check.state is AccountState.REJECTED or drive is None else account_why(drive.reason, drive.evidence)
        return Finding(name, FAIL, _("Quark does not accept the cookie: {why}").format(why=shown), fresh_cookie)
    if drive is not None and drive.verified:
        return Finding(name, OK, _("the drive accepts the cookie; the account service could not tell: {why}").format(why=why))
    return Finding(name, WARN, _("not verified, a network fault or an answer quarkctl does not know, not a cookie fault: {why}").format(why=why),
                   _("fix the quark line first; check-links uses the cookie anyway"))


def check_cookie(ctx: Context) -> Iterator[Finding]:
    if ctx.settings is None:
        return
    if not ctx.settings.cookie:
        yield Finding("cookie", WARN, _("QUARK_COOKIE is not set: check-links runs only with --anonymous"),
                      _("put your pan.quark.cn cookie in QUARK_COOKIE (README, Configuration)"))
        return
    finding = _account_finding(ctx, "cookie", ctx.settings.cookie, _("accepted by Quark (account {name})"),
                               _("sign in at pan.quark.cn, copy the Cookie header of any request into QUARK_COOKIE"))
    yield finding
    if finding.status == WARN and ctx.quark_answers:  # Quark answers, unreadably: maybe something new (issue 14)
        yield Finding("probe", WARN, _("quarkctl could not read the account check's answer"), probe_fix())


def check_autosave_config(ctx: Context) -> Iterator[Finding]:
    """The autosave config: there, valid, an account that can save, and the sign-in parameters."""
    if ctx.settings is None:
        return
    path = config_path(ctx.config, ctx.env)
    if not path.is_file():  # load() would write the template: doctor only looks
        yield Finding("autosave_config", WARN, _("no autosave config at {path} (only autosave needs one)").format(path=path),
                      _("run `quarkctl autosave --config {path}` once: it writes an example there to fill in").format(path=path))
        return
    try:
        config = load(path)
        problems = validate(config)
    except QuarkctlError as exc:
        yield Finding("autosave_config", FAIL, str(exc), _("fix the JSON at the place named"))
        return
    if problems:
        shown = "; ".join(map(str, problems[:3])) + (" ..." if len(problems) > 3 else "")
        yield Finding("autosave_config", FAIL, ngettext("{path}: {n} problem: {shown}", "{path}: {n} problems: {shown}", len(problems)).format(
                          path=path, n=len(problems), shown=shown),
                      _("`quarkctl autosave --dry-run` lists them all; --skip-invalid runs the other tasks"))
        return
    accounts = config.accounts
    task_count = len(config.tasks)
    yield Finding("autosave_config", OK, _("{path}: {tasks}, {accounts}").format(
        path=path,
        tasks=ngettext("{n} task", "{n} tasks", task_count).format(n=task_count),
        accounts=ngettext("{n} account", "{n} accounts", len(accounts)).format(n=len(accounts))))
    if accounts and "__uid" in accounts[0]:
        yield _account_finding(ctx, "autosave_cookie", accounts[0], _("the first account saves (account {name})"),
                               _("copy a fresh cookie into the config's cookie"))
    elif accounts:
        yield Finding("autosave_cookie", WARN, _("the first cookie has no __uid: it can sign in but not save"),
                      _("use the full pan.quark.cn cookie for the first account"))
    signing = sum(1 for cookie in accounts if mobile_params(cookie))
    if signing:
        yield Finding("sign_in", OK, ngettext("{n} of {m} account carries the mobile parameters for the daily sign-in",
                                             "{n} of {m} accounts carry the mobile parameters for the daily sign-in",
                                             len(accounts)).format(n=signing, m=len(accounts)))
    else:
        yield Finding("sign_in", WARN, _("no account carries kps, sign and vcode: the daily sign-in is skipped"),
                      _("add the kps, sign and vcode values of the Quark app's growth/info request to the cookie"))


def check_database(ctx: Context) -> Iterator[Finding]:
    if ctx.settings is None:
        return
    s = ctx.settings
    if s.default_sqlite and not Path(s.database_url.database or "").exists():
        yield Finding("database", WARN, _("the embedded database {path} does not exist yet").format(path=s.database_url.database),
                      _("`quarkctl db init` creates it (check-links also does on its first run); or set DB_HOST / DATABASE_URL"))
        return
    try:
        db = Database(s.database_url, default_sqlite=s.default_sqlite, timeout=s.db_timeout)
        ctx.tables = db.existing_tables()
    except QuarkctlError as exc:
        yield Finding("database", FAIL, str(exc),
                      _("check DB_HOST, DB_PORT, DB_USERNAME, DB_PASSWORD, DB_DATABASE (or DATABASE_URL), and that the server runs and lets this machine in"))
        return
    ctx.db = db
    yield Finding("database", OK, _("reachable: {url}").format(url=db.label))


def check_tables(ctx: Context) -> Iterator[Finding]:
    db = ctx.db
    if db is None:
        return
    if cloud_resource.name not in ctx.tables:
        yield Finding("cloud_resource", FAIL, _("{url} has no cloud_resource table").format(url=db.label),
                      _("point DATABASE_URL / DB_DATABASE at the database that has it, or create an empty one with `quarkctl db init`"))
    else:
        missing = db.missing_columns(cloud_resource)
        required = [name for name in REQUIRED_COLUMNS if name in missing]
        if required:
            yield Finding("cloud_resource", FAIL, _("cloud_resource lacks the columns {columns}").format(columns=", ".join(required)),
                          " ".join(db.add_column_sql(name) for name in required))
        else:
            count = db.count_candidates()
            yield Finding("cloud_resource", OK, ngettext("present, {count} link to check", "present, {count} links to check",
                                                         count).format(count=count))
            # A user's table as it is (issue 23): an optional seed column missing only narrows what quarkctl writes.
            if "update_time" in missing:
                yield Finding("cloud_resource", OK, _("no update_time column: marks write is_expired only"))
            others = [name for name in missing if name != "update_time"]
            if others:
                yield Finding("cloud_resource", OK, _("without the optional columns {columns}: quarkctl reads and writes the columns the table has").format(
                    columns=", ".join(others)))
    absent = [t.name for t in OWN_TABLES if t.name not in ctx.tables]
    if absent:
        yield Finding("own_tables", WARN, _("quarkctl's tables are missing: {tables}").format(tables=", ".join(absent)),
                      _("the first run creates them, or `quarkctl db init` now"))
    else:
        yield Finding("own_tables", OK, _("present: {tables}").format(tables=", ".join(t.name for t in OWN_TABLES)))


CHECKS: tuple[Check, ...] = (
    check_settings,
    check_quark,
    check_cookie,
    check_autosave_config,
    check_database,
    check_tables,
    check_timezone,
    check_schedule,
    check_runs,
    check_unknown_codes,
    check_locks,
)


def run_doctor(ctx: Context, checks: Iterable[Check] = CHECKS) -> list[Finding]:
    findings: list[Finding] = []
    try:
        for check in checks:
            try:
                findings.extend(check(ctx))
            except QuarkctlError as exc:  # e.g. the database went away mid-way: report it, go on
                findings.append(Finding(check.__name__.removeprefix("check_"), FAIL, str(exc)))
    finally:
        ctx.close()
    return findings


def exit_code(findings: Iterable[Finding]) -> int:
    """0 when nothing failed (warnings allowed), 1 otherwise."""
    return 1 if any(f.status == FAIL for f in findings) else 0
