"""Each drive's check against the drives simulator (issue 24): dead only on an answer drives-api.md tags as
seen on dead shares, code-only dead rules only for a drive the user trusts, everything else `error` with a
reason; the passcode sent once, as stored; QUARKCTL_API_BASE_<DRIVE> replacing scheme and host only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quarkctl.providers.base import CheckRun, DriveSetup, Link
from quarkctl.providers.registry import open_drives
from quarkctl.providers.webdrive import WebDrive
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict
from quarkctl.simulator.drives_server import DrivesSimulator

KEYS = {"uc": "UC", "baidu": "BAIDU", "aliyun": "ALIYUN", "123": "123", "tianyi": "TIANYI", "mobile": "MOBILE", "115": "115"}
# drive -> (a link with its id, the id, the link with a passcode)
LINKS = {
    "uc": ("https://drive.uc.cn/s/d60d722172f84", "d60d722172f84", "https://drive.uc.cn/s/d60d722172f84?pwd=ab12"),
    "baidu": ("https://pan.baidu.com/s/1AbCdEfGh", "AbCdEfGh", "https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12"),
    "aliyun": ("https://www.alipan.com/s/4F9AbCdEfGh", "4F9AbCdEfGh", "https://www.alipan.com/s/4F9AbCdEfGh 提取码：ab12"),
    "123": ("https://www.123pan.com/s/yXg6Vv-enZ7v", "yXg6Vv-enZ7v", "https://www.123pan.com/s/yXg6Vv-enZ7v提取码:ab12"),
    "tianyi": ("https://cloud.189.cn/t/AbCdEf123456", "AbCdEf123456", "https://cloud.189.cn/t/AbCdEf123456（访问码：ab12）"),
    "mobile": ("https://caiyun.139.com/w/i/2rJV89vKpVPsr", "2rJV89vKpVPsr", "https://caiyun.139.com/w/i/2rJV89vKpVPsr\n提取码:ab12"),
    "115": ("https://115.com/s/swfsfjg3h7i", "swfsfjg3h7i", "https://115.com/s/swfsfjg3h7i?password=ab12"),
}
E, X, P, V = Verdict.ERROR, Verdict.EXPIRED, Verdict.NEEDS_PASSCODE, Verdict.VALID
COMMON = {"rate_limited": (E, "rate_limited"), "captcha": (E, "html_page"), "html": (E, "html_page"),
          "server_error": (E, "server_error")}
# drive -> state -> (verdict, reason) without a passcode; "unverified_dead" is the code-only dead answer
EXPECTED: dict[str, dict[str, tuple[Verdict, str]]] = {
    "uc": {**COMMON, "alive": (V, "ok"), "dead": (X, "share_not_found"), "dead_403": (X, "share_not_found"),
           "cancelled": (X, "share_cancelled"), "blocked": (X, "content_violation"), "locked": (P, "passcode_required"),
           "unverified_dead": (E, "unverified_files_deleted"), "wrong_shape": (E, "unexpected_response")},
    "baidu": {**COMMON, "alive": (V, "ok"), "dead": (X, "share_not_found"), "locked": (E, "passcode_state_unknown"),
              "link_error": (E, "link_error"), "captcha": (E, "captcha_required"), "rate_limited": (E, "risk_control"),
              "wrong_shape": (E, "unexpected_response")},
    "aliyun": {**COMMON, "alive": (V, "ok"), "dead": (X, "share_not_found"), "cancelled": (X, "share_cancelled"),
               "locked": (P, "passcode_required"), "unverified_dead": (E, "unverified_share_expired"),
               "wrong_shape": (E, "unexpected_response")},
    "123": {**COMMON, "alive": (V, "ok"), "dead": (X, "share_not_found"), "locked": (P, "passcode_wrong"),
            "unverified_dead": (E, "unverified_share_expired"), "wrong_shape": (E, "unexpected_response")},
    "tianyi": {**COMMON, "alive": (V, "ok"), "dead": (X, "share_cancelled"), "file_not_found": (X, "share_not_found"),
               "locked": (P, "passcode_required"), "unverified_dead": (E, "unverified_share_expired"),
               "wrong_shape": (E, "bad_response")},
    "mobile": {**COMMON, "alive": (V, "ok"), "dead": (X, "share_not_found"), "locked": (P, "passcode_required"),
               "unverified_dead": (E, "unverified_share_expired"), "wrong_shape": (E, "unexpected_response")},
    "115": {**COMMON, "alive": (V, "ok"), "dead": (X, "share_cancelled"), "expired": (X, "share_expired"),
            "locked": (P, "passcode_required"), "unverified_dead": (E, "unverified_content_violation"),
            "rate_limited": (E, "risk_control"), "wrong_shape": (E, "unexpected_response")},
}


@pytest.fixture
def dsim() -> Iterator[DrivesSimulator]:
    with DrivesSimulator() as sim:
        yield sim


def _run(retries: int = 0, waits: list[float] | None = None) -> CheckRun:
    return CheckRun(retries, 1.0, sleep=lambda s: True, retry_sleep=lambda s: (waits.append(s) if waits is not None else None) or True,
                    on_wait=lambda s, k, cause=None: None, watch=lambda c: c, login_dropped=lambda r: None)


def check(sim: DrivesSimulator, text: str, trusted: frozenset[str] = frozenset(), retries: int = 0) -> CheckResult:
    setup = DriveSetup(lambda: None, trust_unverified=trusted, api_bases={k: sim.base_url or "" for k in KEYS.values()}, timeout=5)
    drives = open_drives(setup, list(KEYS))
    link = drives.read(text)
    assert isinstance(link, Link), link
    checker = drives[link.drive].checker(_run(retries))
    try:
        return checker.check(link)
    finally:
        checker.close()


CASES = [(drive, state) for drive, states in EXPECTED.items() for state in states]


@pytest.mark.parametrize(("drive", "state"), CASES, ids=[f"{d}-{s}" for d, s in CASES])
def test_each_answer_gets_what_its_evidence_allows(dsim: DrivesSimulator, drive: str, state: str) -> None:
    text, share_id, _ = LINKS[drive]
    dsim.add(drive, share_id, state)
    result = check(dsim, text)
    assert (result.verdict, result.reason) == EXPECTED[drive][state]
    assert result.requests >= 1
    if result.verdict is not Verdict.EXPIRED:
        return
    assert result.api_code is not None or result.message  # the evidence: the drive's code and words
    assert result.http_status is not None


@pytest.mark.parametrize("drive", sorted(d for d in EXPECTED if "unverified_dead" in EXPECTED[d] or d == "baidu"))
def test_trusting_a_drive_changes_exactly_its_code_only_rules(dsim: DrivesSimulator, drive: str) -> None:
    text, share_id, with_code = LINKS[drive]
    for state, (verdict, reason) in EXPECTED[drive].items():
        dsim.add(drive, share_id, state)
        trusted = check(dsim, text, frozenset({drive}))
        if reason.startswith("unverified_"):
            assert (trusted.verdict, trusted.reason) == (Verdict.EXPIRED, reason.removeprefix("unverified_"))
        else:
            assert (trusted.verdict, trusted.reason) == (verdict, reason), state
        other = check(dsim, text, frozenset(KEYS) - {drive})
        assert (other.verdict, other.reason) == (verdict, reason)  # trusting the others changes nothing here
    if drive == "baidu":  # Baidu's code-only dead answer comes from share/verify, asked with a passcode
        dsim.add("baidu", share_id, "unverified_dead", passcode="zz99")
        assert check(dsim, with_code).reason == "unverified_share_cancelled"
        assert check(dsim, with_code, frozenset({"baidu"})).verdict is Verdict.EXPIRED


@pytest.mark.parametrize("drive", sorted(KEYS))
def test_the_right_passcode_opens_a_locked_share_and_is_sent_once(dsim: DrivesSimulator, drive: str) -> None:
    text, share_id, with_code = LINKS[drive]
    dsim.add(drive, share_id, "locked", passcode="ab12")
    result = check(dsim, with_code)
    assert (result.verdict, result.reason) == (Verdict.VALID, "ok")
    sent = [r.passcode for r in dsim.requests(drive) if r.passcode]
    if drive in ("aliyun", "tianyi"):  # existence is known without it: never sent (drives-api.md sections 6, 8)
        assert sent == []
    else:
        assert sent == ["ab12"]


@pytest.mark.parametrize("drive", ["uc", "123", "mobile", "115"])
def test_a_request_with_a_passcode_is_not_retried_after_a_server_error(dsim: DrivesSimulator, drive: str) -> None:
    """The README's promise: a passcode is sent once per check, as stored (webdrive.py retry_after_passcode)."""
    text, share_id, with_code = LINKS[drive]
    dsim.add(drive, share_id, "server_error")
    result = check(dsim, with_code, retries=2)
    assert (result.verdict, result.reason) == (Verdict.ERROR, "server_error")
    assert [r.passcode for r in dsim.requests(drive)] == ["ab12"]
    assert len(dsim.requests(drive)) == 1
    assert check(dsim, text, retries=2).reason == "server_error"  # without a passcode: retried
    assert len(dsim.requests(drive)) == 4


