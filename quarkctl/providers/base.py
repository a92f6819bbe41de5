"""The provider seam (issue 22): what the check job asks of a drive, and the drives a run knows.

A drive is one module with one Provider: it says whether a row's link text is its own (parse: a Link,
or None), and checks a Link into a CheckResult, the verdict with its evidence (HTTP status, the drive's
code and message, the requests it took). The job (checker/run.py) knows no drive: it reads each row's
link through Drives, checks it with the drive's LinkCheck (one per worker and drive) and marks what the
verdict says. A text no drive claims is `skipped: unsupported_link`, as it always was.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from quarkctl.quark import DEFAULT_TIMEOUT
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict
from quarkctl.runtime.pacing import Sleeper, WaitListener

T = TypeVar("T")
UNSUPPORTED = "unsupported_link"  # the reason of a link no drive claims (skipped, never marked)


@dataclass(frozen=True)
class Link:
    """A row's link as its drive read it: what the job needs of any drive's link. Equal links are one
    share asked once (the run's cache and in-flight keys), so `native` carries the passcode too."""

    drive: str  # the provider's name
    share_id: str  # what names the share on its drive: the rows of one share are found by it
    folder: str  # the folder the link opens, in the drive's own ids (Quark: "0", the share's root)
    is_subfolder: bool  # a folder inside the share: it may legitimately be empty
    native: Hashable  # the drive's own parsed link, handed back to its LinkCheck (Quark: quark.links.ShareLink)

    @property
    def key(self) -> str:
        """The share and folder, as quarkctl_empty_streak stores them: an empty streak counts for this key."""
        return f"{self.share_id}/{self.folder}"

    def same_share(self, other: Link) -> bool:
        """The same share and folder; the passcode does not matter to a dead share."""
        return (self.drive, self.share_id, self.folder) == (other.drive, other.share_id, other.folder)


@dataclass(frozen=True)
class CheckRun:
    """What a run hands each drive's checker: its retries and pauses, its grace cutter, its listeners."""

    retries: int
    backoff: float
    sleep: Sleeper  # the run's own sleep (a stop ends it)
    retry_sleep: Sleeper  # a retry's pause: ends at the deadline's grace too
    on_wait: WaitListener
    watch: Callable[[Any], Any]  # the run's grace cutter: what it watches is closed STOP_GRACE s after a stop
    login_dropped: Callable[[CheckResult], None]  # the drive's login was refused mid-run: the run goes on anonymously


@dataclass(frozen=True)
class DriveSetup:
    """What a run builds its drives from (issue 24 adds each drive's API base and pace here)."""

    make_client: Callable[[], Any]  # a Quark client on the run's cookie (quarkctl.quark.client.QuarkClient)
    session: Any = None  # that cookie (quarkctl.quark.cookie.SessionCookie); None: no cookie at all
    # The other drives (providers/webdrive.py): the names whose code-only dead rules the user trusts
    # (providers/evidence.py); each drive's API base by its key (None: QUARKCTL_API_BASE_<KEY> in the
    # environment); the most one request may take.
    trust_unverified: frozenset[str] = frozenset()
    api_bases: Mapping[str, str] | None = None
    timeout: float = DEFAULT_TIMEOUT


class LinkCheck(Protocol):
    """One worker's checker for one drive, on its own connections."""

    def check(self, link: Link) -> CheckResult: ...

    def close(self) -> None: ...


class Provider(Protocol):
    """One drive."""

    name: str

    def parse(self, text: str) -> Link | CheckResult | None:
        """This drive's link in a row's text; a CheckResult when the text is this drive's but cannot be
        checked (its verdict without a request: a malformed link); None when it is not this drive's."""

    def checker(self, run: CheckRun) -> LinkCheck:
        """A checker for one worker (called in that worker's thread, at its first link of this drive)."""


class Drives:
    """The drives of one run, asked in order; found by name."""

    def __init__(self, providers: Iterable[Provider]) -> None:
        self.by_name = {provider.name: provider for provider in providers}

    def __getitem__(self, name: str) -> Provider:
        return self.by_name[name]

    def read(self, text: str | None) -> Link | CheckResult:
        """The row's link, or the verdict it gets without any request."""
        for provider in self.by_name.values():
            found = provider.parse(text or "")
            if found is not None:
                return found
        return CheckResult(Verdict.SKIPPED, UNSUPPORTED)

    def owner(self, text: str | None) -> str | None:
        """The drive that claims the text (its link, or its malformed link), None when no drive does."""
        return next((name for name, provider in self.by_name.items() if provider.parse(text or "") is not None), None)

    def same_share(self, text: str | None, link: Link) -> bool:
        """`text` names the same share (and folder) as `link`."""
        other = self.read(text)
        return isinstance(other, Link) and other.same_share(link)
