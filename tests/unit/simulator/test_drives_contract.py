"""The contract between the drives' checks and the public evidence (issue 24), as test_contract.py is Quark's.

Every sample of tests/samples/drives-replies.json (by drive, endpoint key and index: a sample added later
fails here until it is classified in EXPECTED) is served verbatim by the drives simulator and read by the
drive's real check, and gets the verdict its evidence allows: a `seen` sample (measured on the real
service) gets what drives-api.md says it means, dead included; a `code` sample (what clients expect) is
never `expired` unless the user trusts that drive's code-only rules. Samples of endpoints quarkctl never
asks (HTML pages, listings, other hosts) are listed as such. The simulator's own answers have the keys and
JSON types of the `seen` samples of the endpoints it serves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quarkctl.providers.base import CheckRun, DriveSetup, Link
from quarkctl.providers.registry import open_drives
from quarkctl.quark.verdict import DEAD_STATUSES, Verdict
from quarkctl.simulator.drive_replies import TABLES
from quarkctl.simulator.drives_server import DrivesSimulator

REPLIES = Path(__file__).parents[2] / "samples" / "drives-replies.json"
SAMPLES: dict[str, dict[str, list[dict[str, Any]]]] = {
    k: v for k, v in json.loads(REPLIES.read_text("utf-8")).items() if not k.startswith("_")}

V, X, P, E = Verdict.VALID, Verdict.EXPIRED, Verdict.NEEDS_PASSCODE, Verdict.ERROR
NOT_ASKED = None
SAME = (E, E)  # error whether trusted or not
CODE_DEAD = (E, X)  # a code-only dead answer: dead only when the drive is trusted
# A `code` sample whose answer a `seen` sample of the same endpoint shows too (Aliyun's NotFound.ShareLink)
SEEN_ELSEWHERE = (X, X, "seen elsewhere")
# The samples' drive keys -> the drive's name, a link (and its share id), the link with a passcode
DRIVE = {"uc": "uc", "baidu": "baidu", "aliyun": "aliyun", "pan123": "123", "tianyi": "tianyi", "caiyun": "mobile",
         "pan115": "115", "xunlei": "xunlei"}
LINKS = {
    "uc": ("https://drive.uc.cn/s/d60d722172f84", "d60d722172f84"),
    "baidu": ("https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12", "AbCdEfGh"),
    "aliyun": ("https://www.alipan.com/s/4F9AbCdEfGh", "4F9AbCdEfGh"),
    "123": ("https://www.123pan.com/s/yXg6Vv-enZ7v", "yXg6Vv-enZ7v"),
    "tianyi": ("https://cloud.189.cn/t/AbCdEf123456", "AbCdEf123456"),
    "mobile": ("https://caiyun.139.com/w/i/2rJV89vKpVPsr", "2rJV89vKpVPsr"),
    "115": ("https://115.com/s/swfsfjg3h7i", "swfsfjg3h7i"),
}
# A sample that gives no HTTP status is served with this one (Aliyun's errors come with a 4xx, section 6)
DEFAULT_STATUS = {"aliyun": 400}


def _status(drive: str, sample: dict[str, Any], body: Any) -> int:
    """The sample's own status; else its code's seen twin's (Aliyun's NotFound.ShareLink: 404), else, for UC
    (Quark's family, drives-api.md section 4), the status Quark's answers of that code come with (404; 41031
    403), else the drive's default. A dead code marks only with the status its evidence has (issue 24)."""
    if sample.get("http_status"):
        return int(sample["http_status"])
    code = body.get("code") if isinstance(body, dict) else None
    if drive == "aliyun" and code == "NotFound.ShareLink":
        return 404
    if drive == "uc" and isinstance(code, int):
        return next(iter(DEAD_STATUSES.get(code, {404})))
    return DEFAULT_STATUS.get(drive, 200)

# drive key -> per endpoint (in the file's order): (the simulator endpoint its samples replay on, or None
# when quarkctl never asks it), then per sample (untrusted, trusted), a list of them for a list of bodies
EXPECTED: dict[str, list[tuple[str | None, list[Any]]]] = {
    "uc": [
        ("token", [(X, X), (X, X), (V, V), (P, P), (X, X), (X, X), [CODE_DEAD] * 3, SAME]),
        ("token", [SAME]),  # the wrong host's 403 HTML, served where the right host is asked
        (NOT_ASKED, [NOT_ASKED]),  # v2/detail
        (NOT_ASKED, [NOT_ASKED]),  # the share page's HTML
    ],
    "baidu": [
        ("shorturlinfo", [(V, V), SAME, (X, X), SAME, SAME]),
        (NOT_ASKED, [NOT_ASKED]),  # the clienttype=5 fallback
        # verify, after shorturlinfo's -9; the community meanings: -7, -8 code-only dead, -12 needs a passcode
        ("verify", [(V, V), SAME, SAME, SAME, (X, X), [SAME, SAME], [CODE_DEAD, CODE_DEAD, (P, P), SAME, SAME]]),
        (NOT_ASKED, [NOT_ASKED] * 3),  # share/list
        (NOT_ASKED, [NOT_ASKED] * 3),  # the share page's HTML
    ],
    "aliyun": [
        # the clients' list: Expired, Forbidden, NotFound.ShareLink (aliyun[0][2] is its seen twin), a bad id's
        # words, an unknown violation code, two rate limits
        ("share", [(V, V), (P, P), (X, X), (X, X), SAME, [CODE_DEAD, CODE_DEAD, SEEN_ELSEWHERE, SAME, SAME, SAME, SAME]]),
        ("share", [SAME]),  # ParamFlowException: a rate limit (WS calls it dead)
        (NOT_ASKED, [NOT_ASKED]),  # get_share_token
    ],
    "pan123": [
        ("share", [(V, V), (X, X), (P, P), CODE_DEAD, SAME]),
        (NOT_ASKED, [NOT_ASKED] * 3),  # api/share/info on www.123pan.com
    ],
    "tianyi": [
        ("share", [(P, P), (V, V), (X, X), [(X, X)] * 3, [SAME, CODE_DEAD, SAME], SAME]),
        (NOT_ASKED, [NOT_ASKED]),  # listShareDir (needs a login)
    ],
    "caiyun": [
        ("share", [(V, V), (P, P), (X, X), [CODE_DEAD, CODE_DEAD, SAME, SAME, SAME]]),
        ("share", [SAME]),  # the encrypted spelling (resultCode) answering the plaintext call: a wrong shape
        (NOT_ASKED, [NOT_ASKED]),  # the old stapi brief
    ],
    "pan115": [
        ("snap", [(V, V), (X, X), (P, P), (P, P), SAME, (V, V), (X, X), SAME]),
    ],
    # no anonymous check: every link skipped without a request (tests/unit/providers/test_drive_checks.py)
    "xunlei": [(NOT_ASKED, [NOT_ASKED] * len(samples)) for samples in SAMPLES["xunlei"].values()],
}


def _bodies(drive: str, sample: dict[str, Any]) -> list[Any]:
    body = sample.get("body")
    if drive == "baidu" and isinstance(body, dict) and all(k.lstrip("-").isdigit() for k in body):
        return [{"errno": int(k), "err_msg": v, "request_id": 1} for k, v in body.items()]  # errno -> meaning
    return body if isinstance(body, list) else [body]


def cases() -> list[tuple[str, int, int, int]]:
    found = []
    for key, endpoints in SAMPLES.items():
        for e, samples in enumerate(endpoints.values()):
            if EXPECTED[key][e][0] is NOT_ASKED:
                continue  # listed in EXPECTED as such (test_every_sample_is_classified)
            for s, sample in enumerate(samples):
                found.extend((key, e, s, b) for b in range(len(_bodies(key, sample))))
    return found


def test_every_sample_is_classified() -> None:
    assert set(SAMPLES) == set(EXPECTED)
    for key, endpoints in SAMPLES.items():
        assert len(endpoints) == len(EXPECTED[key]), key
        for (_, samples), (endpoint, expected) in zip(endpoints.items(), EXPECTED[key]):
            assert len(samples) == len(expected), (key, samples)
            for sample, want in zip(samples, expected):
                assert (want is NOT_ASKED) == (endpoint is NOT_ASKED), sample["case"]
                if isinstance(want, list):
                    assert len(want) == len(_bodies(key, sample)), sample["case"]


def _expected(key: str, e: int, s: int, b: int) -> tuple[str | None, Any]:
    endpoint, per_sample = EXPECTED[key][e]
    want = per_sample[s]
    return endpoint, want[b] if isinstance(want, list) else want


def _run() -> CheckRun:
    return CheckRun(0, 0.0, sleep=lambda s: True, retry_sleep=lambda s: True, on_wait=lambda s, k: None, watch=lambda c: c,
                    login_dropped=lambda r: None)


@pytest.mark.parametrize(("key", "e", "s", "b"), cases(), ids=lambda v: str(v))
def test_a_sample_gets_what_its_evidence_allows(key: str, e: int, s: int, b: int) -> None:
    endpoint, want = _expected(key, e, s, b)
    sample = list(SAMPLES[key].values())[e][s]
    assert endpoint is not None
    drive = DRIVE[key]
    text, share_id = LINKS[drive]
    body = _bodies(key, sample)[b]
    status = _status(drive, sample, body)
    untrusted, trusted = want[:2]
    if sample["kind"] == "code" and want is not SEEN_ELSEWHERE:
        assert untrusted is not Verdict.EXPIRED  # the rule of issue 24: never dead on what nobody measured
    with DrivesSimulator() as sim:
        if endpoint == "verify":
            sim.add("baidu", share_id, "locked", passcode="right")  # shorturlinfo says -9: the passcode is asked
        sim.serve(drive, share_id, endpoint, status, body)
        got = []
        for trust in (frozenset(), frozenset({drive})):
            setup = DriveSetup(lambda: None, trust_unverified=trust, api_bases=dict.fromkeys(
                ("UC", "BAIDU", "ALIYUN", "123", "TIANYI", "MOBILE", "115"), sim.base_url or ""), timeout=5)
            drives = open_drives(setup, [drive])
            link = drives.read(text)
            assert isinstance(link, Link)
            checker = drives[drive].checker(_run())
            got.append(checker.check(link))
            checker.close()
    assert (got[0].verdict, got[1].verdict) == (untrusted, trusted), (sample["case"], got)
    if untrusted is Verdict.EXPIRED:  # a mark carries its evidence: the status and the drive's code or words
        assert got[0].http_status == status and (got[0].api_code is not None or got[0].message)


def _shape(value: Any) -> str:
    return "null" if value is None else {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
                                         dict: "object"}[type(value)]


SEEN = [(key, e, s) for key, endpoints in SAMPLES.items() for e, samples in enumerate(endpoints.values())
        for s, sample in enumerate(samples)
        if sample["kind"] == "seen" and isinstance(sample.get("body"), dict) and EXPECTED[key][e][0] in ("token", "share", "snap")]


@pytest.mark.parametrize(("key", "e", "s"), SEEN, ids=lambda v: str(v))
def test_the_simulator_answers_in_the_seen_shapes(key: str, e: int, s: int) -> None:
    """Some answer of the simulator's has every key of a seen sample, with its JSON type."""
    sample = list(SAMPLES[key].values())[e][s]["body"]
    drive = DRIVE[key]
    answers = [body for _status, body in TABLES[drive].values() if isinstance(body, dict)]

    def covers(body: dict[str, Any]) -> bool:
        return all(k in body and (_shape(body[k]) == _shape(v) or isinstance(v, str) and v.startswith("<"))
                   for k, v in sample.items() if k != "...")

    # 115's seen samples are CPL's flattened spelling (api_state, api_errno): the simulator answers 115's own
    flattened = {"api_state": "state", "api_errno": "errno", "page_entry_error_message": "error"}
    if key == "pan115":
        sample = {flattened.get(k, k): v for k, v in sample.items()
                  if k not in ("share_state", "share_state_label", "share_title", "forbid_reason", "have_vio_file", "is_access",
                               "api_errtype")}
    assert any(covers(body) for body in answers), sample
