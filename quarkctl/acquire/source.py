"""The search service a re-acquisition asks (issue 25): PANSOU_URL, else the autosave config's
`source.pansou` when that config exists (one setting for both jobs); neither is a usage error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from quarkctl.acquire.pansou import PanSou
from quarkctl.config.autosave.loading import config_path, read_text
from quarkctl.config.settings import pansou_settings
from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.safefs import trusted_path


def _autosave_config(env: Mapping[str, str]) -> Any:
    """The autosave config's parsed JSON, None when there is none or it cannot be read: acquire only looks in
    it for `source.pansou` and never writes it (no template is made, unlike autosave's load)."""
    try:
        return json.loads(read_text(trusted_path(config_path(None, env))))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def search_source(env: Mapping[str, str], *, timeout: float) -> PanSou:
    found = pansou_settings(env) or pansou_settings(env, _autosave_config(env))
    if found is None:
        raise ConfigError(_("no search service: set PANSOU_URL (PanSou's address, like http://127.0.0.1:8888), "
                            "or source.pansou.server in the autosave config"))
    return PanSou.from_settings(found, timeout=timeout)
