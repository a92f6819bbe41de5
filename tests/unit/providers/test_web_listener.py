"""WebClient's `on_exchange` (issue 24): the one place the other drives' HTTP is heard (`quarkctl probe`
records through it). It hears every request of a check, the one that got no answer too, with the drive's own
URL and where it really went, and changes nothing the check reads."""

from __future__ import annotations

from quarkctl.providers.baidu import BaiduDrive
from quarkctl.providers.base import DriveSetup
from quarkctl.providers.web import WebClient, WebExchange
from quarkctl.quark.verdict import Verdict
from quarkctl.simulator.drives_server import BAIDUID, DrivesSimulator


def test_the_listener_hears_each_request_of_a_check_with_the_reply_the_drive_read() -> None:
    with DrivesSimulator() as sim:
        sim.add("baidu", "AbCdEfGh", "locked", passcode="ab12")
        drive = BaiduDrive(DriveSetup(lambda: None, api_bases={"BAIDU": sim.base_url or ""}, timeout=5))
        heard: list[WebExchange] = []
        client = drive.client()
        client.on_exchange = heard.append
        link = drive.read("https://pan.baidu.com/s/1AbCdEfGh?pwd=ab12")
        assert link is not None
        result = drive.probe(client, link)
        client.close()
    assert (result.verdict, result.reason) == (Verdict.VALID, "ok")
    assert [(ex.method, ex.url.split("?")[0]) for ex in heard] == [
        ("GET", "https://pan.baidu.com/"), ("GET", "https://pan.baidu.com/api/shorturlinfo"),
        ("POST", "https://pan.baidu.com/share/verify")]
    assert all(ex.sent_to.startswith(sim.base_url or "-") for ex in heard)
    assert heard[0].text is not None and heard[0].text.startswith("<!DOCTYPE html>")  # a page: its text, not only a snippet
    assert any(BAIDUID in h for h in heard[0].reply.set_cookies)
    assert heard[1].headers["Cookie"] == f"BAIDUID={BAIDUID}"  # what was really sent (the listener redacts)
    assert heard[2].form == {"pwd": "ab12", "vcode": "", "vcode_str": ""} and heard[2].reply.obj == {
        "errno": 0, "err_msg": "", "request_id": 4817740255807962253, "randsk": "sim-randsk"}


def test_a_request_that_got_no_answer_is_heard_too() -> None:
    heard: list[WebExchange] = []
    client = WebClient("http://127.0.0.1:9", timeout=2, on_exchange=heard.append)  # nothing listens on port 9
    reply = client.request("GET", "https://webapi.115.com/share/snap", params={"share_code": "x"})
    client.close()
    assert reply.transport_error == "connection_error"
    assert [(ex.url, ex.sent_to, ex.reply) for ex in heard] == [
        ("https://webapi.115.com/share/snap", "http://127.0.0.1:9/share/snap", reply)]
