"""The provider seam (providers/): a row's link read through the drives, and Quark's check behind it, the
same requests and verdicts as quark/linkcheck.py's LinkChecker."""

from __future__ import annotations

from quarkctl.providers.base import CheckRun, DriveSetup, Link
from quarkctl.providers.registry import PROVIDERS, open_drives
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.cookie import SessionCookie
from quarkctl.quark.linkcheck import CheckResult, LinkChecker
from quarkctl.quark.links import ShareLink
from quarkctl.quark.verdict import Verdict
from quarkctl.simulator import Simulator
from tests.conftest import COOKIE, add_valid, share_url

FID = "0123456789abcdef0123456789abcdef"


def _drives(sim: Simulator):
    session = SessionCookie(COOKIE)
    return open_drives(DriveSetup(lambda: QuarkClient(cookie=session, api_base=sim.base_url, timeout=5), session))


def _run(dropped: list) -> CheckRun:
    return CheckRun(0, 0.0, sleep=lambda s: True, retry_sleep=lambda s: True, on_wait=lambda s, k: None, watch=lambda c: c,
                    login_dropped=dropped.append)


def test_quark_is_the_first_drive_and_a_runs_only_one_until_the_run_loop_paces_each() -> None:
    # issue 24 lists every drive, but check-links opens the others only once each has its own pacer
    assert list(PROVIDERS)[0] == "quark" and len(PROVIDERS) == 9
    assert list(open_drives(DriveSetup(lambda: None)).by_name) == ["quark"]


def test_a_rows_text_is_read_by_the_drive_it_belongs_to(sim: Simulator) -> None:
    drives = _drives(sim)
    link = drives.read(f"https://pan.quark.cn/s/abcd00000001?pwd=1234#/list/share/{FID}")
    assert isinstance(link, Link)
    assert (link.drive, link.share_id, link.folder, link.is_subfolder, link.key) == (
        "quark", "abcd00000001", FID, True, f"abcd00000001/{FID}")
    assert link.native == ShareLink("abcd00000001", "1234", FID)
    root = drives.read("pan.quark.cn/s/abcd00000001 提取码：1234")
    assert isinstance(root, Link) and (root.folder, root.is_subfolder, root.key) == ("0", False, "abcd00000001/0")


def test_what_no_drive_claims_is_skipped_and_a_broken_quark_link_is_an_error(sim: Simulator) -> None:
    drives = _drives(sim)
    for text in ("https://pan.baidu.com/s/1demo", "", None, "no link at all"):
        assert drives.read(text) == CheckResult(Verdict.SKIPPED, "unsupported_link")
    assert drives.read("https://pan.quark.cn/") == CheckResult(Verdict.ERROR, "malformed_link")


def test_one_share_whatever_its_passcode(sim: Simulator) -> None:
    drives = _drives(sim)
    dead = drives.read(share_url("abcd00000001", "1234"))
    assert isinstance(dead, Link)
    assert drives.same_share(share_url("abcd00000001"), dead)
    assert not drives.same_share(share_url("abcd00000002"), dead)
    assert not drives.same_share(f"{share_url('abcd00000001')}#/list/share/{FID}", dead)  # a folder of it is not the share
    assert not drives.same_share("https://pan.baidu.com/s/1abcd00000001", dead)


def test_quarks_check_is_linkcheckers(sim: Simulator) -> None:
    add_valid(sim, "live00000001")
    drives, dropped = _drives(sim), []
    checker = drives["quark"].checker(_run(dropped))
    try:
        for pwd_id in ("live00000001", "gone00000001"):
            link = drives.read(share_url(pwd_id))
            assert isinstance(link, Link)
            with QuarkClient(cookie=COOKIE, api_base=sim.base_url, timeout=5) as client:
                direct = LinkChecker(client, retries=0, backoff=0.0, sleep=lambda s: True).check_link(link.native)
            assert checker.check(link) == direct
        assert checker.check(drives.read(share_url("live00000001"))).verdict is Verdict.VALID
    finally:
        checker.close()
    assert dropped == []
