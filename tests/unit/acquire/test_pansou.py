"""The PanSou client against the fake PanSou on loopback (quarkctl/simulator/pansou_server.py): what it sends,
how it signs in, what it makes of every kind of answer, and that its candidates open the shares they name."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import pwd
from quarkctl.acquire.pansou import Candidate, PanSou, SearchUnavailable
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.linkcheck import LinkChecker
from quarkctl.quark.links import parse_share_url
from quarkctl.quark.verdict import Verdict
from quarkctl.redact import redact
from quarkctl.simulator import Share, Simulator
from quarkctl.simulator.pansou_server import AUTH_INVALID, FakePanSou

SECRET = "pw-Sup3rSecret-77"
USERS = {"admin": SECRET}


def quark(n: int) -> str:
    return f"https://pan.quark.cn/s/{pwd(n)}"


def unavailable(client: PanSou, *args: object, **kwargs: object) -> SearchUnavailable:
    with pytest.raises(SearchUnavailable) as caught:
        client.search(*args, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- what a search sends --------------------------------------------------------------------------

def test_a_search_asks_by_get_with_one_comma_separated_cloud_types(pansou: FakePanSou) -> None:
    pansou.add("电影A", quark(1), note="电影A 4K")
    pansou.add("电影A", "https://pan.baidu.com/s/1abcdef", note="电影A 百度")
    found = PanSou(pansou.base_url).search("电影A", drives=("quark", "baidu"))
    (req,) = pansou.requests("/api/search")
    assert req.method == "GET"
    # one value, comma-joined: gin reads only the first of a repeated key (search-api.md section 1.3)
    assert req.query["cloud_types"] == ["quark,baidu"]
    assert req.query["res"] == ["merge"] and req.query["kw"] == ["电影A"]
    assert "refresh" not in req.query and "authorization" not in req.headers
    assert [(c.drive, c.url) for c in found] == [("quark", quark(1)), ("baidu", "https://pan.baidu.com/s/1abcdef")]


def test_refresh_is_sent_as_the_string_true_only_when_asked(pansou: FakePanSou) -> None:
    client = PanSou(pansou.base_url)
    client.search("电影A", refresh=True)
    client.search("电影A")
    first, second = pansou.requests("/api/search")
    assert first.query["refresh"] == ["true"]
    assert "refresh" not in second.query


def test_each_drive_is_asked_once_and_only_ours_are_read(pansou: FakePanSou) -> None:
    pansou.add("剧集B", quark(1))
    pansou.add("剧集B", "magnet:?xt=urn:btih:abc")  # a type quarkctl never asks for
    found = PanSou(pansou.base_url).search("剧集B", drives=("quark", "quark"))
    assert pansou.requests("/api/search")[0].query["cloud_types"] == ["quark"]
    assert [c.url for c in found] == [quark(1)]


def test_a_blank_keyword_or_an_unknown_drive_sends_nothing(pansou: FakePanSou) -> None:
    client = PanSou(pansou.base_url)
    with pytest.raises(ValueError):
        client.search("   ")  # PanSou would answer its channels' latest links (section 1.7)
    with pytest.raises(ValueError):
        client.search("电影A", drives=("pikpak",))
    with pytest.raises(ValueError):
        client.search("电影A", drives=())
    assert pansou.requests() == []


def test_a_trailing_slash_of_the_base_makes_no_double_slash(pansou: FakePanSou) -> None:
    PanSou(pansou.base_url + "/").search("电影A")
    assert [r.path for r in pansou.requests()] == ["/api/search"]


# --- what a search gives ----------------------------------------------------------------------------

def test_candidates_keep_pansous_order_and_every_field(pansou: FakePanSou) -> None:
    pansou.add("电影A", quark(2), note="电影A 1080p", password="ab12", datetime="2026-11-20T08:30:00.5Z", source="tg:tgsearchers3")
    pansou.add("电影A", quark(1), note="电影A 4K", datetime="2026-11-21T00:00:00+08:00", source="plugin:quark4k")
    found = PanSou(pansou.base_url).search("电影A")
    assert found == [
        Candidate(quark(2), "ab12", "电影A 1080p", datetime(2026, 11, 20, 8, 30, 0, 500000, tzinfo=timezone.utc), "tg:tgsearchers3", "quark"),
        Candidate(quark(1), "", "电影A 4K", datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc), "plugin:quark4k", "quark"),
    ]
    assert all(c.datetime is not None and c.datetime.tzinfo is not None for c in found)


def test_pansous_zero_time_is_none(pansou: FakePanSou) -> None:
    pansou.add("电影A", quark(1), datetime=None)  # the fake writes Go's zero time, 0001-01-01T00:00:00Z
    (candidate,) = PanSou(pansou.base_url).search("电影A")
    assert candidate.datetime is None


def test_one_share_is_one_candidate_and_takes_the_passcode_a_duplicate_carries(pansou: FakePanSou) -> None:
    pansou.add("电影A", quark(1), note="first")
    pansou.add("电影A", quark(1) + "?pwd=Xtqm", note="second, as a TG post carries it")
    pansou.add("电影A", quark(1).replace("https://pan", "HTTPS://PAN") + "/", note="third")
    pansou.add("电影A", quark(2), note="another share")
    found = PanSou(pansou.base_url).search("电影A")
    assert [(c.url, c.password, c.note) for c in found] == [(quark(1), "Xtqm", "first"), (quark(2), "", "another share")]


def test_a_passcode_in_the_link_is_the_password_when_pansou_gives_none(pansou: FakePanSou) -> None:
    pansou.add("电影A", quark(1) + "?pwd=a1b2")
    (candidate,) = PanSou(pansou.base_url).search("电影A")
    assert candidate.password == "a1b2" and candidate.url == quark(1) + "?pwd=a1b2"


def test_no_hits_is_an_empty_list(pansou: FakePanSou) -> None:
    assert PanSou(pansou.base_url).search("没有的片名") == []


def test_a_cold_search_finds_less_than_a_repeat_and_refresh_is_cold_again(pansou: FakePanSou) -> None:
    pansou.add("电影A", quark(1))
    pansou.add("电影A", quark(2), slow=True)  # a slow plugin's: only in the cache after the first search (section 1.9)
    client = PanSou(pansou.base_url)
    assert [c.url for c in client.search("电影A")] == [quark(1)]
    assert [c.url for c in client.search("电影A")] == [quark(1), quark(2)]
    assert [c.url for c in client.search("电影A", refresh=True)] == [quark(1)]


def test_candidates_open_the_shares_the_quark_simulator_serves(pansou: FakePanSou, sim: Simulator) -> None:
    """The fake's results point at simulated shares: alive, passcode-protected, dead, empty."""
    shares = {
        "alive": Share(pwd_id=pwd(1), title="电影A", files=[{"name": "电影A.2160p.mkv", "size": 8_000_000_000}]),
        "locked": Share(pwd_id=pwd(2), title="电影A", passcode="Xtqm", files=[{"name": "电影A.1080p.mp4", "size": 2_000_000_000}]),
        "dead": Share(pwd_id=pwd(3), title="电影A", dead_code=41012),
        "empty": Share(pwd_id=pwd(4), title="电影A", files=[]),
    }
    for share in shares.values():
        sim.add_share(share)
        pansou.add("电影A", quark(int(share.pwd_id[1:], 16)), note=f"电影A {share.pwd_id}", password=share.passcode or "")
    checker = LinkChecker(QuarkClient(api_base=sim.base_url, timeout=5), retries=0, backoff=0.0, sleep=lambda s: True)
    verdicts = {}
    for candidate in PanSou(pansou.base_url).search("电影A"):
        link = parse_share_url(candidate.url)
        verdicts[link.pwd_id] = checker.check_link(type(link)(link.pwd_id, candidate.password)).verdict
    assert verdicts == {pwd(1): Verdict.VALID, pwd(2): Verdict.VALID, pwd(3): Verdict.EXPIRED, pwd(4): Verdict.EMPTY}


