"""Human words for machine values (verdicts, reasons, abort reasons): one translatable table."""

from __future__ import annotations

from typing import Any

from quarkctl.i18n import N_, _, labelled, ngettext
from quarkctl.safe_text import printable


VERDICTS = {
    "valid": N_("valid"),
    "expired": N_("expired"),
    "needs_passcode": N_("needs passcode"),
    "empty": N_("empty"),
    "error": N_("error"),
    "skipped": N_("skipped"),
}

REASONS = {
    "ok": N_("the share lists its files"),
    "empty_subfolder": N_("this sub-folder is empty, the share itself lives"),
    "empty_share": N_("the share is empty"),
    "still_empty": N_("the share has listed no files for longer than --empty-grace"),
    "empty_folder": N_("the linked folder and the share list no files; a folder link is never marked for that"),
    "same_share": N_("another row with the same share was found dead"),
    "files_deleted": N_("the shared files were deleted"),
    "share_not_found": N_("no such share"),
    "share_invalid": N_("the share was invalidated"),
    "share_cancelled": N_("the owner cancelled the share"),
    "share_expired": N_("the share's time limit passed"),
    "content_violation": N_("taken down for violating content"),
    "sharer_banned": N_("the sharer's account is banned"),
    "passcode_required": N_("a passcode (提取码) is needed: add ?pwd=... to the stored link"),
    "passcode_wrong": N_("the stored passcode (提取码) is wrong"),
    "passcode_attempts_limited": N_("too many passcode attempts, try later"),
    "cookie_rejected": N_("Quark rejected the cookie"),
    "no_session": N_("the account service answered without a session: the cookie is not a login"),
    "risk_control": N_("Quark's risk control refused the request (try later)"),
    "server_error": N_("Quark server error"),
    "rate_limited": N_("rate limited by Quark (HTTP 429)"),
    "bad_response": N_("Quark answered something that is not JSON"),
    "timeout": N_("no answer in time"),
    "connection_error": N_("could not connect to Quark"),
    "stoken_expired": N_("the share token expired"),
    "save_token_rejected": N_("Quark rejected the share's file tokens on save (try again with a fresh token)"),
    "unknown_code": N_("an answer quarkctl does not know; the link was left alone"),
    "unexpected_response": N_("an answer of an unexpected shape; the link was left alone"),
    "unsupported_link": N_("not a Quark share link (pan.quark.cn, www.quark.cn or quark.cn /s/ links are checked)"),
    "malformed_link": N_("a Quark link without a share id (/s/<id>)"),
    "malformed_url": N_("a malformed URL: stray brackets or characters around pan.quark.cn"),
    "interrupted": N_("interrupted: the run was stopping (a signal, or the deadline's grace was over)"),
    "aborted": N_("the run was stopping; the request was cut off"),
    "login_required": N_("Quark wants a login to open this share (31001 without a cookie); the link was left alone"),
    "folder_gone": N_("the linked sub-folder is gone, but the share lives: fix the link's #/list/share/ part"),
    "own_share": N_("this share is the account's own: Quark does not save an account's own shares (41017)"),
    "bad_parameter": N_("Quark refused a parameter (14001 Bad Parameter); retried with a fresh share token"),
    # The other drives (issue 24, providers/): what their answers mean; none of these marks a row
    "captcha_required": N_("the drive asked for a captcha (anti-bot); the link was left alone, try later"),
    "html_page": N_("the drive answered a web page, not its API's answer; the link was left alone"),
    "passcode_state_unknown": N_("the drive asks for the passcode, which it also does for dead shares; the link was left alone"),
    "link_error": N_("the drive says the link is wrong (啊哦，链接出错了), which it also says of live links; left alone"),
    "bad_share_code": N_("the drive does not know this share code, which it also says of mistyped ones; left alone"),
    "sharer_account_problem": N_("the sharer's account has a problem; the share may come back; left alone"),
    "traffic_exhausted": N_("the share lives, but its download traffic is used up"),
    "under_review": N_("the share is under review; left alone"),
    "visits_exhausted": N_("the share's allowed visits are used up"),
    "wrong_request_shape": N_("the drive did not understand the request (quarkctl's fault, not the link's); left alone"),
    "unsupported_drive": N_("this drive's links cannot be checked without an account (see the README's drives table)"),
    "drive_not_selected": N_("this drive was left out of the run (--drives)"),
}

