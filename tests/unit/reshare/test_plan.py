"""Issue 17: which rows qualify for a re-share (pure decisions, no HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from quarkctl.db.records import ResourceRow
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.shares import OwnShare
from quarkctl.quark.verdict import Verdict
from quarkctl.reshare.plan import Plan, plan_row

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)
FID = "a" * 32


def own(pwd_id: str = "abcdef123456", **kw) -> OwnShare:
    values = dict(share_id="s" * 32, pwd_id=pwd_id, title="t", first_fid=FID, file_num=1, path_info="/追更", url_type=1,
                  expired_type=1, expired_at=4102416000000, status=1, audit_status=1, partial_violation=False,
                  created_at=0, share_url=f"https://pan.quark.cn/s/{pwd_id}")
    return OwnShare(**{**values, **kw})


def dead(reason: str, code: int) -> CheckResult:
    return CheckResult(Verdict.EXPIRED, reason, code)


def plan(link: str, result: CheckResult | None, shares: list[OwnShare], *, within=None, recorded=None, present=True):
    return plan_row(ResourceRow(7, "剧集A", link, result is not None), result, {s.pwd_id: s for s in shares}, now=NOW,
                    within=within, recorded_fids=lambda pwd_id: recorded, in_drive=lambda path, fids: present)


LINK = "https://pan.quark.cn/s/abcdef123456"


def test_an_expired_own_single_item_share_is_planned_with_its_fid_and_the_row_name() -> None:
    result = plan(LINK, dead("share_expired", 41019), [own()])
    assert isinstance(result, Plan) and result.fids == [FID] and result.title == "剧集A" and result.passcode == ""


def test_a_passcode_is_kept_when_quark_takes_it_and_replaced_when_not() -> None:
    kept = plan(LINK + "?pwd=ab12", dead("share_cancelled", 41012), [own()])
    assert isinstance(kept, Plan) and kept.passcode == "ab12"
    new = plan(LINK + "?pwd=toolong9", dead("share_cancelled", 41012), [own()])
    assert isinstance(new, Plan) and len(new.passcode) == 4 and new.passcode != "toolong9"


def test_takedowns_and_bans_are_refused_even_when_everything_else_fits() -> None:
    for reason, code in (("content_violation", 41010), ("sharer_banned", 41031)):
        result = plan(LINK, dead(reason, code), [own()])
        assert not isinstance(result, Plan) and (result.action, result.reason) == ("refused", "taken_down")


def test_failed_review_in_the_list_is_refused() -> None:
    result = plan(LINK, dead("share_cancelled", 41012), [own(audit_status=3)])
    assert not isinstance(result, Plan) and result.reason == "failed_review"


def test_several_items_not_recorded_by_quarkctl_are_left_to_a_person_with_the_folder() -> None:
    result = plan(LINK, dead("share_expired", 41019), [own(file_num=3)])
    assert not isinstance(result, Plan) and (result.reason, result.path) == ("several_items", "/追更")
    recorded = plan(LINK, dead("share_expired", 41019), [own(file_num=2)], recorded=[FID, "b" * 32])
    assert isinstance(recorded, Plan) and recorded.fids == [FID, "b" * 32]


def test_not_own_missing_item_and_unhealable_reasons_are_skipped() -> None:
    assert plan(LINK, dead("share_expired", 41019), []).reason == "not_own_share"
    assert plan(LINK, dead("share_expired", 41019), [own()], present=False).reason == "item_missing"
    assert plan(LINK, dead("share_not_found", 41006), [own()]).reason == "cannot_heal"
    assert plan("https://example.com/x", dead("share_expired", 41019), [own()]).reason == "not_quark_link"


def test_a_live_timed_share_is_planned_only_within_the_window() -> None:
    soon = int((NOW + timedelta(days=1)).timestamp() * 1000)
    share = own(expired_type=3, expired_at=soon)
    assert isinstance(plan(LINK, None, [share], within=timedelta(days=2)), Plan)
    assert plan(LINK, None, [share], within=timedelta(hours=12)).reason == "not_expiring"
    assert plan(LINK, None, [own()], within=timedelta(days=2)).reason == "not_expiring"  # permanent
    assert plan(LINK, None, [share]).reason == "not_dead"
