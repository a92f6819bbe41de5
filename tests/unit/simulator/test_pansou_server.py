"""The fake PanSou itself (quarkctl/simulator/pansou_server.py), asked over plain HTTP: PanSou's parameter
rules (section 1.3), its res modes and filters (1.4), auth (1.7, 1.8), its caches (1.9), its switches, and
`python -m quarkctl.simulator --pansou-port`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from quarkctl.simulator import load_scenario
from quarkctl.simulator.pansou_server import AUTH_FORMAT, AUTH_INVALID, AUTH_MISSING, ZERO_TIME, FakePanSou, link_type

REPO = Path(__file__).resolve().parents[3]
Q1, Q2 = "https://pan.quark.cn/s/aaaa00000001", "https://pan.quark.cn/s/aaaa00000002"
BD = "https://pan.baidu.com/s/1abcdef"


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False
        yield session


def search(http: requests.Session, fake: FakePanSou, **params: object) -> dict:
    answer = http.get(f"{fake.base_url}/api/search", params=params, timeout=5)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["code"] == 0 and body["message"] == "success"
    return body["data"]


def test_link_types_follow_pansous_host_table() -> None:
    assert [link_type(u) for u in (Q1, BD, "https://www.alipan.com/s/x", "https://cloud.189.cn/t/x", "https://drive.uc.cn/s/x",
                                   "https://caiyun.139.com/m/i?x", "https://115cdn.com/s/x", "https://www.123pan.com/s/x",
                                   "https://pan.xunlei.com/s/x", "magnet:?xt=1", "https://example.com/x")] == [
        "quark", "baidu", "aliyun", "tianyi", "uc", "mobile", "115", "123", "xunlei", "magnet", "others"]


def test_a_repeated_get_key_counts_only_its_first_value(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.add("电影A", Q1)
    pansou.add("电影A", BD)
    # what requests makes of params={"cloud_types": ["baidu", "quark"]}: gin's c.Query reads "baidu" only
    data = search(http, pansou, kw="电影A", cloud_types=["baidu", "quark"])
    assert list(data["merged_by_type"]) == ["baidu"] and data["total"] == 1
    assert pansou.requests()[0].query["cloud_types"] == ["baidu", "quark"]  # the log keeps what was sent
    assert list(search(http, pansou, kw="电影A", cloud_types="QUARK,baidu")["merged_by_type"]) == ["quark", "baidu"]


def test_refresh_counts_only_as_the_exact_string_true(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.add("电影A", Q1)
    pansou.add("电影A", Q2, slow=True)
    assert search(http, pansou, kw="电影A")["total"] == 1  # cold
    assert search(http, pansou, kw="电影A", refresh="True")["total"] == 2  # Python's True: not a refresh, so warm
    assert search(http, pansou, kw="电影A", refresh="true")["total"] == 1  # the cache bypassed: cold again
    assert search(http, pansou, kw=" 电影a ".upper())["total"] == 2  # the cache key is trimmed and lower-cased
    pansou.cool()
    assert search(http, pansou, kw="电影A")["total"] == 1


def test_post_takes_json_lists_and_bools(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.add("电影A", Q1)
    pansou.add("电影A", BD)
    answer = http.post(f"{pansou.base_url}/api/search", json={"kw": "电影A", "cloud_types": ["baidu"], "refresh": True}, timeout=5)
    assert list(answer.json()["data"]["merged_by_type"]) == ["baidu"]
    bad = http.post(f"{pansou.base_url}/api/search", data=b"{nope", timeout=5)
    assert bad.status_code == 400 and bad.json()["code"] == 400 and bad.json()["message"].startswith("无效的请求参数")


def test_res_modes_and_an_empty_result(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.add("电影A", Q1, note="电影A 4K")
    pansou.add("电影A", BD, note="电影A 百度")
    merge = search(http, pansou, kw="电影A", cloud_types="quark")
    assert merge == {"total": 1, "merged_by_type": {"quark": [
        {"url": Q1, "password": "", "note": "电影A 4K", "datetime": ZERO_TIME, "source": "plugin:sim"}]}}
    every = search(http, pansou, kw="电影A", res="all", cloud_types="quark")
    assert every["total"] == 2 and len(every["results"]) == 2 and list(every["merged_by_type"]) == ["quark"]  # results unfiltered
    assert "merged_by_type" not in search(http, pansou, kw="电影A", res="results")
    assert search(http, pansou, kw="电影B") == {"total": 0}  # omitempty: no merged_by_type, no results


def test_duplicate_urls_are_merged_the_newer_winning(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.add("电影A", Q1, note="old", datetime="2026-01-01T00:00:00Z")
    pansou.add("电影A", Q1, note="new", datetime="2026-06-01T00:00:00Z")
    (item,) = search(http, pansou, kw="电影A")["merged_by_type"]["quark"]
    assert item["note"] == "new"


def test_a_keyword_finds_every_link_whose_note_holds_it(pansou: FakePanSou, http: requests.Session) -> None:
    """PanSou searches its channels and plugins by the keyword and keeps the links whose note holds it, a
    case-insensitive substring (search-api.md 1.4): `电影A` finds «电影A (2024) 4K» (README's by-hand example)."""
    pansou.add("电影A (2024) 4K", Q1)
    pansou.add("Dune Part Two", Q2)
    pansou.add("剧集B", BD, note="plugin without the filter")  # found by its own keyword only
    assert [i["url"] for i in search(http, pansou, kw="电影A")["merged_by_type"]["quark"]] == [Q1]
    assert [i["url"] for i in search(http, pansou, kw="dune")["merged_by_type"]["quark"]] == [Q2]
    assert search(http, pansou, kw="电影A (2025)") == {"total": 0}  # the whole keyword, not a word of it
    assert search(http, pansou, kw="剧集B")["total"] == 1 and search(http, pansou, kw="plugin")["total"] == 1


def test_an_empty_keyword_is_not_refused_it_answers_everything(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.add("电影A", Q1)
    pansou.add("剧集B", Q2)
    assert search(http, pansou, kw="")["total"] == 2  # section 1.7: no code path refuses a missing kw
    assert search(http, pansou)["total"] == 2


def test_bad_ext_or_filter_json_is_a_400(pansou: FakePanSou, http: requests.Session) -> None:
    answer = http.get(f"{pansou.base_url}/api/search", params={"kw": "x", "ext": "{bad"}, timeout=5)
    assert answer.status_code == 400 and answer.json()["message"].startswith("无效的ext参数格式")
    assert search(http, pansou, kw="x", ext="{}", filter='{"include":[]}') == {"total": 0}


def test_auth_on_guards_search_but_not_health_or_login(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.enable_auth({"admin": "admin123"})
    url = f"{pansou.base_url}/api/search"
    cases = [({}, AUTH_MISSING), ({"Authorization": "Token abc"}, AUTH_FORMAT), ({"Authorization": "Bearer abc"}, AUTH_INVALID)]
    for headers, body in cases:
        answer = http.get(url, params={"kw": "x"}, headers=headers, timeout=5)
        assert (answer.status_code, answer.json()) == (401, body)
    assert http.get(f"{pansou.base_url}/api/health", timeout=5).json()["auth_enabled"] is True
    login = http.post(f"{pansou.base_url}/api/auth/login", json={"username": "admin", "password": "admin123"}, timeout=5)
    token = login.json()["token"]
    assert http.get(url, params={"kw": "x"}, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 200
    pansou.expire_tokens()
    assert http.get(url, params={"kw": "x"}, headers={"Authorization": f"Bearer {token}"}, timeout=5).json() == AUTH_INVALID


@pytest.mark.parametrize(
    ("users", "body", "status", "error"),
    [
        ({"admin": "admin123"}, {"username": "admin", "password": "nope"}, 401, "用户名或密码错误"),
        ({"admin": "admin123"}, {"username": "admin"}, 400, "参数错误：用户名和密码不能为空"),
        (None, {"username": "admin", "password": "admin123"}, 403, "认证功能未启用"),
    ],
)
def test_login_refusals(http: requests.Session, users: dict | None, body: dict, status: int, error: str) -> None:
    with FakePanSou(users=users) as fake:
        answer = http.post(f"{fake.base_url}/api/auth/login", json=body, timeout=5)
    assert (answer.status_code, answer.json()) == (status, {"error": error})


def test_switches_down_and_verbatim_failures(pansou: FakePanSou, http: requests.Session) -> None:
    pansou.fail(500, {"code": 500, "message": "搜索失败: x"}, times=2)
    statuses = [http.get(f"{pansou.base_url}/api/search", params={"kw": "x"}, timeout=5).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    pansou.down = "503"
    answer = http.get(f"{pansou.base_url}/api/health", timeout=5)
    assert answer.status_code == 503 and "text/html" in answer.headers["Content-Type"]
    pansou.down = "closed"
    with pytest.raises(requests.ConnectionError):
        http.get(f"{pansou.base_url}/api/health", timeout=5)
    assert pansou.requests()[-1].status == 0
    pansou.down = None
    assert http.get(f"{pansou.base_url}/api/health", timeout=5).status_code == 200


def test_unknown_path_is_gins_404(pansou: FakePanSou, http: requests.Session) -> None:
    answer = http.get(f"{pansou.base_url}/search", timeout=5)
    assert (answer.status_code, answer.text) == (404, "404 page not found")


def run_module(*args: str) -> subprocess.Popen[str]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, "-m", "quarkctl.simulator", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": path}, cwd=REPO)


def test_module_serves_a_fake_pansou_beside_quark_finding_shares_by_title(http: requests.Session) -> None:
    proc = run_module("--pansou-port", "0")
    try:
        assert proc.stdout is not None
        quark_line, pansou_line = proc.stdout.readline(), proc.stdout.readline()
        assert quark_line.startswith("QUARK_API_BASE=http://127.0.0.1:")
        assert pansou_line.startswith("PANSOU_URL=http://127.0.0.1:")
        base = pansou_line.strip().split("=", 1)[1]
        locked = next(s for s in load_scenario().shares if s.passcode)
        data = http.get(f"{base}/api/search", params={"kw": locked.title, "cloud_types": "quark"}, timeout=5).json()["data"]
        (item,) = data["merged_by_type"]["quark"]
        assert (item["url"], item["password"]) == (f"https://pan.quark.cn/s/{locked.pwd_id}", locked.passcode)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err
