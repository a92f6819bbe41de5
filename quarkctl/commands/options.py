"""The options several commands share, declared once; their defaults come from the jobs' own option classes."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from quarkctl.autosave.options import AutosaveOptions  # light: the jobs' options, not the jobs themselves
from quarkctl.checker.options import CheckOptions, parse_drives, parse_empty_grace, parse_max_age, parse_paces, parse_shard, parse_trust
from quarkctl.config import settings
from quarkctl.i18n import _
from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.runtime.deadline import parse_max_runtime, parse_until
from quarkctl.runtime.pacing import PacingPolicy

F = TypeVar("F", bound=Callable[..., Any])
MAX_SECONDS = 86_400.0  # a day: a longer wait is a typo, and near 1e9 s sleeps and timers overflow (exit 70)
CHECK = CheckOptions()  # the defaults of a check-links run
AUTOSAVE = AutosaveOptions()  # and of an autosave run

EnvFile = Annotated[Optional[Path], typer.Option("--env-file", help=_("Read settings from this .env file (default: ./.env if present). Real environment variables win."), dir_okay=False)]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", metavar="URL", help=_("SQLAlchemy URL; overrides DATABASE_URL and DB_*. Prefer the environment for passwords."))]
# Machine output of the commands that print one document (history, schedule, doctor).
JsonObject = Annotated[bool, typer.Option("--json", help=_("One JSON object on stdout."))]
# Read as the DB_TIMEOUT setting (db_timeout_flag): the flag over the environment over .env.
DbTimeout = Annotated[Optional[float], typer.Option("--db-timeout", metavar="SECONDS", min=0.1, max=MAX_SECONDS, help=_("How long the database may take to answer before the run ends with exit 5 (DB_TIMEOUT, default 60)."))]

# The check-links run options, shared by `check-links` and `resources revive` (the same run).
ApiBase = Annotated[Optional[str], typer.Option("--api-base", metavar="URL", help=_("Replace scheme+host of every Quark endpoint (QUARK_API_BASE), e.g. a proxy or the simulator."))]
Anonymous = Annotated[bool, typer.Option("--anonymous", help=_("Check without a cookie (share pages work logged out)."))]
BatchSize = Annotated[int, typer.Option("--batch-size", min=1, max=100_000, help=_("Rows read per database query."))]
CheckLimit = Annotated[Optional[int], typer.Option("--limit", min=0, help=_("Check at most N links this run."))]
Timeout = Annotated[float, typer.Option("--timeout", metavar="SECONDS", min=0.1, max=MAX_SECONDS, help=_("The most one request to Quark or another drive may take, whole (connect, send, every byte of the answer), seconds."))]
MinDelay = Annotated[float, typer.Option("--min-delay", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("Shortest pause between links, seconds."))]
MaxDelay = Annotated[float, typer.Option("--max-delay", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("Longest pause between links, seconds."))]
RestEvery = Annotated[int, typer.Option("--rest-every", min=0, help=_("Rest after every N links (0: never)."))]
RestSeconds = Annotated[float, typer.Option("--rest-seconds", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("Length of that rest, seconds."))]
NoPacing = Annotated[bool, typer.Option("--no-pacing", help=_("No pauses at all (for your own proxy or tests, not for Quark)."))]
MaxAge = Annotated[Optional[str], typer.Option("--max-age", metavar="DURATION", help=_("Only links last checked longer ago than this (7d, 12h, 30m), least recently checked first."))]
Shard = Annotated[Optional[str], typer.Option("--shard", metavar="K/N", help=_("Only rows with id % N == K: N hosts split one table."))]
MaxRuntime = Annotated[Optional[str], typer.Option("--max-runtime", metavar="DURATION", help=_("Take no new link after this long (90m, 5h); the links in flight finish, then the partial report, exit 0."))]
Until = Annotated[Optional[str], typer.Option("--until", metavar="HH:MM", help=_("Take no new link after this local time (the next one after the start); with --max-runtime the earlier wins."))]
EmptyGrace = Annotated[str, typer.Option("--empty-grace", metavar="DURATION", help=_("Mark a share that lists no files only once it has stayed empty this long (12h, 30m; 0: at once)."))]
Concurrency = Annotated[int, typer.Option("--concurrency", min=1, max=32, help=_("Workers checking Quark links in parallel, each paced; every other drive has one worker, the drives run side by side."))]
Drives = Annotated[Optional[str], typer.Option("--drives", metavar="LIST", help=_("Check only these drives' links, e.g. quark,uc,baidu or 百度 (default: every drive); the others' rows are left alone, neither checked nor recorded."))]
TrustUnverified = Annotated[Optional[str], typer.Option("--trust-unverified", metavar="LIST", help=_("Let these drives' dead answers known only from other clients' code mark rows expired, e.g. baidu,aliyun (default: none; see the README's drives table)."))]
Pace = Annotated[Optional[list[str]], typer.Option("--pace", metavar="PACE", help=_("DRIVE=MIN-MAX: a drive's pause between its links, seconds, e.g. baidu=3-6; repeatable. Quark's is --min-delay/--max-delay."))]
Retries = Annotated[int, typer.Option("--retries", min=0, max=10, help=_("Retries of a transient failure per link."))]
RetryBackoff = Annotated[float, typer.Option("--retry-backoff", metavar="SECONDS", min=0, max=MAX_SECONDS, help=_("First retry wait, doubled each retry, seconds."))]
MaxConsecutiveErrors = Annotated[int, typer.Option("--max-consecutive-errors", min=0, help=_("Abort after N links in a row fail transiently (0: never)."))]
CheckDryRun = Annotated[bool, typer.Option("--dry-run", help=_("Check, but write nothing to the database."))]
JsonReport = Annotated[bool, typer.Option("--json", help=_("One JSON object on stdout; progress on stderr."))]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help=_("Print only the summary."))]
LogFilePath = Annotated[Optional[Path], typer.Option("--log-file", dir_okay=False, help=_("Also append the plain lines to this file."))]
# Notifications and monitoring pings, shared by check-links and autosave.
NotifyUrls = Annotated[Optional[list[str]], typer.Option("--notify", metavar="URL", help=_("Also send the run's notification to this apprise URL (added to QUARKCTL_NOTIFY); repeatable."))]
NotifyOn = Annotated[str, typer.Option("--notify-on", metavar="WHEN", help=_("When check-links notifies: changes (newly expired links or errors), always, errors."))]
PingUrl = Annotated[Optional[str], typer.Option("--ping-url", metavar="URL", help=_("Healthchecks-style URL: GET URL/start, URL on success, URL/fail on failure (QUARKCTL_PING_URL)."))]
MetricsFilePath = Annotated[Optional[Path], typer.Option("--metrics-file", metavar="FILE", dir_okay=False, help=_(
    "Write the run's figures to this file in Prometheus' text format, for node_exporter's textfile collector "
    "(QUARKCTL_METRICS_FILE); other runs' lines in it are kept."))]

# Which rows of cloud_resource: `resources list` and `resources export`; the ids of `set-status` and `rm`.
OnlyExpired = Annotated[bool, typer.Option("--expired", help=_("Only rows marked expired (is_expired = 1)."))]
OnlyValid = Annotated[bool, typer.Option("--valid", help=_("Only rows not marked expired (is_expired = 0)."))]
AllRows = Annotated[bool, typer.Option("--all", help=_("Every row (the default)."))]
Search = Annotated[Optional[str], typer.Option("--search", help=_("Only rows whose name, alias or link contains TEXT."))]
# A drive's name or spelling matches all its spellings (resources/drives.py); any other value, that drive_type
DriveFilter = Annotated[Optional[str], typer.Option(
    "--drive", "--drive-type", metavar="DRIVE",
    help=_("Only rows of this drive: a drive's name (quark, uc, baidu, aliyun, 123, tianyi, mobile, 115, xunlei) "
           "matches every drive_type spelling of it (baidu: 百度, bd, ...); any other value, that drive_type."))]
Ids = Annotated[list[int], typer.Argument(metavar="ID", help=_("Resource ids (see `resources list`)."), min=1)]


def duration_text(value: timedelta) -> str:
    """A default duration as the options spell one (12h), in the largest unit that divides it."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s" if seconds else "0"


