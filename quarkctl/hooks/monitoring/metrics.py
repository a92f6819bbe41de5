"""A run's figures in Prometheus' text format (issue 26), merged into the file other runs share.

One file may serve both jobs and several shards on a host (QUARKCTL_METRICS_FILE set once): a run
replaces the series of its own command and shard and keeps everyone else's, but for its command's
shards of another N, which a change of N left behind (replaced_by). metrics_file.py reads
and writes the file; this module only turns text and a report into text, through prometheus_client's
parser and writer. Names, labels and help texts are machine output: never translated.

The label is `command`, not `job`: Prometheus gives every scraped series its own `job` label (node
exporter's), and renames a `job` label of the file's to `exported_job`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quarkctl.quark.verdict import Verdict
from quarkctl.reports.autosave import TASK_STATUSES

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from quarkctl.reports.autosave import AutosaveReport
    from quarkctl.reports.check import RunReport

COMMAND, SHARD = "command", "shard"
# The run did its work: 1 is some links (tasks) ending in error, which the next run retries, not the job failing.
SUCCESS_CODES = frozenset({0, 1})

EXIT_CODE = "quarkctl_last_run_exit_code"
DURATION = "quarkctl_last_run_duration_seconds"
FINISHED = "quarkctl_last_run_timestamp_seconds"
LAST_SUCCESS = "quarkctl_last_success_timestamp_seconds"
CHECKED = "quarkctl_check_links_checked"
NEWLY_EXPIRED = "quarkctl_check_links_newly_expired"
VERDICTS = "quarkctl_check_links_verdict"
DRIVE_VERDICTS = "quarkctl_check_links_drive_verdict"
TASKS = "quarkctl_autosave_tasks"
FILES_SAVED = "quarkctl_autosave_files_saved"
FOLDERS_SAVED = "quarkctl_autosave_folders_saved"

HELP = {
    EXIT_CODE: "Exit code of the last run (README: Exit codes).",
    DURATION: "How long the last run took, seconds.",
    FINISHED: "When the last run ended, whatever its outcome, unix seconds.",
    LAST_SUCCESS: "When a run last ended with exit code 0 or 1, unix seconds; 0: never.",
    CHECKED: "Links the last run checked.",
    NEWLY_EXPIRED: "Links the last run newly marked expired.",
    VERDICTS: "Links of the last run by verdict.",
    DRIVE_VERDICTS: "Links of the last run by drive and verdict.",
    TASKS: "Tasks of the last run by status.",
    FILES_SAVED: "Files the last run saved one by one.",
    FOLDERS_SAVED: "Folders the last run saved whole.",
}
# The check's counts key of each verdict (reports/check.py COUNT_KEYS)
_COUNT_KEY = {Verdict.ERROR.value: "errors"}
VERDICT_NAMES = tuple(v.value for v in Verdict)


@dataclass(frozen=True)
class Figure:
    """One series of the run: its metric, its own labels (besides command and shard), its value."""

    name: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RunFigures:
    command: str  # check-links | autosave
    shard: str  # "K/N", or "" for a run over the whole table
    exit_code: int
    duration: float  # seconds
    finished: float  # unix seconds
    figures: tuple[Figure, ...]

    @property
    def succeeded(self) -> bool:
        return self.exit_code in SUCCESS_CODES


def check_figures(report: RunReport | None) -> tuple[Figure, ...]:
    """A check-links run's counts; a run that ended before its report (a held lock, a bad setting) checked nothing."""
    counts: Mapping[str, int] = report.counts if report is not None else {}
    figures = [Figure(CHECKED, counts.get("total", 0)),
               Figure(NEWLY_EXPIRED, len(report.newly_expired) if report is not None else 0)]
    figures += [Figure(VERDICTS, counts.get(_COUNT_KEY.get(v, v), 0), (("verdict", v),)) for v in VERDICT_NAMES]
    for drive, by_drive in sorted((report.by_drive if report is not None else {}).items()):
        figures += [Figure(DRIVE_VERDICTS, by_drive.get(_COUNT_KEY.get(v, v), 0), (("drive", drive), ("verdict", v)))
                    for v in VERDICT_NAMES]
    return tuple(figures)


