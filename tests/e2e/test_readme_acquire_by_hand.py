"""README's by-hand re-acquisition ("Trying check-links against the simulator by hand", the block with
`--pansou-port`), walked literally by a new user (a review of issue 25: the fake PanSou matched only a share's
whole title, so `电影A` found nothing). The block is read from README.md at test time. The only substitutions:
the simulator listens on free ports (`--port 0 --pansou-port 0`, the printed addresses in place of README's) and
the throwaway database folder is a temporary one. The rest runs as one bash script with the installed `quarkctl`
first on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import QUARKCTL
from helpers.readme import fenced_sh_blocks

HEADING = "### Trying check-links against the simulator by hand"


def _block() -> list[str]:
    (block,) = [b for b in fenced_sh_blocks(HEADING) if any("--pansou-port 8767" in line for line in b)]
    return block


def test_readmes_by_hand_reacquisition_works_as_written(tmp_path: Path) -> None:
    first, *rest = _block()
    assert first.startswith("python -m quarkctl.simulator --port 8765 --pansou-port 8767 &")
    env = {**os.environ, "PATH": f"{Path(QUARKCTL).parent}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "QUARKCTL_LANG": "en", "HOME": str(tmp_path)}
    for key in [k for k in env if k.startswith(("PANSOU_", "QUARK_", "DB_", "DATABASE_URL", "XDG_"))]:
        del env[key]
    sim = subprocess.Popen([sys.executable, "-m", "quarkctl.simulator", "--port", "0", "--pansou-port", "0"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert sim.stdout is not None
        quark = sim.stdout.readline().strip().split("=", 1)[1]  # printed once it listens
        pansou = sim.stdout.readline().strip().split("=", 1)[1]
        script = "\n".join(["set -e", *rest]).replace("http://127.0.0.1:8765", quark).replace("http://127.0.0.1:8767", pansou)
        script = script.replace("/tmp/quarkctl-acquire", str(tmp_path / "data"))
        done = subprocess.run(["bash", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    finally:
        sim.terminate()
        sim.communicate(timeout=10)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "电影A https://pan.quark.cn/s/0c4ff97276c9 expired" in out and "[marked expired]" in out
    assert "#1 电影A would take https://pan.quark.cn/s/acc30a3cf8d4 into /quarkctl/电影A [1 video file]" in out
    assert "#1 电影A replaced: https://pan.quark.cn/s/0c4ff97276c9 -> https://pan.quark.cn/s/" in out
    assert out.rstrip().splitlines()[-1].split("summary: ", 1)[1].startswith("total 1, valid 1, expired 0")
