"""A --savepath template that would put every row in one folder name is refused, exit 2 and one line (commands/
resources/acquire.py, a second review of issue 25: "/" saved into a root folder " (2)", "{nam}" one folder for all)."""

from __future__ import annotations

import pytest

from tests.conftest import Cli
from tests.unit.commands.test_acquire import _env, _taken_down_row


@pytest.mark.parametrize("template", ["/", "/quarkctl/{nam}", "/quarkctl/剧集"])
def test_a_template_without_name_is_refused(owner: Cli, sim, pansou, template: str) -> None:
    row = _taken_down_row(owner, sim)
    before = owner.db.rows()[row]
    bad = owner.run("resources", "acquire", "--all-expired", "--savepath", template, "--no-pacing", env=_env(pansou))
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "{name}" in bad.stderr and "Traceback" not in bad.stderr
    assert owner.db.rows()[row] == before and sim.requests("save") == [] and pansou.requests() == []