# --- signing in ------------------------------------------------------------------------------------

def test_with_auth_on_it_signs_in_once_and_sends_the_bearer_token(pansou: FakePanSou) -> None:
    pansou.enable_auth(USERS)
    pansou.add("电影A", quark(1))
    client = PanSou(pansou.base_url, "admin", SECRET)
    assert len(client.search("电影A")) == 1
    assert len(client.search("电影A")) == 1
    assert [r.path for r in pansou.requests()] == ["/api/auth/login", "/api/search", "/api/search"]
    (token,) = pansou.tokens
    assert all(r.headers["authorization"] == f"Bearer {token}" for r in pansou.requests("/api/search"))
    assert pansou.requests("/api/auth/login")[0].body == {"username": "admin", "password": SECRET}
    assert redact(f"token {token}") == "token ***"  # a token is a secret too


def test_an_expired_token_signs_in_again_once(pansou: FakePanSou) -> None:
    pansou.enable_auth(USERS)
    pansou.add("电影A", quark(1))
    client = PanSou(pansou.base_url, "admin", SECRET)
    client.search("电影A")
    pansou.expire_tokens()  # PanSou restarted without AUTH_JWT_SECRET (section 1.8)
    assert len(client.search("电影A")) == 1
    assert [(r.path, r.status) for r in pansou.requests()][2:] == [("/api/search", 401), ("/api/auth/login", 200), ("/api/search", 200)]


