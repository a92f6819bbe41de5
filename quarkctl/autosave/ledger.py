"""What an autosave task saved before (issue 16's ledger and scan marker), as the task's transfer reads and
writes it (autosave/task.py): db-backed in a run, in memory in tests."""

from __future__ import annotations

from collections.abc import Callable


class Ledger:
    """What was saved before, so a file the user deleted is not saved again (db-backed or in memory),
    and each task's scan marker: the filters hash of its last clean run, None when there is none."""

    def __init__(self, load: Callable[[str], set[str]] | None = None, record: Callable[..., None] | None = None,
                 clean_scan: Callable[[str], str | None] | None = None,
                 mark_scan: Callable[[str, str | None], None] | None = None,
                 names: Callable[[str], set[str]] | None = None) -> None:
        self._load = load or (lambda key: set())
        self._names = names or (lambda key: set())
        self._named: dict[str, set[str]] = {}
        self._record = record or (lambda *args: None)
        self._cache: dict[str, set[str]] = {}
        memory: dict[str, str | None] = {}
        self._clean_scan = clean_scan or (lambda key: memory.get(key))
        self._mark_scan = mark_scan or memory.__setitem__
        self._scans: dict[str, str | None] = {}

    def clean_scan(self, task_key: str) -> str | None:
        if task_key not in self._scans:
            self._scans[task_key] = self._clean_scan(task_key)
        return self._scans[task_key]

    def mark_scan(self, task_key: str, filters: str | None) -> None:
        """Written only when it changes: the usual run (clean again, same filters) writes nothing."""
        if self.clean_scan(task_key) != filters:
            self._mark_scan(task_key, filters)
            self._scans[task_key] = filters

    def saved(self, task_key: str) -> set[str]:
        if task_key not in self._cache:
            self._cache[task_key] = self._load(task_key)
        return self._cache[task_key]

    def names(self, task_key: str) -> set[str]:
        """The names of the files saved before, in the share and in the drive: a task moved to another share
        (--replace-dead) finds its files under new fids, so a name is what says a file came before."""
        if task_key not in self._named:
            self._named[task_key] = self._names(task_key)
        return self._named[task_key]

    def record(self, task_key: str, pwd_id: str, source_fid: str, source_name: str, saved_name: str) -> None:
        self.saved(task_key).add(source_fid)
        self.names(task_key).update({source_name, saved_name})
        self._record(task_key, pwd_id, source_fid, source_name, saved_name)
