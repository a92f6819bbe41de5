"""`resources add NAME --reshare-from PATH`: share a drive folder's items as quarkctl's own share and
record its fid list, so that a share of several items can be re-created when it dies (issue 17)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from quarkctl.config.settings import Settings
from quarkctl.errors import ConfigError, QuarkctlError
from quarkctl.i18n import _
from quarkctl.runtime.stop import StopSignal
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.drive import ApiFailure, DriveSession
from quarkctl.quark.links import ROOT_FID
from quarkctl.quark.shares import MAX_ITEMS, Shares
from quarkctl.quark.verdict import Outcome


class ShareFailed(QuarkctlError):
    """Quark did not make the share."""


def _folder(session: DriveSession, path: str) -> str:
    if path.strip() in ("", "/"):
        return ROOT_FID
    fid = session.path_fids([path]).get(path)
    if fid is None:
        raise ConfigError(_("--reshare-from: no folder {path} in the drive").format(path=path))
    return fid


def share_and_add(config: Settings, name: str, path: str, *, timeout: float, update: bool, columns: dict[str, Any]) -> tuple[Any, str]:
    """(the AddResult, the new link). The row is added only once the share exists."""
    from quarkctl.resources import model as resources_model
    from quarkctl.resources import operations as resources_operations

    path = "/" + path.strip().strip("/") if path.strip().strip("/") else "/"
    stop = StopSignal()
    with QuarkClient(cookie=config.cookie, api_base=config.api_base, timeout=timeout) as client:
        session = DriveSession(client, sleep=stop.sleep)
        shares = Shares(session)
        try:
            fids = [str(item["fid"]) for item in session.list_dir(_folder(session, path)) if item.get("fid")]
            if not fids:
                raise ConfigError(_("--reshare-from: the folder {path} is empty").format(path=path))
            if len(fids) > MAX_ITEMS:
                raise ConfigError(_("--reshare-from: {path} holds more than {n} items, more than one share takes").format(path=path, n=MAX_ITEMS))
            info = shares.link(shares.create(fids, name.strip()))
        except ApiFailure as exc:
            if exc.outcome is Outcome.AUTH:
                from quarkctl.errors import AuthError

                raise AuthError(_("Quark rejected the cookie: {message}").format(message=exc.message)) from None
            raise ShareFailed(_("--reshare-from: Quark did not share {path}: {message}").format(path=path, message=exc.message)) from None
    now = datetime.now(timezone.utc)
    with resources_model.opened(config) as store:
        added = resources_operations.add_resource(store, name, info.link, update=update, **columns)
        store.db.create_missing([t for t in _own_tables() if t.name == "quarkctl_reshare"])
        store.db.record_share(added.id, info.link, share_id=info.share_id, pwd_id=info.pwd_id, fids=fids, title=name.strip(), now=now)
    return added, info.link


def _own_tables() -> tuple[Any, ...]:
    from quarkctl.db import schema as db_schema

    return db_schema.OWN_TABLES
