"""Plex: refresh the library section whose folder holds the save path (the reference's `plex` plugin).

Config: `plugins.plex = {"url", "token", "quark_root_path"}`, where quark_root_path is where your
Quark drive's root appears to Plex (Quark `/media/tv` seen by Plex as `/quark/media/tv`: `/quark`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from quarkctl.hooks import Hook, HookError
from quarkctl.i18n import _


class PlexHook(Hook):
    name = "plex"
    required = ("url", "token", "quark_root_path")

    def __init__(self, config: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._sections: list[dict[str, Any]] | None = None  # read once per run

    def headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "X-Plex-Token": str(self.config["token"])}

    def sections(self) -> list[dict[str, Any]]:
        if self._sections is None:
            try:
                body = self.request("GET", "/library/sections", headers=self.headers()).json()
                self._sections = list(body["MediaContainer"].get("Directory") or [])
            except (ValueError, KeyError, TypeError, AttributeError):
                raise HookError(_("unexpected answer from /library/sections")) from None
        return self._sections

    def refresh(self, task_data: Mapping[str, Any], savepath: str) -> str:
        folder = posixpath.normpath(posixpath.join(str(self.config["quark_root_path"]), savepath.lstrip("/")))
        for section in self.sections():
            for location in section.get("Location") or []:
                root = posixpath.normpath(str(location.get("path", "")))
                if root and (folder == root or folder.startswith(root.rstrip("/") + "/")):
                    self.request("GET", f"/library/sections/{section.get('key')}/refresh", params={"path": folder},
                                 headers=self.headers())
                    return _("refreshed {folder} in library {title}").format(folder=folder, title=section.get("title", ""))
        raise HookError(_("no Plex library folder contains {folder}").format(folder=folder))
