"""`quarkctl schedule run`'s jobs as real child processes (schedule/child.py) and the secrets of their extra
arguments (schedule/jobenv.py): a job's time limit, SIGTERM then SIGKILL, the scheduler's death, the secrets in
the environment and never in the command line. The clock of the limits is injected: no test waits for one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quarkctl.runtime.stop import StopSignal
from quarkctl.schedule import child, jobenv
from quarkctl.schedule.plan import Entry

# A job that would run for ten minutes; started under deaf(), it ignores SIGTERM from its first instant.
STUBBORN = ("sleep", "600")


@contextmanager
def deaf() -> Iterator[None]:
    """SIGTERM ignored here, and so in the jobs started meanwhile (an ignored signal stays ignored across exec)."""
    before = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def jumps(step: float) -> Iterator[float]:
    """A clock that moves `step` seconds at each look."""
    now = 0.0
    while True:
        yield now
        now += step


class Said(list[str]):
    def __call__(self, level: str, text: str) -> None:
        self.append(f"{level} {text}")


def test_a_job_past_its_limit_gets_sigterm_then_sigkill_and_its_code_is_137() -> None:
    said, clock = Said(), jumps(40.0)
    children = child.Children(os.environ, StopSignal(), said, limits={"check-links": 100.0}, grace=60.0, clock=lambda: next(clock))
    begun = time.monotonic()
    with deaf():
        code = children(Entry("check-links", "0 2 * * *", STUBBORN))
    assert code == 128 + signal.SIGKILL
    assert time.monotonic() - begun < 30  # not its ten minutes
    assert said == ["WARN schedule: check-links still running after its limit of 100 s: SIGTERM",
                    "WARN schedule: check-links did not end 60 s after SIGTERM: SIGKILL"]


def test_a_job_that_ends_on_sigterm_at_its_limit_is_not_killed() -> None:
    said, clock = Said(), jumps(40.0)
    children = child.Children(os.environ, StopSignal(), said, limits={"autosave": 100.0}, grace=600.0, clock=lambda: next(clock))
    code = children(Entry("autosave", "0 8 * * *", (sys.executable, "-c", "import time; time.sleep(600)")))
    assert code == 128 + signal.SIGTERM
    assert said == ["WARN schedule: autosave still running after its limit of 100 s: SIGTERM"]


def test_after_the_schedulers_stop_a_job_ignoring_it_is_killed_a_grace_later() -> None:
    stop, said, clock = StopSignal(), Said(), jumps(40.0)
    stop.set(signal.SIGTERM)  # as the handler does; the job below ignores the signal passed on
    children = child.Children(os.environ, stop, said, limits={}, grace=60.0, clock=lambda: next(clock))
    with deaf():
        assert children(Entry("check-links", "0 2 * * *", STUBBORN)) == 128 + signal.SIGKILL
    assert said == ["WARN schedule: check-links did not end 60 s after SIGTERM: SIGKILL"]


def test_the_limits_are_the_systemd_units_timeouts() -> None:
    from pathlib import Path
    units = Path(__file__).parents[3] / "systemd"
    assert "TimeoutStartSec=6h" in (units / "quarkctl-check-links.service").read_text()
    assert "TimeoutStartSec=90min" in (units / "quarkctl-autosave.service").read_text()
    assert child.LIMITS == {"check-links": 6 * 3600, "autosave": 90 * 60}


SCHEDULER = """
import os, signal, sys
from quarkctl.runtime.stop import StopSignal
from quarkctl.schedule import child
from quarkctl.schedule.plan import Entry
job = "import signal,sys,time\\nsignal.signal(signal.SIGTERM, lambda *a: (print('job got SIGTERM', flush=True), sys.exit(0)))\\n" \\
      "print('job up', flush=True)\\ntime.sleep(600)"
