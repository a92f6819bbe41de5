"""Emby and Jellyfin: refresh the task's library item (by id) or, without one, the whole library.

Config as the reference's `emby` plugin: `plugins.emby = {"url", "token"}` (`apikey` is accepted too);
per task `addition.emby.media_id` (`"0"`: never refresh), or the legacy task key `emby_id`.
Jellyfin takes the same keys under `plugins.jellyfin` / `addition.jellyfin`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quarkctl.hooks import Hook
from quarkctl.i18n import _

# The reference's refresh parameters: rescan the folder and pick up new episodes' metadata.
_ITEM_REFRESH = {"Recursive": "true", "MetadataRefreshMode": "FullRefresh", "ImageRefreshMode": "FullRefresh",
                 "ReplaceAllMetadata": "false", "ReplaceAllImages": "false"}


class EmbyHook(Hook):
    name = "emby"
    prefix = "/emby"

    @classmethod
    def configured(cls, config: Any) -> bool:
        return isinstance(config, Mapping) and bool(config.get("url")) and bool(config.get("token") or config.get("apikey"))

    @property
    def token(self) -> str:
        return str(self.config.get("token") or self.config.get("apikey") or "")

    def headers(self) -> dict[str, str]:
        return {"X-Emby-Token": self.token}

    def media_id(self, task_data: Mapping[str, Any]) -> str:
        return str(self.task_config(task_data).get("media_id") or task_data.get(f"{self.name}_id") or "").strip()

    def wanted(self, task_data: Mapping[str, Any]) -> bool:
        return super().wanted(task_data) and self.media_id(task_data) != "0"

    def refresh(self, task_data: Mapping[str, Any], savepath: str) -> str:
        media_id = self.media_id(task_data)
        if media_id:
            self.request("POST", f"{self.prefix}/Items/{media_id}/Refresh", params=_ITEM_REFRESH, headers=self.headers())
            return _("refreshed item {id}").format(id=media_id)
        self.request("POST", f"{self.prefix}/Library/Refresh", headers=self.headers())
        return _("refreshed the whole library")


class JellyfinHook(EmbyHook):
    name = "jellyfin"
    prefix = ""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f'MediaBrowser Token="{self.token}"'}
