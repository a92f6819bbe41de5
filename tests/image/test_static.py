"""The deployment files, checked without a Docker daemon: hadolint on the Dockerfile, yamllint, the
Kubernetes manifests against Kubernetes' own schemas (kubernetes-validate, offline), compose.yaml
against the compose-spec schema (check-jsonschema's vendored copy, offline; `docker compose config`
too where a compose is installed), and what the manifests promise (issue 26)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from image.conftest import ROOT, check_links_manifest, tool

MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))
COMPOSE = ROOT / "compose.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=ROOT)


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def cronjob(name: str) -> dict[str, Any]:
    (found,) = [doc for path in MANIFESTS for doc in documents(path) if doc["kind"] == "CronJob" and doc["metadata"]["name"] == name]
    return found


def test_hadolint_passes_on_the_dockerfile(tmp_path: Path) -> None:
    proc = run(tool("hadolint"), "--failure-threshold", "info", "Dockerfile")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # and it does read the file: the same Dockerfile with a root user and an unpinned apt-get fails
    bad = tmp_path / "Dockerfile"
    bad.write_text((ROOT / "Dockerfile").read_text().replace("USER 10001:10001", "USER root\nRUN apt-get install -y curl"))
    proc = run(tool("hadolint"), "--failure-threshold", "info", str(bad))
    assert proc.returncode != 0 and "DL3002" in proc.stdout  # last USER should not be root


def test_yamllint_passes() -> None:
    proc = run(tool("yamllint"), "--strict", "compose.yaml", "deploy/kubernetes", ".yamllint.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manifests_validate_against_the_kubernetes_schemas(tmp_path: Path) -> None:
    assert {path.name for path in MANIFESTS} >= {"check-links.yaml", "autosave.yaml"}
    proc = run(tool("kubernetes-validate"), "--strict", *map(str, MANIFESTS))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("passed for resource") == sum(len(documents(path)) for path in MANIFESTS)
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text((ROOT / "deploy/kubernetes/check-links.yaml").read_text().replace("concurrencyPolicy", "concurrencyPolicyy"))
    assert run(tool("kubernetes-validate"), "--strict", str(misspelt)).returncode != 0


def test_compose_file_validates_against_the_compose_spec(tmp_path: Path) -> None:
    proc = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wrong = tmp_path / "compose.yaml"
    wrong.write_text(COMPOSE.read_text().replace("condition: service_healthy", "condition: healthy"))
    assert run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(wrong)).returncode != 0


def test_docker_compose_config_where_a_compose_is_installed(tmp_path: Path) -> None:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) and run(*command, "version").returncode == 0:
            break
    else:
        pytest.skip("no docker compose here: compose.yaml is checked against the compose-spec schema instead")
    # a project folder as README's Docker section makes it: compose.yaml beside a .env
    shutil.copy(COMPOSE, tmp_path / "compose.yaml")
    (tmp_path / ".env").write_text("QUARK_COOKIE=__uid=x\nDB_USERNAME=pan\nDB_PASSWORD=pw\nDB_DATABASE=pan_library\n")
    proc = subprocess.run([*command, "config"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    config = yaml.safe_load(proc.stdout)
    assert config["services"]["mariadb"]["environment"]["MARIADB_PASSWORD"] == "pw"  # from the .env
    assert config["services"]["quarkctl"]["environment"]["DB_HOST"] == "mariadb"  # over the .env's
    (tmp_path / ".env").write_text("QUARK_COOKIE=__uid=x\n")
    proc = subprocess.run([*command, "config"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode != 0 and "DB_PASSWORD" in proc.stderr  # no password, no database


def test_compose_waits_for_a_healthy_mariadb_and_keeps_state_in_volumes() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    db, app = compose["services"]["mariadb"], compose["services"]["quarkctl"]
    assert app["depends_on"]["mariadb"]["condition"] == "service_healthy" and db["healthcheck"]["test"]
    assert "db:/var/lib/mysql" in db["volumes"] and set(compose["volumes"]) == {"db", "data"}
    assert app["env_file"] == ".env" and app["environment"]["DB_HOST"] == "mariadb"
    assert "data:/data" in app["volumes"]
    config_mount = next(v for v in app["volumes"] if v.endswith(":/data/config/quarkctl"))
    assert not config_mount.endswith(":ro")  # autosave writes its bans back
    assert app["read_only"] is True and app["tmpfs"] == ["/tmp"]


def shards_of(text: str) -> tuple[int, dict[str, Any], str]:
    (job,) = [doc for doc in yaml.safe_load_all(text) if doc and doc["kind"] == "CronJob"]
    spec = job["spec"]["jobTemplate"]["spec"]
    (container,) = spec["template"]["spec"]["containers"]
    return spec["completions"], spec, " ".join(container["args"])


def test_the_check_links_cronjob_ships_one_shard_and_the_documented_edit_makes_n() -> None:
    """One address, one shard (README, Scaling past one machine); raising N changes all three places."""
    job = cronjob("quarkctl-check-links")
    assert job["spec"]["concurrencyPolicy"] == "Forbid" and job["spec"]["startingDeadlineSeconds"] > 0
    for shards in (None, 2, 3):
        n, spec, args = shards_of(check_links_manifest(shards))
        assert spec["completionMode"] == "Indexed" and n == spec["parallelism"] == (shards or 1)
        assert re.search(rf"--shard \$\(JOB_COMPLETION_INDEX\)/{n}\b", args), args


def test_the_nightly_sweep_stops_before_the_deadline_and_autosave_in_beijing_time() -> None:
    """--until ends the run with its report before activeDeadlineSeconds kills it, and before autosave; --max-age
    makes the next night go on where this one stopped."""
    check, save = cronjob("quarkctl-check-links"), cronjob("quarkctl-autosave")
    _n, spec, args = shards_of(check_links_manifest())
    until = re.search(r"--until (\d\d):(\d\d)", args)
    assert until and "--max-age 7d" in args, args
    minute, hour = (int(field) for field in check["spec"]["schedule"].split()[:2])
    stops = (int(until.group(1)) * 60 + int(until.group(2)) - (hour * 60 + minute)) * 60
    assert 0 < stops < spec["activeDeadlineSeconds"]
    first_autosave = min(int(h) for h in save["spec"]["schedule"].split()[1].split(","))
    assert int(until.group(1)) * 60 + int(until.group(2)) < first_autosave * 60
    for job in (check, save):  # --until and the logs in the CronJob's zone, and no language over the Secret's
        assert job["spec"]["timeZone"] == "Asia/Shanghai"
        (container,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
        env = {var["name"]: var.get("value") for var in container.get("env", [])}
        assert env.get("TZ") == "Asia/Shanghai" and "QUARKCTL_LANG" not in env


def test_the_image_and_compose_run_on_beijing_time() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ENV .*\n(    .*\n)*    TZ=Asia/Shanghai \\$", dockerfile, re.M), "no ENV TZ"
    assert yaml.safe_load(COMPOSE.read_text())["services"]["quarkctl"]["environment"]["TZ"] == "Asia/Shanghai"


@pytest.mark.parametrize("name", ["quarkctl-check-links", "quarkctl-autosave"])
def test_every_pod_runs_locked_down_with_its_secret_and_sized_resources(name: str) -> None:
    job = cronjob(name)
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert {"secretRef": {"name": "quarkctl"}} in container["envFrom"]
    assert container["resources"]["requests"]["memory"] and container["resources"]["limits"]["memory"]
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert {"/data", "/tmp"} <= mounts  # the only writable places on a read-only root


def test_the_dockerignore_lets_no_secret_into_the_build_context() -> None:
    lines = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert lines[0] == "*"  # nothing but what is let in again
    assert {"**/.env", "**/*.db"} <= set(lines)
    let_in = [line[1:] for line in lines if line.startswith("!")]
    assert not [path for path in let_in if ".env" in path or path.endswith(".db") or "config" in path]
