"""The other drives' shares of a scenario (issue 24, a new user's review): its `drive_shares` key, served by
the drives simulator (drives_server.py) beside the Quark one, so that check-links can be tried by hand on a
mixed table (README "Trying check-links against the simulator by hand").

    "drive_shares": [{"drive": "baidu", "id": "AbCdEfGh", "state": "alive", "passcode": "ab12"}]

`id` is the id the drive's API is asked about (Baidu's short URL without its leading 1); `state` one of
drive_replies.py's states of that drive; `passcode` the share's (a `locked` one opens with it). Each share's
link is written the way README's link forms read it, with its passcode, so `--list` can print it.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from dataclasses import dataclass
from typing import Any

from .drive_replies import BAIDU_VERIFY, TABLES

# QUARKCTL_API_BASE_<KEY> of each simulated drive (providers/: each drive module's env_key)
ENV_KEYS = {"uc": "UC", "baidu": "BAIDU", "aliyun": "ALIYUN", "123": "123", "tianyi": "TIANYI", "mobile": "MOBILE", "115": "115"}
_LINKS = {
    "uc": "https://drive.uc.cn/s/{id}",
    "baidu": "https://pan.baidu.com/s/1{id}",
    "aliyun": "https://www.alipan.com/s/{id}",
    "123": "https://www.123pan.com/s/{id}",
    "tianyi": "https://cloud.189.cn/t/{id}",
    "mobile": "https://caiyun.139.com/w/i/{id}",
    "115": "https://115.com/s/{id}",
}
# The passcode in the link where the drive's own links carry one; a labelled 提取码 after it otherwise
_PASSCODES = {"uc": "?pwd={code}", "baidu": "?pwd={code}", "115": "?password={code}"}
_LABELLED = " 提取码：{code}"


@dataclass(frozen=True)
class DriveShareSpec:
    drive: str
    id: str
    state: str = "alive"
    passcode: str = ""

    @property
    def link(self) -> str:
        text = _LINKS[self.drive].format(id=self.id)
        return text + (_PASSCODES.get(self.drive, _LABELLED).format(code=self.passcode) if self.passcode else "")

    def expected_state(self) -> str:
        """As the Quark shares' `--list` says it: the state, `alive` for a locked share its link opens."""
        return "alive" if self.state == "locked" and self.passcode else self.state


def parse_drive_shares(entries: object) -> list[DriveShareSpec]:
    """The scenario's `drive_shares`; a bad entry fails the scenario's load, naming it."""
    if not isinstance(entries, list):
        raise ValueError("drive_shares: a list of {\"drive\", \"id\", \"state\", \"passcode\"}")
    specs = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) - {"drive", "id", "state", "passcode"}:
            raise ValueError(f"drive_shares[{i}]: an object with drive, id, state and passcode only")
        spec = DriveShareSpec(**{k: str(v) for k, v in entry.items()})
        if spec.drive not in TABLES:
            raise ValueError(f"drive_shares[{i}]: no simulated drive {spec.drive!r} (one of {', '.join(TABLES)})")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", spec.id):
            raise ValueError(f"drive_shares[{i}]: id {spec.id!r} is not a share id")
        if spec.state not in TABLES[spec.drive] and not (spec.drive == "baidu" and spec.state in BAIDU_VERIFY):
            raise ValueError(f"drive_shares[{i}]: {spec.drive} knows no state {spec.state!r} (one of {', '.join(TABLES[spec.drive])})")
        specs.append(spec)
    return specs


def list_lines(specs: list[DriveShareSpec]) -> list[str]:
    """`--list`: each share's link, its state, its drive."""
    return ["\t".join([spec.link, spec.expected_state(), spec.drive]) for spec in specs]


def base_lines(base_url: str) -> list[str]:
    """The settings that send every simulated drive's requests to the drives simulator."""
    return [f"QUARKCTL_API_BASE_{key}={base_url}" for key in ENV_KEYS.values()]


def start_drives(specs: list[DriveShareSpec], host: str, port: int) -> Any:
    """A started DrivesSimulator serving `specs` (an unknown share answers as dead, as the drives do)."""
    from .drives_server import DrivesSimulator

    sim = DrivesSimulator(host, port)
    for spec in specs:
        sim.add(spec.drive, spec.id, spec.state, spec.passcode)
    sim.start()
    return sim


def drives_main(argv: list[str] | None = None) -> int:
    """`python -m quarkctl.simulator.drives_server`: the other drives alone (`python -m quarkctl.simulator
    --drives-port PORT` serves them beside Quark)."""
    from .model import load_scenario

    parser = argparse.ArgumentParser(prog="python -m quarkctl.simulator.drives_server",
                                     description="Serve the other drives' share checks (UC, Baidu, Aliyun, 123, Tianyi, "
                                                 "139, 115) on loopback; an unknown share answers as dead.")
    parser.add_argument("--scenario", help="scenario JSON file whose drive_shares are served (default: the bundled example.json)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--list", action="store_true", help="print the drive shares' links and exit")
    args = parser.parse_args(argv)
    try:
        specs = load_scenario(args.scenario).drive_shares
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: cannot load scenario: {exc}", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(list_lines(specs)))
        return 0
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"error: refusing non-loopback host {args.host!r}", file=sys.stderr)
        return 2
    try:
        sim = start_drives(specs, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(base_lines(sim.base_url)), flush=True)
    print(f"serving {len(specs)} drive shares; stop with Ctrl-C", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    sim.stop()
    return 0
