"""`quarkctl ARGS` run inside the test's process: what the installed command does, less its start-up.

It calls `quarkctl.launch.main`, the installed command's entry point, with the command's argv,
environment, working folder, stdin and exit, and restores what it changed: the environment, the
folder, sys.argv, the standard streams and the SIGINT/SIGTERM handlers the job frame installs
(commands/run.py). What stays the subprocess's (tests/e2e/): the language, because help texts are
translated when the command modules are imported (launch.py), so a process speaks one; signals,
locks between processes, the terminal, start-up and the help cache.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from quarkctl import i18n, launch


class _Stream(io.TextIOWrapper):
    """A pipe's end as the command sees it: text over bytes (helpcache writes sys.stdout.buffer), utf-8, no terminal."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="strict", newline=None, write_through=True)

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8", "replace")  # type: ignore[attr-defined]


def run(program: str, args: Sequence[str], *, env: Mapping[str, str], cwd: Path,
        input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `program ARGS` in this process; the result has the shape subprocess.run(text=True) gives."""
    lang, _ = i18n.choose(launch.option_value(args, "--lang"), env)
    if lang != i18n.ENGLISH:
        raise RuntimeError("an in-process run speaks English only (launch.py): run this one as a subprocess (tests/e2e)")
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_signals = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    out, err = _Stream(), _Stream()
    os.environ.clear()
    os.environ.update(env)
    time.tzset()  # the command's TZ, as a process started with it has (local times in output and the database)
    os.chdir(cwd)
    sys.argv = [program, *args]
    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode()), encoding="utf-8")  # `resources import -` reads its bytes
    sys.stdin, sys.stdout, sys.stderr = stdin, out, err
    try:
        launch.main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message"): the message on stderr, exit 1, as the interpreter does
            print(exc.code, file=sys.stderr)
            code = 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for signum, handler in saved_signals.items():
            signal.signal(signum, handler)
        i18n.set_language(i18n.ENGLISH)  # and LANGUAGE, which set_language put in os.environ
        os.environ.clear()
        os.environ.update(saved_env)
        time.tzset()
    return subprocess.CompletedProcess([program, *args], code, out.text(), err.text())