def test_a_wrong_passcode_is_never_guessed_again(dsim: DrivesSimulator) -> None:
    dsim.add("baidu", "AbCdEfGh", "locked", passcode="right")
    result = check(dsim, "https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12", retries=3)
    assert (result.verdict, result.reason) == (Verdict.ERROR, "passcode_state_unknown")  # -9: dead locked shares say it too
    assert [r.passcode for r in dsim.requests("baidu", "verify")] == ["ab12"]
    dsim.add("baidu", "AbCdEfGh", "locked_dead", passcode="right")
    assert check(dsim, "https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12").verdict is Verdict.EXPIRED  # 105, seen


def test_baidu_fetches_its_cookie_once_per_worker(dsim: DrivesSimulator) -> None:
    dsim.add("baidu", "AbCdEfGh", "alive")
    dsim.add("baidu", "ZyXwVuTs", "dead")
    setup = DriveSetup(lambda: None, api_bases={"BAIDU": dsim.base_url or ""}, timeout=5)
    drives = open_drives(setup, ["baidu"])
    checker = drives["baidu"].checker(_run())
    got = []
    for text in ("https://pan.baidu.com/s/1AbCdEfGh", "https://pan.baidu.com/s/1ZyXwVuTs"):
        link = drives.read(text)
        assert isinstance(link, Link)
        got.append(checker.check(link).verdict)
    checker.close()
    assert got == [Verdict.VALID, Verdict.EXPIRED]
    assert len(dsim.requests("baidu", "home")) == 1
    assert all("BAIDUID=" in r.headers.get("cookie", "") for r in dsim.requests("baidu", "shorturlinfo"))


