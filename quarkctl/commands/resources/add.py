"""`quarkctl resources add`: one row, its link checked first with --check, or shared from the drive
with --reshare-from (issue 17, resources/reshare.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from quarkctl.commands.options import DEFAULT_TIMEOUT, Anonymous, ApiBase, DatabaseUrl, EnvFile, Timeout, environment
from quarkctl.commands.output import echo
from quarkctl.commands.run import fail, install_signal_handlers
from quarkctl.config import settings
from quarkctl.errors import ExitCode, Interrupted
from quarkctl.i18n import _
from quarkctl.render.messages import verdict_text
from quarkctl.resources.model import QUARK, opened
from quarkctl.runtime.stop import StopSignal

if TYPE_CHECKING:
    from quarkctl.quark.linkcheck import CheckResult

ADD_HELP = _("Add one resource with is_expired = 0, so check-links checks it.\n\n"
             "Example: quarkctl resources add '电影A' 'https://pan.quark.cn/s/abc123def456?pwd=x1y2' --category1 电影 --check")


def add(
    name: Annotated[str, typer.Argument(help=_("drama_name: the resource's name, unique per drive type."))],
    link: Annotated[Optional[str], typer.Argument(help=_("The share link, e.g. https://pan.quark.cn/s/abc123def456?pwd=x1y2"))] = None,
    alias: Annotated[Optional[str], typer.Option("--alias", help=_("alias column."))] = None,
    category1: Annotated[Optional[str], typer.Option("--category1", help=_("category1 column."))] = None,
    category2: Annotated[Optional[str], typer.Option("--category2", help=_("category2 column."))] = None,
    drive_type: Annotated[Optional[str], typer.Option("--drive-type", metavar="TYPE", help=_("drive_type column; default: the link's drive (quark, baidu, aliyun, ...)."))] = None,
    update: Annotated[bool, typer.Option("--update", help=_("If NAME exists for this drive type, give it LINK (and the values given) instead of failing."))] = False,
    check: Annotated[bool, typer.Option("--check", help=_("Check the link with its drive first and refuse a dead one."))] = False,
    reshare_from: Annotated[Optional[str], typer.Option("--reshare-from", metavar="PATH", help=_("Instead of LINK: share the items of this drive folder and record them, so `resources reshare` can re-create the share."))] = None,
    anonymous: Anonymous = False,
    api_base: ApiBase = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    env_file: EnvFile = None,
    database_url: DatabaseUrl = None,
) -> None:
    env = environment(env_file, DATABASE_URL=database_url, QUARK_API_BASE=api_base)
    if (link is None) == (reshare_from is None):
        fail(_("give either LINK or --reshare-from PATH"), ExitCode.USAGE)
    if reshare_from is not None:  # issue 17: the share is made from the drive (resources/reshare.py)
        from quarkctl.commands.resources.reshare import add_from_drive

        return echo(add_from_drive(name, reshare_from, env=env, timeout=timeout, update=update,
                                   columns={"alias": alias, "category1": category1, "category2": category2}))
    assert link is not None
    if "\n" in link.strip():  # a share text pasted with its passcode on the next line: one line, as import reads it
        link = " ".join(link.split())
    from quarkctl.resources.drives import claim
    from quarkctl.resources.operations import add_resource, check_link, refuse_unless_alive  # the database: not for --help

    found = claim(link)
    if check and found is None:
        fail(_("--check: not a share link of a known drive: {link}").format(link=link), ExitCode.USAGE)
    # Only a Quark check sends the cookie; the other drives are asked as a visitor
    config = settings.load(env, need_cookie=check and not anonymous and found is not None and found.drive == QUARK)
    stop = StopSignal()

    def check_first(text: str) -> CheckResult:
        result = check_link(text, config, anonymous=anonymous, timeout=timeout, sleep=stop.sleep)
        if stop.is_set():
            raise Interrupted(_("interrupted; nothing was added"), stop.signum)
        refuse_unless_alive(result, text)
        return result

    if check:
        install_signal_handlers(stop)  # a signal ends the check's retry waits at once

    with opened(config) as store:
        added = add_resource(
            store, name, link, drive_type=drive_type, alias=alias, category1=category1, category2=category2, update=update,
            check=check_first if check else None,
        )
    message = _("added #{id} {name} ({drive})") if added.action == "insert" else _("updated #{id} {name} ({drive})")
    text = message.format(id=added.id, name=name.strip(), drive=added.drive_type)
    if added.check is not None:
        text += " " + _("[checked: {verdict}]").format(verdict=verdict_text(added.check.verdict.value))
    if added.warning is not None:
        echo(_("warning: {warning}").format(warning=added.warning), err=True)
    echo(text)


def register(group: typer.Typer) -> None:
    group.command("add", help=ADD_HELP)(add)
