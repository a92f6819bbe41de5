"""Shared fixtures: a real simulator on loopback, real databases (SQLite, MariaDB), the installed CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import URL, make_url

from quarkctl.reports.check import LinkOutcome, Listener
from quarkctl.db.database import Database
from quarkctl.db.schema import cloud_resource, metadata
from quarkctl.simulator import Share, Simulator
from quarkctl.simulator.pansou_server import FakePanSou

MYSQL_ENV = "QUARKCTL_TEST_MYSQL_URL"
# The simulator is on loopback: a proxy from the environment must never sit in between.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"
# check-links opens every drive (issue 24): a test never reaches a real drive. Each drive's endpoints go to a
# closed loopback port (connection refused: `error`) unless the test points them at the drives simulator.
NO_DRIVE = "http://127.0.0.1:9"
DRIVE_KEYS = ("UC", "BAIDU", "ALIYUN", "123", "TIANYI", "MOBILE", "115", "XUNLEI")
for _key in DRIVE_KEYS:
    os.environ[f"QUARKCTL_API_BASE_{_key}"] = NO_DRIVE
COOKIE = "__uid=sim-user-1; __puus=Sup3rSecretPuusValue; kps=kpsSecretValue42"
COOKIE_SECRETS = ("Sup3rSecretPuusValue", "kpsSecretValue42")
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)

# The fuzz tests' budgets (tests/unit/**/test_fuzz_*.py). "ci", the default, keeps each property to a
# few seconds on a shared 2-core box and writes no example database; "dev" and "thorough" search
# longer and keep failing examples in .hypothesis/. Pick one with --hypothesis-profile=dev or
# QUARKCTL_HYPOTHESIS_PROFILE=thorough (the command-line option wins).
hypothesis.settings.register_profile(
    # derandomize: the same examples on every CI run, so a submission never fails on an unlucky draw;
    # "dev" and "thorough" draw anew each run and look much further.
    "ci", max_examples=60, deadline=None, database=None, print_blob=True, derandomize=True,
    suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.data_too_large],
)
hypothesis.settings.register_profile("dev", max_examples=1000, deadline=None,
                                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.register_profile("thorough", max_examples=20000, deadline=None,
                                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile(os.environ.get("QUARKCTL_HYPOTHESIS_PROFILE", "ci"))


class Recorder(Listener):
    """A check-links listener that keeps what the run told it."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.outcomes: list[LinkOutcome] = []
        self.waits: list[tuple[str, float]] = []
        self.retried: list[tuple[object, object]] = []  # (row, cause) of each wait

    def started(self, total: int, *, database: str = "", job: str = "check-links") -> None:
        self.total = total
        self.database = database

    def waiting(self, seconds: float, kind: str, cause=None, *, row=None, account=False) -> None:
        self.waits.append((kind, seconds))
        self.retried.append((row, cause))

    def link_done(self, outcome: LinkOutcome) -> None:
        self.outcomes.append(outcome)


