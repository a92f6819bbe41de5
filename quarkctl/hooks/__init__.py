"""Post-save hooks: tell a media server about the files an autosave task just saved.

A hook is one module with one `Hook` subclass, registered in `REGISTRY` below (the one place).
Each is configured by its block in the autosave config's `plugins` (the reference script's names
and keys), and switched per task in the task's `addition.<name>` block (`{"enabled": false}`).
Hooks run only for tasks that saved files, and a hook failure is reported, never raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from quarkctl.i18n import _
from quarkctl.redact import redact

if TYPE_CHECKING:
    import requests

TIMEOUT = 5.0  # seconds per request: a slow media server must not hold up the run


class HookError(Exception):
    """A refresh that did not happen; the message is shown to the user."""


@dataclass(frozen=True)
class HookResult:
    hook: str
    ok: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"hook": self.hook, "ok": self.ok, "message": self.message}


class Hook:
    """One media server. Subclasses set `name`, `required` and implement `refresh`."""

    name: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ("url",)

    def __init__(self, config: Mapping[str, Any], *, timeout: float = TIMEOUT) -> None:
        self.config = config
        self.url = str(config.get("url") or "").rstrip("/")
        self.timeout = timeout
        import requests  # here, not at the top: hooks/monitoring is imported by commands that never refresh a server

        self.http = requests.Session()

    @classmethod
    def configured(cls, config: Any) -> bool:
        return isinstance(config, Mapping) and all(config.get(key) for key in cls.required)

    def task_config(self, task_data: Mapping[str, Any]) -> dict[str, Any]:
        addition = task_data.get("addition")
        value = addition.get(self.name) if isinstance(addition, Mapping) else None
        return dict(value) if isinstance(value, Mapping) else {}

    def wanted(self, task_data: Mapping[str, Any]) -> bool:
        return self.task_config(task_data).get("enabled", True) is not False

    def refresh(self, task_data: Mapping[str, Any], savepath: str) -> str:
        """Ask the server to rescan; returns what was refreshed, raises HookError."""
        raise NotImplementedError

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        import requests

        from quarkctl.hooks.monitoring.bounded import TookTooLong, bounded

        try:
            # whole, not per read: a server that drips its answer held autosave, SIGTERM included (bounded.py)
            response = bounded(lambda: self.http.request(method, f"{self.url}{path}", timeout=self.timeout, **kwargs),
                               2 * self.timeout + 1)
        except (requests.Timeout, TookTooLong):
            raise HookError(_("no answer within {s:g} s").format(s=self.timeout)) from None
        except requests.RequestException as exc:
            raise HookError(_("cannot connect: {error}").format(error=type(exc).__name__)) from None
        if response.status_code >= 400:
            raise HookError(_("HTTP {status} from {path}").format(status=response.status_code, path=path))
        return response

    def close(self) -> None:
        self.http.close()


def _registry() -> dict[str, type[Hook]]:
    from quarkctl.hooks.alist import AlistHook, OpenListHook
    from quarkctl.hooks.emby import EmbyHook, JellyfinHook
    from quarkctl.hooks.plex import PlexHook

    return {hook.name: hook for hook in (EmbyHook, JellyfinHook, PlexHook, AlistHook, OpenListHook)}


REGISTRY: dict[str, type[Hook]] = {}


def build(plugins: Mapping[str, Any], *, timeout: float = TIMEOUT) -> list[Hook]:
    """The hooks whose `plugins` block is configured (blocks for other plugins are ignored)."""
    if not REGISTRY:
        REGISTRY.update(_registry())
    return [cls(plugins[name], timeout=timeout) for name, cls in REGISTRY.items() if cls.configured(plugins.get(name))]


def run_hooks(hooks: list[Hook], task_data: Mapping[str, Any], savepath: str) -> list[HookResult]:
    results = []
    for hook in hooks:
        if not hook.wanted(task_data):
            continue
        try:
            results.append(HookResult(hook.name, True, redact(hook.refresh(task_data, savepath))))
        except HookError as exc:
            results.append(HookResult(hook.name, False, redact(str(exc))))
        except Exception as exc:  # noqa: BLE001 - a server's odd answer must not fail the task
            results.append(HookResult(hook.name, False, redact(f"{type(exc).__name__}: {exc}")))
    return results
