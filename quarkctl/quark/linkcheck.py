"""Check one share link: token, then detail, with retries for what can heal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quarkctl.quark.links import ROOT_FID, LinkError, ShareLink, parse_share_url
from quarkctl.runtime.pacing import Sleeper, WaitListener
from quarkctl.quark.retry import MAX_WAIT, RetryPolicy
from quarkctl.quark.verdict import Classified, Outcome, Verdict, classify

if TYPE_CHECKING:  # CheckResult is read without HTTP (resources); urllib3 loads with the client
    from quarkctl.quark.client import ApiReply, QuarkClient

AUTH_REASON = "cookie_rejected"
# 31001 on a share asked without a cookie: Quark wants a login for this share; the link's own error (issue 21)
LOGIN_REQUIRED = "login_required"
FOLDER_GONE = "folder_gone"  # a dead answer for a sub-folder of a share whose root lists


@dataclass(frozen=True)
class CheckResult:
    verdict: Verdict
    reason: str
    api_code: int | None = None
    http_status: int | None = None
    message: str | None = None  # Quark's words, as sent
    requests: int = 0
    transient: bool = False  # an error that retries could not heal (counts for the circuit breaker)
    code: str | None = None  # another drive's code as it sent it, in text ("NotFound.ShareLink", "-9"); Quark's is api_code

    @property
    def auth_rejected(self) -> bool:
        return self.reason == AUTH_REASON


_FINAL = {
    Outcome.DEAD: Verdict.EXPIRED,
    Outcome.NEEDS_PASSCODE: Verdict.NEEDS_PASSCODE,
    Outcome.AUTH: Verdict.ERROR,
    Outcome.UNKNOWN: Verdict.ERROR,
}


def parse_or_result(text: str | None) -> ShareLink | CheckResult:
    """The parsed link, or the verdict a link gets without any request."""
    try:
        return parse_share_url(text or "")
    except LinkError as exc:
        verdict = Verdict.SKIPPED if exc.reason == "unsupported_link" else Verdict.ERROR
        return CheckResult(verdict, exc.reason)


class _Retry(Exception):
    def __init__(self, classified: Classified) -> None:
        self.classified = classified


class LinkChecker:
    def __init__(
        self,
        client: QuarkClient,
        *,
        retries: int = 2,
        backoff: float = 2.0,
        max_backoff: float = MAX_WAIT,
        sleep: Sleeper,
        on_wait: WaitListener | None = None,
    ) -> None:
        self.client = client
        self.retry = RetryPolicy(sleep, retries, backoff, on_wait, max_backoff)
        self._requests = 0

    def check(self, text: str | None) -> CheckResult:
        link = parse_or_result(text)
        return link if isinstance(link, CheckResult) else self.check_link(link)

    def check_link(self, link: ShareLink) -> CheckResult:
        self._requests = 0
        last: Classified | None = None
        for attempt in range(self.retry.attempts):
            if attempt and not self.retry.wait(attempt, last.retry_after if last else None, last):
                assert last is not None
                return CheckResult(Verdict.ERROR, "interrupted", last.api_code, last.http_status, last.message, self._requests)
            try:
                result = self._probe(link)
            except _Retry as retry:
                last = retry.classified
                if last.reason == "aborted":  # the run is stopping and its grace is over: no retry
                    return CheckResult(Verdict.ERROR, "interrupted", requests=self._requests)
                continue
            return CheckResult(result.verdict, result.reason, result.api_code, result.http_status, result.message, self._requests)
        assert last is not None
        return CheckResult(Verdict.ERROR, last.reason, last.api_code, last.http_status, last.message, self._requests, transient=True)

    def _ask(self, reply: ApiReply) -> Classified:
        """Classify; raise _Retry for what a retry may heal."""
        self._requests += 1
        classified = classify(reply)
        if classified.outcome in (Outcome.TRANSIENT, Outcome.TOKEN_EXPIRED):
            raise _Retry(classified)
        return classified

    @staticmethod
    def _final(classified: Classified) -> CheckResult:
        return CheckResult(
            _FINAL[classified.outcome], classified.reason, classified.api_code, classified.http_status, classified.message
        )

    def _token(self, link: ShareLink) -> str | CheckResult:
        reply = self.client.share_token(link.pwd_id, link.passcode)
        classified = self._ask(reply)
        if classified.outcome is not Outcome.OK:
            return self._final(classified)
        stoken = reply.data.get("stoken") if isinstance(reply.data, dict) else None
        if not isinstance(stoken, str) or not stoken:
            # code 0 without a stoken is not proof of anything (quark-api.md 4.2 rule 2)
            return CheckResult(Verdict.ERROR, "unexpected_response", reply.code, reply.http_status, reply.message)
        return stoken

    def _listing(self, link: ShareLink, stoken: str, pdir_fid: str) -> list[object] | CheckResult:
        reply = self.client.share_detail(link.pwd_id, stoken, pdir_fid)
        classified = self._ask(reply)
        if classified.outcome is not Outcome.OK:
            return self._final(classified)
        items = reply.data.get("list") if isinstance(reply.data, dict) else None
        counts_files = (reply.total or 0) > 0
        # A listing of another shape is neither valid nor empty (an attacker's review, issue 23): entries
        # that are no objects (`[null]` read as valid), a `_total` of the wrong type (`"7"` read as none,
        # then empty on the way to a mark), or "empty" beside a count of files.
        if (not isinstance(items, list) or not all(isinstance(item, dict) for item in items)
                or reply.malformed_total or (not items and counts_files)):
            return CheckResult(Verdict.ERROR, "unexpected_response", reply.code, reply.http_status, reply.message)
        return items

    def _stale_folder(self, link: ShareLink, stoken: str, folder: CheckResult) -> CheckResult:
        """A dead or unknown code for a sub-folder (the simulator says 41013 文件夹不存在): nobody has shown
        what Quark answers for a folder id gone from a live share (issue 21), so the share's root decides. Root dead: the row is expired; root alive:
        the row is not marked, and the report says the folder is gone so the owner can fix the link."""
        root = self._listing(link, stoken, ROOT_FID)
        if isinstance(root, CheckResult):
            return root
        return CheckResult(Verdict.ERROR, FOLDER_GONE, folder.api_code, folder.http_status, folder.message)

    def _probe(self, link: ShareLink) -> CheckResult:
        stoken = self._token(link)
        if isinstance(stoken, CheckResult):
            return stoken
        items = self._listing(link, stoken, link.pdir_fid)
        if isinstance(items, CheckResult):
            if link.is_subfolder and (items.verdict is Verdict.EXPIRED or items.reason == "unknown_code"):
                return self._stale_folder(link, stoken, items)
            return items
        if items:
            return CheckResult(Verdict.VALID, "ok", 0, 200)
        if link.is_subfolder:
            # An empty sub-folder is legitimate; the share lives if its root still lists files.
            root = self._listing(link, stoken, ROOT_FID)
            if isinstance(root, CheckResult):
                return root
            if root:
                return CheckResult(Verdict.VALID, "empty_subfolder", 0, 200)
        # An empty root may be content under review: confirm with a fresh token before calling it dead.
        stoken = self._token(link)
        if isinstance(stoken, CheckResult):
            return stoken
        items = self._listing(link, stoken, ROOT_FID)
        if isinstance(items, CheckResult):
            return items
        if items:
            return CheckResult(Verdict.VALID, "ok", 0, 200)
        # Still empty, yet not proof of death (quark-api.md 4.2.6): content under review lists empty
        # for a while. The run turns it into `expired` from the row's history and --empty-grace; a
        # folder link never, since a folder may legitimately be empty.
        return CheckResult(Verdict.EMPTY, "empty_folder" if link.is_subfolder else "empty_share", 0, 200)
