"""--metrics-file and QUARKCTL_METRICS_FILE (issue 26): real check-links and autosave runs against the
simulator, the file read back with prometheus_client's text parser."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from prometheus_client.parser import text_string_to_metric_families

from conftest import COOKIE, Cli, ResourceDB, add_valid, share_url
from quarkctl.commands.run import NotifyingJob, run_job
from quarkctl.hooks.monitoring.metrics import check_figures
from quarkctl.hooks.monitoring.metrics_file import MetricsFile
from quarkctl.simulator import Share, Simulator
from unit.commands.test_check import FAST, seed_mix

MS = 1760700000000


def read(path: Path) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(path.read_text("utf-8")) for s in family.samples}


def of(found: dict, name: str, command: str, shard: str = "", **labels: str) -> float:
    return found[(name, frozenset({"command": command, "shard": shard, **labels}.items()))]


def check_links_of(found: dict, shard: str = "") -> dict[str, float]:
    return {verdict: of(found, "quarkctl_check_links_verdict", "check-links", shard, verdict=verdict)
            for verdict in ("valid", "expired", "needs_passcode", "empty", "error", "skipped")}


def test_a_check_links_run_writes_its_figures(cli: Cli, sim: Simulator, sqlite_only: ResourceDB, tmp_path: Path) -> None:
    ids = seed_mix(sim, sqlite_only)  # one valid, one dead (41012), one needing its passcode
    path = tmp_path / "textfile" / "quarkctl.prom"
    path.parent.mkdir()
    before = time.time()
    proc = cli.run("check-links", *FAST, "--metrics-file", str(path))
    after = time.time()
    assert proc.returncode == 0, proc.stderr
    assert sqlite_only.rows()[ids[1]].is_expired == 1
    found = read(path)
    assert of(found, "quarkctl_check_links_checked", "check-links") == 3
    assert of(found, "quarkctl_check_links_newly_expired", "check-links") == 1
    assert check_links_of(found) == {"valid": 1, "expired": 1, "needs_passcode": 1, "empty": 0, "error": 0, "skipped": 0}
    assert of(found, "quarkctl_check_links_drive_verdict", "check-links", drive="quark", verdict="expired") == 1
    assert of(found, "quarkctl_last_run_exit_code", "check-links") == 0
    assert 0 <= of(found, "quarkctl_last_run_duration_seconds", "check-links") <= after - before
    assert before <= of(found, "quarkctl_last_success_timestamp_seconds", "check-links") <= after
    assert of(found, "quarkctl_last_run_timestamp_seconds", "check-links") == of(
        found, "quarkctl_last_success_timestamp_seconds", "check-links")


def test_shards_and_a_failed_run_share_the_file_from_the_env_file(cli: Cli, sim: Simulator, sqlite_only: ResourceDB,
                                                                   tmp_path: Path) -> None:
    """QUARKCTL_METRICS_FILE in the .env file; two shards each keep their lines; a run that fails (exit 2)
    keeps its last success and says its exit code."""
    seed_mix(sim, sqlite_only)  # ids 1, 2, 3: shard 0/2 gets 2, shard 1/2 gets 1 and 3
    path = tmp_path / "quarkctl.prom"
    env_file = tmp_path / "quarkctl.env"
    env_file.write_text(f"QUARKCTL_METRICS_FILE={path}\n")
    for shard in ("0/2", "1/2"):
        proc = cli.run("check-links", *FAST, "--env-file", str(env_file), "--shard", shard)
        assert proc.returncode == 0, proc.stderr
    found = read(path)
    assert of(found, "quarkctl_check_links_checked", "check-links", "0/2") == 1
    assert of(found, "quarkctl_check_links_newly_expired", "check-links", "0/2") == 1
    assert check_links_of(found, "1/2")["valid"] == 1 and check_links_of(found, "1/2")["needs_passcode"] == 1
    succeeded = of(found, "quarkctl_last_success_timestamp_seconds", "check-links", "1/2")
    failed = cli.run("check-links", *FAST, "--env-file", str(env_file), "--shard", "1/2", env={"QUARK_COOKIE": ""})
    assert failed.returncode == 2 and "QUARK_COOKIE" in failed.stderr
    again = read(path)
    assert of(again, "quarkctl_last_run_exit_code", "check-links", "1/2") == 2
    assert of(again, "quarkctl_last_success_timestamp_seconds", "check-links", "1/2") == succeeded
    assert of(again, "quarkctl_last_run_timestamp_seconds", "check-links", "1/2") >= succeeded
    assert of(again, "quarkctl_check_links_checked", "check-links", "1/2") == 0  # it checked nothing
    assert of(again, "quarkctl_check_links_checked", "check-links", "0/2") == 1  # the other shard's lines stand


def test_a_dry_run_writes_no_metrics(cli: Cli, sim: Simulator, sqlite_only: ResourceDB, tmp_path: Path) -> None:
    seed_mix(sim, sqlite_only)
    proc = cli.run("check-links", *FAST, "--dry-run", "--metrics-file", str(tmp_path / "m.prom"))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "m.prom").exists()


def test_resources_revive_leaves_the_metrics_of_check_links_alone(cli: Cli, sim: Simulator, sqlite_only: ResourceDB,
                                                                   tmp_path: Path) -> None:
    seed_mix(sim, sqlite_only)
    proc = cli.run("resources", "revive", *FAST, env={"QUARKCTL_METRICS_FILE": str(tmp_path / "m.prom")})
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "m.prom").exists()


def test_a_link_at_the_path_is_a_warning_and_the_run_goes_on(cli: Cli, sim: Simulator, sqlite_only: ResourceDB, tmp_path: Path) -> None:
    """Monitoring never stops the job: one warning before the run, one at its end, the exit code the run's."""
    seed_mix(sim, sqlite_only)
    (tmp_path / "m.prom").symlink_to(tmp_path / "elsewhere.prom")
    proc = cli.run("check-links", *FAST, "--metrics-file", str(tmp_path / "m.prom"))
    assert proc.returncode == 0, proc.stderr
    problem = f"--metrics-file: cannot write {tmp_path / 'm.prom'}: a symbolic link; quarkctl does not follow it: remove it"
    assert [line for line in proc.stderr.splitlines() if "metrics" in line] == [
        f"warning: {problem}; the run goes on without metrics until this is fixed",
        f"warning: {problem}; this run's metrics were not written"]
    assert "summary: total 3" in proc.stdout and sim.requests(endpoint="token") != []
    assert not (tmp_path / "elsewhere.prom").exists()


