"""One probe run: Quark's calls, each compared with the samples; the other drives' checks (probe/drives.py);
the exit code; the capture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quarkctl.errors import ExitCode
from quarkctl.runtime.pacing import Pacer
from quarkctl.probe import samples
from quarkctl.probe.calls import Exchange, Prober
from quarkctl.probe.capture import build_capture, write_capture
from quarkctl.probe.compare import compare
from quarkctl.probe.drives import DriveProbe, probe_links
from quarkctl.providers.base import Drives, Link
from quarkctl.quark.client import QuarkClient
from quarkctl.quark.links import ShareLink

# A public share quark-auto-save ships as its test link (quark-api.md section 2, "CP (test link)").
DEFAULT_LINK = "https://pan.quark.cn/s/1ed94d530d63"


@dataclass
class ProbeReport:
    exchanges: list[Exchange]
    exit_code: ExitCode
    capture_path: Path | None = None
    interrupted: bool = False
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    drives: list[DriveProbe] = field(default_factory=list)  # the other drives' links, in the order given

    @property
    def all_exchanges(self) -> list[Exchange]:
        return self.exchanges + [ex for probe in self.drives for ex in probe.exchanges]


def compared(exchange: Exchange, expected: dict) -> None:
    reply = exchange.reply
    if reply.get("transport_error"):
        exchange.comparison = {"as_expected": False, "differences": [f"no answer ({reply['transport_error']})"],
                               "sample": None, "note": None}  # fmt: skip
        return
    content_type = (reply.get("headers") or {}).get("Content-Type", "")
    result = compare(exchange.endpoint, reply.get("status"), reply.get("body"), known_code=exchange.reason != "unknown_code",
                     expected=expected, snippet=(reply.get("text") or "")[:120].replace("\n", " "), content_type=content_type,
                     query=exchange.request.get("query") or {})
    exchange.comparison = result.as_dict()


def exit_code(exchanges: list[Exchange], drives: list[DriveProbe] | None = None) -> ExitCode:
    """0 all as expected, 1 something differs, 3 cookie rejected, 4 no answer at all (issue 14). Another
    drive's answer "differs" when none of its rules reads it (unknown code, wrong shape, a page): the
    answers a capture is most wanted for (issue 24)."""
    drives = drives or []
    every = exchanges + [ex for probe in drives for ex in probe.exchanges]
    if every and all(ex.reply.get("transport_error") for ex in every):
        return ExitCode.ABORTED
    if any(ex.outcome == "auth" for ex in exchanges):
        return ExitCode.AUTH
    if any(not ex.comparison.get("as_expected") for ex in exchanges) or any(not p.understood for p in drives):
        return ExitCode.LINK_ERRORS
    return ExitCode.OK


def endpoint_summary(exchanges: list[Exchange]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for ex in exchanges:
        entry = summary.setdefault(ex.endpoint, {"calls": 0, "different": 0, "as_expected": True})
        entry["calls"] += 1
        if not ex.comparison.get("as_expected"):
            entry["different"] += 1
            entry["as_expected"] = False
    return summary


def run_probe(client: QuarkClient | None, *, cookie: str | None, links: list[tuple[str, ShareLink]], pacer: Pacer,
              record: Path | None = None, redact_names: bool = False,
              on_exchange: Callable[[Exchange], None] | None = None, drives: Drives | None = None,
              drive_links: list[tuple[str, Link]] | None = None,
              on_link: Callable[[DriveProbe], None] | None = None) -> ProbeReport:
    """Quark's calls when `client` is given (the account's, then `links`), then each of `drive_links` on its drive."""
    expected = samples.load()

    def seen(exchange: Exchange) -> None:
        if exchange.drive == "quark":
            compared(exchange, expected)
        if on_exchange is not None:
            on_exchange(exchange)

    prober = Prober(client, pacer, seen) if client is not None else None
    finished = True
    if prober is not None:
        prober.account(cookie)
        finished = prober.links(links)
    quark = prober.exchanges if prober is not None else []
    others: list[DriveProbe] = []
    if finished and drive_links and drives is not None:
        others, finished = probe_links(drives, drive_links, pacer, seen, on_link or (lambda probe: None))
    report = ProbeReport(quark, exit_code(quark, others), interrupted=not finished, endpoints=endpoint_summary(quark),
                         drives=others)  # fmt: skip
    if record is not None:
        write_capture(record, build_capture(report.all_exchanges, cookie=cookie, redact_names=redact_names,
                                            links=[probe.as_dict() for probe in others],
                                            secrets=[probe.passcode for probe in others]))  # fmt: skip
        report.capture_path = record
    return report