class Clock:
    """An injected clock that moves `step` each time it is read."""

    def __init__(self, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = NOW
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def share_url(pwd_id: str, passcode: str | None = None) -> str:
    return f"https://pan.quark.cn/s/{pwd_id}" + (f"?pwd={passcode}" if passcode else "")


def pwd(n: int, prefix: str = "a") -> str:
    """A 12-char pwd_id like Quark's."""
    return f"{prefix}{n:011x}"[:12]


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`python -m pytest` imports quarkctl from the checkout, which has only the .po files: pip compiled
    the .mo files into the installed copy (the one the `quarkctl` command runs). Compile them for the
    in-process code too, into a folder of this session's, as an editable install does into the tree."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from quarkctl import i18n

    if all((i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo").is_file() for lang in i18n.LANGUAGES):
        return
    target = tmp_path_factory.mktemp("locale")
    for po in i18n.LOCALE_DIR.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"):
        mo = target / po.relative_to(i18n.LOCALE_DIR).with_suffix(".mo")
        mo.parent.mkdir(parents=True)
        with po.open("rb") as source, mo.open("wb") as out:
            write_mo(out, read_po(source))
    i18n.LOCALE_DIR = target


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process code that looks at ~ or the XDG folders sees this test's own (tests run in parallel)."""
    home = tmp_path / "inproc-home"
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"), ("XDG_CONFIG_HOME", "config")):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(cookies=[COOKIE]) as simulator:
        yield simulator


@pytest.fixture
def pansou() -> Iterator[FakePanSou]:
    """A fake PanSou on loopback, its own port (quarkctl/simulator/pansou_server.py): `pansou.add(keyword,
    url=..., note=..., password=..., datetime=...)` scripts what a keyword finds; its links may point at `sim`'s shares."""
    with FakePanSou() as fake:
        yield fake


def add_valid(sim: Simulator, pwd_id: str, **kwargs: Any) -> Share:
    return sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, files=[{"name": "e01.mp4", "size": 1024}], **kwargs))


@dataclass
class ResourceDB:
    url: URL
    kind: str

    @property
    def url_text(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def engine(self):
        return create_engine(self.url)

    def database(self) -> Database:
        return Database(self.url)

    def create_schema(self) -> None:
        engine = self.engine()
        metadata.create_all(engine)
        engine.dispose()

    def seed(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert cloud_resource rows (drive_type quark, is_expired 0 unless given); returns their ids."""
        engine = self.engine()
        ids = []
        with engine.begin() as conn:
            for row in rows:
                values = {"drive_type": "quark", "is_expired": 0, **row}
                ids.append(conn.execute(insert(cloud_resource).values(**values)).inserted_primary_key[0])
        engine.dispose()
        return ids

    def rows(self) -> dict[int, Any]:
        engine = self.engine()
        with engine.connect() as conn:
            result = {r.id: r for r in conn.execute(select(cloud_resource).order_by(cloud_resource.c.id))}
        engine.dispose()
        return result

    def scalar(self, sql: str) -> Any:
        engine = self.engine()
        with engine.connect() as conn:
            value = conn.execute(text(sql)).scalar()
        engine.dispose()
        return value


def _mysql_db() -> Iterator[ResourceDB]:
    raw = os.environ.get(MYSQL_ENV)
    if not raw:
        pytest.skip(f"{MYSQL_ENV} is not set: MariaDB tests run in CI (bash .ci/run sets it up)")
    base = make_url(raw)
    name = f"quarkctl_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield ResourceDB(base.set(database=name), "mysql")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "mysql"])
def testdb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ResourceDB]:
    """An empty database of each kind (no tables)."""
    if request.param == "sqlite":
        path = tmp_path / "resources.db"
        path.touch()
        yield ResourceDB(URL.create("sqlite", database=str(path)), "sqlite")
    else:
        yield from _mysql_db()


@pytest.fixture
def mysqldb() -> Iterator[ResourceDB]:
    yield from _mysql_db()


@pytest.fixture
def sqlitedb(tmp_path: Path) -> ResourceDB:
    path = tmp_path / "resources.db"
    path.touch()
    return ResourceDB(URL.create("sqlite", database=str(path)), "sqlite")


# The script installed beside this Python, not a shim on PATH (pyenv's is a shell script: ~0.1 s a run).
_BESIDE = Path(sys.executable).parent / "quarkctl"
QUARKCTL = str(_BESIDE) if _BESIDE.is_file() else shutil.which("quarkctl")


def run_checks(db: "ResourceDB", sim: Simulator, recorder: Recorder | None = None, *, clock: Any = None,
               sleep: Any = None, **options: Any) -> tuple:
    """An in-process check-links run over `db` against `sim`: no pacing, no backoff, an injected clock
    and sleeper, seeded workers. Returns (report, recorder)."""
    import random

    from quarkctl.checker.options import CheckOptions
    from quarkctl.checker.run import run_check
    from quarkctl.runtime.pacing import PacingPolicy
    from quarkctl.quark.client import QuarkClient

    options.setdefault("pacing", PacingPolicy.off())
    options.setdefault("backoff", 0.0)
    recorder = recorder or Recorder()
    database = db.database()
    try:
        report = run_check(
            database,
            lambda: QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5),
            CheckOptions(**options),
            recorder,
            clock=clock or Clock(),
            sleep=sleep or (lambda s: True),
            rng_for_worker=lambda n: random.Random(n),
        )
    finally:
        database.close()
    return report, recorder


@dataclass
class Cli:
    """Runs the installed `quarkctl` as a subprocess, with its own XDG folders and the simulator as Quark."""

    home: Path
    env: dict[str, str]

    def run(self, *args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [QUARKCTL, *args], env={**self.env, **(env or {})}, cwd=self.home, capture_output=True, text=True, timeout=timeout,
            input=input,
        )

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [QUARKCTL, *args], env={**self.env, **(env or {})}, cwd=self.home,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )


    def on_terminal(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        """Run with stdout and stderr on a pseudo-terminal, as a person at a shell sees it: (exit code, screen)."""
        from helpers.terminal import on_pty

        return on_pty([QUARKCTL, *args], {**self.env, **(env or {})}, self.home)


@dataclass
class InProcessCli(Cli):
    """`Cli` whose `run` calls the command in this process (tests/helpers/inprocess.py): the same
    arguments, environment, folder and result, without the interpreter's start-up. `popen` and
    `on_terminal` still start the installed command."""

    def run(self, *args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        from helpers import inprocess

        return inprocess.run(QUARKCTL or "quarkctl", args, env={**self.env, **(env or {})}, cwd=self.home, input=input)


@pytest.fixture
def cli(tmp_path: Path, sim: Simulator) -> Cli:
    """The installed `quarkctl` as a subprocess (tests/unit/conftest.py makes it in-process under tests/unit/)."""
    return make_cli(tmp_path, sim, Cli)


def make_cli(tmp_path: Path, sim: Simulator, kind: type[Cli]) -> Cli:
    if QUARKCTL is None:
        pytest.fail("the quarkctl command is not installed: pip install '.[test]'")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("QUARK", "DB_", "DATABASE_URL", "XDG_", "NO_COLOR", "LC_", "LANG"))
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        QUARK_API_BASE=sim.base_url,
        QUARK_COOKIE=COOKIE,
        **{f"QUARKCTL_API_BASE_{key}": NO_DRIVE for key in DRIVE_KEYS},
        LANG="C.UTF-8",
        PYTHONIOENCODING="utf-8",
    )
    return kind(home, env)


def on_database(cli: Cli, db: ResourceDB) -> ResourceDB:
    """Point `cli` at `db`, with the schema created."""
    db.create_schema()
    cli.env["DATABASE_URL"] = db.url_text
    return db


@pytest.fixture
def sqlite_cli(cli: Cli, sqlitedb: ResourceDB) -> Cli:
    """`cli` on a SQLite database with the schema, reachable as `cli.db`."""
    cli.db = on_database(cli, sqlitedb)  # type: ignore[attr-defined]
    return cli


@pytest.fixture
def db(testdb: ResourceDB, cli: Cli) -> ResourceDB:
    """`cli` on a database of each kind, with the schema."""
    return on_database(cli, testdb)


@pytest.fixture
def sqlite_only(sqlitedb: ResourceDB, cli: Cli) -> ResourceDB:
    """For what does not depend on the database (parsing, output): one run is enough."""
    return on_database(cli, sqlitedb)


@pytest.fixture
def ops(cli: Cli) -> Cli:
    """`cli` as the operations tests want it: no systemd or config-home variables, Beijing time."""
    for name in ("STATE_DIRECTORY", "INVOCATION_ID", "TZ", "XDG_CONFIG_HOME"):
        cli.env.pop(name, None)
    cli.env["TZ"] = "Asia/Shanghai"
    return cli


@pytest.fixture
def sdb(sqlitedb: ResourceDB, ops: Cli) -> ResourceDB:
    """SQLite only: for tests whose SQL is the same on both (the MySQL side runs in the others)."""
    return on_database(ops, sqlitedb)


@pytest.fixture
def owner(cli: Cli, testdb: ResourceDB, sim: Simulator) -> Cli:
    """`cli` on a database of each kind, its account's drive holding the folders the re-share tests share."""
    cli.db = on_database(cli, testdb)  # type: ignore[attr-defined]
    drive = sim.drive()
    drive.put_file("/追更/剧集A/e01.mp4")
    drive.put_file("/追更/剧集B/e01.mp4")
    drive.put_file("/多项/a.mp4")
    drive.put_file("/多项/b.mp4")
    return cli
