"""The container image (issue 26): the image .ci/image.sh built, named by QUARKCTL_TEST_IMAGE, run by docker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

IMAGE_ENV = "QUARKCTL_TEST_IMAGE"
ROOT = Path(__file__).resolve().parents[2]
# As the manifests and compose.yaml run it: the root file system read-only, no capability, no privilege
# gain; /tmp (the help cache) a tmpfs, /data the image's volume (an anonymous one, removed with --rm).
LOCKED_DOWN = ["--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]


def tool(name: str) -> str:
    """A command installed beside this Python (the test extras), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return found


def docker(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # Secrets reach a container as `-e NAME` taken from docker's own environment, never on its command line.
    return subprocess.run(["docker", *args], env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def image() -> str:
    name = os.environ.get(IMAGE_ENV)
    if not name:
        pytest.skip(f"{IMAGE_ENV} is not set: the image tests run after .ci/image.sh builds the image (bash .ci/run does)")
    if shutil.which("docker") is None:
        pytest.fail(f"{IMAGE_ENV}={name} but no docker command")
    inspected = docker("image", "inspect", name)
    assert inspected.returncode == 0, f"{IMAGE_ENV}={name}: {inspected.stderr}"
    return name


@pytest.fixture(scope="session")
def schedule_run(image: str) -> None:
    """`quarkctl schedule run` (the foreground scheduler) comes from another branch; until it is merged, skip."""
    proc = docker("run", "--rm", *LOCKED_DOWN, "--network=none", image, "schedule", "run", "--help")
    if proc.returncode != 0:
        pytest.skip("`quarkctl schedule run --help` fails in the image: the foreground scheduler is not merged yet")


def env_flags(names: Sequence[str]) -> list[str]:
    return [flag for name in names for flag in ("-e", name)]


class Container:
    """A detached container; removed (with its anonymous volume) at the end."""

    def __init__(self, run_args: Sequence[str], env: dict[str, str]) -> None:
        self.name = f"quarkctl-test-{uuid.uuid4().hex[:10]}"
        proc = docker("run", "-d", "--name", self.name, *run_args, env=env)
        assert proc.returncode == 0, proc.stderr

    def follow(self) -> subprocess.Popen[str]:
        return subprocess.Popen(["docker", "logs", "--follow", self.name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def remove(self) -> None:
        docker("rm", "--force", "--volumes", self.name)


@pytest.fixture
def containers() -> Iterator[list[Container]]:
    made: list[Container] = []
    yield made
    for container in made:
        container.remove()


def check_links_manifest(shards: int | None = None) -> str:
    """deploy/kubernetes/check-links.yaml as shipped (N = 1), or with N raised by the edit its header and
    README's Kubernetes section say: `completions`, `parallelism` and the `/1` of --shard, all three."""
    text = (ROOT / "deploy/kubernetes/check-links.yaml").read_text()
    if shards is None:
        return text
    edits = [("completions: 1\n", f"completions: {shards}\n"), ("parallelism: 1\n", f"parallelism: {shards}\n"),
             ('"$(JOB_COMPLETION_INDEX)/1"', f'"$(JOB_COMPLETION_INDEX)/{shards}"')]
    for old, new in edits:
        assert text.count(old) == 1, old  # the documented edit still finds what it changes
        text = text.replace(old, new)
    return text
