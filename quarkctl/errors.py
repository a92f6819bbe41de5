"""Exit codes and the exceptions that carry them to the command line."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    LINK_ERRORS = 1  # finished, but some links could not be checked
    USAGE = 2  # bad option, bad setting, database unreachable
    AUTH = 3  # Quark rejected the cookie
    ABORTED = 4  # circuit breaker: Quark or the network kept failing
    DB_LOST = 5  # the database stopped answering during the run (DB_TIMEOUT passed)
    CONFIG_UNSAVED = 6  # autosave finished, but its config could not be written back (bans, fids)
    SEARCH = 7  # the search service (PanSou) could not be reached or refused quarkctl (resources acquire)
    INTERNAL = 70  # a bug in quarkctl (EX_SOFTWARE)
    LOCKED = 75  # another run holds the lock (EX_TEMPFAIL)
    SIGINT = 130
    SIGTERM = 143

    @classmethod
    def for_signal(cls, signum: int | None) -> ExitCode:
        """130 for SIGINT, 143 for SIGTERM (and any other stop signal)."""
        return cls.SIGINT if signum == 2 else cls.SIGTERM


class QuarkctlError(Exception):
    """An error the user can act on: one line, one exit code, no traceback."""

    exit_code = ExitCode.USAGE


class ConfigError(QuarkctlError):
    """A setting is missing or wrong; the message names the setting."""


class DatabaseError(QuarkctlError):
    """The database could not be reached or used."""


class DatabaseLost(DatabaseError):
    """The database stopped answering mid-run for longer than DB_TIMEOUT (a start-up failure is a DatabaseError)."""

    exit_code = ExitCode.DB_LOST


class AuthError(QuarkctlError):
    exit_code = ExitCode.AUTH


class LockedError(QuarkctlError):
    exit_code = ExitCode.LOCKED


class Interrupted(QuarkctlError):
    """SIGINT or SIGTERM before the run proper started."""

    def __init__(self, message: str, signum: int | None) -> None:
        super().__init__(message)
        self.exit_code = ExitCode.for_signal(signum)


def error(message: str, code: int) -> int:
    """An error as one line on stderr; returns its exit code."""
    import click  # loaded with the command line already

    from quarkctl.redact import redact
    from quarkctl.safe_text import printable_lines

    # "Error: " is a prefix for log filters and scripts, like the level of a plain line: never translated.
    click.echo(printable_lines(redact(f"Error: {message}")), err=True)
    return code
