"""What `quarkctl doctor` reports and what its checks share: a Finding each, one Context for all."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from quarkctl.schedule import current as schedule_current
from quarkctl.config import settings
from quarkctl.db.database import Database
from quarkctl.i18n import _
from quarkctl.quark.client import QuarkClient
from quarkctl.redact import redact

OK, WARN, FAIL = "ok", "warn", "fail"
PROBE_SHARE = "000000000000"  # no such share: Quark answers 41006, which proves the share API answers
RUN_OVERDUE = timedelta(hours=50)  # a daily job not seen for this long did not run


@dataclass(frozen=True)
class Finding:
    name: str  # machine name of the check (JSON), never translated
    status: str  # ok | warn | fail
    message: str
    fix: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "status": self.status, "message": redact(self.message), "fix": self.fix}


@dataclass
class Context:
    """What the checks share; filled in as they run."""

    env_file: Path | None
    flags: Mapping[str, str | None]
    timeout: float = 10.0
    runner: schedule_current.Runner = schedule_current.run_command
    cron_files: Iterable[Path] | None = None
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    env: dict[str, str] = field(default_factory=dict)
    settings: settings.Settings | None = None
    db: Database | None = None
    tables: set[str] = field(default_factory=set)
    quark_answers: bool | None = None  # None: not tried
    config: Path | None = None  # the autosave config (--config); else QUARKCTL_CONFIG or the default path
    root: Path = Path("/")  # where /proc and a container's marker files are (schedule/foreground.py)

    def client(self, *, cookie: str | None) -> QuarkClient:
        assert self.settings is not None
        return QuarkClient(cookie=cookie, api_base=self.settings.api_base, timeout=self.timeout)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


Check = Callable[[Context], Iterator[Finding]]


def probe_fix() -> str:
    """The fix a finding gives when Quark answers something quarkctl cannot read (issue 14)."""
    return _("run `quarkctl probe --record quark-capture.json` to see what Quark answers, and send the capture "
             "(README, Reporting a Quark change)")
