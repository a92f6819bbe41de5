"""Monitoring pings, healthchecks.io style: GET URL/start, URL on success, URL/fail on failure.

A ping is a courtesy to the monitor: short timeouts, one try, and a failure is a warning only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import requests

from quarkctl.hooks.monitoring.bounded import TookTooLong, bounded

from quarkctl.i18n import _

PING_ENV = "QUARKCTL_PING_URL"
TIMEOUT = 5.0


class Pinger:
    def __init__(self, url: str | None, *, warn: Callable[[str], None], timeout: float = TIMEOUT) -> None:
        self.url = (url or "").strip().rstrip("/")
        self.warn = warn
        self.timeout = timeout

    @classmethod
    def from_settings(cls, flag: str | None, env: Mapping[str, str], *, dry_run: bool, warn: Callable[[str], None],
                      timeout: float = TIMEOUT) -> Pinger:
        """--ping-url wins over QUARKCTL_PING_URL; a dry run never pings."""
        return cls(None if dry_run else (flag or env.get(PING_ENV)), warn=warn, timeout=timeout)

    def _ping(self, suffix: str, kind: str) -> bool:
        if not self.url:
            return False
        try:
            # whole, not per read: a target that drips its answer must not hold the run (bounded.py)
            response = bounded(lambda: requests.get(self.url + suffix, timeout=self.timeout), self.timeout + 1)
        except (requests.Timeout, TookTooLong):
            reason = _("no answer within {s:g} s").format(s=self.timeout)
        except requests.RequestException as exc:
            reason = type(exc).__name__  # the exception text would repeat the URL, whose uuid is the secret
        else:
            if response.status_code < 400:
                return True
            reason = f"HTTP {response.status_code}"
        self.warn(_("warning: monitoring ping ({kind}) failed: {reason}").format(kind=kind, reason=reason))
        return False

    def start(self) -> bool:
        return self._ping("/start", "start")

    def finish(self, exit_code: int) -> bool:
        return self._ping("", "success") if exit_code == 0 else self._ping("/fail", "fail")
