"""A capture in quark-replies.json's format (`python -m quarkctl.probe.tosamples FILE`),
so the contract test and the simulator learn from what a user saw.

Each exchange becomes one sample of its endpoint's key, kind "captured", with a `case` the contract
test's rules read (tests/unit/simulator/test_contract.py RULES: "alive", "dead: ...", "passcode
required", ...). With --into, samples are appended to that file, skipping a body already there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quarkctl.probe.samples import ANY_DRIVE, SAMPLE_KEYS

_CASES = {
    ("token", "ok"): "alive", ("token", "dead"): "dead: {reason} ({code})",
    ("token", "needs_passcode"): "passcode required ({code})", ("detail", "ok"): "page",
    ("detail", "token_expired"): "stoken expired ({code})", ("detail", "dead"): "dead: {reason} after the token ({code})",
    ("account", "ok"): "good cookie", ("account", "auth"): "bad / expired cookie",
    ("path_list", "ok"): "resolve paths to fids", ("growth_info", "ok"): "signed today" ,
}  # fmt: skip


def _case(ex: dict[str, Any], code: Any) -> str:
    outcome, reason = ex.get("outcome"), ex.get("reason")
    if outcome == "auth" and ex["endpoint"] != "account":
        return "not logged in / cookie invalid"
    if ex["endpoint"] == "growth_info" and outcome == "ok":
        data = (ex["reply"].get("body") or {}).get("data") or {}
        signed = (data.get("cap_sign") or {}).get("sign_daily")
        return "signed today" if signed else "not signed yet"
    template = _CASES.get((ex["endpoint"], outcome))
    if template is None:
        return f"{reason} ({code})" if outcome != "dead" else f"dead: {reason} ({code})"
    return template.format(reason=reason, code=code)


def to_samples(capture: dict[str, Any]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    version, when = capture.get("quarkctl_version"), capture.get("recorded_at")
    for ex in capture.get("exchanges", []):
        if ex.get("drive", "quark") != "quark":
            continue  # another drive's reply: drives-replies.json is kept by hand (README, "How to contribute a capture")
        reply = ex.get("reply") or {}
        body = reply.get("body")
        if not isinstance(body, dict):
            continue  # not JSON, or no answer: nothing a sample can hold
        key = SAMPLE_KEYS.get(ex.get("endpoint"))
        if key is None:
            continue
        if ex.get("outcome") == "auth" and ex["endpoint"] != "account":
            key = ANY_DRIVE
        code = body.get("code")
        sample = {
            "case": f"{_case(ex, code)} (probe capture {when})",
            "http_status": reply.get("status"),
            "body": body,
            "evidence": f"quarkctl probe capture (quarkctl {version}, recorded {when}, {ex['request'].get('method')} "
                        f"{ex['request'].get('path')})",
            "kind": "captured",
            "note": "Redacted by quarkctl: secrets and the user's own fids are same-shaped placeholders.",
        }  # fmt: skip
        out.setdefault(key, []).append(sample)
    return out


def merge_into(path: Path, new: dict[str, list[dict]]) -> int:
    """Append the new samples to the samples file at `path`; returns how many were added."""
    samples = json.loads(path.read_text("utf-8"))
    added = 0
    for key, items in new.items():
        existing = samples.setdefault(key, [])
        bodies = [json.dumps(s.get("body"), sort_keys=True) for s in existing]
        for item in items:
            if json.dumps(item["body"], sort_keys=True) not in bodies:
                existing.append(item)
                bodies.append(json.dumps(item["body"], sort_keys=True))
                added += 1
    path.write_text(json.dumps(samples, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    """`python -m quarkctl.probe.tosamples CAPTURE [--into SAMPLES]`: a capture's replies as samples,
    printed, or appended to SAMPLES (tests/samples/quark-replies.json)."""
    import argparse
    import os
    import sys

    from quarkctl.errors import QuarkctlError
    from quarkctl.simulator.replay import read_capture

    parser = argparse.ArgumentParser(prog="python -m quarkctl.probe.tosamples", description=main.__doc__)
    parser.add_argument("capture", metavar="CAPTURE", help="a file of quarkctl probe --record")
    parser.add_argument("--into", metavar="SAMPLES", help="the quark-replies.json to append to")
    args = parser.parse_args(argv)
    try:
        samples = to_samples(read_capture(Path(args.capture)))
    except QuarkctlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.into:
        try:
            added = merge_into(Path(args.into), samples)
        except (OSError, ValueError) as exc:
            print(f"error: --into {args.into}: {exc}", file=sys.stderr)
            return 2
        print(f"added {added} sample(s) to {args.into}", file=sys.stderr)
        return 0
    try:
        print(json.dumps(samples, ensure_ascii=False, indent=2), flush=True)
    except BrokenPipeError:  # `... | head`: the reader has all it wanted; no flush error at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
