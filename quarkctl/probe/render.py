"""The probe's report as text lines (each call as it happens, then one line per endpoint) or one JSON
document. Everything printed comes from a redacted copy: secrets never reach the terminal; nor does a
control character of a reply (safe_text.py)."""

from __future__ import annotations

import json
from typing import Any

from quarkctl import __version__
from quarkctl.errors import ExitCode
from quarkctl.i18n import _
from quarkctl.probe.calls import Exchange
from quarkctl.probe.capture import REPORT_TO, Redactor
from quarkctl.probe.drives import DriveProbe
from quarkctl.probe.run import ProbeReport
from quarkctl.redact import redact
from quarkctl.render.messages import drive_text
from quarkctl.safe_text import json_text, printable_lines

_BODY_SHOWN = 2000  # characters of a body in the text report (--json and the capture hold it whole)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _reading(outcome: str, reason: str) -> str:
    """`quarkctl reads it as: dead (share_not_found: no such share)`; the machine values stay (a report
    quotes them), the words explain them, and `ok (ok)` says it once."""
    from quarkctl.render.messages import REASONS

    if reason == outcome:
        detail = outcome
    elif reason in REASONS and outcome != "ok":
        detail = f"{outcome} ({reason}: {_(REASONS[reason])})"
    else:
        detail = f"{outcome} ({reason})"
    return _("quarkctl reads it as: {reading}").format(reading=detail)



def unreachable_text(report: ProbeReport) -> str:
    """Exit 4, nothing answered: the drives that were asked, and the settings that send each somewhere."""
    asked = (["quark"] if report.endpoints else []) + list(dict.fromkeys(p.drive for p in report.drives if p.exchanges))
    if asked in ([], ["quark"]):
        return _("Quark could not be reached (exit 4): check the network, the proxy and QUARK_API_BASE.")
    settings = (["QUARK_API_BASE"] if "quark" in asked else []) + ["QUARKCTL_API_BASE_<KEY>"]
    return _("{drives} could not be reached (exit 4): check the network, the proxy and {settings}.").format(
        drives=", ".join(drive_text(drive) for drive in asked), settings=", ".join(settings))

class TextReport:
    """Prints each exchange as it comes (`on_exchange`), then the summary (`finish`)."""

    def __init__(self, echo: Any, *, cookie: str | None) -> None:
        self._echo = echo
        self.redactor = Redactor(cookie=cookie, redact_names=False)

    def echo(self, text: str) -> None:
        self._echo(printable_lines(redact(text)))

    def _shown(self, exchange: Exchange) -> dict[str, Any]:
        return self.redactor.finish(self.redactor.exchange(exchange))

    def on_exchange(self, exchange: Exchange) -> None:
        ex = self._shown(exchange)
        req, reply, comparison = ex["request"], ex["reply"], ex["comparison"]
        query = "&".join(f"{k}={v}" for k, v in (req.get("query") or {}).items())
        name = ex["endpoint"] if ex["drive"] == "quark" else f"{ex['drive']} {ex['endpoint']}"
        lines = [f"== {name}: {req.get('method')} {req.get('host')}{req.get('path')}" + (f"?{query}" if query else "")]
        if req.get("sent_to"):
            lines.append("   " + _("sent to {base} (QUARKCTL_API_BASE_*)").format(base=req["sent_to"]))
        if req.get("body") is not None:
            lines.append("   " + _("sent: {body}").format(body=_compact(req["body"])))
        if reply.get("transport_error"):
            lines.append("   " + _("no answer: {error}").format(error=reply["transport_error"]))
        else:
            headers = dict(reply.get("headers") or {})
            cookies = [h.split("=", 1)[0] for h in reply.get("set_cookie") or []]
            if cookies:
                headers["Set-Cookie"] = ", ".join(cookies)  # names only
            head = "; ".join(f"{k}: {v}" for k, v in headers.items())
            lines.append("   " + _("HTTP {status}; {headers}").format(status=reply.get("status"), headers=head or "-"))
            body = _compact(reply["body"]) if reply.get("body") is not None else (reply.get("text") or "")
            lines.append("   " + (body if len(body) <= _BODY_SHOWN else body[:_BODY_SHOWN] + " …"))
        if ex["drive"] != "quark":  # another drive: its link's verdict follows its last request (on_link)
            for line in lines:
                self.echo(line)
            return
        lines.append("   " + _reading(ex["outcome"], ex["reason"]))
        if comparison.get("as_expected"):
            lines.append("   as expected" + (f" ({comparison['note']})" if comparison.get("note") else ""))
        else:
            lines.append("   DIFFERENT: " + "; ".join(comparison.get("differences") or []))
        for line in lines:
            self.echo(line)

    def on_link(self, probe: DriveProbe) -> None:
        """Another drive's link: what check-links would make of it, and whether it would mark the row."""
        self.redactor.secret(probe.passcode)
        for line in drive_lines(probe):
            self.echo(self.redactor.ph.scrub(line))

    def finish(self, report: ProbeReport) -> None:
        self.echo("")
        for endpoint, entry in report.endpoints.items():
            calls = _("calls: {n}").format(n=entry["calls"])
            verdict = "as expected" if entry["as_expected"] else f"DIFFERENT ({entry['different']}/{entry['calls']})"
            self.echo(f"{endpoint}: {verdict}, {calls}")
        for probe in report.drives:
            self.echo(self.redactor.ph.scrub(f"{probe.drive}: {probe.link}: {probe.result.verdict.value} ({probe.result.reason})"))
        if not report.endpoints and not report.drives:
            self.echo(_("No calls were made."))
        if report.exit_code is ExitCode.AUTH:  # every line may read "as expected": say why it exits 3
            self.echo(_("Quark rejected the cookie (exit 3): put a fresh one in QUARK_COOKIE, or probe with --anonymous."))
        elif report.exit_code is ExitCode.ABORTED:
            self.echo(unreachable_text(report))
        if any(not probe.understood for probe in report.drives):
            self.echo(_("quarkctl has no rule for an answer above (exit 1): please send a capture (--record), as {where} "
                        "describes.").format(where=_('README.md, section "How to contribute a capture"')))
        if report.capture_path is not None and report.drives:
            self.echo(_("Capture written to {path}; to send it, see {where}.").format(
                path=report.capture_path, where=_('README.md, section "How to contribute a capture"')))
        elif report.capture_path is not None:
            # The capture keeps REPORT_TO in English (machine data); the sentence names the section in the user's language.
            self.echo(_("Capture written to {path}; to report a Quark change, send it as {where} describes.").format(
                path=report.capture_path, where=_('README.md, section "Reporting a Quark change"')))