def test_a_token_refused_after_signing_in_again_is_refused_not_a_loop(pansou: FakePanSou) -> None:
    pansou.enable_auth(USERS)
    pansou.fail(401, AUTH_INVALID, times=None)
    error = unavailable(PanSou(pansou.base_url, "admin", SECRET), "电影A")
    assert error.reason == "refused"
    assert [r.path for r in pansou.requests()] == ["/api/auth/login", "/api/search", "/api/auth/login", "/api/search"]


def test_a_wrong_password_is_refused_and_never_shown(pansou: FakePanSou) -> None:
    pansou.enable_auth(USERS)
    wrong = "Wr0ngPassw0rd-xyz"
    error = unavailable(PanSou(pansou.base_url, "admin", wrong), "电影A")
    assert error.reason == "refused"
    assert "PANSOU_PASSWORD" in str(error)
    assert wrong not in str(error) and wrong not in error.detail and redact(wrong) == "***"
    assert pansou.requests("/api/search") == []  # no search without a token


def test_auth_on_without_credentials_is_refused_and_names_the_settings(pansou: FakePanSou) -> None:
    pansou.enable_auth(USERS)
    error = unavailable(PanSou(pansou.base_url), "电影A")
    assert error.reason == "refused" and "PANSOU_USERNAME" in str(error)
    assert [(r.path, r.status) for r in pansou.requests()] == [("/api/search", 401)]


def test_credentials_for_a_pansou_without_auth_are_not_needed(pansou: FakePanSou) -> None:
    pansou.add("电影A", quark(1))
    client = PanSou(pansou.base_url, "admin", SECRET)  # login answers 403 认证功能未启用 (section 1.7)
    assert len(client.search("电影A")) == 1
    assert len(client.search("电影A")) == 1
    assert [(r.path, r.status) for r in pansou.requests()] == [("/api/auth/login", 403), ("/api/search", 200), ("/api/search", 200)]
    assert "authorization" not in pansou.requests("/api/search")[0].headers


# --- what goes wrong --------------------------------------------------------------------------------

