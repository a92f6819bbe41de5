"""Where PanSou is (quarkctl/config/settings.py pansou_settings): PANSOU_URL and its sign-in from the
environment or .env, else the autosave config's `source.pansou` block (search-api.md section 3.3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quarkctl.config.autosave.loading import load
from quarkctl.config.settings import PanSouSettings, pansou_settings, read_environment
from quarkctl.errors import ConfigError
from quarkctl.redact import redact

BLOCK = {"source": {"cloudsaver": {"server": "http://172.17.0.1:8008"},
                    "pansou": {"server": "https://so.example.org/", "username": "cfg-user", "password": "CfgSecret-321"}}}


def test_nothing_set_is_none() -> None:
    assert pansou_settings({}) is None
    assert pansou_settings({}, {"tasklist": []}) is None
    assert pansou_settings({}, {"source": {"pansou": {"server": "  "}}}) is None


def test_the_environment_alone() -> None:
    env = {"PANSOU_URL": " http://127.0.0.1:8888/ ", "PANSOU_USERNAME": "admin", "PANSOU_PASSWORD": "EnvSecret-123"}
    assert pansou_settings(env) == PanSouSettings("http://127.0.0.1:8888", "admin", "EnvSecret-123", "PANSOU_URL")
    assert redact("EnvSecret-123") == "***"


def test_the_environment_wins_and_the_configs_password_never_goes_to_its_server() -> None:
    found = pansou_settings({"PANSOU_URL": "http://10.0.0.2:8888"}, BLOCK)
    assert found == PanSouSettings("http://10.0.0.2:8888", None, None, "PANSOU_URL")


def test_the_config_block_with_its_own_sign_in() -> None:
    found = pansou_settings({}, BLOCK)
    assert found == PanSouSettings("https://so.example.org", "cfg-user", "CfgSecret-321", "source.pansou.server")
    assert redact("x CfgSecret-321") == "x ***"


def test_the_environments_sign_in_serves_the_configs_server() -> None:
    env = {"PANSOU_USERNAME": "admin", "PANSOU_PASSWORD": "EnvSecret-123"}
    assert pansou_settings(env, BLOCK) == PanSouSettings("https://so.example.org", "admin", "EnvSecret-123", "source.pansou.server")


def test_a_block_switched_off_in_the_webui_is_not_read() -> None:
    off = {"source": {"pansou": {"server": "https://so.example.org", "enable": False}}}
    assert pansou_settings({}, off) is None


def test_a_path_prefix_is_kept(tmp_path: Path) -> None:
    assert pansou_settings({"PANSOU_URL": "https://home.example.org/pansou/"}).url == "https://home.example.org/pansou"  # type: ignore[union-attr]


def test_an_autosave_config_object_and_a_dotenv_file(tmp_path: Path) -> None:
    config = tmp_path / "quark_config.json"
    config.write_text(json.dumps({"cookie": "", "tasklist": [], **BLOCK}), encoding="utf-8")
    loaded = load(config)
    assert pansou_settings({}, loaded).url == "https://so.example.org"  # type: ignore[union-attr]
    (tmp_path / ".env").write_text("PANSOU_URL=http://127.0.0.1:9999\n", encoding="utf-8")
    env = read_environment(tmp_path / ".env", environ={})
    assert pansou_settings(env, loaded).url == "http://127.0.0.1:9999"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("env", "config", "says"),
    [
        ({"PANSOU_URL": "127.0.0.1:8888"}, None, "PANSOU_URL"),
        ({"PANSOU_URL": "ftp://127.0.0.1"}, None, "PANSOU_URL"),
        ({"PANSOU_URL": "http://127.0.0.1:8888/?x=1"}, None, "PANSOU_URL"),
        ({}, {"source": {"pansou": {"server": "so.example.org"}}}, "source.pansou.server"),
        ({}, {"source": {"pansou": "https://so.example.org"}}, "source.pansou"),
        ({"PANSOU_URL": "http://h:8888", "PANSOU_USERNAME": "admin"}, None, "PANSOU_PASSWORD"),
        ({"PANSOU_URL": "http://h:8888", "PANSOU_PASSWORD": "OnlyPass-1"}, None, "PANSOU_USERNAME"),
        ({}, {"source": {"pansou": {"server": "http://h", "username": "u"}}}, "source.pansou"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(env: dict[str, str], config: Any, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        pansou_settings(env, config)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_password_in_the_url_is_refused_and_masked() -> None:
    with pytest.raises(ConfigError) as caught:
        pansou_settings({"PANSOU_URL": "http://admin:UrlSecret-9@127.0.0.1:8888"})
    assert "PANSOU_PASSWORD" in str(caught.value) and "UrlSecret-9" not in str(caught.value)
    assert redact("UrlSecret-9") == "***"


def test_the_client_from_the_settings_signs_in_with_them(pansou) -> None:
    from quarkctl.acquire.pansou import PanSou

    pansou.enable_auth({"cfg-user": "CfgSecret-321"})
    pansou.add("电影A", "https://pan.quark.cn/s/abc")
    settings = pansou_settings({}, {"source": {"pansou": {"server": pansou.base_url, "username": "cfg-user", "password": "CfgSecret-321"}}})
    assert settings is not None
    assert [c.url for c in PanSou.from_settings(settings).search("电影A")] == ["https://pan.quark.cn/s/abc"]
    assert [r.path for r in pansou.requests()] == ["/api/auth/login", "/api/search"]
