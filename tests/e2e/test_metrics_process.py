"""The metrics file as the installed command writes it (issue 26): a run stopped by a real SIGTERM writes
its partial figures; a Chinese run writes the same names, labels and help as an English one. Read back
with prometheus_client's text parser."""

from __future__ import annotations

import signal
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from conftest import Cli, ResourceDB, add_valid, on_database, pwd, share_url
from e2e.test_check_links import read_until
from quarkctl.simulator import Simulator


def test_a_run_stopped_by_sigterm_writes_its_partial_figures(cli: Cli, sim: Simulator, sqlitedb: ResourceDB, tmp_path: Path) -> None:
    db = on_database(cli, sqlitedb)
    for n in range(20):
        add_valid(sim, pwd(n))
    db.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(20)])
    path = tmp_path / "quarkctl.prom"
    run = cli.popen("check-links", "--min-delay", "0.3", "--max-delay", "0.3", "--shard", "0/1",
                    env={"QUARKCTL_METRICS_FILE": str(path)})
    try:
        read_until(run, "[2/20]")
        run.send_signal(signal.SIGTERM)
        _out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 143, err
    found = {(s.name, s.labels.get("verdict", "")): s.value
             for family in text_string_to_metric_families(path.read_text("utf-8")) for s in family.samples
             if s.labels.get("command") == "check-links" and s.labels.get("shard") == "0/1" and "drive" not in s.labels}
    checked = len(sim.requests(endpoint="token"))
    assert 2 <= checked < 20
    assert found[("quarkctl_check_links_checked", "")] == checked == found[("quarkctl_check_links_verdict", "valid")]
    assert found[("quarkctl_last_run_exit_code", "")] == 143
    assert found[("quarkctl_last_success_timestamp_seconds", "")] == 0  # stopped: not a success, and none before


def test_the_file_does_not_change_with_the_language(cli: Cli, sim: Simulator, sqlitedb: ResourceDB, tmp_path: Path) -> None:
    db = on_database(cli, sqlitedb)
    add_valid(sim, pwd(1))
    db.seed([{"drama_name": "好电影", "link": share_url(pwd(1))}])
    shapes = []
    for lang, name in (("en", "en.prom"), ("zh_CN", "zh.prom")):
        proc = cli.run("--lang", lang, "check-links", "--no-pacing", "--metrics-file", str(tmp_path / name))
        assert proc.returncode == 0, proc.stderr
        assert ("汇总" in proc.stdout) == (lang == "zh_CN")  # the run did speak the language
        families = list(text_string_to_metric_families((tmp_path / name).read_text("utf-8")))
        shapes.append(sorted((f.name, f.documentation, s.name, sorted(s.labels.items())) for f in families for s in f.samples))
    assert shapes[0] == shapes[1] and len(shapes[0]) > 10
