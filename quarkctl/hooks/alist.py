"""OpenList / Alist: refresh the folder that mirrors the save path (the reference's `alist` plugin).

Config: `plugins.alist` (or `plugins.openlist`) `= {"url", "token", "storage_id"}`. storage_id is
either `/mount/path:/quark/folder` (where the Quark folder is mounted) or the numeric id of a Quark
storage whose root folder is the drive's root. The folder is refreshed with `fs/list refresh=true`;
when it does not exist there yet, its nearest existing parent is refreshed instead.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any

from quarkctl.hooks import Hook, HookError
from quarkctl.i18n import _


class AlistHook(Hook):
    name = "alist"
    required = ("url", "token", "storage_id")

    def __init__(self, config: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._mount: tuple[str, str] | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": str(self.config["token"])}

    def api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            body = self.request(method, path, headers=self.headers(), **kwargs).json()
        except ValueError:
            raise HookError(_("unexpected answer from {path}").format(path=path)) from None
        return body if isinstance(body, dict) else {}

    def mount(self) -> tuple[str, str]:
        """(the storage's mount path, the Quark folder it shows)."""
        if self._mount is None:
            storage_id = str(self.config["storage_id"]).strip()
            if match := re.fullmatch(r"(/[^:]*):(/[^:]*)", storage_id):
                self._mount = (match.group(1), match.group(2))
            elif storage_id.isdigit():
                reply = self.api("GET", "/api/admin/storage/get", params={"id": storage_id})
                data = reply.get("data") if reply.get("code") == 200 else None
                if not isinstance(data, dict):
                    raise HookError(_("storage {id}: {message}").format(id=storage_id, message=reply.get("message", "")))
                try:
                    root = str(json.loads(data.get("addition") or "{}").get("root_folder_id", "0") or "0")
                except ValueError:
                    root = ""
                if root != "0":
                    raise HookError(_("storage {id} does not show the drive's root; set storage_id to /mount/path:/quark/folder").format(id=storage_id))
                self._mount = (str(data.get("mount_path") or "/"), "/")
            else:
                raise HookError(_("storage_id {id}: expected a number or /mount/path:/quark/folder").format(id=storage_id))
        return self._mount

    def refresh(self, task_data: Mapping[str, Any], savepath: str) -> str:
        mount_path, quark_root = self.mount()
        root = quark_root.rstrip("/")
        if not (savepath == quark_root or savepath.startswith(root + "/")):
            raise HookError(_("{path} is outside the mounted Quark folder {root}").format(path=savepath, root=quark_root))
        path = posixpath.normpath(posixpath.join(mount_path, savepath[len(root):].lstrip("/")))
        while True:
            reply = self.api("POST", "/api/fs/list", json={"path": path, "refresh": True, "password": "", "page": 1, "per_page": 0})
            if reply.get("code") == 200:
                return _("refreshed {path}").format(path=path)
            message = str(reply.get("message", ""))
            if "object not found" not in message or path in ("/", mount_path):
                raise HookError(_("fs/list {path}: {message}").format(path=path, message=message))
            path = posixpath.dirname(path)  # a folder new to the server: refresh its parent


class OpenListHook(AlistHook):
    name = "openlist"