def option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


_PACING = CHECK.pacing
# A check-links run: what to check and how fast, then what to print. `resources revive` is the same run.
CHECK_RUN = (
    option("env_file", EnvFile, None),
    option("database_url", DatabaseUrl, None),
    option("db_timeout", DbTimeout, None),
    option("api_base", ApiBase, None),
    option("anonymous", Anonymous, False),
    option("batch_size", BatchSize, CHECK.batch_size),
    option("limit", CheckLimit, CHECK.limit),
    option("timeout", Timeout, DEFAULT_TIMEOUT),
    option("min_delay", MinDelay, _PACING.min_delay),
    option("max_delay", MaxDelay, _PACING.max_delay),
    option("rest_every", RestEvery, _PACING.rest_every),
    option("rest_seconds", RestSeconds, _PACING.rest_seconds),
    option("no_pacing", NoPacing, False),
    option("concurrency", Concurrency, CHECK.concurrency),
    option("drives", Drives, None),
    option("trust_unverified", TrustUnverified, None),
    option("pace", Pace, None),
    option("retries", Retries, CHECK.retries),
    option("retry_backoff", RetryBackoff, CHECK.backoff),
    option("max_consecutive_errors", MaxConsecutiveErrors, CHECK.max_consecutive_errors),
    option("max_age", MaxAge, None),
    option("shard", Shard, None),
    option("max_runtime", MaxRuntime, None),
    option("until", Until, None),
    option("empty_grace", EmptyGrace, duration_text(CHECK.empty_grace)),
)
CHECK_OUTPUT = (
    option("dry_run", CheckDryRun, CHECK.dry_run),
    option("json_output", JsonReport, False),
    option("quiet", Quiet, False),
    option("log_file", LogFilePath, None),
)
MONITORING = (  # check-links' notifications, pings and metrics; autosave declares its own (no --notify-on)
    option("notify", NotifyUrls, None),
    option("notify_on", NotifyOn, "changes"),
    option("ping_url", PingUrl, None),
    option("metrics_file", MetricsFilePath, None),
)
OWN = (option("_own", Any, None),)  # in declared(): where the command's own parameters go (compared by identity)