def json_report(report: ProbeReport, *, cookie: str | None) -> str:
    redactor = Redactor(cookie=cookie, redact_names=False)
    for probe in report.drives:
        redactor.secret(probe.passcode)
    exchanges = redactor.finish([redactor.exchange(ex) for ex in report.all_exchanges])
    doc = {"quarkctl_version": __version__, "exit_code": int(report.exit_code), "interrupted": report.interrupted,
           "endpoints": report.endpoints, "capture": str(report.capture_path) if report.capture_path else None,
           "report_to": REPORT_TO, "exchanges": exchanges,
           "links": redactor.finish([probe.as_dict() for probe in report.drives])}  # fmt: skip
    return redact(json_text(doc, indent=1))


def drive_lines(probe: DriveProbe) -> list[str]:
    """`baidu https://…: quarkctl reads it as: expired (share_not_found: no such share)`, the evidence, and
    what check-links would do to the row."""
    from quarkctl.render.messages import drive_text, reason_text

    r = probe.result
    if not probe.checked:
        return [_("{drive} {link}: not checked: unsupported ({why})").format(
            drive=probe.drive, link=probe.link, why=reason_text(r.reason, probe.drive))]
    words = reason_text(r.reason, probe.drive)
    reading = r.verdict.value if r.reason in ("ok", r.verdict.value) else f"{r.verdict.value} ({r.reason}: {words})"
    lines = [f"{probe.drive} {probe.link}: " + _("quarkctl reads it as: {reading}").format(reading=reading)]
    evidence = [f"HTTP {r.http_status}" if r.http_status is not None else _("no HTTP answer")]
    if r.api_code is not None:
        evidence.append(_("code {code}").format(code=r.api_code))
    if r.message:
        evidence.append(r.message[:200])
    lines.append("   " + _("evidence: {evidence}").format(evidence="; ".join(evidence)))
    if probe.would_mark:
        lines.append("   " + _("check-links would mark it expired: {drive} gave this answer on real dead shares").format(
            drive=drive_text(probe.drive)))
    elif probe.marks_if_trusted:
        lines.append("   " + _("check-links would leave it alone; with --trust-unverified {name} it would mark it expired").format(
            name=probe.drive))
    else:
        lines.append("   " + _("check-links would not mark it ({verdict})").format(verdict=r.verdict.value))
    return lines
