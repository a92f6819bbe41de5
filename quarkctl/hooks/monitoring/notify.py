"""Notifications through apprise: where to send (targets), what to say (one message per run), sending.

Targets come from QUARKCTL_NOTIFY, the autosave config's `notify` list and its reference-style
`push_config` (translated by pushconfig.py), and `--notify URL`. A failed send is a warning for the
caller to print; it never changes a job's outcome. Every title and body passes through redact().
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from quarkctl.config import pushconfig
from quarkctl.errors import ConfigError
from quarkctl.hooks.monitoring.bounded import TookTooLong, bounded
from quarkctl.i18n import _, listing, ngettext
from quarkctl.render.messages import UNVERIFIED, abort_text
from quarkctl.redact import redact
from quarkctl.safe_text import printable, printable_lines

if TYPE_CHECKING:
    from quarkctl.reports.autosave import AutosaveReport
    from quarkctl.config.autosave.model import AutosaveConfig
    from quarkctl.reports.check import RunReport

NOTIFY_ENV = "QUARKCTL_NOTIFY"
SIGN_ENV = "QUARK_SIGN_NOTIFY"
TITLE_ENV = "QUARKCTL_NOTIFY_TITLE"  # a fixed check-links title for mail filters, the same in every language
AUTOSAVE_TITLE = "【夸克自动转存】"  # the reference's title, kept: users filter their inbox on it
TIMEOUT = 5.0
NOTIFY_ON = ("changes", "always", "errors")
MAX_LINKS = 200  # expired links listed in one message; the rest are counted


@dataclass
class Targets:
    urls: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    target: str  # the URL with its secrets hidden (apprise's privacy form)
    ok: bool
    error: str = ""


def split_urls(text: str) -> list[str]:
    """Apprise URLs separated by spaces or by commas (a comma only ends a URL when another URL follows)."""
    return [part for chunk in text.split() for part in re.split(r",\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)", chunk.strip(",")) if part]


def _config_urls(config: AutosaveConfig) -> list[str]:
    value = config.data.get("notify")
    if value is None:
        return []
    if isinstance(value, str):
        return split_urls(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [url for item in value for url in split_urls(item)]
    raise ConfigError(_("{path}: notify: must be a list of apprise URLs").format(path=config.path))


def gather(env: Mapping[str, str], flags: Iterable[str] = (), config: AutosaveConfig | None = None) -> Targets:
    """Every target, in order (environment, config `notify`, config `push_config`, --notify), without repeats."""
    targets = Targets()
    urls = split_urls(env.get(NOTIFY_ENV, ""))
    if config is not None:
        urls += _config_urls(config)
        translated = pushconfig.translate(config.push_config)
        urls += translated.urls
        targets.warnings += [printable(line) for line in translated.warnings]  # push_config's keys are the config's data
    for flag in flags:
        urls += split_urls(flag)
    targets.urls = list(dict.fromkeys(urls))
    return targets


def sign_in_wanted(env: Mapping[str, str], config: AutosaveConfig | None) -> bool:
    """QUARK_SIGN_NOTIFY=false, in the environment or in push_config, keeps the sign-in out of messages."""
    values = [env.get(SIGN_ENV)]
    if config is not None:
        values.append(config.push_config.get(SIGN_ENV))
    return not any(value is False or str(value).strip().lower() == "false" for value in values if value is not None)


def autosave_title(config: AutosaveConfig | None) -> str:
    title = config.data.get("notify_title") if config is not None else None
    return title if isinstance(title, str) and title.strip() else AUTOSAVE_TITLE


def send(urls: Iterable[str], title: str, body: str, *, timeout: float = TIMEOUT) -> list[Delivery]:
    """Send to each URL on its own, so each gets its own result. Never raises for a target's failure."""
    import apprise  # only needed when there is something to send

    # A phone shows what it gets: no control from a name or Quark's words (safe_text.py); the body keeps its lines.
    title, body = printable(redact(title)), printable_lines(redact(body))
    deliveries = []
    for url in urls:
        with apprise.LogCapture(level=logging.WARNING) as log:
            plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
            if not plugin:
                deliveries.append(Delivery(printable(_mask(url)), False, _("not a valid apprise URL")))
                continue
            plugin.socket_connect_timeout = plugin.socket_read_timeout = timeout
            try:
                # whole, not per read (bounded.py): a target that drips its answer held the run and its SIGTERM
                ok = bool(bounded(lambda plugin=plugin: plugin.notify(title=title, body=body), 2 * timeout + 1))
            except TookTooLong:
                ok = False
                log.write(_("no answer within {s:g} s").format(s=2 * timeout + 1) + "\n")
            except Exception as exc:  # noqa: BLE001 - a sender's bug must not fail the job
                ok = False
                log.write(f"{type(exc).__name__}: {exc}\n")
            lines = [line for line in log.getvalue().splitlines() if line.strip()]
        label = plugin.url(privacy=True).split("?", 1)[0]  # apprise's defaults in the query are noise
        error = re.sub(r"^.*? - [A-Z]+ - ", "", lines[-1]) if lines else _("the service did not accept the message")
        deliveries.append(Delivery(printable(label), ok, "" if ok else printable(redact(error))))
    return deliveries