def declared(*groups: Sequence[inspect.Parameter]) -> Callable[[F], F]:
    """The command's parameters are these groups in this order, OWN standing for the function's own.

    The function takes the groups' options as **keywords; typer reads the signature set here, so
    the options are declared once however many commands take them."""

    def decorate(func: F) -> F:
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
               for p in inspect.signature(func, eval_str=True).parameters.values() if p.kind != p.VAR_KEYWORD]
        params = [p for group in groups for p in (own if group is OWN else group)]
        func.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        return func

    return decorate


def check_options(values: dict[str, Any], *, scope: str, recheck_expired: bool = False) -> CheckOptions:
    """CHECK_RUN and CHECK_OUTPUT's values as the job's options."""
    pacing = PacingPolicy.from_flags(values["min_delay"], values["max_delay"], values["rest_every"], values["rest_seconds"],
                                     off=values["no_pacing"])
    max_age, shard = values["max_age"], values["shard"]
    max_runtime, until = values["max_runtime"], values["until"]
    return CheckOptions(
        batch_size=values["batch_size"],
        limit=values["limit"],
        recheck_expired=recheck_expired,
        dry_run=values["dry_run"],
        concurrency=values["concurrency"],
        pacing=pacing,
        retries=values["retries"],
        backoff=values["retry_backoff"],
        max_consecutive_errors=values["max_consecutive_errors"],
        scope=scope,
        max_age=parse_max_age(max_age) if max_age is not None else None,
        shard=parse_shard(shard) if shard is not None else None,
        empty_grace=parse_empty_grace(values["empty_grace"]),
        max_runtime=parse_max_runtime(max_runtime) if max_runtime is not None else None,
        until=parse_until(until) if until is not None else None,
        drives=parse_drives(values["drives"]) if values["drives"] is not None else None,
        trust_unverified=parse_trust(values["trust_unverified"]) if values["trust_unverified"] is not None else frozenset(),
        paces=parse_paces(values["pace"] or []),
        no_pacing=values["no_pacing"],
    )


def db_timeout_flag(value: Optional[float]) -> Optional[str]:
    """--db-timeout as the DB_TIMEOUT setting it overrides (None: not given)."""
    return None if value is None else repr(float(value))


def environment(env_file: Optional[Path], **flags: Optional[str]) -> dict[str, str]:
    """The settings of the .env file and the environment, with the command's flags on top."""
    env = settings.read_environment(env_file)
    env.update({name: value for name, value in flags.items() if value})
    return env
