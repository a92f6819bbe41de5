"""schedule install as root (issue 23): no value smuggles a line into a unit or crontab; the autosave unit may
write its config's folder; a command under /tmp is flagged for the unit's private /tmp."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quarkctl.schedule.install import ScheduleError, plan_install
from quarkctl.schedule.render import render_service
from quarkctl.schedule.targets import JOBS, make_target

CONTROLS = st.sampled_from(["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028"])


def target(**changes: object):  # type: ignore[no-untyped-def]
    base = make_target({}, user=False, command=("/usr/local/bin/quarkctl",))
    return dataclasses.replace(base, **changes)


@settings(max_examples=40, deadline=None)
@given(control=CONTROLS, where=st.sampled_from(["env_file", "config_dir", "command", "timezone", "dir"]),
       kind=st.sampled_from(["systemd", "cron"]))
def test_a_control_character_in_any_value_is_refused(control: str, where: str, kind: str) -> None:
    evil = f"/etc/quarkctl/.env{control}ExecStartPre=/bin/sh -c id"
    changes = {"env_file": {"env_file": Path(evil)}, "config_dir": {"config_dir": Path(evil)},
               "command": {"command": (evil,)}, "timezone": {"timezone": f"Asia/Shanghai{control}* * * * * root id"},
               "dir": {}}[where]
    folder = Path(f"/tmp/units{control}x") if where == "dir" else Path("/tmp/units")
    with pytest.raises(ScheduleError, match="control character"):
        plan_install(kind, target(**changes), folder)


def test_plain_values_are_planned() -> None:
    plan = plan_install("systemd", target(), Path("/nonexistent/units"))
    assert {f.path.name for f in plan.files} == {"quarkctl-check-links.service", "quarkctl-check-links.timer",
                                                 "quarkctl-autosave.service", "quarkctl-autosave.timer"}


def _setting(unit: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(f"{key}=")]


def test_only_the_autosave_unit_may_write_its_config_folder() -> None:
    t = target(config_dir=Path("/etc/quark ctl"))
    assert _setting(render_service(JOBS["autosave"], t), "ReadWritePaths") == ["-/var/log/quarkctl '/etc/quark ctl'"]
    assert _setting(render_service(JOBS["check-links"], t), "ReadWritePaths") == ["-/var/log/quarkctl"]
    assert _setting(render_service(JOBS["autosave"], t), "ProtectSystem") == ["strict"]


def test_a_command_under_tmp_is_flagged_for_the_system_unit() -> None:
    plan = plan_install("systemd", target(command=("/tmp/venv/bin/quarkctl",)), Path("/nonexistent/units"))
    assert any("PrivateTmp" in note and "/tmp/venv/bin/quarkctl" in note for note in plan.notes)
    plain = plan_install("systemd", target(), Path("/nonexistent/units"))
    assert not any("PrivateTmp" in note for note in plain.notes)
