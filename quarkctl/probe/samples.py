"""The reply shapes quarkctl expects, shipped inside the package (expected.json).

Built from tests/samples/quark-replies.json by `python -m quarkctl.probe.samples SAMPLES_FILE`: the
installed command cannot read that file (it lives beside the clone, not in the wheel), and a test
keeps the two in step. Only what the comparison needs is kept: case, kind, HTTP status and body.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

EXPECTED = "expected.json"
# The client's endpoint names (ApiReply.endpoint) -> the samples' keys (quark-replies.json).
SAMPLE_KEYS = {
    "account": "account_info",
    "path_list": "path_list",
    "growth_info": "growth_info",
    "token": "share_token",
    "detail": "share_detail",
}
ANY_DRIVE = "common_errors"  # samples that any drive endpoint may answer (31001)
_KEEP = ("case", "kind", "http_status", "body")


def build(samples: dict[str, Any]) -> dict[str, list[dict]]:
    """expected.json's content from the samples file's content."""
    return {key: [{k: s.get(k) for k in _KEEP} for s in value]
            for key, value in samples.items() if not key.startswith("_") and isinstance(value, list)}


def load() -> dict[str, list[dict]]:
    return json.loads(resources.files(__package__).joinpath(EXPECTED).read_text("utf-8"))


def dumps(expected: dict) -> str:
    return json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m quarkctl.probe.samples PATH/TO/quark-replies.json", file=sys.stderr)
        return 2
    expected = build(json.loads(Path(args[0]).read_text("utf-8")))
    Path(__file__).with_name(EXPECTED).write_text(dumps(expected), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
