"""Starting the command: choose the language first, then load the command line.

Help texts are translated when the command modules are imported, so the language has to be known
before `quarkctl.cli` is imported. This module stays light (no typer, no SQLAlchemy, no dotenv
unless a .env file is there): `quarkctl --version` is answered here, before the command line loads.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import TYPE_CHECKING

from quarkctl import i18n

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


def option_value(argv: Sequence[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` (the last one wins, as in click), before any `--`."""
    value = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1:]
    return value


def without_option(argv: Sequence[str], name: str) -> list[str]:
    """argv without `--name VALUE` / `--name=VALUE` (before any `--`): launch has read it, wherever it stood."""
    out: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            return out + list(argv[i:])
        if arg == name and i + 1 < len(argv):
            skip = True
            continue
        if arg.startswith(name + "="):
            continue
        out.append(arg)
    return out


def dotenv_settings(argv: Sequence[str]) -> dict[str, str]:
    """QUARKCTL_LANG may sit in the .env file with the other settings; a broken file is reported later."""
    path = option_value(argv, "--env-file") or ".env"
    if not os.path.isfile(path):
        return {}
    from dotenv import dotenv_values  # only when there is a file to read

    try:
        return {k: v for k, v in dotenv_values(path).items() if v is not None}
    except (OSError, UnicodeDecodeError):
        return {}


def language(argv: Sequence[str], environ: dict[str, str] | None = None) -> tuple[str, str | None]:
    environ = dict(os.environ) if environ is None else environ
    return i18n.choose(option_value(argv, "--lang"), environ, dotenv_settings(argv))


def main() -> None:
    # At exit the interpreter's last garbage collection walks every object SQLAlchemy, typer and rich
    # made, only to free memory the system frees anyway: 100-150 ms of every `resources list` here
    # (bench/startup.py). Frozen, they are left to the system. Objects are still released as their
    # last reference goes (files flushed and closed); only garbage in reference cycles is not
    # finalized, which Python never promises at exit. atexit runs handlers last-in first-out: this
    # one, registered first, runs after every other (logging's flush, our locks).
    atexit.register(gc.freeze)
    argv = sys.argv[1:]
    try:
        lang, ignored = language(argv)
    except i18n.UnknownLanguage as exc:
        from quarkctl.errors import ExitCode

        # English: no language could be chosen. The one line names the choices.
        print(f"Error: --lang {exc}: no such language; quarkctl speaks {', '.join(i18n.LANGUAGES)}", file=sys.stderr)
        sys.exit(ExitCode.USAGE)
    if ignored:
        print(f"warning: QUARKCTL_LANG={ignored}: no such language, using English; quarkctl speaks {', '.join(i18n.LANGUAGES)}",
              file=sys.stderr)
    args = without_option(argv, "--lang")
    if args == ["--version"]:
        # What the root option --version prints (cli.py), untranslated, without loading the command line.
        from quarkctl import __version__

        print(f"quarkctl {__version__}")
        sys.exit(0)
    help_page = None
    if "--help" in argv:  # hashlib and the rest only for a help page
        from quarkctl import helpcache

        # Before set_language, which changes the environment the key is made of.
        help_page = helpcache.page_for(argv, os.environ)
        if help_page is not None and helpcache.replay(help_page, os.environ):
            sys.exit(0)
    i18n.set_language(lang)
    import typer.main  # noqa: PLC0415 - after the language: typer translates its headings at import

    from quarkctl import cli  # noqa: PLC0415 - after the language, see the module docstring
    from quarkctl.commands import typer_startup

    typer_startup.install()  # no pydantic for unset options, no markdown for help pages
    # `quarkctl resources list` needs the resources commands only: the others are neither imported nor built.
    subcommand = args[1] if len(args) > 1 and not args[1].startswith("-") else None
    command = typer.main.get_command(cli.make_app(args[0] if args else None, subcommand))
    if lang != i18n.ENGLISH:  # English is what typer already says; walking the tree costs every start
        translate_help_options(command)
    # --lang is taken out: it was read above, so `quarkctl check-links --lang zh_CN` works as well as `quarkctl --lang ...`.
    if help_page is None:
        sys.exit(raw_main(command, args))
    with helpcache.recording(help_page, os.environ):
        sys.exit(raw_main(command, args))


def raw_main(command: Any, args: list[str]) -> int:
    """The one place errors become exit codes (httpie's raw_main).

    click keeps its own: usage errors (exit 2 with click's message), Abort, Exit and a broken pipe.
    Our errors are one line on stderr and their exit code; a bug is one line and exit 70, or its
    traceback with QUARKCTL_DEBUG set.
    """
    from quarkctl.commands.run import json_errors
    from quarkctl.errors import ExitCode, QuarkctlError, error

    json_errors(None)  # one command line, one answer: nothing of an earlier in-process call carries over
    try:
        # Not standalone: click's usage errors come here, to be printed as quarkctl's (commands/usage.py),
        # not in typer's rich box. typer.Exit and --help return their exit code.
        code = command.main(args=args, prog_name="quarkctl", standalone_mode=False)
    except QuarkctlError as exc:
        return error(str(exc), int(exc.exit_code))
    except Exception as exc:
        if (code := _click_error(exc, args)) is not None:
            return code  # noqa: BLE001 - the last line of defence
        if os.environ.get("QUARKCTL_DEBUG"):
            raise
        return error(i18n._("internal error: {error}; run with QUARKCTL_DEBUG=1 for the traceback").format(
            error=f"{type(exc).__name__}: {exc}"), ExitCode.INTERNAL)
    return code if isinstance(code, int) and not isinstance(code, bool) else ExitCode.OK


def _click_error(exc: Exception, args: list[str]) -> int | None:
    """click's exceptions as the standalone mode would end them, in quarkctl's words; None for any other."""
    from typer._click import exceptions

    if isinstance(exc, exceptions.NoArgsIsHelpError):  # `quarkctl db`: the group's help page, exit 2 as click does
        print(exc.format_message())
        return int(exc.exit_code)
    if isinstance(exc, exceptions.UsageError):
        from quarkctl.commands import usage

        return usage.report(exc, args)
    if isinstance(exc, exceptions.ClickException):  # a file option's file cannot be opened...
        from quarkctl.errors import error

        return error(exc.format_message(), int(exc.exit_code))
    from typer import Abort  # typer's own, public: typer 0.29's click copy has none (its core raises this one)

    if isinstance(exc, Abort):
        from quarkctl.errors import error

        return error(i18n._("Aborted!"), 1)
    return None


def translate_help_options(command: Any) -> None:
    """The --help option's own line, on every help page, and the root's shell-completion options.

    typer (0.29) words it in English outside gettext; the option object is made once per command
    and kept, so setting its help here is enough. Where it is not kept, click translates it itself.
    """
    stack = [command]
    while stack:
        current = stack.pop()
        option = current.get_help_option(current.context_class(current))
        if option is not None:
            option.help = i18n._("Show this message and exit.")
        stack.extend(getattr(current, "commands", {}).values())
    # typer's shell-completion options (on the root only) are worded outside gettext too.
    completion_help = {"--install-completion": i18n._("Install completion for the current shell."),
                       "--show-completion": i18n._("Show completion for the current shell, to copy it or customize the installation.")}
    for param in command.params:
        if param.opts and param.opts[0] in completion_help:
            param.help = completion_help[param.opts[0]]
