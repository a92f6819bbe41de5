"""A rule that must never break (issue 24): another drive's passcode and the cookies it was handed never reach
a capture or the probe's report, whatever they spell. The exchanges are built the way the probe builds them
from a WebClient's `on_exchange` (probe/drives.py), then redacted by the capture's own code."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from quarkctl.probe.capture import build_capture
from quarkctl.probe.drives import reply_record, request_record
from quarkctl.probe.calls import Exchange
from quarkctl.providers.web import WebExchange, WebReply

ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
passcodes = st.text(alphabet=ALNUM, min_size=4, max_size=6)
cookies = st.text(alphabet=ALNUM + ":=", min_size=8, max_size=40).filter(lambda v: not v.startswith("="))


def strings(value: Any) -> list[str]:
    """Every string value of a JSON document (keys are the format's own words, not data)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def _exchanges(passcode: str, baiduid: str) -> tuple[str, list[Exchange]]:
    link = f"https://pan.baidu.com/s/1AbCdEf901?pwd={passcode}"
    home = WebExchange("GET", "https://pan.baidu.com/", "http://127.0.0.1:1/", None, None, None, {"User-Agent": "x"},
                       WebReply(200, snippet="<html>", set_cookies=(f"BAIDUID={baiduid}; path=/; domain=.baidu.com",)),
                       "<!DOCTYPE html><html></html>", {"Content-Type": "text/html"})
    verify = WebExchange("POST", "https://pan.baidu.com/share/verify", "http://127.0.0.1:1/share/verify",
                         {"surl": "AbCdEf901", "t": "1796635207101"}, None, {"pwd": passcode, "vcode": "", "vcode_str": ""},
                         {"Cookie": f"BAIDUID={baiduid}", "Referer": "https://pan.baidu.com/s/1AbCdEf901"},
                         WebReply(200, {"errno": -9, "err_msg": f"pwd {passcode} wrong"}), None, {"Content-Type": "application/json"})
    made = [Exchange(name, request_record(ex), reply_record(ex), "", "", link, drive="baidu", secrets=(passcode,))
            for name, ex in (("home", home), ("verify", verify))]
    return link, made


@given(passcode=passcodes, baiduid=cookies, names=st.booleans())
@example(passcode="9991", baiduid="SIMBAIDUID:FG=1", names=False)  # a digit placeholder of the same shape: never itself
@example(passcode="PWD1", baiduid="SIMBAIDUID:FG=1", names=True)  # a passcode that spells a placeholder
def test_a_drive_capture_never_holds_the_passcode_or_the_drives_cookie(passcode: str, baiduid: str, names: bool) -> None:
    link, exchanges = _exchanges(passcode, baiduid)
    entry = {"drive": "baidu", "link": link, "verdict": "error", "reason": "passcode_state_unknown"}
    capture = build_capture(exchanges, cookie=None, redact_names=names, links=[entry], secrets=[passcode])
    cookie_value = baiduid.split(";")[0]
    data = strings(capture["exchanges"]) + strings(capture["links"])  # what was heard (the rest is the format's own words)
    # the passcode wherever it stands alone, in any case (inside a longer run of letters and digits, such as an id
    # or a placeholder, it is part of that run: capture.py Placeholders.scrub)
    alone = re.compile(rf"(?<![A-Za-z0-9]){re.escape(passcode)}(?![A-Za-z0-9])", re.IGNORECASE)
    leaked = [s for s in data if alone.search(s) or cookie_value in s]
    assert not leaked, leaked
    # the capture still says what was sent: the form's field, the cookie's name, one placeholder per passcode
    verify = capture["exchanges"][1]["request"]
    assert verify["cookie_names"] == ["BAIDUID"] and len(verify["body"]["pwd"]) == len(passcode)
    assert json.loads(json.dumps(capture)) == capture


def test_a_passcode_inside_an_id_keeps_the_id_and_an_echo_in_another_case_or_as_a_key_is_masked() -> None:
    passcode = "abcd"
    link = f"https://pan.xunlei.com/s/VNabcdEFGhijklmn?pwd={passcode}"
    reply = WebReply(200, {"ABCD": "x", "msg": f"pwd {passcode.upper()} wrong", "id": "VNabcdEFGhijklmn"})
    ex = WebExchange("GET", link, "http://127.0.0.1:1/", None, None, None, {}, reply, None, {"Content-Type": "application/json"})
    made = [Exchange("info", request_record(ex), reply_record(ex), "", "", link, drive="xunlei", secrets=(passcode,))]
    capture = build_capture(made, cookie=None, redact_names=False, links=[], secrets=[passcode])
    text = json.dumps(capture, ensure_ascii=False)
    assert "VNabcdEFGhijklmn" in text  # the share id stays
    assert "ABCD" not in text and f"pwd {passcode.upper()} wrong" not in text and f"pwd={passcode}" not in text