# The drives by their names (providers/names.py), as a line names them
DRIVE_LABELS = {
    "quark": N_("Quark"), "uc": N_("UC"), "baidu": N_("Baidu"), "aliyun": N_("Aliyun"), "123": N_("123pan"),
    "tianyi": N_("Tianyi (189)"), "mobile": N_("China Mobile (139)"), "115": N_("115"), "xunlei": N_("Xunlei"),
    "other": N_("no drive"),
}

# REASONS that name Quark, as another drive's answer words them
DRIVE_REASONS = {
    "risk_control": N_("{drive}'s risk control refused the request (try later)"),
    "server_error": N_("{drive} server error"),
    "rate_limited": N_("rate limited by {drive}"),
    "bad_response": N_("{drive} answered something that is not JSON"),
    "connection_error": N_("could not connect to {drive}"),
    "login_required": N_("{drive} wants a login to open this share; the link was left alone"),
    "malformed_link": N_("a {drive} link without a share id quarkctl can read"),
}
UNVERIFIED = "unverified_"  # providers/evidence.py: a dead answer only clients' code expects, the drive not trusted

ABORTS = {
    "cookie_rejected": N_("Quark rejected the cookie during the run; nothing more was checked. Copy a fresh cookie."),
    "interrupted": N_("interrupted by a signal; this is a partial report."),
    "database_lost": N_("the database stopped answering during the run; nothing more was checked (exit code 5). This is a partial report."),
}
# autosave's words where check-links' would be wrong ("nothing more was checked"); the rest are shared.
AUTOSAVE_ABORTS = {
    "no_account": N_("no account could be verified: transfers skipped"),
    "account_unreachable": N_("Quark did not answer the account check, so no account could be verified: transfers "
                              "skipped (exit code 4; the cookie may be fine, the next run tries again)"),
    "database_lost": N_("the database stopped answering during the run; no task was started after that (exit code 5). "
                        "This is a partial report."),
}

# An autosave task's status (machine value) as `history show` words it.
TASK_STATUSES = {
    "saved": N_("saved"),
    "nothing_new": N_("nothing new"),
    "planned": N_("planned"),
    "skipped": N_("skipped"),
    "banned": N_("banned"),
    "failed": N_("failed"),
}


def verdict_text(verdict: str) -> str:
    return _word(VERDICTS, verdict)


def drive_text(drive: str) -> str:
    return _word(DRIVE_LABELS, drive)


def reason_text(reason: str, drive: str | None = None) -> str:
    """A reason in words; another drive's answer in its own name (`drive`: providers/names.py)."""
    if reason.startswith(UNVERIFIED) and len(reason) > len(UNVERIFIED):
        return _("{what}, but only other clients' code says so: left alone (--trust-unverified lets it mark)").format(
            what=reason_text(reason[len(UNVERIFIED):], drive))
    if drive not in (None, "quark") and reason in DRIVE_REASONS:
        return _(DRIVE_REASONS[reason]).format(drive=drive_text(str(drive)))
    return _word(REASONS, reason)


def account_why(reason: str, evidence: str) -> str:
    """An AccountCheck in words: `the account service answered without a session ... (OK)`."""
    return reason_text(reason) + (f" ({evidence})" if evidence else "")


def retry_text(seconds: float, cause: Any = None, subject: str = "") -> str:
    """A retry's line (issue 23): what is retried, why, and how long the pause is:
    `#6 动画F https://pan.quark.cn/s/89bc1f633e24: Quark server error (HTTP 502); retrying in 0.2 s`.
    `cause`: the failure retried (quark.verdict.Classified), None when the caller does not know it."""
    if cause is None:
        text = _("transient failure, retrying in {seconds:g} s").format(seconds=seconds)
    else:
        text = _("{why}; retrying in {seconds:g} s").format(why=failure_text(cause), seconds=seconds)
    return f"{subject}: {text}" if subject else text


