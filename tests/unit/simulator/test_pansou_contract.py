"""The fake PanSou answers as search-api.md section 1.13's examples (PanSou's README values with the wrapper its
code adds): served verbatim or scripted, the client reads the same candidates from both."""

from __future__ import annotations

import json
from typing import Any

import requests

from quarkctl.acquire.pansou import PanSou
from quarkctl.simulator.pansou_server import FakePanSou

# search-api.md section 1.13 (a): GET /api/search?kw=凡人修仙传&cloud_types=quark
EXAMPLE_A = json.loads("""
{"code":0,"message":"success","data":{"total":1,"merged_by_type":{"quark":[
 {"url":"https://pan.quark.cn/s/xxxx","password":"","note":"凡人修仙传",
  "datetime":"2023-06-10T15:30:22Z","source":"plugin:插件名"}]}}}
""")
# section 1.13 (b): POST /api/search {"kw":"速度与激情","res":"all","cloud_types":["baidu"]}
EXAMPLE_B = json.loads("""
{"code":0,"message":"success","data":{"total":1,
 "results":[{"message_id":"12345","unique_id":"channel-12345","channel":"tgsearchers3",
   "datetime":"2023-06-10T14:23:45Z","title":"速度与激情全集1-10","content":"速度与激情系列全集，1080P高清...",
   "links":[{"type":"baidu","url":"https://pan.baidu.com/s/1abcdef","password":"1234",
             "datetime":"2023-06-10T14:23:45Z","work_title":"速度与激情全集1-10"}],
   "tags":["电影","合集"],"images":["https://cdn1.cdn-telegram.org/file/xxx.jpg"]}],
 "merged_by_type":{"baidu":[{"url":"https://pan.baidu.com/s/1abcdef","password":"1234",
   "note":"速度与激情全集1-10","datetime":"2023-06-10T14:23:45Z","source":"tg:tgsearchers3",
   "images":["https://cdn1.cdn-telegram.org/file/xxx.jpg"]}]}}}
""")
# section 1.13 (c) and 1.7
LOGIN_KEYS = {"token", "expires_at", "username"}
MISSING_TOKEN = {"error": "未授权：缺少认证令牌", "code": "AUTH_TOKEN_MISSING"}


def script_a(fake: FakePanSou) -> None:
    fake.add("凡人修仙传", "https://pan.quark.cn/s/xxxx", note="凡人修仙传", datetime="2023-06-10T15:30:22Z", source="plugin:插件名")


def script_b(fake: FakePanSou) -> None:
    fake.add("速度与激情", "https://pan.baidu.com/s/1abcdef", note="速度与激情全集1-10", password="1234",
             datetime="2023-06-10T14:23:45Z", source="tg:tgsearchers3", images=["https://cdn1.cdn-telegram.org/file/xxx.jpg"])


def test_example_a_is_exactly_what_the_fake_answers() -> None:
    with FakePanSou() as fake:
        script_a(fake)
        answer = requests.get(f"{fake.base_url}/api/search", params={"kw": "凡人修仙传", "cloud_types": "quark"}, timeout=5)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == EXAMPLE_A


def test_example_b_merged_part_and_results_shape() -> None:
    with FakePanSou() as fake:
        script_b(fake)
        answer = requests.post(f"{fake.base_url}/api/search", json={"kw": "速度与激情", "res": "all", "cloud_types": ["baidu"]},
                               timeout=5).json()
    assert answer["code"] == 0 and answer["message"] == "success"
    assert answer["data"]["merged_by_type"] == EXAMPLE_B["data"]["merged_by_type"]
    assert answer["data"]["total"] == EXAMPLE_B["data"]["total"]  # res=all: len(results)
    (result,) = answer["data"]["results"]
    (expected,) = EXAMPLE_B["data"]["results"]
    assert set(expected) - {"tags"} <= set(result)  # tags are the channel's own, not scripted
    assert result["links"] == expected["links"] and result["channel"] == expected["channel"]


def parsed_both_ways(script: Any, served: dict[str, Any], kw: str, drives: tuple[str, ...]) -> tuple[list[Any], list[Any]]:
    with FakePanSou() as verbatim, FakePanSou() as scripted:
        verbatim.fail(200, served, times=None)
        script(scripted)
        return PanSou(verbatim.base_url).search(kw, drives), PanSou(scripted.base_url).search(kw, drives)


def test_the_client_reads_the_fake_as_it_reads_example_a() -> None:
    from_doc, from_fake = parsed_both_ways(script_a, EXAMPLE_A, "凡人修仙传", ("quark",))
    assert from_doc == from_fake and len(from_doc) == 1
    assert (from_doc[0].note, from_doc[0].source, from_doc[0].password) == ("凡人修仙传", "plugin:插件名", "")


def test_the_client_reads_the_fake_as_it_reads_example_b() -> None:
    from_doc, from_fake = parsed_both_ways(script_b, EXAMPLE_B, "速度与激情", ("baidu",))
    assert from_doc == from_fake and len(from_doc) == 1
    assert (from_doc[0].drive, from_doc[0].password) == ("baidu", "1234")


def test_auth_answers_have_the_documented_shapes() -> None:
    with FakePanSou(users={"admin": "admin123"}) as fake:
        refused = requests.get(f"{fake.base_url}/api/search", params={"kw": "x"}, timeout=5)
        login = requests.post(f"{fake.base_url}/api/auth/login", json={"username": "admin", "password": "admin123"}, timeout=5)
    assert refused.status_code == 401 and refused.json() == MISSING_TOKEN
    assert login.status_code == 200 and set(login.json()) == LOGIN_KEYS
    assert login.json()["token"].startswith("eyJ")  # a JWT's header (section 1.13 c)
