"""Refresh the repository's copy of the API reference and reply samples from the team's shared folder.

    python tools/refresh_reference.py [SHARED_DIR]     (default: ../shared beside the repository)

The notes go to docs/reference/, the samples to tests/samples/; comments cite them by file name
(`quark-api.md 4.2`, `quark-replies.json share_token[12]`). Prints each file that changed; then run
the contract test (tests/unit/simulator/test_contract.py), which reads tests/samples/ and fails on a
captured sample the simulator does not match.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTES = ("quark-api.md", "share-api.md", "search-api.md", "drives-api.md")
SAMPLES = ("quark-replies.json", "drives-replies.json")


def refresh(shared: Path) -> list[str]:
    changed = []
    for names, target in ((NOTES, ROOT / "docs" / "reference"), (SAMPLES, ROOT / "tests" / "samples")):
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            source, copy = shared / name, target / name
            if not source.is_file():
                raise SystemExit(f"refresh_reference: {source} is missing")
            if not copy.is_file() or copy.read_bytes() != source.read_bytes():
                shutil.copyfile(source, copy)  # the copy gets our umask's mode, not the read-only source's
                changed.append(str(copy.relative_to(ROOT)))
    return changed


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared"
    changed = refresh(shared)
    print("\n".join(f"updated {name}" for name in changed) or "up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