def failure_text(cause: Any, drive: str | None = None) -> str:
    """A failure in words with its evidence as Quark sent it: `Quark's risk control ... (14021 风控)`, `... (HTTP 502)`."""
    if cause.api_code:
        evidence = " ".join(str(x) for x in (cause.api_code, cause.message) if x)
    elif cause.http_status and cause.http_status != 200:
        evidence = f"HTTP {cause.http_status}"
    else:
        evidence = ""
    text = reason_text(cause.reason, drive)
    return text + (f" ({printable(evidence)})" if evidence and evidence not in text else "")


def more_text(n: int) -> str:
    """The last line of a list cut short: `... and 12 more`."""
    return _("... and {n} more").format(n=n)


def verdict_reason(verdict: str, reason: str, drive: str | None = None) -> str:
    """`expired: the owner cancelled the share`, as a link's result is shown."""
    return labelled(verdict_text(verdict), reason_text(reason, drive))


def account_text(state: str, why: str, *, during_run: bool) -> str:
    """The one line check-links prints when the cookie is not verified (an AccountState value, account_why())."""
    if state == "inconclusive":
        return _("Could not verify the cookie ({why}); checking the links with it anyway. "
                 "Run `quarkctl doctor` to look closer.").format(why=why)
    if during_run:
        return _("Quark rejected the cookie during the run ({why}); the remaining links are checked without it. "
                 "Sign in at pan.quark.cn and copy a fresh QUARK_COOKIE (exit code 3).").format(why=why)
    return _("Quark does not accept the cookie ({why}); checking the links without it. "
             "Sign in at pan.quark.cn and copy a fresh QUARK_COOKIE (exit code 3).").format(why=why)


def task_status_text(status: str) -> str:
    return _word(TASK_STATUSES, status)


def abort_text(reason: str, job: str = "check-links", **values: object) -> str:
    """Why a run stopped early, in the words of its job (`history show` names runs of both)."""
    if job == "autosave" and reason in AUTOSAVE_ABORTS:
        return _(AUTOSAVE_ABORTS[reason])
    if reason == "circuit_breaker":  # its count decides the plural, so it is not in the ABORTS table
        n = values.get("n")
        n = n if isinstance(n, int) else 0
        return ngettext(
            "{n} link in a row failed with transient errors (Quark is rate-limiting or the network is down); "
            "nothing more was checked.",
            "{n} links in a row failed with transient errors (Quark is rate-limiting or the network is down); "
            "nothing more was checked.",
            n,
        ).format(**values)
    return _(ABORTS[reason]).format(**values) if reason in ABORTS else reason


# -- history, schedule, resources: machine values as their human output words them ---------------

# A run's state in `quarkctl_run` (and "abandoned": still "running", but its process is gone).
RUN_STATES = {
    "running": N_("running"),
    "finished": N_("finished"),
    "aborted": N_("aborted"),
    "interrupted": N_("interrupted"),
    "abandoned": N_("abandoned"),
}

