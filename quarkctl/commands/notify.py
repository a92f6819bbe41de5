"""`quarkctl notify test`: send a test message to every configured target, report each result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from quarkctl.hooks.monitoring import notify
from quarkctl.commands.options import EnvFile, NotifyUrls, environment, MAX_SECONDS
from quarkctl.commands.run import fail, warn
from quarkctl.errors import ExitCode
from quarkctl.i18n import _

notify_app = typer.Typer(no_args_is_help=True, help=_("Notifications (apprise): check that every target receives them."))


@notify_app.command(
    "test",
    help=_("Send a test message to every target (QUARKCTL_NOTIFY, the config's notify and push_config, --notify).\n\n"
           "Exit 0 when every target accepted it, 1 when one failed, 2 when no target is configured.\n\n"
           "Example: quarkctl notify test --notify 'ntfys://ntfy.sh/my-topic'"),
)
def notify_test(
    config: Annotated[Optional[Path], typer.Option("--config", dir_okay=False, help=_("The autosave config whose notify list and push_config to use (default: as autosave; skipped when missing)."))] = None,
    env_file: EnvFile = None,
    notify_urls: NotifyUrls = None,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS", min=0.1, max=MAX_SECONDS, help=_("Connect and read timeout per target, seconds."))] = notify.TIMEOUT,
) -> None:
    from quarkctl.config.autosave.loading import config_path, load  # natsort and the rest only when the command runs

    env = environment(env_file)
    path = config_path(config, env)
    loaded = load(path) if path.exists() else None
    targets = notify.gather(env, notify_urls or [], loaded)
    for line in targets.warnings:
        warn(line)
    if not targets.urls:
        fail(_("no notification target: set QUARKCTL_NOTIFY, a `notify` list in the config, or --notify URL"), ExitCode.USAGE)
    deliveries = notify.send(targets.urls, _("quarkctl test notification"),
                             _("If you read this, quarkctl can reach you here."), timeout=timeout)
    for delivery in deliveries:
        if delivery.ok:
            typer.echo(_("ok      {target}").format(target=delivery.target))
        else:
            typer.echo(_("failed  {target}: {error}").format(target=delivery.target, error=delivery.error))
    raise typer.Exit(0 if all(d.ok for d in deliveries) else int(ExitCode.LINK_ERRORS))


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