def autosave_figures(report: AutosaveReport | None) -> tuple[Figure, ...]:
    summary = report.summary if report is not None else {}
    figures = [Figure(TASKS, summary.get(status, 0), (("status", status),)) for status in TASK_STATUSES]
    return (*figures, Figure(FILES_SAVED, summary.get("files_saved", 0)), Figure(FOLDERS_SAVED, summary.get("folders_saved", 0)))


def _key(labels: Mapping[str, str]) -> tuple[str, str]:
    return labels.get(COMMAND, ""), labels.get(SHARD, "")


def _of_n(shard: str) -> str | None:
    """The N of a "K/N" shard label; None for a run over the whole table."""
    return shard.rpartition("/")[2] if "/" in shard else None


def replaced_by(run: RunFigures, labels: Mapping[str, str]) -> bool:
    """The run's own series, and its command's shards of another N: after N changed, "0/2" and "1/2" would
    stand for ever beside the "K/3" that replaced them, and the no-success alert fire on them every day."""
    command, shard = _key(labels)
    if command != run.command:
        return False
    n, other = _of_n(run.shard), _of_n(shard)
    return shard == run.shard or (n is not None and other is not None and other != n)


def read(text: str) -> list[Metric]:
    """The families of a metrics file. Raises ValueError for text that is not Prometheus' format."""
    from prometheus_client.parser import text_string_to_metric_families

    return list(text_string_to_metric_families(text))


def previous_success(families: Iterable[Metric], command: str, shard: str) -> float:
    """The last success the file holds for this command and shard; 0 when none."""
    for family in families:
        for sample in family.samples:
            if sample.name == LAST_SUCCESS and _key(sample.labels) == (command, shard):
                return float(sample.value)
    return 0.0


def merge(families: list[Metric], run: RunFigures) -> bytes:
    """The file after `run`: every other command's and shard's series as they were, this one's replaced
    (and, for a shard K/N, its command's shards of another N dropped). A failed run keeps the last success
    the file had for it."""
    from prometheus_client.metrics_core import Metric

    last_success = run.finished if run.succeeded else previous_success(families, run.command, run.shard)
    merged: dict[str, Metric] = {}
    # Only quarkctl's own series are kept, each as the gauge it is: a line of another name or type written
    # back (two families of one name, a histogram's samples) would make node_exporter refuse the whole file,
    # silently, at every scrape (an attacker's review). The file is quarkctl's; other programs keep theirs.
    for family in families:
        for sample in family.samples:
            if sample.name in HELP and not replaced_by(run, sample.labels):
                kept = merged.setdefault(sample.name, Metric(sample.name, HELP[sample.name], "gauge"))
                kept.add_sample(sample.name, dict(sample.labels), float(sample.value))
    mine = {COMMAND: run.command, SHARD: run.shard}
    own = (Figure(EXIT_CODE, run.exit_code), Figure(DURATION, run.duration), Figure(FINISHED, run.finished),
           Figure(LAST_SUCCESS, last_success), *run.figures)
    for figure in own:
        family = merged.setdefault(figure.name, Metric(figure.name, HELP[figure.name], "gauge"))
        family.add_sample(figure.name, {**mine, **dict(figure.labels)}, float(figure.value))
    return _render(family for family in merged.values() if family.samples)


def _render(families: Iterable[Metric]) -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.registry import Collector

    ordered = [_sorted(family) for family in sorted(families, key=lambda f: f.name)]

    class Families(Collector):
        def collect(self) -> Iterator[Metric]:
            return iter(ordered)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Families())
    return generate_latest(registry)


def _sorted(family: Metric) -> Metric:
    """The samples in a stable order (command, shard, then the rest), so a file's diff shows what changed."""

    def order(sample: Any) -> tuple[tuple[str, str], list[tuple[str, str]], str]:
        return _key(sample.labels), sorted(sample.labels.items()), sample.name

    family.samples.sort(key=order)
    return family