def test_a_server_error_is_retried_and_counts_for_the_breaker(dsim: DrivesSimulator) -> None:
    dsim.add("uc", "d60d722172f84", "server_error")
    result = check(dsim, LINKS["uc"][0], retries=2)
    assert (result.verdict, result.reason, result.transient) == (Verdict.ERROR, "server_error", True)
    assert len(dsim.requests("uc")) == 3 and result.requests == 3
    dsim.add("uc", "d60d722172f84", "rate_limited")
    limited = check(dsim, LINKS["uc"][0], retries=2)
    assert limited.transient and len(dsim.requests("uc")) == 4  # a rate limit is the pacer's: no retry


def test_the_requests_are_the_references(dsim: DrivesSimulator) -> None:
    for drive, (text, share_id, _) in LINKS.items():
        dsim.add(drive, share_id, "alive")
        assert check(dsim, text).verdict is Verdict.VALID, drive
    uc = dsim.requests("uc")[0]
    assert (uc.path, uc.query.get("pr"), uc.headers.get("origin")) == ("/1/clouddrive/share/sharepage/token", "UCBrowser",
                                                                      "https://drive.uc.cn")
    assert "json" in dsim.requests("tianyi")[0].headers["accept"]
    p123 = dsim.requests("123")[0]
    assert (p123.headers["platform"], p123.headers["app-version"], p123.headers["origin"]) == ("web", "3", "https://www.123pan.com")
    assert dsim.requests("aliyun")[0].headers["x-canary"].startswith("client=web")
    assert dsim.requests("mobile")[0].body == {"getOutLinkInfoReq": {"linkID": "2rJV89vKpVPsr", "pCaID": "root"}}
    snap = dsim.requests("115")[0]
    assert (snap.headers["referer"], snap.headers["x-requested-with"]) == ("https://115.com/", "XMLHttpRequest")
    assert dsim.requests("baidu", "shorturlinfo")[0].headers["referer"] == "https://pan.baidu.com/s/1AbCdEfGh"
    assert all("quark" not in r.headers.get("referer", "") for r in dsim.requests())  # never the transport's default


