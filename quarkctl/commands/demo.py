"""`quarkctl demo`: both jobs against the built-in simulator (quarkctl/ops/demo.py), printed as the jobs print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl.commands.run import install_signal_handlers
from quarkctl.i18n import _
from quarkctl.runtime.stop import StopSignal

DEMO_HELP = _("Try both jobs without a Quark account: a built-in Quark simulator, a temporary database and autosave config.\n\n"
              "Example: quarkctl demo")


def demo(
    keep: Annotated[Optional[Path], typer.Option("--keep", file_okay=False, help=_("Keep the demo database and config in this folder."))] = None,
    json_output: Annotated[bool, typer.Option("--json", help=_("One JSON object per step on stdout (check-links, autosave dry run, autosave)."))] = False,
) -> None:
    from quarkctl.ops import demo as demo_lib
    from quarkctl.render.autosave import make_autosave_reporter
    from quarkctl.render.check import make_reporter

    def say(text: str) -> None:
        if not json_output:
            typer.echo(text)

    stop = StopSignal()
    install_signal_handlers(stop)
    with demo_lib.demo(stop=stop, keep=keep) as env:
        say(_("Demo: a simulated Quark on 127.0.0.1 with ~20 shares (live, dead, passcode, flaky), a temporary SQLite table, short pauses."))
        say(_("Files: {folder}").format(folder=env.folder))
        say("\n" + _("== check-links =="))
        reporter = make_reporter(json_mode=json_output, quiet=False, stdout=sys.stdout, stderr=sys.stderr, log_file=None)
        try:
            checked = env.check_links(reporter)
            reporter.finish(checked)
        finally:
            reporter.close()
        codes = [int(checked.exit_code)]
        for dry_run, title in ((True, _("== autosave --dry-run: the plan, nothing written ==")), (False, _("== autosave =="))):
            if stop.is_set():
                break
            say("\n" + title)
            reporter = make_autosave_reporter(json_mode=json_output, quiet=False, stdout=sys.stdout, stderr=sys.stderr,
                                              log_file=None, total=len(demo_lib.DEMO_TASKS))
            try:
                saved = env.autosave(reporter, dry_run=dry_run)
                reporter.finish(saved)
            finally:
                reporter.close()
            codes.append(int(saved.exit_code))
    say("\n" + (_("Kept in {folder}.").format(folder=keep) if keep else _("The temporary files were removed (--keep DIR keeps them).")))
    say(_("Next: put QUARK_COOKIE and your database settings in a .env file and run `quarkctl check-links`; "
          "point `quarkctl autosave --config` at your quark_config.json (see README)."))
    raise typer.Exit(max(codes))


def register(app: typer.Typer) -> None:
    app.command("demo", help=DEMO_HELP)(demo)
