"""Post-save hooks against fake Emby, Jellyfin, Plex and OpenList servers on loopback."""

from __future__ import annotations

import json
import time

import pytest
from helpers.loopback import HANG, Receiver

from quarkctl import hooks

TASK = {"taskname": "三体", "savepath": "/追更/三体"}


@pytest.fixture
def server():
    with Receiver(default=(200, "")) as r:
        yield r


def run(plugins: dict, task: dict = TASK, savepath: str = "/追更/三体", timeout: float = 2.0) -> list[dict]:
    active = hooks.build(plugins, timeout=timeout)
    try:
        return [r.as_dict() for r in hooks.run_hooks(active, task, savepath)]
    finally:
        for hook in active:
            hook.close()


def test_unconfigured_blocks_and_other_plugins_are_ignored() -> None:
    assert hooks.build({"emby": {"url": "", "token": ""}, "aria2": {"host_port": "x"}, "plex": {"url": "http://p"}}) == []
    assert sorted(hooks.REGISTRY) == ["alist", "emby", "jellyfin", "openlist", "plex"]


def test_emby_refreshes_the_item_or_the_whole_library(server: Receiver) -> None:
    plugins = {"emby": {"url": server.url + "/", "apikey": "K123"}}
    assert run(plugins, {**TASK, "addition": {"emby": {"media_id": "77"}}}) == [{"hook": "emby", "ok": True, "message": "refreshed item 77"}]
    assert run(plugins, {**TASK, "emby_id": "88"})[0]["message"] == "refreshed item 88"  # the legacy task key
    assert run(plugins)[0]["message"] == "refreshed the whole library"
    assert server.paths() == ["/emby/Items/77/Refresh", "/emby/Items/88/Refresh", "/emby/Library/Refresh"]
    assert all(r.method == "POST" and r.headers["x-emby-token"] == "K123" for r in server.requests)
    assert server.requests[0].query["Recursive"] == ["true"]


def test_per_task_switches(server: Receiver) -> None:
    plugins = {"emby": {"url": server.url, "token": "K"}}
    assert run(plugins, {**TASK, "addition": {"emby": {"media_id": "0"}}}) == []
    assert run(plugins, {**TASK, "addition": {"emby": {"enabled": False}}}) == []
    assert server.requests == []


def test_jellyfin_uses_its_own_paths_and_header(server: Receiver) -> None:
    assert run({"jellyfin": {"url": server.url, "token": "J1"}})[0]["ok"]
    [request] = server.requests
    assert request.path == "/Library/Refresh" and request.headers["authorization"] == 'MediaBrowser Token="J1"'


def test_a_failing_or_hanging_server_is_a_result_not_an_exception(server: Receiver) -> None:
    server.answers[("POST", "/emby/Library/Refresh")] = (500, "oops")
    assert run({"emby": {"url": server.url, "token": "K"}}) == [
        {"hook": "emby", "ok": False, "message": "HTTP 500 from /emby/Library/Refresh"}]
    server.answers[("POST", "/emby/Library/Refresh")] = HANG
    started = time.monotonic()
    [result] = run({"emby": {"url": server.url, "token": "K"}}, timeout=0.3)
    assert not result["ok"] and result["message"] == "no answer within 0.3 s"
    assert time.monotonic() - started < 5


PLEX_SECTIONS = {"MediaContainer": {"Directory": [
    {"key": "1", "title": "Movies", "Location": [{"path": "/quark/电影"}]},
    {"key": "2", "title": "TV", "Location": [{"path": "/data"}, {"path": "/quark/追更"}]},
]}}


def test_plex_refreshes_the_section_holding_the_save_path(server: Receiver) -> None:
    server.answers[("GET", "/library/sections")] = (200, PLEX_SECTIONS)
    plugins = {"plex": {"url": server.url, "token": "P1", "quark_root_path": "/quark"}}
    assert run(plugins) == [{"hook": "plex", "ok": True, "message": "refreshed /quark/追更/三体 in library TV"}]
    assert server.paths() == ["/library/sections", "/library/sections/2/refresh"]
    assert server.requests[1].query["path"] == ["/quark/追更/三体"]
    assert server.requests[1].headers["x-plex-token"] == "P1"
    [result] = run(plugins, savepath="/其他/x")
    assert not result["ok"] and "no Plex library folder contains /quark/其他/x" in result["message"]


def test_alist_mount_mapping_and_parent_fallback(server: Receiver) -> None:
    server.answers[("POST", "/api/fs/list")] = (200, {"code": 200})
    plugins = {"openlist": {"url": server.url, "token": "A1", "storage_id": "/夸克:/追更"}}
    assert run(plugins) == [{"hook": "openlist", "ok": True, "message": "refreshed /夸克/三体"}]
    body = server.requests[0].json()
    assert body["path"] == "/夸克/三体" and body["refresh"] is True
    assert server.requests[0].headers["authorization"] == "A1"
    # A folder the server does not know yet: its parent is refreshed.
    server.requests.clear()
    server.answers[("POST", "/api/fs/list")] = (200, {"code": 500, "message": "object not found"})
    [result] = run(plugins)
    assert not result["ok"] and [r.json()["path"] for r in server.requests] == ["/夸克/三体", "/夸克"]
    [outside] = run(plugins, savepath="/电影/x")
    assert not outside["ok"] and "outside the mounted Quark folder" in outside["message"]


def test_alist_numeric_storage_id(server: Receiver) -> None:
    server.answers[("GET", "/api/admin/storage/get")] = (200, {"code": 200, "data": {
        "driver": "Quark", "mount_path": "/quark", "addition": json.dumps({"root_folder_id": "0"})}})
    server.answers[("POST", "/api/fs/list")] = (200, {"code": 200})
    assert run({"alist": {"url": server.url, "token": "A", "storage_id": "3"}})[0]["message"] == "refreshed /quark/追更/三体"
    assert server.requests[0].query["id"] == ["3"]
    server.answers[("GET", "/api/admin/storage/get")] = (200, {"code": 200, "data": {
        "mount_path": "/quark", "addition": json.dumps({"root_folder_id": "abc"})}})
    [result] = run({"alist": {"url": server.url, "token": "A", "storage_id": "3"}})
    assert not result["ok"] and "/mount/path:/quark/folder" in result["message"]