# The counts a run stores (reports.check.COUNT_KEYS; autosave stores its tasks as total, errors, skipped)
# and the keys of autosave's summary.
COUNT_LABELS = {
    "total": N_("total"),
    "valid": N_("valid"),
    "expired": N_("expired"),
    "needs_passcode": N_("needs passcode"),
    "empty": N_("empty"),
    "errors": N_("errors"),
    "skipped": N_("skipped"),
    "same_share": N_("marked with their share"),
    "unchecked": N_("left unchecked"),  # a drive's rows after its circuit breaker tripped (issue 24)
    "revived": N_("marked valid again"),  # revive, check-links --recheck-expired (reports.check.REVIVED)
    "tasks": N_("tasks"),
    "saved": N_("saved"),
    "nothing_new": N_("nothing new"),
    "planned": N_("planned"),
    "banned": N_("banned"),
    "failed": N_("failed"),
    "files_saved": N_("files saved"),
    "folders_saved": N_("folders saved"),  # saved whole: their files are not in files_saved
    "reshared": N_("re-shared"),  # a reshare run's (reports.reshare.COUNT_KEYS; planned, skipped, failed above)
    "recovered": N_("recovered"),
    "refused": N_("refused"),
    "replaced": N_("replaced"),  # an acquire run's (reports.acquire.COUNT_KEYS; planned, failed, skipped above)
    "added": N_("added"),
    "left_dead": N_("left dead"),
    "unmarked": N_("unmarked"),  # an acquire run's rows marked expired whose link was alive
    "signed": N_("signed"),  # a sign run's (reports.autosave.SIGN_COUNT_KEYS; total, errors, skipped above)
    "already_signed": N_("already signed"),
    "unconfirmed": N_("not confirmed"),
}

# The header `schedule install --print` writes above each file, by the file's state on disk.
PLANNED_FILES = {
    "new": N_("# ---- {path} (new) ----"),
    "unchanged": N_("# ---- {path} (unchanged) ----"),
    "changed": N_("# ---- {path} (changed) ----"),
}

# Where a job is scheduled (schedule.Entry.source).
SCHEDULE_SOURCES = {
    "systemd-system": N_("systemd (system)"),
    "systemd-user": N_("systemd (user)"),
    "cron": N_("cron"),
}

# A timer's state as systemctl says it, "UnitFileState/ActiveState".
UNIT_FILE_STATES = {
    "enabled": N_("enabled"),
    "enabled-runtime": N_("enabled until reboot"),
    "linked": N_("linked"),
    "linked-runtime": N_("linked until reboot"),
    "alias": N_("alias"),
    "masked": N_("masked"),
    "masked-runtime": N_("masked until reboot"),
    "static": N_("static"),
    "indirect": N_("indirect"),
    "disabled": N_("disabled"),
    "generated": N_("generated"),
    "transient": N_("transient"),
    "bad": N_("bad unit file"),
}
UNIT_ACTIVE_STATES = {
    "active": N_("active"),
    "inactive": N_("inactive"),
    "failed": N_("failed"),
    "activating": N_("activating"),
    "deactivating": N_("deactivating"),
    "reloading": N_("reloading"),
    "maintenance": N_("maintenance"),
    "refreshing": N_("refreshing"),
}

# A cloud_resource row's is_expired, as `resources list` words it.
RESOURCE_STATUSES = {
    "valid": N_("valid"),
    "expired": N_("expired"),
}


def _word(table: dict[str, str], key: str) -> str:
    """The translated word for a machine value; an unknown value (a newer quarkctl wrote it) as it is."""
    return _(table[key]) if key in table else key


def run_state_text(state: str) -> str:
    return _word(RUN_STATES, state)


def count_text(key: str, n: int) -> str:
    """`total 3`, `needs passcode 1`: one count of a run, as `history` lists them."""
    label = _(COUNT_LABELS[key]) if key in COUNT_LABELS else key.replace("_", " ")
    return f"{label} {n}"


def planned_file_header(state: str, path: object) -> str:
    if state in PLANNED_FILES:
        return _(PLANNED_FILES[state]).format(path=path)
    return f"# ---- {path} ({state}) ----"


def schedule_source_text(source: str) -> str:
    return _word(SCHEDULE_SOURCES, source)


def unit_state_text(state: str) -> str:
    """`enabled/active` in the words of the language; parts systemctl added later stay as it says them."""
    file_state, sep, active = state.partition("/")
    if not sep:
        return _word(UNIT_FILE_STATES, file_state)
    return f"{_word(UNIT_FILE_STATES, file_state)}/{_word(UNIT_ACTIVE_STATES, active)}"


def resource_status_text(status: str) -> str:
    return _word(RESOURCE_STATUSES, status)
