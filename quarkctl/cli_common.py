"""What every command module shares: option declarations, error handling, settings, signals."""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from quarkctl import settings
from quarkctl.errors import ExitCode, QuarkctlError
from quarkctl.i18n import _
from quarkctl.pacing import StopSignal
from quarkctl.redact import redact

# Options shared by several commands, declared once.
EnvFile = Annotated[Optional[Path], typer.Option("--env-file", help="Read settings from this .env file (default: ./.env if present). Real environment variables win.", dir_okay=False)]
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", help="SQLAlchemy URL; overrides DATABASE_URL and DB_*. Prefer the environment for passwords.")]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> None:
    typer.echo(redact(_("Error: {message}").format(message=message)), err=True)
    raise typer.Exit(code)


def errors_to_exit_codes(func: F) -> F:
    """Our errors become one line on stderr and their exit code; a bug becomes one line and exit 70."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QuarkctlError as exc:
            fail(str(exc), int(exc.exit_code))
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if os.environ.get("QUARKCTL_DEBUG"):
                raise
            fail(_("internal error: {error}; run with QUARKCTL_DEBUG=1 for the traceback").format(error=f"{type(exc).__name__}: {exc}"), ExitCode.INTERNAL)

    return wrapper  # type: ignore[return-value]


def environment(env_file: Optional[Path], **flags: Optional[str]) -> dict[str, str]:
    env = settings.read_environment(env_file)
    env.update({name: value for name, value in flags.items() if value})
    return env


def install_signal_handlers(stop: StopSignal) -> None:
    def handler(signum: int, frame: object) -> None:
        stop.set(signum)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