def test_a_folder_that_cannot_take_the_file_never_stops_the_job(cli: Cli, sim: Simulator, sqlite_only: ResourceDB,
                                                                 tmp_path: Path) -> None:
    seed_mix(sim, sqlite_only)
    (tmp_path / "ro").write_text("")  # no folder can be made there (as on a read-only file system), not even by root
    proc = cli.run("check-links", *FAST, env={"QUARKCTL_METRICS_FILE": str(tmp_path / "ro" / "m.prom")})
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: QUARKCTL_METRICS_FILE: cannot write")]
    assert len(warnings) == 2 and "summary: total 3" in proc.stdout


@pytest.fixture(autouse=True)
def quick_tasks(sim: Simulator) -> None:
    sim.tq_gap, sim.task_polls = 10, 1


def test_an_autosave_run_writes_its_figures_beside_check_links(cli: Cli, sim: Simulator, sqlite_only: ResourceDB,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "quarkctl.prom"
    seed_mix(sim, sqlite_only)
    assert cli.run("check-links", *FAST, "--metrics-file", str(path)).returncode == 0
    files = [{"name": n, "size": 1000 + i, "updated_at": MS + i} for i, n in enumerate(["e01.mp4", "e02.mp4"])]
    sim.add_share(Share(pwd_id="aaaa00000001", title="剧", files=files))
    tasks = [{"taskname": "剧", "shareurl": share_url("aaaa00000001"), "savepath": "/剧", "pattern": "", "replace": ""},
             {"taskname": "死", "shareurl": share_url("dead00000001"), "savepath": "/死", "pattern": "", "replace": ""}]
    config = cli.home / "quark_config.json"
    config.write_text(json.dumps({"cookie": COOKIE, "tasklist": tasks}, ensure_ascii=False))
    before = time.time()
    proc = cli.run("autosave", "--config", str(config), "--no-pacing", "--no-sign", "--metrics-file", str(path))
    assert proc.returncode == 0, proc.stderr
    found = read(path)
    statuses = {status: of(found, "quarkctl_autosave_tasks", "autosave", status=status)
                for status in ("saved", "nothing_new", "planned", "skipped", "banned", "failed")}
    assert statuses == {"saved": 1, "nothing_new": 0, "planned": 0, "skipped": 0, "banned": 1, "failed": 0}
    assert of(found, "quarkctl_autosave_files_saved", "autosave") == 2
    assert of(found, "quarkctl_last_run_exit_code", "autosave") == 0
    assert of(found, "quarkctl_last_success_timestamp_seconds", "autosave") >= before
    assert of(found, "quarkctl_check_links_checked", "check-links") == 3  # check-links' lines are kept


@pytest.fixture
def frame_signals() -> Iterator[None]:
    """run_job installs its SIGINT and SIGTERM handlers (commands/run.py): put the test process's back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


class PlantingJob(NotifyingJob):
    """A job whose run ends with a link planted where its metrics file goes: the write fails at the end."""

    name = "check-links"
    dry_run = False

    def __init__(self, path: Path) -> None:
        self.path, self.env, self.notify_urls = path, {}, []

    def prepare(self) -> None:
        pass

    def reporter(self, *, json_mode: bool, quiet: bool, log_file: Any) -> Any:
        return type("Quiet", (), {"finish": lambda self, report: None, "close": lambda self: None})()

    def run(self, reporter: Any, *, stop: Any, lock_dir: Path) -> Any:
        from quarkctl.reports.check import RunReport
        from quarkctl.runtime.clock import utcnow

        self.path.symlink_to(self.path.with_name("elsewhere"))
        return RunReport(started_at=utcnow(), exit_code=1)  # type: ignore[arg-type]

    def failure_title(self) -> str:
        return "failed"

    def title(self, report: Any) -> str:
        return "done"

    def body(self, report: Any) -> None:
        return None


def test_a_file_that_cannot_be_written_at_the_end_is_a_warning_and_the_exit_code_stands(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], frame_signals: None) -> None:
    path = tmp_path / "m.prom"
    metrics = MetricsFile(path, "--metrics-file", command="check-links", shard="", figures=check_figures)
    with pytest.raises(typer.Exit) as done:
        run_job(PlantingJob(path), {}, json_output=False, quiet=True, log_file=None, metrics=metrics)
    assert done.value.exit_code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"warning: --metrics-file: cannot write {path}: a symbolic link; quarkctl does not follow it: remove it; "
                   "this run's metrics were not written"]
    assert path.is_symlink() and not path.with_name("elsewhere").exists()


def test_a_run_stopped_at_its_deadline_writes_its_partial_figures(cli: Cli, sim: Simulator, sqlite_only: ResourceDB,
                                                                   tmp_path: Path) -> None:
    """The first link is checked at once, the 2 s pause after it runs into the 1 s deadline: 1 of 3, exit 0."""
    for n in range(3):
        add_valid(sim, f"late0000000{n}")
    sqlite_only.seed([{"drama_name": f"r{n}", "link": share_url(f"late0000000{n}")} for n in range(3)])
    path = tmp_path / "m.prom"
    proc = cli.run("check-links", "--min-delay", "2", "--max-delay", "2", "--rest-every", "0", "--max-runtime", "1s",
                   "--metrics-file", str(path))
    assert proc.returncode == 0, proc.stderr
    found = read(path)
    assert of(found, "quarkctl_check_links_checked", "check-links") == 1
    assert of(found, "quarkctl_last_run_exit_code", "check-links") == 0
    assert of(found, "quarkctl_last_success_timestamp_seconds", "check-links") > 0


class BrokenJob(PlantingJob):
    """A job with a bug: its run raises."""

    def run(self, reporter: Any, *, stop: Any, lock_dir: Path) -> Any:
        raise RuntimeError("a bug")


def test_a_run_that_ends_in_a_bug_says_exit_70_and_keeps_the_last_success(tmp_path: Path, frame_signals: None) -> None:
    path = tmp_path / "m.prom"
    MetricsFile(path, "--metrics-file", command="check-links", shard="", figures=check_figures,
                clock=lambda: 1_790_000_000.0).write(None, 0)
    metrics = MetricsFile(path, "--metrics-file", command="check-links", shard="", figures=check_figures,
                          clock=lambda: 1_790_086_400.0)
    with pytest.raises(RuntimeError, match="a bug"):  # launch.py turns it into exit 70
        run_job(BrokenJob(path), {}, json_output=False, quiet=True, log_file=None, metrics=metrics)
    found = read(path)
    assert of(found, "quarkctl_last_run_exit_code", "check-links") == 70
    assert of(found, "quarkctl_last_run_timestamp_seconds", "check-links") == 1_790_086_400.0
    assert of(found, "quarkctl_last_success_timestamp_seconds", "check-links") == 1_790_000_000.0
