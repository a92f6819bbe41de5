"""The words of a check run's lines and summary, shared by the terminal, the plain lines, the log file
and the notification (hooks/monitoring/notify.py): data in, translated text out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quarkctl.i18n import _, listing, ngettext
from quarkctl.providers.names import DRIVE_NAMES
from quarkctl.render.clock import duration, local_time
from quarkctl.render.messages import COUNT_LABELS, abort_text, account_why, drive_text, failure_text, more_text, verdict_reason
from quarkctl.reports.check import JOB, LinkOutcome, RunReport
from quarkctl.safe_text import printable

if TYPE_CHECKING:
    from quarkctl.db.records import ResourceRow
    from quarkctl.quark.account import AccountCheck


def outcome_detail(outcome: LinkOutcome) -> str:
    """`expired: the owner cancelled the share (41012 好友已取消了分享)`; Quark's words as sent."""
    result = outcome.result
    text = verdict_reason(result.verdict.value, result.reason, outcome.drive)
    evidence = printable(" ".join(str(x) for x in (result.api_code if result.api_code else None, result.message) if x))
    if result.reason not in ("ok",) and evidence:
        text += f" ({evidence})"
    if outcome.changed:
        text += " " + (_("[marked expired]") if result.verdict.value == "expired" else _("[marked valid again]"))
    if outcome.same_share_as is not None:
        text += " " + _("[same share as #{id}]").format(id=outcome.same_share_as)
    elif outcome.cached:
        text += " " + _("[same link as an earlier row]")
    return text


def summary_rows(report: RunReport) -> list[tuple[str, str]]:
    # same_share only when it happened: most nights no row is marked with its share
    rows = [(_(COUNT_LABELS[key]), str(value)) for key, value in report.summary.items() if value or key != "same_share"]
    rows += [
        (_("newly marked expired"), _("{n} (dry run: nothing written)").format(n=len(report.newly_expired)) if report.dry_run
         else str(len(report.newly_expired))),
        (_("duration"), duration(report.duration)),
        (_("finished at"), local_time(report.finished_at)),
    ]
    if report.deadline_at is not None:
        rows.append((_("deadline"), local_time(report.deadline_at)))
    if report.reshare is not None:  # --reshare: the rows healed in this run have their new links already
        rows.append((_(COUNT_LABELS["reshared"]), str(len(report.reshare.renewed))))
    if report.reacquire is not None:  # --reacquire (issue 25): render/check_reacquire.py
        from quarkctl.render.check_reacquire import reacquire_row

        rows += [row for row in (reacquire_row(report),) if row is not None]
    return rows


def drive_rows(report: RunReport) -> list[str]:
    """`Baidu: total 12, valid 9, expired 1, errors 2`, one per drive, when the run saw more than one drive."""
    return drive_lines(report.drives)


def drive_lines(drives: object) -> list[str]:
    """drive_rows() of a run's `drives` counts, as its report or its history detail keeps them."""
    if not isinstance(drives, dict) or len(drives) < 2:
        return []
    order = {name: n for n, name in enumerate(DRIVE_NAMES)}  # the registry's order, Quark first, `other` last
    return [_("{drive}: {counts}").format(drive=drive_text(str(drive)), counts=listing(
        f"{_(COUNT_LABELS[key])} {value}" for key, value in counts.items() if key in COUNT_LABELS and (value or key == "total")))
        for drive, counts in sorted(drives.items(), key=lambda item: order.get(item[0], len(order))) if isinstance(counts, dict)]


def abort_lines(report: RunReport) -> list[str]:
    """Why the run stopped early, or which drives' breakers tripped (each drive stops alone, issue 24)."""
    if report.abort_reason == "circuit_breaker" and report.tripped:
        return tripped_lines(report)
    return [abort_text(report.abort_reason, n=report.abort_streak)] if report.abort_reason else []


def tripped_lines(report: RunReport) -> list[str]:
    """Each drive whose circuit breaker tripped: its streak, and how many of its links were left unchecked."""
    return tripped_texts(report.tripped, report.drives)


def tripped_texts(tripped: object, drives: object) -> list[str]:
    """tripped_lines() of a run's `tripped` and `drives`, as its report or its history detail keeps them."""
    if not isinstance(tripped, dict):
        return []
    counts = drives if isinstance(drives, dict) else {}
    lines = []
    for drive, n in tripped.items():
        left = (counts.get(drive) or {}).get("unchecked", 0)
        lines.append(ngettext("{drive}: {n} link in a row failed with transient errors ({drive} is rate-limiting or the network is "
                              "down); no more of its links were checked ({left} left).",
                              "{drive}: {n} links in a row failed with transient errors ({drive} is rate-limiting or the network "
                              "is down); no more of its links were checked ({left} left).", int(n)).format(
            drive=drive_text(str(drive)), n=n, left=left))
    return lines


def mismatch_text(report: RunReport) -> str | None:
    """The rows whose drive_type names another drive than their link's host: checked as the host says."""
    n = len(report.mismatched)
    if not n:
        return None
    return ngettext("{n} row's drive_type names another drive than its link, which was checked as its host says: {ids}",
                    "{n} rows' drive_type names another drive than their links, which were checked as their hosts say: {ids}",
                    n).format(n=n, ids=id_list([f"#{i}" for i in report.mismatched]))


def not_selected_lines(report: RunReport) -> list[str]:
    """The rows of the drives --drives left out: not checked, not recorded (--max-age still finds them due)."""
    n = report.not_selected
    if not n:
        return []
    return [ngettext("{n} row of the drives left out of this run (--drives) was not checked nor recorded.",
                     "{n} rows of the drives left out of this run (--drives) were not checked nor recorded.", n).format(n=n)]


