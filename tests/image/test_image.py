"""Inside the built image (QUARKCTL_TEST_IMAGE, from .ci/image.sh): what a Docker or Kubernetes user runs,
against the simulator on this host's loopback and CI's MariaDB (--network=host; the CI daemon has no bridge),
always with a read-only root file system and the image's non-root user (issue 26)."""

from __future__ import annotations

import json
import os
import re
import socketserver
import subprocess
import threading
import uuid
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from conftest import COOKIE, COOKIE_SECRETS, ResourceDB, add_valid, pwd, share_url
from image.conftest import LOCKED_DOWN, ROOT, Container, check_links_manifest, docker, env_flags
from quarkctl.simulator import Share, Simulator


def quark_env(sim: Simulator, db: ResourceDB) -> dict[str, str]:
    return {"DATABASE_URL": db.url_text, "QUARK_API_BASE": sim.base_url or "", "QUARK_COOKIE": COOKIE, "NO_PROXY": "127.0.0.1,localhost"}


def assert_no_secret(text: str, db: ResourceDB) -> None:
    assert "Traceback" not in text
    for secret in (*COOKIE_SECRETS, db.url.password or "-"):
        assert secret not in text


def test_the_image_is_configured_as_documented(image: str) -> None:
    (config,) = json.loads(docker("image", "inspect", image).stdout)
    config = config["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["/opt/quarkctl/bin/quarkctl"] and config["Cmd"] == ["schedule", "run"]
    assert config["Healthcheck"]["Test"] == ["CMD", "quarkctl", "--version"]
    assert list(config["Volumes"]) == ["/data"]
    assert "XDG_CACHE_HOME=/tmp/cache" in config["Env"] and "XDG_DATA_HOME=/data" in config["Env"]
    assert "TZ=Asia/Shanghai" in config["Env"]  # --until and the log times are Beijing time, as the schedule


def test_version_on_a_read_only_root(image: str) -> None:
    proc = docker("run", "--rm", *LOCKED_DOWN, "--network=none", image, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"quarkctl {version('quarkctl')}"


def test_no_env_file_database_or_cookie_in_the_image(image: str) -> None:
    proc = docker("run", "--rm", "--network=none", "--entrypoint", "/bin/sh", image, "-c",
                  "find / -xdev \\( -name .env -o -name '*.db' -o -name quark_config.json -o -name image-wheels -o -path /src \\) -print;"
                  " ls -A /data /data/config/quarkctl")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["/data:", "config", "/data/config/quarkctl:"]  # the build's source and wheels stayed behind


def test_demo_runs_both_jobs_inside_the_container(image: str) -> None:
    # --network=none: the demo's simulator and fake PanSou are on the container's own loopback
    proc = docker("run", "--rm", *LOCKED_DOWN, "--network=none", image, "demo", timeout=110)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert "check-links" in proc.stdout and re.search(r"summary: tasks 3, saved 3\b", proc.stdout), proc.stdout[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr


def test_check_links_marks_a_dead_link_in_mariadb(image: str, sim: Simulator, mysqldb: ResourceDB) -> None:
    add_valid(sim, "good00000001")
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    mysqldb.create_schema()
    good, dead = mysqldb.seed([{"drama_name": "好电影", "link": share_url("good00000001")},
                               {"drama_name": "死链接", "link": share_url("dead00000001")}])
    env = quark_env(sim, mysqldb)
    proc = docker("run", "--rm", *LOCKED_DOWN, "--network=host", *env_flags(list(env)), image,
                  "check-links", "--no-pacing", "--retry-backoff", "0", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "summary: total 2" in proc.stdout
    assert_no_secret(proc.stdout + proc.stderr, mysqldb)
    rows = mysqldb.rows()
    assert (rows[good].is_expired, rows[dead].is_expired) == (0, 1)
    assert mysqldb.scalar("SELECT COUNT(*) FROM quarkctl_check") == 2


def test_an_unchowned_config_folder_names_the_uid_and_the_fix_and_the_readme_chown_fixes_it(
        image: str, sim: Simulator, mysqldb: ResourceDB, tmp_path: Path) -> None:
    """README's "without compose" block: a config folder made by root on the host, mounted writable; autosave
    takes its lock beside quark_config.json, which uid 10001 may not create until the folder is chowned."""
    mysqldb.create_schema()
    config = tmp_path / "config"
    config.mkdir(mode=0o755)
    (config / "quark_config.json").write_text(json.dumps({"cookie": COOKIE, "tasklist": []}))
    (config / "quark_config.json").chmod(0o644)
    env = quark_env(sim, mysqldb)
    run = ["run", "--rm", *LOCKED_DOWN, "--network=host", "--tmpfs", "/data:uid=10001,gid=10001",
           "-v", f"{config}:/data/config/quarkctl", *env_flags(list(env)), image, "autosave", "--no-pacing", "--no-sign"]
    refused = docker(*run, env=env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    (line,) = refused.stderr.strip().splitlines()
    assert "Permission denied: this process runs as uid 10001" in line and "chown 10001 /data/config/quarkctl" in line, line
    readme = (ROOT / "README.md").read_text().split("Without compose", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert "sudo chown -R 10001:10001 config" in readme  # the step README gives, done here as root
    for path in (config, config / "quark_config.json"):
        os.chown(path, 10001, 10001)
    fixed = docker(*run, env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Permission denied" not in fixed.stdout + fixed.stderr
    assert_no_secret(fixed.stdout + fixed.stderr, mysqldb)


def read_until(logs: subprocess.Popen[str], needle: str) -> list[str]:
    """Lines of `docker logs --follow` up to the one holding needle (blocks on the container's output)."""
    lines = []
    assert logs.stdout is not None
    for line in logs.stdout:
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} never printed: {''.join(lines)[-3000:]}")


def test_foreground_scheduler_stops_cleanly_on_sigterm(image: str, schedule_run: None, sim: Simulator,
                                                       mysqldb: ResourceDB, containers: list[Container]) -> None:
    for n in range(20):
        add_valid(sim, pwd(n))
    mysqldb.create_schema()
    mysqldb.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(20)])
    # The default sweep's --until 07:50 (Beijing time) would end the job at once in the minutes before 07:50:
    # the same sweep without it, so the test holds at any hour.
    env = {**quark_env(sim, mysqldb), "QUARKCTL_SCHEDULE_CHECK_LINKS_ARGS": "--max-age 7d"}
    # --run-now: each job once at the start, check-links first; at the default pace (1-3 s a link) its 20
    # links are still running when SIGTERM comes.
    container = Container([*LOCKED_DOWN, "--network=host", *env_flags(list(env)), image, "schedule", "run", "--run-now"], env)
    containers.append(container)
    logs = container.follow()
    try:
        read_until(logs, "[2/20]")
        assert docker("kill", "--signal", "TERM", container.name).returncode == 0
        waited = docker("wait", container.name, timeout=60)
    finally:
        logs.kill()
        logs.wait()
    assert waited.stdout.strip() in ("143", "0"), waited
    out = docker("logs", container.name)
    text = out.stdout + out.stderr
    assert "interrupted" in text and "summary: total" in text, text[-3000:]  # the running job's partial report
    assert_no_secret(text, mysqldb)
    assert mysqldb.scalar("SELECT status FROM quarkctl_run WHERE job = 'check-links'") == "interrupted"


def test_doctor_beside_the_scheduler_finds_it(image: str, schedule_run: None, containers: list[Container]) -> None:
    """`docker exec` doctor in the container whose command is the image's default, `schedule run`: no systemd or
    cron in there, and doctor says the schedule is run, not to install timers."""
    container = Container([*LOCKED_DOWN, "--network=none", image], {})
    containers.append(container)
    logs = container.follow()
    try:
        read_until(logs, "schedule: next ")
    finally:
        logs.kill()
        logs.wait()
    proc = docker("exec", container.name, "quarkctl", "doctor", "--json", "--timeout", "2")
    checks = {check["name"]: check for check in json.loads(proc.stdout)["checks"]}
    assert checks["schedule:check-links"]["status"] == "ok", checks["schedule:check-links"]
    assert "PID 1 of this container" in checks["schedule:check-links"]["message"]


def k8s_expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) in command, args and env values: a defined variable's value, `$$` a `$`."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), value)


def pod_as_docker_run(pod: dict[str, Any], index: int, secrets: dict[str, dict[str, str]],
                      extra_env: dict[str, str], scratch: Path) -> tuple[list[str], dict[str, str]]:
    """The `docker run` arguments and environment of pod `index` of the Indexed Job: its container's command,
    args and env (JOB_COMPLETION_INDEX as the Job controller sets it), the Secret's keys, its security
    context, and its volumes (each emptyDir a new folder under scratch)."""
    (container,) = pod["containers"]
    env: dict[str, str] = {"JOB_COMPLETION_INDEX": str(index)}
    for source in container.get("envFrom", []):
        env.update(secrets[source["secretRef"]["name"]])
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = k8s_expand(var["value"], env)
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            env[var["name"]] = secrets[ref["name"]][ref["key"]]
    env.update(extra_env)
    pod_security, security = pod.get("securityContext", {}), container["securityContext"]
    user = security.get("runAsUser", pod_security.get("runAsUser"))
    group = security.get("runAsGroup", pod_security.get("runAsGroup", user))
    assert user and pod_security.get("runAsNonRoot", security.get("runAsNonRoot")) is True
    flags = ["--rm", "--network=host", "--user", f"{user}:{group}"]
    if security.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
    if security.get("allowPrivilegeEscalation") is False:
        flags += ["--security-opt", "no-new-privileges"]
    flags += [f"--cap-drop={cap}" for cap in security.get("capabilities", {}).get("drop", [])]
    empty_dirs = {volume["name"] for volume in pod.get("volumes", []) if "emptyDir" in volume}
    for mount in container.get("volumeMounts", []):
        assert mount["name"] in empty_dirs, mount  # check-links keeps nothing: every volume is scratch
        # An emptyDir: an empty folder of root's, mode 0777 (a docker tmpfs would copy the image's folder up instead).
        empty_dir = scratch / f"pod-{index}-{mount['name']}"
        empty_dir.mkdir()
        empty_dir.chmod(0o777)
        flags += ["--mount", f"type=bind,source={empty_dir},destination={mount['mountPath']}"]
    command = [k8s_expand(arg, env) for arg in container.get("command", [])]
    args = [k8s_expand(arg, env) for arg in container.get("args", [])]
    if command:
        flags += ["--entrypoint", command[0]]
        args = [*command[1:], *args]
    return [*flags, *env_flags(sorted(env)), pod_image(container), *args], env


def pod_image(container: dict[str, Any]) -> str:
    assert container["image"].startswith("quarkctl:")
    return os.environ["QUARKCTL_TEST_IMAGE"]  # the manifest's image, as built here


def test_the_cronjob_shards_check_every_row_exactly_once(image: str, sim: Simulator, mysqldb: ResourceDB, tmp_path: Path) -> None:
    """N raised to 2 by the documented edit (the manifest ships N = 1): shards 0/2 and 1/2 together check
    every row once, with the manifest's own --max-age and --until."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    if now.hour == 7 and 44 <= now.minute < 50:
        pytest.skip("the manifest's --until 07:50 (Beijing time) would end the pods before every row is checked")
    manifest = [doc for doc in yaml.safe_load_all(check_links_manifest(2)) if doc]
    (cronjob,) = [doc for doc in manifest if doc["kind"] == "CronJob"]
    job = cronjob["spec"]["jobTemplate"]["spec"]
    shards = job["completions"]
    assert shards == 2
    for n in range(3 * shards):
        add_valid(sim, pwd(n))
    sim.add_share(Share(pwd_id="dead00000001", title="d", dead_code=41012, files=[]))
    mysqldb.create_schema()
    ids = mysqldb.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(3 * shards)]
                       + [{"drama_name": "死链接", "link": share_url("dead00000001")}])
    # The Secret as `kubectl create secret generic quarkctl --from-env-file=.env` makes it; QUARK_API_BASE
    # (the simulator) is this test's own addition.
    secrets = {"quarkctl": {"QUARK_COOKIE": COOKIE, "DATABASE_URL": mysqldb.url_text}}
    extra = {"QUARK_API_BASE": sim.base_url or "", "NO_PROXY": "127.0.0.1,localhost"}
    pods = []
    for index in range(shards):  # side by side, as parallelism = completions runs them
        args, env = pod_as_docker_run(job["template"]["spec"], index, secrets, extra, tmp_path)
        pods.append(subprocess.Popen(["docker", "run", *args], env={**os.environ, **env},
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for index, pod in enumerate(pods):
        out, err = pod.communicate(timeout=100)
        assert pod.returncode == 0, f"shard {index}: {out}{err}"
        assert f"summary: total {sum(1 for i in ids if i % shards == index)}" in out, out
        assert_no_secret(out + err, mysqldb)
    engine = mysqldb.engine()
    with engine.connect() as conn:
        checks = conn.exec_driver_sql("SELECT c.resource_id, r.detail FROM quarkctl_check c JOIN quarkctl_run r ON r.id = c.run_id").all()
    engine.dispose()
    assert sorted(resource for resource, _detail in checks) == sorted(ids)  # every row, each once
    for resource, detail in checks:  # and each by the shard that owns it
        assert json.loads(detail)["options"]["shard"] == f"{resource % shards}/{shards}", detail
    assert mysqldb.rows()[ids[-1]].is_expired == 1


class FakeProxy:
    """An HTTPS proxy on loopback that only records each CONNECT line and refuses it (502)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.asked = threading.Event()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy.lines.append(self.rfile.readline().decode("latin-1").strip())
                proxy.asked.set()
                self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_readme_per_shard_proxy_sends_each_shard_through_its_own(image: str, mysqldb: ResourceDB, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("## Kubernetes", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    manifest = [doc for doc in yaml.safe_load_all(check_links_manifest(2)) if doc]
    (cronjob,) = [doc for doc in manifest if doc["kind"] == "CronJob"]
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    pod["containers"][0].update(yaml.safe_load(snippet))  # "replacing the container's args: with" the snippet
    mysqldb.create_schema()
    mysqldb.seed([{"drama_name": f"r{n}", "link": share_url(pwd(n))} for n in range(4)])  # rows in both shards
    proxies = [FakeProxy(), FakeProxy()]
    secrets = {"quarkctl": {"QUARK_COOKIE": COOKIE, "DATABASE_URL": mysqldb.url_text,
                            "HTTPS_PROXY_0": proxies[0].url, "HTTPS_PROXY_1": proxies[1].url}}
    heard_before = 0
    try:
        for index, proxy in enumerate(proxies):  # one pod after the other: each proxy hears from its own pod only
            args, env = pod_as_docker_run(pod, index, secrets, {}, tmp_path)
            name = f"quarkctl-test-{uuid.uuid4().hex[:10]}"
            run = subprocess.Popen(["docker", "run", "--name", name, *args], env={**os.environ, **env},
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                # the pod's first request to Quark reaches its shard's proxy (then retries, refused: enough seen)
                assert proxy.asked.wait(60), run.communicate(timeout=60)[0] if run.poll() is not None else "no request"
            finally:
                docker("rm", "--force", name)
                run.communicate(timeout=60)
            assert proxy.lines[0].startswith("CONNECT ") and ".quark.cn:443 " in proxy.lines[0], proxy.lines
            other = proxies[1 - index]
            assert len(other.lines) == heard_before, other.lines  # pod 0 never asked proxy 1, pod 1 not proxy 0 again
            heard_before = len(proxy.lines)
        # Fail closed: a shard whose proxy the Secret lacks stops before quarkctl starts, never going direct.
        heard = [len(proxy.lines) for proxy in proxies]
        del secrets["quarkctl"]["HTTPS_PROXY_1"]
        (tmp_path / "no-proxy").mkdir()
        args, env = pod_as_docker_run(pod, 1, secrets, {}, tmp_path / "no-proxy")
        alone = subprocess.run(["docker", "run", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
        assert alone.returncode == 2, alone
        assert alone.stderr.strip() == "/bin/sh: 1: HTTPS_PROXY_1: is not in the Secret, so this shard will not go direct", alone
        assert alone.stdout == "" and [len(proxy.lines) for proxy in proxies] == heard
    finally:
        for proxy in proxies:
            proxy.close()