def test_the_environment_names_each_drives_base(dsim: DrivesSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUARKCTL_API_BASE_UC", f"{dsim.base_url}/")
    monkeypatch.delenv("QUARKCTL_API_BASE_BAIDU", raising=False)  # tests/conftest.py sets every drive's
    dsim.add("uc", "d60d722172f84", "dead")
    drives = open_drives(DriveSetup(lambda: None, timeout=5), ["uc", "baidu"])
    link = drives.read(LINKS["uc"][0])
    assert isinstance(link, Link)
    assert drives["uc"].checker(_run()).check(link).verdict is Verdict.EXPIRED
    baidu = drives["baidu"]
    assert isinstance(baidu, WebDrive) and baidu.base is None  # another drive's variable is not Baidu's
    assert [r.path for r in dsim.requests("uc")] == ["/1/clouddrive/share/sharepage/token"]


def test_a_drive_that_cannot_be_reached_is_an_error(dsim: DrivesSimulator) -> None:
    setup = DriveSetup(lambda: None, api_bases={"ALIYUN": "http://127.0.0.1:9"}, timeout=2)
    drives = open_drives(setup, ["aliyun"])
    link = drives.read(LINKS["aliyun"][0])
    assert isinstance(link, Link)
    result = drives["aliyun"].checker(_run()).check(link)
    assert (result.verdict, result.reason, result.transient) == (Verdict.ERROR, "connection_error", True)


def test_a_stopping_run_cuts_the_check_short(dsim: DrivesSimulator) -> None:
    dsim.add("uc", "d60d722172f84", "alive")
    drives = open_drives(DriveSetup(lambda: None, api_bases={"UC": dsim.base_url or ""}, timeout=5), ["uc"])
    link = drives.read(LINKS["uc"][0])
    assert isinstance(link, Link)
    checker = drives["uc"].checker(_run(retries=2))
    checker.client.abort()  # what the run's grace cutter does to the clients it watches
    result = checker.check(link)
    assert (result.verdict, result.reason, result.transient) == (Verdict.ERROR, "interrupted", False)
    assert dsim.requests("uc") == []


def test_xunlei_is_skipped_without_a_request() -> None:
    drives = open_drives(DriveSetup(lambda: None, api_bases={"XUNLEI": "http://127.0.0.1:9"}), ["xunlei"])
    link = drives.read("https://pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1?pwd=ab12")
    assert isinstance(link, Link)
    result = drives["xunlei"].checker(_run()).check(link)
    assert (result.verdict, result.reason, result.requests) == (Verdict.SKIPPED, "unsupported_drive", 0)