def cool_down_text(seconds: float, cause: object, subject: str) -> str:
    """A drive's back-off answer pauses its links: `#6 name link: rate limited by Baidu (-64); Baidu rests 10 s`."""
    drive, result = getattr(cause, "drive", ""), getattr(cause, "result", None)
    why = failure_text(result, drive) if result is not None else ""
    text = _("{why}; {drive} rests {seconds:g} s before its next link").format(why=why, drive=drive_text(drive), seconds=seconds)
    return f"{subject}: {text}" if subject else text


def deadline_text(report: RunReport) -> str | None:
    """The line of a run the deadline cut short (--max-runtime, --until); None otherwise."""
    if not report.deadline_reached:
        return None
    return _("stopped at the deadline: {checked} of {selected} checked").format(
        checked=report.summary["total"], selected=report.selected)


def unwritten_lines(report: RunReport) -> list[str]:
    """After a lost database: the line naming it, then every verdict it did not get, so none is lost unseen.
    Also when a signal ended the run while a write waited for the database (abort_reason "interrupted")."""
    if report.abort_reason != "database_lost" and not report.database_error:
        return []
    lines = [report.database_error] if report.database_error else []
    n = len(report.unwritten)
    if not n:
        return lines + [_("Every verdict of this run was written before the end.")]
    lines.append(ngettext("{n} verdict could not be written to the database; here it is, so that it is not lost:",
                          "{n} verdicts could not be written to the database; here they are, so that none is lost:", n).format(n=n))
    for item in report.unwritten:
        text = f"#{item['id']} {printable(item['link'] or '')} {verdict_reason(str(item['verdict']), str(item['reason']))}"
        if item.get("mark") == "expired":
            text += " " + _("[not marked expired]")
        elif item.get("mark") == "valid":
            text += " " + _("[not marked valid again]")
        lines.append(text)
    return lines


def started_text(total: int, database: str, job: str = JOB) -> str:
    """`check-links: 24 links to check in sqlite:////root/.local/share/quarkctl/quarkctl.db` (password masked);
    `revive: ...` for `resources revive`."""
    if not database:
        return ngettext("{job}: {total} link to check", "{job}: {total} links to check", total).format(job=job, total=total)
    return ngettext("{job}: {total} link to check in {database}", "{job}: {total} links to check in {database}", total).format(
        job=job, total=total, database=printable(database))


def retry_subject(row: ResourceRow | None, account: bool = False) -> str:
    """What a retry is for: `#6 name link`, the cookie check before the first link, or nothing known."""
    if account:
        return _("cookie check")
    return "" if row is None else f"#{row.id} {_cut(row.name)} {_cut(row.link or '')}"


def _cut(text: str, limit: int = 300) -> str:
    """A cell as a line shows it: on one line, printable (safe_text.py), a 2 MB link by its start (the JSON keeps it whole)."""
    return printable(text if len(text) <= limit else text[:limit] + "…")


def _account_why(check: AccountCheck, during_run: bool) -> str:
    """During the run the line already says Quark rejected the cookie: Quark's own answer is the why."""
    return check.evidence if during_run and check.evidence else account_why(check.reason, check.evidence)


# Ids named in one summary line; the rest are counted ("... and 12 more"): every id is in --json's results
_IDS_SHOWN = 20


def id_list(ids: list[str]) -> str:
    """`#3, #7, #9`, cut after _IDS_SHOWN with `... and N more`."""
    shown = listing(ids[:_IDS_SHOWN])
    if len(ids) > _IDS_SHOWN:
        shown += " " + more_text(len(ids) - _IDS_SHOWN)
    return shown


def malformed_text(report: RunReport) -> str | None:
    """The summary's warning about Quark rows whose link cannot be checked (issue 23: not only a log line)."""
    n = len(report.malformed)
    if not n:
        return None
    return ngettext("{n} Quark row holds no checkable share link (another site, no /s/<id>, or garbage): {ids}; fix its link "
                    "or its drive_type", "{n} Quark rows hold no checkable share link (another site, no /s/<id>, or garbage): "
                    "{ids}; fix their links or their drive_type", n).format(n=n, ids=id_list([f"#{i}" for i in report.malformed]))


def exit_why(report: RunReport) -> str | None:
    """Why a finished run exits 1 (README, Exit codes): the rows that ended in `error`, each with its reason."""
    if int(report.exit_code) != 1 or not report.errors:
        return None
    n = len(report.errors)
    ids = id_list([f"#{i} ({reason})" for i, reason in report.errors])
    return ngettext("exit code 1: {n} link ended in error: {ids}", "exit code 1: {n} links ended in error: {ids}", n).format(n=n, ids=ids)


def history_note() -> str:
    """Said once, at the end of a dry run on a table without quarkctl's own tables (issue 23)."""
    return _("this database has no quarkctl tables yet, so no history was read or kept; `quarkctl db init` "
             "creates them (a run without --dry-run does too)")


def reshare_stopped(report: RunReport) -> str | None:
    """check-links --reshare: why re-sharing stopped during the run (locked, cookie rejected), if it did."""
    if report.reshare is None or not report.reshare.abort_reason or report.reshare.abort_reason == "interrupted":
        return None  # an interruption is the run's own, said once above
    from quarkctl.render.reshare import reshare_abort_text

    return reshare_abort_text(report.reshare.abort_reason)
