"""hooks/monitoring/metrics_file.py: one metrics file shared by both jobs and by the shards of a host.

The file is real (a folder of the test's), read back with prometheus_client's own parser; the clocks
are injected."""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from helpers.victim import plant_victim, untouched
from quarkctl.hooks.monitoring import metrics, metrics_file
from quarkctl.hooks.monitoring.metrics_file import METRICS_ENV, MetricsFile

COMMANDS = ("check-links", "autosave")
SHARDS = ("", "0/2", "1/2", "0/3", "2/3")
CODES = (0, 1, 2, 3, 4, 5, 6, 7, 70, 75, 130, 143)


def series(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the file by (name, labels); a name and labels seen twice fails."""
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(path.read_text("utf-8")):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in found, key
            found[key] = sample.value
    return found


def value(found: dict, name: str, command: str, shard: str, **labels: str) -> float:
    return found[(name, tuple(sorted({"command": command, "shard": shard, **labels}.items())))]


def figures(report: int | None) -> tuple[metrics.Figure, ...]:
    """A figures function like the jobs' (metrics.check_figures): the report here is a number."""
    return (metrics.Figure(metrics.CHECKED, report if report is not None else -1),)


def target(path: Path, command: str, shard: str, now: list[float]) -> MetricsFile:
    return MetricsFile(path, "--metrics-file", command=command, shard=shard, figures=figures,
                       clock=lambda: now[0], monotonic=lambda: now[0])


runs = st.lists(st.tuples(st.sampled_from(COMMANDS), st.sampled_from(SHARDS), st.sampled_from(CODES),
                          st.integers(0, 10_000), st.integers(1, 86_400)), min_size=1, max_size=12)


@given(runs)
def test_the_file_holds_the_latest_figures_of_every_command_and_shard(sequence: list) -> None:
    """Whatever order runs end in: each command and shard has its latest run's figures, the others' are kept
    but for the command's shards of another N (a change of N drops the old shards' series), and the last success
    is the latest run that ended 0 or 1 (a failure never moves it, back or forth)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "quarkctl.prom"
        now = [1_790_000_000.0]
        latest: dict[tuple[str, str], tuple[int, int, float, int]] = {}
        success: dict[tuple[str, str], float] = {}
        for command, shard, code, checked, gap in sequence:
            run = target(path, command, shard, now)
            now[0] += gap
            assert run.write(checked, code) is None
            if "/" in shard:
                for old in [key for key in latest if key[0] == command and "/" in key[1] and key[1][-2:] != shard[-2:]]:
                    del latest[old]
                    success.pop(old, None)
            latest[(command, shard)] = (code, checked, now[0], gap)
            if code in (0, 1):
                success[(command, shard)] = now[0]
            found = series(path)
            for (c, s), (last_code, last_checked, finished, took) in latest.items():
                assert value(found, metrics.EXIT_CODE, c, s) == last_code
                assert value(found, metrics.CHECKED, c, s) == last_checked
                assert value(found, metrics.FINISHED, c, s) == finished
                assert value(found, metrics.DURATION, c, s) == took
                assert value(found, metrics.LAST_SUCCESS, c, s) == success.get((c, s), 0.0)
            assert {(dict(labels)["command"], dict(labels)["shard"]) for _name, labels in found} == set(latest)


def test_a_change_of_n_drops_the_old_shards_of_that_command_only(tmp_path: Path) -> None:
    path = tmp_path / "quarkctl.prom"
    for command, shard in (("check-links", "0/2"), ("check-links", "1/2"), ("check-links", ""), ("autosave", "")):
        assert target(path, command, shard, [1.0]).write(1, 0) is None
    assert target(path, "check-links", "0/3", [2.0]).write(1, 0) is None
    kept = {(dict(labels)["command"], dict(labels)["shard"]) for _name, labels in series(path)}
    assert kept == {("check-links", "0/3"), ("check-links", ""), ("autosave", "")}


def test_duration_is_from_the_start_to_the_write(tmp_path: Path) -> None:
    ticks = iter([100.0, 142.5])
    run = MetricsFile(tmp_path / "m.prom", "--metrics-file", command="autosave", shard="", figures=figures,
                      clock=lambda: 1_790_000_000.0, monotonic=lambda: next(ticks))
    run.write(3, 0)
    assert value(series(tmp_path / "m.prom"), metrics.DURATION, "autosave", "") == 42.5


def test_only_quarkctls_own_series_are_kept_each_as_a_gauge(tmp_path: Path) -> None:
    """Another name, or one of ours typed otherwise, written back would make node_exporter refuse the file."""
    path = tmp_path / "m.prom"
    path.write_text("# HELP backup_age_seconds age\n# TYPE backup_age_seconds gauge\nbackup_age_seconds{host=\"a\"} 12\n"
                    "# TYPE a_total counter\na_total 1\n# TYPE a_total counter\na_total 2\n"
                    f"# TYPE {metrics.CHECKED} histogram\n{metrics.CHECKED}{{command=\"autosave\",shard=\"\"}} 7\n")
    target(path, "check-links", "", [1.0]).write(5, 0)
    text = path.read_text()
    found = series(path)
    assert not any(name.startswith(("backup", "a_")) for name, _labels in found), text
    assert value(found, metrics.CHECKED, "check-links", "") == 5
    assert value(found, metrics.CHECKED, "autosave", "") == 7  # kept, as the gauge it is
    assert text.count(f"# TYPE {metrics.CHECKED} gauge") == 1 and "histogram" not in text and "counter" not in text


def test_a_file_larger_than_any_of_quarkctls_is_started_anew(tmp_path: Path) -> None:
    path = tmp_path / "m.prom"
    line = f'{metrics.CHECKED}{{command="x",shard=""}} 1\n'
    path.write_text(line * (metrics_file.MAX_BYTES // len(line) + 2))
    warning = target(path, "check-links", "", [1.0]).write(5, 0)
    assert warning is not None and "Prometheus" in warning
    assert path.stat().st_size < 10_000 and value(series(path), metrics.CHECKED, "check-links", "") == 5


def test_a_lock_held_by_another_process_is_waited_for_a_bounded_time(tmp_path: Path) -> None:
    """A holder that never lets go (someone who may write the folder) costs the run LOCK_WAIT, then a warning."""
    path = tmp_path / "m.prom"
    path.write_text("")
    lock = tmp_path / "m.prom.quarkctl-metrics.lock"
    holder = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    try:
        run = metrics_file.MetricsFile(path, "--metrics-file", command="check-links", shard="",
                                       figures=metrics.check_figures, monotonic=lambda: now[0], sleep=sleep)
        warning = run.write(None, 0)
    finally:
        os.close(holder)
    assert warning is not None and "held by another process" in warning and "not written" in warning
    assert metrics_file.LOCK_WAIT <= sum(slept) < metrics_file.LOCK_WAIT + 1 and path.read_text() == ""


@pytest.mark.parametrize("raw", ["/", ".", "..", "{folder}"])
def test_a_path_that_names_a_folder_is_a_warning_and_leaves_no_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     raw: str) -> None:
    (tmp_path / "folder").mkdir()
    monkeypatch.chdir(tmp_path / "folder")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    run = metrics_file.MetricsFile.from_settings(None, {metrics_file.METRICS_ENV: raw.format(folder=tmp_path / "folder")},
                                                 dry_run=False, command="check-links", shard="",
                                                 figures=metrics.check_figures)
    assert run is not None
    warning = run.check()
    assert warning is not None and warning.startswith("warning: QUARKCTL_METRICS_FILE") and "folder" in warning, warning
    assert run.write(None, 0) is not None
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_missing_folder_is_not_made(tmp_path: Path) -> None:
    """One made 0700 (as --log-file's) would be unreadable by node_exporter's user: a warning says to make it."""
    run = target(tmp_path / "textfile" / "quarkctl.prom", "autosave", "", [1.0])
    warning = run.check()
    assert warning is not None and "textfile" in warning and not (tmp_path / "textfile").exists()


def test_a_file_that_is_not_prometheus_text_is_started_anew_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "m.prom"
    path.write_bytes(b"\xff\xfe not text {\n")
    warning = target(path, "check-links", "0/2", [1.0]).write(5, 0)
    assert warning is not None and "Prometheus" in warning and str(path) in warning
    assert value(series(path), metrics.CHECKED, "check-links", "0/2") == 5


def test_runs_ending_at_once_keep_each_others_lines(tmp_path: Path) -> None:
    """Eight shards write one file at the same time, five times each: the lock beside it keeps every one."""
    path = tmp_path / "m.prom"

    def shard(k: int) -> None:
        for n in range(5):
            target(path, "check-links", f"{k}/8", [float(n)]).write(k * 10 + n, 0)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(shard, range(8)))
    found = series(path)
    assert [value(found, metrics.CHECKED, "check-links", f"{k}/8") for k in range(8)] == [k * 10 + 4 for k in range(8)]


def test_the_file_is_readable_by_node_exporter_and_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "textfile" / "quarkctl.prom"
    path.parent.mkdir()
    target(path, "autosave", "", [1.0]).write(None, 0)
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    assert sorted(p.name for p in path.parent.iterdir()) == ["quarkctl.prom", "quarkctl.prom.quarkctl-metrics.lock"]


@pytest.mark.skipif(os.geteuid() != 0, reason="as root: a link planted where root writes")
def test_a_link_at_the_path_is_never_followed(tmp_path: Path) -> None:
    victim = plant_victim(tmp_path)
    shared = tmp_path / "textfile"
    shared.mkdir()
    (shared / "quarkctl.prom").symlink_to(victim)
    run = target(shared / "quarkctl.prom", "check-links", "", [1.0])
    before = run.check()  # before the run: a warning, and the run goes on (monitoring never stops the job)
    assert before is not None and re.search("--metrics-file: cannot write .*quarkctl.prom: a symbolic link", before), before
    assert untouched(victim) and (shared / "quarkctl.prom").is_symlink()
    late = target(shared / "quarkctl.prom", "check-links", "", [1.0])  # planted after the check: a warning at the end
    warning = late.write(5, 0)
    assert warning is not None and "symbolic link" in warning and "not written" in warning
    assert untouched(victim) and (shared / "quarkctl.prom").is_symlink()


def test_a_fifo_at_the_path_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "m.prom")
    warning = target(tmp_path / "m.prom", "autosave", "", [1.0]).check()
    assert warning is not None and "not a plain file" in warning and warning.startswith("warning: ")


def test_a_folder_that_cannot_be_written_is_a_warning_before_and_after_the_run(tmp_path: Path) -> None:
    shut = tmp_path / "textfile"
    shut.write_text("")  # a file where the folder should be: no lock beside PATH can be made, even by root
    run = target(shut / "quarkctl.prom", "check-links", "", [1.0])
    before = run.check()
    assert before is not None and before.startswith("warning: --metrics-file: cannot write") and "goes on" in before
    after = run.write(5, 0)
    assert after is not None and "not written" in after and shut.read_text() == ""


def test_the_flag_wins_over_the_setting_and_a_dry_run_writes_none(tmp_path: Path) -> None:
    env = {METRICS_ENV: str(tmp_path / "env.prom")}
    kw = {"command": "check-links", "shard": "", "figures": metrics.check_figures}
    flag = MetricsFile.from_settings(tmp_path / "flag.prom", env, dry_run=False, **kw)
    assert flag is not None and (flag.path, flag.setting) == (tmp_path / "flag.prom", "--metrics-file")
    setting = MetricsFile.from_settings(None, env, dry_run=False, **kw)
    assert setting is not None and (setting.path, setting.setting) == (tmp_path / "env.prom", METRICS_ENV)
    assert MetricsFile.from_settings(tmp_path / "flag.prom", env, dry_run=True, **kw) is None
    assert MetricsFile.from_settings(None, {METRICS_ENV: " "}, dry_run=False, **kw) is None


def test_the_readme_lists_every_metric_and_its_alerts_name_real_ones() -> None:
    import re

    import yaml  # PyYAML: apprise installs it

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    section = readme.split("\n### Metrics\n", 1)[1].split("\n### ", 1)[0]
    listed = set(re.findall(r"^\| `(quarkctl_[a-z_]+)` \|", section, re.M))
    assert listed == set(metrics.HELP)
    rules = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])["groups"][0]["rules"]
    named = {name for rule in rules for name in re.findall(r"quarkctl_[a-z_]+", rule["expr"])}
    assert named and named <= set(metrics.HELP)
