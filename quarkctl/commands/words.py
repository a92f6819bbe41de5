"""The words click and typer print themselves (usage, help headings, option errors).

Never imported: listed here only so the catalog extraction puts them in quarkctl's catalog, which
i18n.set_language makes the process-wide gettext domain that click and typer translate through.
Each msgid is copied exactly from click's or typer's source; tests/unit/test_i18n.py checks they still
exist there, so an upgrade that rewords one is noticed instead of silently printing English.
"""

from quarkctl.render.messages import N_


def ngettext(singular: str, plural: str, n: int) -> tuple[str, str]:
    """Marks a plural pair for extraction (the extractor knows calls by this name); no translation here."""
    return singular, plural


WORDS = (
    # help pages
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Arguments"),
    N_("Show this message and exit."),
    N_("[default: {}]"),
    N_("[env var: {}]"),
    N_("[required]"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    # usage errors
    N_("Error"),
    N_("Error: {message}"),
    N_("Aborted."),
    N_("Aborted!"),
    N_("Try '{command} {option}' for help."),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is not readable."),
    N_("file"),
    N_("directory"),
    N_("path"),
)

PLURALS = (
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1),
    ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1),
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1),
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1),
)