def _mask(url: str) -> str:
    scheme, sep, _rest = url.partition("://")
    return f"{scheme}://***" if sep else "***"


def warnings_for(deliveries: list[Delivery]) -> list[str]:
    return [_("warning: notification to {target} failed: {error}").format(target=d.target, error=d.error)
            for d in deliveries if not d.ok]


# -- what is said -----------------------------------------------------------------------------------

def autosave_body(report: AutosaveReport, *, include_sign: bool = True) -> str | None:
    """One message for an autosave run: saved trees, bans, failures, a rejected cookie, the sign-in.
    None when there is nothing to say (nothing new, nothing wrong)."""
    from quarkctl.render.autosave import account_line, deadline_text, interrupted_text, task_line, tree_lines, unwritten_lines

    lines: list[str] = []
    for account in report.accounts:
        sign = account.sign if include_sign and account.sign and account.sign.status in ("signed", "failed", "sign_unconfirmed") else None
        if account.verified is False or sign is not None:
            lines.append(account_line(dataclasses.replace(account, sign=sign))[1])
    total = report.planned or len(report.tasks)
    for task in report.tasks:
        if task.status in ("saved", "banned", "failed") or task.replaced is not None:  # every replacement, old -> new
            if lines:
                lines.append("")
            lines.append(task_line(task, total))
            if task.status == "saved":
                lines.extend(tree_lines(task.added))
        for hook in task.hooks:
            if not hook.get("ok"):
                lines.append(_("hook {hook} failed for {name}: {message}").format(hook=hook.get("hook"), name=task.name,
                                                                                  message=hook.get("message")))
    if report.config_unsaved:
        lines.append(report.config_unsaved)
    if report.search_warning:  # --replace-dead could not search: the dead tasks stay banned
        lines.append(_("no replacement searched: {why}").format(why=report.search_warning))
    if report.abort_reason == "no_account":
        lines.append(_("no account can save: the first cookie was not accepted or has no __uid"))
    elif report.abort_reason == "database_lost":
        lines += unwritten_lines(report)  # what the database did not take, so that it is not lost unseen
    elif report.abort_reason:
        lines.append(abort_text(report.abort_reason, job="autosave", n=0))
    if (interrupted := interrupted_text(report)) is not None:  # the tasks a signal kept from starting, by name
        lines.append(interrupted)
    if lines and (stopped := deadline_text(report)) is not None:  # said in a message sent anyway
        lines.append(stopped)
    return redact("\n".join(lines)) if lines else None


def check_links_body(report: RunReport, notify_on: str = "changes") -> str | None:
    """One message for a check-links run, or None when `notify_on` says the run is not worth one."""
    from quarkctl.render.check import deadline_text, summary_rows
    from quarkctl.render.check_words import abort_lines, drive_rows, id_list

    summary = report.summary
    trouble = bool(summary["errors"] or report.abort_reason or int(report.exit_code))
    if notify_on == "errors" and not trouble:
        return None
    if notify_on == "changes" and not (trouble or report.newly_expired):
        return None
    expired = len(report.newly_expired)
    lines = [ngettext("{n} link newly marked expired", "{n} links newly marked expired", expired).format(n=expired)]
    for _id, name, link in report.newly_expired[:MAX_LINKS]:
        lines.append(f"- {name} {link}")
    if len(report.newly_expired) > MAX_LINKS:
        lines.append(_("... and {n} more").format(n=len(report.newly_expired) - MAX_LINKS))
    if getattr(report, "reshare", None) is not None:  # --reshare: old -> new (issue 17)
        lines += reshare_lines(report.reshare.outcomes)
    if getattr(report, "reacquire", None) is not None:  # --reacquire: old -> new, the rows left dead and why (issue 25)
        lines += acquire_lines(report.reacquire, own_run=False)
    lines.append(listing(f"{label} {value}" for label, value in summary_rows(report)))
    lines += drive_rows(report)  # each drive's counts, when the run saw more than one (issue 24)
    if (stopped := deadline_text(report)) is not None:  # --max-runtime / --until cut the run short
        lines.append(stopped)
    if report.account is not None and report.account.state.value == "rejected":
        lines.append(_("The cookie needs renewing: Quark did not accept it, so the links were checked without it. "
                       "Sign in at pan.quark.cn and copy a fresh QUARK_COOKIE."))
    if report.abort_reason:
        lines += abort_lines(report)
    elif summary["errors"]:
        # A drive's answer that only other clients' code calls dead is no failure to check: the same answer comes
        # every night until a person looks (a new user's review, issue 24), so it is named apart, with its rows
        unverified = [(i, reason) for i, reason in getattr(report, "errors", []) if reason.startswith(UNVERIFIED)]
        others = summary["errors"] - len(unverified)
        if others > 0:
            lines.append(ngettext("{n} link could not be checked (it is checked again next run)",
                                  "{n} links could not be checked (they are checked again next run)", others).format(n=others))
        if unverified:
            lines.append(ngettext(
                "{n} link got an answer only other clients' code calls dead, left alone: look at it, or let that drive's "
                "such answers mark with --trust-unverified: {ids}",
                "{n} links got an answer only other clients' code calls dead, left alone: look at them, or let those drives' "
                "such answers mark with --trust-unverified: {ids}", len(unverified)).format(
                    n=len(unverified), ids=id_list([f"#{i}" for i, _reason in unverified])))
    lines.append(_("exit code {code}").format(code=int(report.exit_code)))
    return redact("\n".join(lines))


