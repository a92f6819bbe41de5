"""Settings: flags, then the environment, then a .env file (which never overrides the environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.redact import masked_url, redact

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

DEFAULT_MYSQL_PORT = 3306
DEFAULT_MYSQL_DATABASE = "pan_library"


@dataclass(frozen=True)
class Settings:
    cookie: str | None
    database_url: URL
    default_sqlite: bool  # the embedded default: create everything on first use
    api_base: str | None
    db_timeout: float = 60.0  # DB_TIMEOUT / --db-timeout, seconds (dbretry.DEFAULT_DB_TIMEOUT)
    # QUARKCTL_API_BASE_<KEY> of the environment and the .env file, by KEY: every job hands them to its drives
    # (providers/base.py DriveSetup.api_bases), so a .env setting reaches check-links as it reaches probe
    api_bases: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def database_label(self) -> str:
        """The URL without its password, for messages."""
        return self.database_url.render_as_string(hide_password=True)


def read_environment(env_file: Path | None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The real environment over the .env file (given, or ./.env when present)."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    if env_file is not None and not env_file.is_file():
        raise ConfigError(_("--env-file: no such file: {path}").format(path=env_file))
    path = env_file or Path.cwd() / ".env"
    if path.is_file():
        from dotenv import dotenv_values  # only when there is a file to read

        try:
            loaded = dotenv_values(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(_("--env-file: cannot read {path}: {error}").format(path=path, error=exc)) from None
        values.update({k: v for k, v in loaded.items() if v is not None})
    values.update(environ)
    return values


def systemd_state_dir(env: Mapping[str, str]) -> Path | None:
    """The folder systemd made for `StateDirectory=quarkctl` (the first, if several are listed)."""
    raw = env.get("STATE_DIRECTORY", "").split(":")[0].strip()
    return Path(raw) if raw else None


def _own_dir(env: Mapping[str, str], xdg_var: str, default: tuple[str, ...]) -> Path:
    # Under systemd the unit's StateDirectory is the one place it may write, so everything lives there.
    systemd_dir = systemd_state_dir(env)
    if systemd_dir is not None:
        return systemd_dir
    return Path(env.get(xdg_var) or Path.home().joinpath(*default)) / "quarkctl"


def data_dir(env: Mapping[str, str]) -> Path:
    """The database's folder: XDG_DATA_HOME/quarkctl (~/.local/share/quarkctl)."""
    return _own_dir(env, "XDG_DATA_HOME", (".local", "share"))


def state_dir(env: Mapping[str, str]) -> Path:
    """Locks and state: XDG_STATE_HOME/quarkctl (~/.local/state/quarkctl)."""
    return _own_dir(env, "XDG_STATE_HOME", (".local", "state"))


def database_url(env: Mapping[str, str]) -> tuple[URL, bool]:
    """DATABASE_URL, else the DB_* variables (MySQL), else the embedded SQLite file."""
    from sqlalchemy.engine import URL, make_url  # SQLAlchemy only once a command needs the database
    from sqlalchemy.exc import ArgumentError

    raw = env.get("DATABASE_URL", "").strip()
    if raw:
        scheme, _sep, rest = raw.partition("://")
        # the user and password: before the last @ ahead of the query (a file path of SQLite has none)
        userinfo = "" if scheme.startswith("sqlite") else rest.partition("?")[0].rpartition("@")[0]
        redact.add(userinfo)
        redact.add(userinfo.partition(":")[2])
        if "@" in userinfo:  # `user:p@ss@host`: the URL would show the password's tail as the host
            raise ConfigError(_("DATABASE_URL: the password holds a raw @; write it percent-encoded (@ as %40, : as %3A, "
                                "/ as %2F, % as %25), or set DB_PASSWORD instead, which needs no encoding"))
        try:
            url = make_url(raw)
        except (ArgumentError, ValueError):
            raise ConfigError(_("DATABASE_URL: not a valid database URL (e.g. mysql+pymysql://user:pass@host/db)")) from None
        redact.add(url.password if isinstance(url.password, str) else None)
        if url.drivername in ("mysql", "mariadb") and find_spec("MySQLdb") is None:
            raise ConfigError(_("DATABASE_URL: {scheme}:// needs a driver quarkctl does not install; write "
                                "mysql+pymysql:// instead").format(scheme=url.drivername))
        return url, False
    host = env.get("DB_HOST", "").strip()
    if host:
        password = env.get("DB_PASSWORD") or None
        redact.add(password)
        port_text = env.get("DB_PORT", "").strip() or str(DEFAULT_MYSQL_PORT)
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(_("DB_PORT: must be a port number, got {value!r}").format(value=port_text))
        url = URL.create(
            "mysql+pymysql",
            username=env.get("DB_USERNAME") or None,
            password=password,
            host=host,
            port=int(port_text),
            database=env.get("DB_DATABASE", "").strip() or DEFAULT_MYSQL_DATABASE,
            query={"charset": "utf8mb4"},
        )
        return url, False
    path = data_dir(env) / "quarkctl.db"
    return URL.create("sqlite", database=str(path)), True


