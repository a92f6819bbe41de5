"""What every drive but Quark shares behind the seam (issue 24): a Provider that reads its own links and a
LinkCheck per worker on its own WebClient, retrying only what a retry may heal. A drive module gives its
name, its link reader and `probe` (its requests and what they mean); this module does the rest."""

from __future__ import annotations

import re
from dataclasses import replace

from quarkctl.providers.base import CheckRun, DriveSetup, Link
from quarkctl.providers.evidence import RETRYABLE
from quarkctl.providers.linkforms import FORMS, MAX_ID, DriveLink, host_first, passcode, read_first
from quarkctl.providers.web import WebClient, api_base
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.retry import RetryPolicy
from quarkctl.quark.verdict import Verdict

ROOT = ""  # a share's root in Link.folder, for drives whose links name no folder


class WebDrive:
    """One drive other than Quark, for one run. Subclasses set the class attributes (link_pattern above
    all) and define `probe(client, link)`."""

    name = ""
    env_key = ""  # QUARKCTL_API_BASE_<env_key> (the search service's key names, issue 24)
    host_pattern = ""  # what starts a link of this drive (no scheme): linkforms.FORMS
    headers: dict[str, str] = {}
    _host: re.Pattern[str]
    # A request that carried a passcode is never retried: the passcode is sent once per check, even when its
    # answer never came (drives-api.md section 5: Baidu freezes a link on repeated tries; Quark's family
    # counts tries, 41021). True: a drive whose passcode may be resent after a server error.
    retry_after_passcode = False
    # The pause between two of this drive's links (seconds, uniform), for the run loop's per-drive pacer: the
    # house default, slower where drives-api.md section 3 saw checkers pace slower (HD: 3 s per provider,
    # 115 10 s; PL: 189 one request per 3 s; Baidu's anti-bot, section 5)
    pace: tuple[float, float] = (1.0, 3.0)

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if cls.host_pattern:
            FORMS.add(cls.name, cls.host_pattern)
            # the host, then a path: "/" or the end (a bare host with no path is no share link)
            cls._host = re.compile(rf"{cls.host_pattern}(?=/)", re.IGNORECASE)

    def __init__(self, setup: DriveSetup) -> None:
        self.base = api_base(self.env_key, setup.api_bases)
        self.trusted = self.name in setup.trust_unverified
        self.timeout = setup.timeout

    # -- links --------------------------------------------------------------------------------

    link_pattern: re.Pattern[str]  # the drive's link, its share id in group 1 (linkforms.scheme)
    passcode_groups: tuple[int, ...] = (2,)  # the groups that may hold a passcode, else one labelled after it

    @classmethod
    def read(cls, text: str) -> DriveLink | None:
        found = read_first(text, cls.link_pattern)
        if found is None:
            return None
        match, after = found
        return cls.from_match(match, passcode(match, after, *cls.passcode_groups))

    @classmethod
    def from_match(cls, match: re.Match[str], code: str) -> DriveLink:
        """The link of a match of link_pattern, with its passcode; a drive whose groups differ says so."""
        return DriveLink(match.group(1), code)

    def parse(self, text: str) -> Link | CheckResult | None:
        found = self.read(text)
        if found is None:
            # This drive's host, but no link the drive can read: an error to fix, never skipped unseen
            return CheckResult(Verdict.ERROR, "malformed_link") if host_first(text, self._host) else None
        if len(found.share_id) > MAX_ID:
            return CheckResult(Verdict.ERROR, "malformed_link")
        return Link(self.name, found.share_id, found.folder or ROOT, bool(found.folder), found)

    # -- checks -------------------------------------------------------------------------------

    def client(self) -> WebClient:
        return WebClient(self.base, self.timeout, dict(self.headers))

    def checker(self, run: CheckRun) -> WebCheck:
        return WebCheck(self, run)

    def probe(self, client: WebClient, link: DriveLink) -> CheckResult:
        raise NotImplementedError


class WebCheck:
    """One worker's checker for one drive: its own connections (watched by the run's grace cutter)."""

    def __init__(self, drive: WebDrive, run: CheckRun) -> None:
        self.drive = drive
        self.client: WebClient = run.watch(drive.client())
        self.retry = RetryPolicy(run.retry_sleep, run.retries, run.backoff, run.on_wait)

    def check(self, link: Link) -> CheckResult:
        native = link.native
        assert isinstance(native, DriveLink)
        self.client.requests = self.client.passcodes_sent = 0
        outcome = CheckResult(Verdict.ERROR, "interrupted")
        for attempt in range(self.retry.attempts):
            if attempt and not self.retry.wait(attempt):
                return replace(outcome, reason="interrupted", transient=False)
            outcome = replace(self.drive.probe(self.client, native), requests=self.client.requests)
            if outcome.reason == "aborted":  # the run is stopping and its grace is over: as Quark's check says it
                return replace(outcome, reason="interrupted", transient=False)
            if outcome.reason not in RETRYABLE:
                return outcome
            if self.client.passcodes_sent and not self.drive.retry_after_passcode:
                return outcome  # the passcode may have arrived: never sent twice (drives-api.md section 5)
        return outcome

    def close(self) -> None:
        self.client.close()