def check_links_failure_title(env: Mapping[str, str]) -> str:
    fixed = (env.get(TITLE_ENV) or "").strip()
    return _("{title} failed").format(title=fixed) if fixed else _("quarkctl check-links failed")


def autosave_failure_title(config: AutosaveConfig | None) -> str:
    return _("{title} failed").format(title=autosave_title(config))


def check_links_title(report: RunReport, env: Mapping[str, str]) -> str:
    fixed = (env.get(TITLE_ENV) or "").strip()
    return fixed or _("quarkctl check-links: {n} newly expired").format(n=len(report.newly_expired))


def deliver(urls: list[str], title: str, body: str | None, *, timeout: float = TIMEOUT) -> list[str]:
    """Send when there is something to say; the warning lines for what failed."""
    if not urls or body is None:
        return []
    return warnings_for(send(urls, title, body, timeout=timeout))



# -- reshare (issue 17): the links re-created, old -> new ------------------------------------------


def reshare_lines(outcomes: Iterable[object]) -> list[str]:
    """One line per re-shared row (`- NAME OLD -> NEW`), then the rows that need a person."""
    outcomes = list(outcomes)
    renewed = [o for o in outcomes if getattr(o, "action", "") in ("reshared", "recovered")]
    lines = [_("links re-shared: {n}").format(n=len(renewed))] if renewed else []
    lines += [f"- {o.name} {o.old_link} -> {o.new_link}" for o in renewed[:MAX_LINKS]]  # type: ignore[attr-defined]
    if outcomes:
        from quarkctl.render.reshare import outcome_line

        lines += [outcome_line(o) for o in outcomes if _needs_a_person(o)][:MAX_LINKS]  # type: ignore[arg-type]
    return lines


def _needs_a_person(outcome: object) -> bool:
    """Refused, failed, or a share of several items quarkctl did not make ("re-share by hand")."""
    action, reason = getattr(outcome, "action", ""), getattr(outcome, "reason", "")
    return action in ("refused", "failed") or (action == "skipped" and reason == "several_items")


def reshare_body(report: object) -> str | None:
    """`resources reshare`: a message when something was re-shared or needs a person; None otherwise."""
    from quarkctl.render.reshare import summary_text

    outcomes = getattr(report, "outcomes", [])
    if not any(o.action in ("reshared", "recovered") or _needs_a_person(o) for o in outcomes) and not getattr(report, "abort_reason", None):
        return None
    lines = reshare_lines(outcomes) + [summary_text(report), _("exit code {code}").format(code=int(report.exit_code))]  # type: ignore[arg-type, attr-defined]
    return redact("\n".join(lines))


# -- acquire (issue 25): every replacement (old -> new) and every row left dead, with why ------------


def acquire_body(report: object) -> str | None:
    """`resources acquire`: a message when a row got a new link, was left dead, or the run stopped; None otherwise."""
    from quarkctl.render.acquire import summary_text

    outcomes = list(getattr(report, "outcomes", []))
    if not any(o.action in ("replaced", "added", "unmarked") or o.problem for o in outcomes) and not getattr(report, "abort_reason", None):
        return None
    lines = acquire_lines(report) + [summary_text(report), _("exit code {code}").format(code=int(report.exit_code))]  # type: ignore[arg-type, attr-defined]
    return redact("\n".join(lines))


def acquire_lines(report: object, *, own_run: bool = True) -> list[str]:
    """Every replacement (old -> new), every row left dead with why, and why the run stopped (within check-links,
    not an interruption: check-links says that once)."""
    from quarkctl.render.acquire import abort_line, outcome_text, videos_text

    outcomes = list(getattr(report, "outcomes", []))
    renewed = [o for o in outcomes if o.action in ("replaced", "added")]
    left = [o for o in outcomes if o.problem]
    lines = [_("links replaced: {n}").format(n=len(renewed))] if renewed else []
    lines += [f"- {o.name} {o.old_link or '-'} -> {o.new_link}{videos_text(o)}" for o in renewed[:MAX_LINKS]]
    unmarked = [o for o in outcomes if o.action == "unmarked"]
    lines += [f"- {o.name}: {outcome_text(o)}" for o in left[:MAX_LINKS]]
    lines += [f"- {o.name} {o.old_link}: {outcome_text(o)}" for o in unmarked[:MAX_LINKS]]
    reason = getattr(report, "abort_reason", None)
    if reason and (own_run or reason != "interrupted"):
        lines.append(abort_line(report))  # type: ignore[arg-type]
    return lines