def api_base(env: Mapping[str, str]) -> str | None:
    raw = env.get("QUARK_API_BASE", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(_("QUARK_API_BASE: must be scheme and host only, like http://127.0.0.1:8080, got {value!r}").format(value=raw))
    return f"{parts.scheme}://{parts.netloc}"


DRIVE_BASE_PREFIX = "QUARKCTL_API_BASE_"  # providers/web.py ENV_PREFIX: the light side of it


def drive_api_bases(env: Mapping[str, str]) -> dict[str, str]:
    """Each other drive's API base (QUARKCTL_API_BASE_<KEY>) by KEY, as providers/web.py api_base reads them."""
    return {name[len(DRIVE_BASE_PREFIX):]: value for name, value in env.items() if name.startswith(DRIVE_BASE_PREFIX)}


def db_timeout(env: Mapping[str, str]) -> float:
    """DB_TIMEOUT: seconds a database may take to answer (connect, read, write; SQLite's busy wait)."""
    from quarkctl.db.retry import DEFAULT_DB_TIMEOUT

    raw = env.get("DB_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_DB_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:  # nan fails this too
        raise ConfigError(_("DB_TIMEOUT: must be a number of seconds above 0 and at most 86400 (a day), got {value!r}").format(value=raw))
    return value


def load(env: Mapping[str, str], *, need_cookie: bool) -> Settings:
    cookie = (env.get("QUARK_COOKIE") or "").strip() or None
    redact.add_cookie(cookie)
    if need_cookie and cookie is None:
        raise ConfigError(_("QUARK_COOKIE is not set: put your pan.quark.cn cookie in the environment or .env, or use --anonymous"))
    url, default_sqlite = database_url(env)
    return Settings(cookie=cookie, database_url=url, default_sqlite=default_sqlite, api_base=api_base(env), db_timeout=db_timeout(env),
                    api_bases=drive_api_bases(env))


@dataclass(frozen=True)
class PanSouSettings:
    """Where the search service is (issue 25) and how to sign in to it; `origin` names the setting it came
    from, for messages ("PANSOU_URL", or the config's "source.pansou.server")."""

    url: str
    username: str | None
    password: str | None
    origin: str


def _pansou_url(raw: str, origin: str) -> str:
    parts = urlsplit(raw)
    if "@" in parts.netloc:
        userinfo = parts.netloc.rpartition("@")[0]
        redact.add(userinfo)
        redact.add(userinfo.partition(":")[2])
        raise ConfigError(_("{setting}: put the user and password in PANSOU_USERNAME and PANSOU_PASSWORD, not in the URL")
                          .format(setting=origin))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(_("{setting}: must be PanSou's address, like http://127.0.0.1:8888 (a path prefix is allowed), got {value!r}")
                          .format(setting=origin, value=masked_url(raw)))  # a ?token= never shown (redact.py)
    return raw.rstrip("/")  # a trailing slash would make //api/search (search-api.md section 2.1)


def _pansou_block(autosave_config: Any) -> dict[str, Any] | None:
    """The autosave config's `source.pansou` ({"server", "username"?, "password"?}, the reference WebUI's
    keys, search-api.md section 3.3), or None when it has none or its `enable` is false."""
    data = getattr(autosave_config, "data", autosave_config)
    source = data.get("source") if isinstance(data, Mapping) else None
    block = source.get("pansou") if isinstance(source, Mapping) else None
    if block is None:
        return None
    if not isinstance(block, Mapping):
        raise ConfigError(_("source.pansou: must be an object like {{\"server\": \"http://127.0.0.1:8888\"}}"))
    if block.get("enable") is False:
        return None
    return dict(block)


def pansou_settings(env: Mapping[str, str], autosave_config: Any = None) -> PanSouSettings | None:
    """PANSOU_URL (with PANSOU_USERNAME and PANSOU_PASSWORD), else the autosave config's `source.pansou`
    block (an AutosaveConfig, or its parsed JSON); None when neither names a server. PANSOU_USERNAME and
    PANSOU_PASSWORD also sign in to the config's server: the secrets may live in .env, the address in the
    config both jobs read. The config's own user and password go only to the config's own server."""
    url = env.get("PANSOU_URL", "").strip()
    username, password = env.get("PANSOU_USERNAME", "").strip(), env.get("PANSOU_PASSWORD", "")
    redact.add(password)
    origin = "PANSOU_URL"
    if not url:
        block = _pansou_block(autosave_config)
        server = block.get("server") if block is not None else None
        if block is None or not isinstance(server, str) or not server.strip():
            return None
        url, origin = server.strip(), "source.pansou.server"
        if not username and not password:
            username, password = (str(v) if isinstance(v, str) else "" for v in (block.get("username"), block.get("password")))
            username = username.strip()
            redact.add(password)
    if bool(username) != bool(password):
        raise ConfigError(_("PanSou's sign-in needs both a user and a password (PANSOU_USERNAME and PANSOU_PASSWORD, "
                            "or source.pansou's username and password); only one is set"))
    return PanSouSettings(_pansou_url(url, origin), username or None, password or None, origin)
