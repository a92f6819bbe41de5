"""Usage errors (a bad option value, an unknown option, a missing argument) as quarkctl's one style.

typer prints them in a rich box with click's and pydantic's English, whatever the language. quarkctl
prints `Error: ...` (the prefix is never translated, as errors.error() says), the message in the
user's language built from the exception's fields (the option and the bad value; click's "possible
options" kept as "did you mean"), one line how to get help, and exits 2. Under --json the command's
stdout is also the one JSON object every other error gives (commands/run.py).
"""

from __future__ import annotations

import difflib
from typing import Any

from quarkctl.commands.helppage import choices, label, number
from quarkctl.errors import ExitCode, error
from quarkctl.i18n import _, listing

# The job name --json reports for a command (commands/check.py, autosave.py, resources/reshare.py);
# any other command is named by its words after `quarkctl`.
JOBS = {"resources reshare": "reshare", "resources revive": "check-links"}


def _name(param: Any) -> str:
    if param is None:
        return "?"
    if param.param_type_name == "argument":
        return label(param)
    longs = [o for o in param.opts if o.startswith("--")]
    return (longs or param.opts)[0]


def _pydantic(exc: BaseException) -> dict[str, Any] | None:
    """The first error of the pydantic ValidationError behind typer's BadParameter, if there is one."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    try:
        found = errors()
    except Exception:  # noqa: BLE001 - only a better wording is lost
        return None
    return found[0] if found else None


def _value_message(exc: Any) -> str:
    param = getattr(exc, "param", None)
    option = _name(param)
    detail = _pydantic(exc)
    if detail is None:
        return _("{option}: {message}").format(option=option, message=exc.message)
    kind, value, limits = detail.get("type", ""), detail.get("input"), detail.get("ctx") or {}
    if values := choices(param):
        return _("{option}: {value!r} is not one of {choices}").format(option=option, value=value, choices=listing(values))
    if kind.startswith("int_"):
        return _("{option}: {value!r} is not a whole number").format(option=option, value=value)
    if kind.startswith("float_") or kind == "finite_number":
        return _("{option}: {value!r} is not a number").format(option=option, value=value)
    if kind in ("greater_than_equal", "greater_than"):
        low = number(limits.get("ge", limits.get("gt")))
        return _("{option}: {value} is too small; the least is {low}").format(option=option, value=value, low=low)
    if kind in ("less_than_equal", "less_than"):
        high = number(limits.get("le", limits.get("lt")))
        return _("{option}: {value} is too large; the most is {high}").format(option=option, value=value, high=high)
    return _("{option}: {value!r}: {message}").format(option=option, value=value, message=detail.get("msg", exc.message))


def message(exc: Any) -> str:
    """The error in the user's words, from the exception's fields; click's own text as the last resort."""
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        text = _("no such option: {option}").format(option=exc.option_name)
        if exc.possibilities:
            text += _("; did you mean {options}?").format(options=listing(sorted(exc.possibilities)))
        return text
    if kind == "MissingParameter":
        param = exc.param
        if param is not None and param.param_type_name == "argument":
            return _("missing argument {name}").format(name=_name(param))
        return _("missing option {name}").format(name=_name(param))
    if kind == "BadParameter":
        return _value_message(exc)
    if kind == "BadOptionUsage":
        if "requires" in exc.message:  # parser.py: "Option '--x' requires an argument."
            return _("{option} needs a value").format(option=exc.option_name)
        if "does not take a value" in exc.message:
            return _("{option} takes no value").format(option=exc.option_name)
    text = str(getattr(exc, "message", exc))
    ctx = getattr(exc, "ctx", None)
    if text.startswith("Got unexpected extra argument"):  # core.py parse_args
        extra = text.rpartition(" (")[2].removesuffix(")")
        return _("unexpected argument: {args}").format(args=extra)
    if text.startswith(("No such command", _("No such command {name!r}.").partition("{")[0])) and ctx is not None:
        return _unknown_command(ctx, text)
    if text == _("Missing command."):
        return _("missing command")
    return text


def _unknown_command(ctx: Any, text: str) -> str:
    """typer's "No such command 'x'. Did you mean 'y'?" (its suggestion in English): the word between
    the first quotes, and the suggestion made again here."""
    names = list(getattr(ctx.command, "commands", {}))
    word = text.split("'")[1] if text.count("'") >= 2 else "?"
    line = _("no such command: {name}").format(name=word)
    close = difflib.get_close_matches(word, names)
    if close:
        line += _("; did you mean {commands}?").format(commands=listing(close))
    return line


def hint(exc: Any) -> str | None:
    ctx = getattr(exc, "ctx", None)
    if ctx is None or ctx.command.get_help_option(ctx) is None:
        return None
    return _("Run '{command} --help' for the options.").format(command=ctx.command_path)


def json_job(exc: Any, args: list[str]) -> str | None:
    """The job to name in the --json error object: only when --json was typed and the command takes it."""
    ctx = getattr(exc, "ctx", None)
    typed = args[:args.index("--")] if "--" in args else args
    if ctx is None or "--json" not in typed:
        return None
    if not any("--json" in getattr(p, "opts", ()) for p in ctx.command.params):
        return None
    words = ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ctx.command_path
    return JOBS.get(words, words)


def report(exc: Any, args: list[str]) -> int:
    """Print the usage error and return its exit code (2)."""
    import click  # loaded with the command line already

    from quarkctl.commands.run import _json_error

    text = message(exc)
    job = json_job(exc, args)
    if job is not None:
        _json_error(job, int(ExitCode.USAGE), text)
    code = error(text, ExitCode.USAGE)
    if (line := hint(exc)) is not None:
        click.echo(line, err=True)
    return code
