"""Quark, the first drive behind the seam: its links (quark/links.py), its check (quark/linkcheck.py), and
the one thing a Quark check adds: a 31001 on a share asked with the run's cookie (docs/reference/quark-api.md 7)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from quarkctl.errors import Interrupted
from quarkctl.providers.base import UNSUPPORTED, CheckRun, DriveSetup, Link
from quarkctl.providers.linkforms import first_drive
from quarkctl.quark.account import check_account
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.linkcheck import LOGIN_REQUIRED, CheckResult, LinkChecker, parse_or_result
from quarkctl.quark.links import ShareLink

# After a 31001 on a share, a login the account service confirmed is trusted this long (seconds)
COOKIE_RECHECK = 600.0


class QuarkProvider:
    """Quark for one run: the run's cookie is shared by every worker's client."""

    name = "quark"

    def __init__(self, setup: DriveSetup) -> None:
        self.make_client, self.session = setup.make_client, setup.session
        self.cookie_lock = threading.Lock()
        self.cookie_confirmed_at: float | None = None  # time.monotonic() of the last account check that said yes

    def parse(self, text: str) -> Link | CheckResult | None:
        if first_drive(text) not in (None, self.name):
            # another drive's link comes first, with or without https:// (an attacker's review, issue 24: a bare
            # Baidu link then a dead Quark one was marked on the Quark share's answer): that drive's row
            return None
        found = parse_or_result(text)
        if isinstance(found, ShareLink):
            return Link(self.name, found.pwd_id, found.pdir_fid, found.is_subfolder, found)
        return None if found.reason == UNSUPPORTED else found  # a Quark link that cannot be checked: its error

    def checker(self, run: CheckRun) -> QuarkCheck:
        return QuarkCheck(self, run)

    def cookie_still_good(self, client: QuarkClient, run: CheckRun) -> bool:
        """A 31001 on a share with the cookie: is it the cookie, or this share? The account service says
        (docs/reference/quark-api.md 7: 31001 is not always the cookie). A login it confirms is kept, and trusted for
        COOKIE_RECHECK seconds, so a run with several login-walled shares asks once; anything else drops it."""
        with self.cookie_lock:
            now = time.monotonic()
            if self.cookie_confirmed_at is not None and now - self.cookie_confirmed_at < COOKIE_RECHECK:
                return True
            if self.session is None or not self.session.active:
                return False
            try:
                check = check_account(client, sleep=run.sleep, retries=run.retries, backoff=run.backoff)
            except Interrupted:
                return False
            self.cookie_confirmed_at = now if check.verified else None
            return check.verified


class QuarkCheck:
    """One worker's Quark checker: its own client (watched by the run's grace cutter) and retries."""

    def __init__(self, provider: QuarkProvider, run: CheckRun) -> None:
        self.provider, self.run, self.session = provider, run, provider.session
        self.client: QuarkClient = run.watch(provider.make_client())
        self.checker = LinkChecker(self.client, retries=run.retries, backoff=run.backoff, sleep=run.retry_sleep, on_wait=run.on_wait)

    def check(self, link: Link) -> CheckResult:
        share = link.native
        assert isinstance(share, ShareLink)
        with_cookie = self.session is not None and self.session.active
        result = self.checker.check_link(share)
        if result.auth_rejected and with_cookie and self.session is not None:
            if self.provider.cookie_still_good(self.client, self.run):
                with self.client.without_cookie():  # the login holds: this link again as a visitor sees it
                    result = self.checker.check_link(share)
            else:
                # Share pages answer logged out: the rest of the run goes anonymous, this link again.
                first = self.session.active
                self.session.drop()
                if first:
                    self.run.login_dropped(result)
                result = self.checker.check_link(share)
        if result.auth_rejected:
            # Asked without a cookie and still 31001: this share wants a login. The link's
            # error, never the run's end (issue 21: one such share stopped every night's run).
            result = replace(result, reason=LOGIN_REQUIRED)
        return result

    def close(self) -> None:
        self.client.close()