@pytest.fixture
def closed_port() -> Iterator[str]:
    """A loopback port nothing listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}"


def test_nothing_listening_is_unreachable(closed_port: str) -> None:
    error = unavailable(PanSou(closed_port), "电影A")
    assert error.reason == "unreachable" and closed_port in str(error)


@pytest.mark.parametrize("down", ["503", "closed"])
def test_a_pansou_that_is_down_is_unreachable(pansou: FakePanSou, down: str) -> None:
    pansou.down = down  # a gateway's 503 page (pansou-web's nginx with PanSou down), or a dropped connection
    error = unavailable(PanSou(pansou.base_url), "电影A")
    assert error.reason == "unreachable"
    assert "<" not in str(error)  # a page by its title, never its markup


def test_no_answer_within_the_timeout_is_unreachable() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        error = unavailable(PanSou(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=0.3), "电影A")
    finally:
        thread.join(5)
        for sock in (*accepted, listener):
            sock.close()
    assert error.reason == "unreachable" and "0.3" in error.detail


def test_a_500_is_a_server_error_with_pansous_message(pansou: FakePanSou) -> None:
    pansou.fail(500, {"code": 500, "message": "搜索失败: boom"})
    error = unavailable(PanSou(pansou.base_url), "电影A")
    assert error.reason == "server_error" and "搜索失败: boom" in str(error)


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (200, "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head></html>", "Welcome to nginx!"),
        (200, b"\x00\xff not json", "not JSON"),
        (200, "", "an empty body"),
        (200, {"code": 1, "message": "oops"}, "oops"),
        (200, {"code": 0, "message": "success"}, "data"),
        (200, {"code": 0, "data": {"merged_by_type": []}}, "merged_by_type"),
        (200, {"code": 0, "data": {"merged_by_type": {"quark": {"url": "x"}}}}, "merged_by_type.quark"),
        (200, [1, 2], "JSON object"),
        (404, "404 page not found", "HTTP 404"),  # not PanSou at this address (a path prefix missing)
        (400, {"code": 400, "message": "无效的请求参数"}, "HTTP 400"),
    ],
)
def test_an_answer_that_is_not_the_success_wrapper_is_a_bad_answer(pansou: FakePanSou, status: int, body: object, says: str) -> None:
    pansou.fail(status, body)  # type: ignore[arg-type]
    error = unavailable(PanSou(pansou.base_url), "电影A")
    assert error.reason == "bad_answer" and says in str(error)


def test_a_duplicate_key_is_a_bad_answer(pansou: FakePanSou) -> None:
    pansou.fail(200, b'{"code": 0, "code": 1, "data": {}}')
    assert unavailable(PanSou(pansou.base_url), "电影A").reason == "bad_answer"


def test_a_user_and_password_in_the_url_never_show(closed_port: str) -> None:
    url = closed_port.replace("http://", "http://someone:UrlSecret99@")
    error = unavailable(PanSou(url), "电影A")
    assert "UrlSecret99" not in str(error) and "***@127.0.0.1" in str(error)


def test_health(pansou: FakePanSou) -> None:
    pansou.enable_auth(USERS)  # /api/health is public (section 1.8)
    assert PanSou(pansou.base_url).health()["auth_enabled"] is True


def test_a_redirect_is_not_followed_and_shows_where_to(pansou: FakePanSou) -> None:
    pansou.fail(301, "", headers={"Location": "https://so.example.org/api/search"})  # an http:// address sent on
    error = unavailable(PanSou(pansou.base_url), "电影A")
    assert error.reason == "bad_answer" and error.detail == "HTTP 301 → https://so.example.org/api/search"
    assert len(pansou.requests()) == 1


def test_abort_ends_a_search_in_flight() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = PanSou(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=30)
    accepted: list[socket.socket] = []

    def accept_then_abort() -> None:
        accepted.append(listener.accept()[0])
        client.abort()  # the request is in flight, its answer never coming

    thread = threading.Thread(target=accept_then_abort, daemon=True)
    thread.start()
    try:
        error = unavailable(client, "电影A")
    finally:
        thread.join(5)
        for sock in (*accepted, listener):
            sock.close()
    assert error.reason == "unreachable"


# --- any answer ------------------------------------------------------------------------------------

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=15)
_ITEMS = st.lists(st.fixed_dictionaries({"url": st.sampled_from(["https://pan.quark.cn/s/abc", "https://x", "", "javascript:1"])},
                                        optional={"password": _JSON, "note": _JSON, "datetime": _JSON}) | _JSON, max_size=4)
_BODIES = st.one_of(
    st.binary(max_size=80),
    st.text(max_size=80),
    _JSON.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda code, merged: json.dumps({"code": code, "message": "success", "data": {"merged_by_type": merged}}).encode(),
              st.sampled_from([0, 0, 1, "0"]), st.dictionaries(st.sampled_from(["quark", "baidu", "x"]), _ITEMS | _JSON, max_size=2)),
)


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakePanSou]:
    with FakePanSou() as fake:
        yield fake


@settings(max_examples=40)
@given(status=st.sampled_from([200, 200, 200, 201, 301, 400, 401, 403, 404, 429, 500, 502, 503]), body=_BODIES)
def test_any_answer_over_http_is_candidates_or_search_unavailable(shared_fake: FakePanSou, status: int, body: bytes | str) -> None:
    shared_fake.fail(status, body, content_type="application/json", times=1)
    try:
        found = PanSou(shared_fake.base_url, timeout=5).search("电影A", drives=("quark", "baidu"))
    except SearchUnavailable as exc:
        assert exc.reason in ("refused", "server_error", "bad_answer", "unreachable") and "\n" not in str(exc)
        return
    assert status == 200 and all(c.url.startswith("https://") and c.drive in ("quark", "baidu") for c in found)


def test_a_403_is_refused_with_what_the_proxy_said(pansou: FakePanSou) -> None:
    pansou.fail(403, "<html><head><title>403 Forbidden</title></head></html>")
    error = unavailable(PanSou(pansou.base_url), "电影A")
    assert error.reason == "refused" and error.detail == "HTTP 403 (403 Forbidden)"


@pytest.mark.parametrize(("lang", "says"), [("en", "cannot be reached: HTTP 503 (503 Service Temporarily Unavailable)"),
                                            ("zh_CN", "无法连接搜索服务")])
def test_the_message_speaks_the_users_language_and_the_reason_does_not(pansou: FakePanSou, monkeypatch: pytest.MonkeyPatch,
                                                                        lang: str, says: str) -> None:
    from quarkctl import i18n

    pansou.down = "503"
    monkeypatch.setenv("LANGUAGE", "")
    try:
        i18n.set_language(lang)
        error = unavailable(PanSou(pansou.base_url), "电影A")
    finally:
        i18n.set_language("en")
    assert says in str(error) and error.reason == "unreachable"
