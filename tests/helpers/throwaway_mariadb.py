"""A MariaDB server of the test's own (own data directory, port and socket), to kill, freeze and restart.

The shared server on 3306 serves every other test and engineer: fault tests never touch it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from sqlalchemy.engine import URL

USER, PASSWORD = "faults", "FaultTestPw-8817"  # a test account; the password must never be printed


def server_binary() -> str | None:
    for name in ("mariadbd", "mysqld"):
        found = shutil.which(name) or (f"/usr/sbin/{name}" if os.access(f"/usr/sbin/{name}", os.X_OK) else None)
        if found:
            return found
    return None


def install_binary() -> str | None:
    return shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _client() -> str:
    return shutil.which("mariadb") or shutil.which("mysql") or "mariadb"


class ThrowawayMariaDB:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.datadir = root / "data"
        self.sock = root / "mysqld.sock"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._as_root = ["--user=root"] if os.geteuid() == 0 else []

    def install(self) -> None:
        subprocess.run([install_binary() or "mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}",
                        "--auth-root-authentication-method=normal", "--skip-test-db", *self._as_root],
                       check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        log = open(self.root / "error.log", "ab")  # noqa: SIM115 - the server keeps it
        self.proc = subprocess.Popen(
            [server_binary() or "mariadbd", "--no-defaults", *self._as_root, f"--datadir={self.datadir}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.sock}",
             f"--pid-file={self.root / 'mysqld.pid'}", "--innodb-buffer-pool-size=16M", "--skip-log-bin",
             "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        self.wait_ready()

    def answers(self) -> bool:
        return subprocess.run([_client(), "--no-defaults", "-uroot", f"--socket={self.sock}", "--connect-timeout=1",
                               "-e", "SELECT 1"], capture_output=True, timeout=10).returncode == 0

    def wait_ready(self, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while not self.answers():
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {(self.root / 'error.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("mariadbd did not answer in time")
            time.sleep(0.1)  # polling a condition with a deadline, not a fixed wait

    def sql(self, statement: str) -> None:
        subprocess.run([_client(), "--no-defaults", "-uroot", f"--socket={self.sock}", "-e", statement],
                       check=True, capture_output=True, timeout=30)

    def database(self, name: str) -> URL:
        self.sql(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
                 f"CREATE USER IF NOT EXISTS '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'; "
                 f"GRANT ALL ON `{name}`.* TO '{USER}'@'127.0.0.1';")
        return URL.create("mysql+pymysql", username=USER, password=PASSWORD, host="127.0.0.1", port=self.port,
                          database=name, query={"charset": "utf8mb4"})

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc = None

    def freeze(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None:
            self.thaw()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
            self.proc = None
