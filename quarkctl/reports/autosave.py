"""An autosave run's report: each account's check and sign-in, each task's result with the tree it
saved, the AutosaveReport at the end, and the Listener the run calls as it goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quarkctl.errors import ExitCode

if TYPE_CHECKING:  # types only: a reader need not load the config or the HTTP client
    from quarkctl.config.autosave.model import Task
    from quarkctl.quark.signin import SignResult

JOB = "autosave"
TASK_STATUSES = ("saved", "nothing_new", "planned", "skipped", "banned", "failed")
# `quarkctl sign`: the sign-in alone, recorded in the run history as a job of its own (issue 21).
SIGN_JOB = "sign"
# A sign run's counts in the history: total, errors and skipped have quarkctl_run columns, the rest
# live in its detail. errors = accounts that failed or whose sign-in is unconfirmed.
SIGN_COUNT_KEYS = ("total", "signed", "already_signed", "unconfirmed", "errors", "skipped")


@dataclass
class SavedNode:
    name: str  # the name in the user's drive (after renaming)
    source_name: str
    is_dir: bool
    fid: str | None = None  # in the user's drive; None in a dry-run plan
    children: list[SavedNode] = field(default_factory=list)
    # A folder saved whole (no children listed): how many items it holds, as the share's listing said
    # (Quark's include_items, files and sub-folders; quark-api.md 3.3); None when not known.
    items: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source_name": self.source_name,
            "is_dir": self.is_dir,
            "fid": self.fid,
            "children": [child.as_dict() for child in self.children],
            "items": self.items,
        }

    @classmethod
    def from_dict(cls, data: Any) -> SavedNode | None:
        """as_dict() read back (the run history's task detail); None for what is not one."""
        if not isinstance(data, dict):
            return None
        children = [node for node in map(cls.from_dict, data.get("children") or []) if node is not None]
        items = data.get("items")
        return cls(str(data.get("name", "")), str(data.get("source_name", "")), bool(data.get("is_dir")), data.get("fid"),
                   children, items if isinstance(items, int) and not isinstance(items, bool) else None)

    def count_files(self) -> int:
        return (0 if self.is_dir else 1) + sum(child.count_files() for child in self.children)

    def whole_folders(self) -> list[SavedNode]:
        """The folders saved whole, this one or under it: one save request took each with its contents, which
        no listing of this run saw (issue 23: a share that is one folder said "saved 0 files")."""
        if self.is_dir and not self.children:
            return [self]
        return [folder for child in self.children for folder in child.whole_folders()]


def whole_folders(nodes: list[SavedNode]) -> list[SavedNode]:
    return [folder for node in nodes for folder in node.whole_folders()]


@dataclass
class TaskResult:
    index: int  # 1-based, the task's number in the config, as the reference prints "#1"
    name: str
    status: str = "nothing_new"
    reason: str = ""  # for a skipped task: not_due, banned_earlier, deadline (not run), interrupted (not run)
    message: str | None = None  # Quark's words, or the ban text
    savepath: str = ""
    added: list[SavedNode] = field(default_factory=list)
    new_folders: list[str] = field(default_factory=list)  # dry run: save paths that would be created
    problems: list[str] = field(default_factory=list)
    hooks: list[dict[str, Any]] = field(default_factory=list)  # post-save hook results: {"hook", "ok", "message"}
    position: int = 0  # 1-based place in this run (the `[2/3]` counter); 0: not known (the index stands in)
    # A share found dead this run and a search result that continues the series (autosave/replace.py):
    # `replaced` when the task moved to it (or, in a dry run, would), `suggested_replacement` when only suggested:
    # {"old_url", "url", "note", "source", "episodes", "files", "dead_reason", "dead_message"}
    replaced: dict[str, Any] | None = None
    suggested_replacement: dict[str, Any] | None = None
    # every search result weighed for it, {"url", "note", "reason"} (reason "ok" for the one taken)
    replacement_candidates: list[dict[str, Any]] = field(default_factory=list)
    replacement_search: str | None = None  # the keyword a replacement was searched with (None: no search)

    @property
    def files_saved(self) -> int:
        """The files saved one by one; a folder saved whole counts in folders_saved."""
        return sum(node.count_files() for node in self.added)

    @property
    def folders_saved(self) -> int:
        return len(whole_folders(self.added))

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "savepath": self.savepath,
            "added": [node.as_dict() for node in self.added],
            "new_folders": self.new_folders,
            "problems": self.problems,
            "hooks": self.hooks,
            "files_saved": self.files_saved,
            "folders_saved": self.folders_saved,
            "replaced": self.replaced,
            "suggested_replacement": self.suggested_replacement,
            "replacement_candidates": self.replacement_candidates,
            "replacement_search": self.replacement_search,
        }