stop = StopSignal()
children = child.Children(os.environ, stop, lambda level, text: print(level, text, flush=True))
child.install(stop, children)
print("code", children(Entry("check-links", "0 2 * * *", (sys.executable, "-c", job))), flush=True)
"""


def scheduler() -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", SCHEDULER], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "job up\n"
    return proc


def test_a_sigkilled_schedulers_job_gets_sigterm() -> None:
    proc = scheduler()
    proc.kill()  # no handler runs: the kernel sends the job its parent's death signal
    assert proc.stdout is not None
    out = proc.stdout.read()  # to the end: the job, which holds the pipe too, has ended
    proc.wait()
    assert out == "job got SIGTERM\n"


def test_a_sighup_stops_the_job_as_sigterm_does() -> None:
    proc = scheduler()
    proc.send_signal(signal.SIGHUP)
    out, _err = proc.communicate(timeout=60)
    assert out == "job got SIGTERM\ncode 0\n"


def test_secrets_in_the_extra_arguments_go_to_the_environment() -> None:
    argv, env = jobenv.hide_secrets(
        ["check-links", "--database-url", "mysql+pymysql://u:S3CRETPW@db/quark", "--notify=tgram://bot123/chat",
         "--max-age", "7d", "--ping-url", "https://hc-ping.com/abc-uuid", "--notify", "mailto://me:PW@x"],
        {"QUARKCTL_NOTIFY": "ntfy://topic"})
    assert argv == ("check-links", "--max-age", "7d")
    assert env == {"DATABASE_URL": "mysql+pymysql://u:S3CRETPW@db/quark", "QUARKCTL_PING_URL": "https://hc-ping.com/abc-uuid",
                   "QUARKCTL_NOTIFY": "ntfy://topic tgram://bot123/chat mailto://me:PW@x"}


def test_a_secret_option_without_its_value_is_left_for_the_jobs_parsing() -> None:
    assert jobenv.hide_secrets(["check-links", "--ping-url"], {}) == (("check-links", "--ping-url"), {})


def test_the_shown_command_line_masks_a_urls_user_and_password() -> None:
    line = jobenv.shown(["x", "--proxy", "http://alice:Pr0xyPW@proxy:3128", "--until", "07:50"])
    assert line == "x --proxy http://***@proxy:3128 --until 07:50"


def test_a_job_gets_its_secrets_in_its_environment_only(capfd: pytest.CaptureFixture[str]) -> None:
    show = "import os,sys; print(os.environ['DATABASE_URL'], sys.argv[1:])"
    argv, env = jobenv.hide_secrets([sys.executable, "-c", show, "--database-url", "sqlite:////tmp/Secret-Path.db", "-v"], {})
    children = child.Children({"PATH": os.environ.get("PATH", "")}, StopSignal(), Said(), job_env={"check-links": env})
    assert children(Entry("check-links", "0 2 * * *", argv)) == 0
    assert capfd.readouterr().out == "sqlite:////tmp/Secret-Path.db ['-v']\n"


OPTION = st.sampled_from(sorted(jobenv.SECRET_OPTIONS))
SECRET = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12).map(lambda text: "§" + text)
OTHER = st.from_regex(r"[0-9a-z:]{0,6}", fullmatch=True)  # never a §: what is left in the command line


@given(st.lists(st.one_of(st.tuples(OPTION, SECRET), st.tuples(st.sampled_from(["--max-age", "--until", "-v"]), OTHER)), max_size=6),
       st.booleans())
def test_no_secret_options_value_is_ever_left_in_the_command_line_or_the_log(pairs: list[tuple[str, str]], joined: bool) -> None:
    argv = [part for name, value in pairs for part in ((f"{name}={value}",) if joined else (name, value))]
    kept, env = jobenv.hide_secrets(argv, {})
    assert not any("§" in part or part.partition("=")[0] in jobenv.SECRET_OPTIONS for part in kept)
    assert "§" not in jobenv.shown(kept)
    last = {name: value for name, value in pairs if name in ("--database-url", "--ping-url")}  # the last wins
    assert all(env[jobenv.SECRET_OPTIONS[name][0]] == value for name, value in last.items())
    assert all(value in env["QUARKCTL_NOTIFY"] for name, value in pairs if name == "--notify")
