"""Build the regression captures of tests/captures/ from the samples of quark-replies.json.

Each capture is recorded by the real probe (quarkctl.probe.run) against the simulator serving the
samples verbatim ("body" faults), so record -> capture -> replay is tested end to end. Each gets a
sidecar <name>.expect.json: the links, a cookie to replay with, the probe's exit code and outcomes
per endpoint, and the verdict check-links must reach.

    python tests/captures/make_captures.py [PATH/TO/quark-replies.json]
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from quarkctl.runtime.pacing import Pacer, PacingPolicy
from quarkctl.probe.capture import build_capture
from quarkctl.probe.run import run_probe
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.links import parse_share_url
from quarkctl.simulator import Fault, Share, Simulator

HERE = Path(__file__).resolve().parent
DEFAULT_SAMPLES = HERE.parent / "samples" / "quark-replies.json"
COOKIE = "__uid=capture-uid-1; __puus=CapturePuusValue; kps=capKps; sign=capSign; vcode=capVcode"
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)  # fixed: rebuilding gives the same files


def _case(samples: dict, key: str, word: str) -> dict:
    return next(s for s in samples[key] if word in s["case"])


def _share_faults(sim: Simulator, pwd_id: str, token: dict, detail: dict | None) -> None:
    sim.add_share(Share(pwd_id=pwd_id))
    sim.add_fault(pwd_id, Fault("body", endpoint="token", body=token["body"], status=token.get("http_status") or 200))
    if detail is not None:
        body = json.loads(json.dumps(detail["body"]))
        body["data"].pop("share", None)  # probe and check-links ask with _fetch_share=0
        sim.add_fault(pwd_id, Fault("body", endpoint="detail", body=body, status=detail.get("http_status") or 200))


def build(samples: dict) -> dict[str, dict]:
    alive_token, page = samples["share_token"][0], _case(samples, "share_detail", "page")
    dead_token = _case(samples, "share_token", "41006")
    alive = "https://pan.quark.cn/s/abcdef123456"
    dead = "https://pan.quark.cn/s/deadbeef4100"
    specs = {
        "alive_share": {"links": [alive], "cookie": None, "check_links": {alive: "valid"}},
        "dead_share": {"links": [dead], "cookie": None, "check_links": {dead: "expired"}},
        "account": {"links": [alive], "cookie": COOKIE, "check_links": {alive: "valid"}},
    }
    out = {}
    for name, spec in specs.items():
        sim = Simulator(cookies=[COOKIE])
        if alive in spec["links"]:
            _share_faults(sim, "abcdef123456", alive_token, page)
        if dead in spec["links"]:
            _share_faults(sim, "deadbeef4100", dead_token, None)
        if spec["cookie"]:
            good = _case(samples, "account_info", "good cookie")
            sim.account_faults.append(Fault("body", endpoint="account", body=good["body"], status=good["http_status"] or 200))
            for key, endpoint in (("path_list", "path_list"), ("growth_info", "growth_info")):
                sample = samples[key][0]
                sim.add_drive_fault(Fault("body", endpoint=endpoint, body=sample["body"], status=sample.get("http_status") or 200))
        with sim, QuarkClient(cookie=spec["cookie"], api_base=sim.base_url, timeout=5) as client:
            links = [(text, parse_share_url(text)) for text in spec["links"]]
            report = run_probe(client, cookie=spec["cookie"], links=links, pacer=Pacer(PacingPolicy.off(), lambda s: True))
        capture = build_capture(report.exchanges, cookie=spec["cookie"], redact_names=False, now=WHEN)
        for ex in capture["exchanges"]:
            ex["request"]["host"] = "drive-pc.quark.cn"  # not the simulator's port of the day
            ex["request"]["query"].pop("__dt", None), ex["request"]["query"].pop("__t", None)  # anti-cache noise
        outcomes: dict[str, list[str]] = {}
        for ex in report.exchanges:
            outcomes.setdefault(ex.endpoint, []).append(ex.outcome)
        expect = {"links": spec["links"], "replay_cookie": "__uid=replay; kps=k; sign=s; vcode=v" if spec["cookie"] else None,
                  "probe_exit": int(report.exit_code), "outcomes": outcomes, "check_links": spec["check_links"]}  # fmt: skip
        out[name] = {"capture": capture, "expect": expect}
    return out


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_SAMPLES
    for name, files in build(json.loads(path.read_text("utf-8"))).items():
        (HERE / f"{name}.json").write_text(json.dumps(files["capture"], ensure_ascii=False, indent=1) + "\n", "utf-8")
        (HERE / f"{name}.expect.json").write_text(json.dumps(files["expect"], ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(name, files["expect"]["probe_exit"], files["expect"]["outcomes"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