@dataclass
class AccountResult:
    index: int
    verified: bool | None  # None: sign-in only account (no __uid), not verified
    nickname: str = ""
    message: str | None = None
    sign: SignResult | None = None
    # verified | drive_accepts (account/info could not tell, the drive took the cookie) | rejected |
    # inconclusive (nothing could tell); None: not checked
    state: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "verified": self.verified,
            "nickname": self.nickname,
            "message": self.message,
            "state": self.state,
            "sign": self.sign.as_dict() if self.sign else None,
        }


@dataclass
class AutosaveReport:
    started_at: datetime
    finished_at: datetime | None = None
    dry_run: bool = False
    accounts: list[AccountResult] = field(default_factory=list)
    tasks: list[TaskResult] = field(default_factory=list)
    lifted_bans: list[str] = field(default_factory=list)
    abort_reason: str | None = None
    exit_code: ExitCode = ExitCode.OK
    run_id: int | None = None
    deadline_at: datetime | None = None  # --max-runtime; None: no deadline
    database_error: str | None = None  # database_lost: the one line naming the database (password masked)
    # database_lost: what could not be written, each {"kind": ledger | scan | ban | task_results | run, ...}
    unwritten: list[dict[str, Any]] = field(default_factory=list)
    # the config could not be written back (disk full: exit 6), or the user made it read-only (a warning):
    # the one line saying so, and that this run's bans and fids were not saved
    config_unsaved: str | None = None
    planned: int = 0  # the tasks this run set out to run (after --task and --skip-invalid): the counter's total
    # --replace-dead: the one line naming the search service that could not be asked (the tasks stay banned)
    search_warning: str | None = None

    @property
    def not_run(self) -> int:
        """Tasks the deadline kept from starting (status skipped, reason deadline)."""
        return sum(1 for task in self.tasks if task.reason == "deadline")

    @property
    def interrupted(self) -> list[TaskResult]:
        """Tasks a signal kept from starting (status skipped, reason interrupted)."""
        return [task for task in self.tasks if task.reason == "interrupted" and task.status == "skipped"]

    @property
    def not_run_names(self) -> list[str]:
        """Every task this run did not start: the deadline or a signal came first."""
        return [task.name for task in self.tasks if task.status == "skipped" and task.reason in ("deadline", "interrupted")]

    @property
    def deadline(self) -> dict[str, Any] | None:
        """The deadline as the JSON says it; None without one."""
        if self.deadline_at is None:
            return None
        return {"at": self.deadline_at.isoformat(), "reached": self.not_run > 0, "not_run": self.not_run,
                "tasks": len(self.tasks)}

    @property
    def sign_summary(self) -> dict[str, int]:
        """The sign-in of the accounts that tried it: machine keys, as SignResult.status says them."""
        counts = {"signed": 0, "already_signed": 0, "sign_unconfirmed": 0, "failed": 0, "skipped": 0}
        for account in self.accounts:
            if account.sign is not None:
                counts[account.sign.status] = counts.get(account.sign.status, 0) + 1
        return counts

    def sign_counts(self) -> dict[str, int]:
        """SIGN_COUNT_KEYS, for the run history."""
        s = self.sign_summary
        return {"total": sum(s.values()), "signed": s["signed"], "already_signed": s["already_signed"],
                "unconfirmed": s["sign_unconfirmed"], "errors": s["failed"] + s["sign_unconfirmed"], "skipped": s["skipped"]}

    def sign_exit_code(self) -> ExitCode:
        """`quarkctl sign`: 3 when Quark rejected an account's sign-in parameters (31001: capture them
        again), else 1 when an account's sign-in failed or is unconfirmed, else 0."""
        signs = [account.sign for account in self.accounts if account.sign is not None]
        if any(sign.status == "failed" and sign.reason == "sign_params_rejected" for sign in signs):
            return ExitCode.AUTH
        if any(sign.status in ("failed", "sign_unconfirmed") for sign in signs):
            return ExitCode.LINK_ERRORS
        return ExitCode.OK

    @property
    def summary(self) -> dict[str, int]:
        counts = {status: 0 for status in TASK_STATUSES}
        for task in self.tasks:
            counts[task.status] = counts.get(task.status, 0) + 1
        counts["tasks"] = len(self.tasks)
        counts["files_saved"] = sum(task.files_saved for task in self.tasks if task.status == "saved")
        counts["folders_saved"] = sum(task.folders_saved for task in self.tasks if task.status == "saved")
        return counts


class Listener:
    """What the run tells the outside world, in order, from one thread."""

    def started(self, *, database: str = "", tasks: int = 0) -> None:
        """The run's first line (issue 23): the database it records in (its URL, password masked) and its tasks."""

    def account(self, account: AccountResult) -> None: ...

    def task_started(self, task: Task) -> None: ...

    def task_done(self, result: TaskResult) -> None: ...

    def waiting(self, seconds: float, kind: str, cause: Any = None) -> None: ...
