"""safe_text.py and the renderers built on it (issue 23): a control character from data never reaches a
terminal, a log file or a notification, and no data is ever read as rich markup. The installed command
on a pseudo-terminal: tests/e2e/test_safe_output.py."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone

import pytest
from helpers.loopback import Receiver
from hypothesis import example, given
from hypothesis import strategies as st

from quarkctl.db.records import ResourceRow
from quarkctl.hooks.monitoring import notify
from quarkctl.quark.linkcheck import CheckResult
from quarkctl.quark.verdict import Verdict
from quarkctl.render.autosave import PlainAutosaveReporter, RichAutosaveReporter, tree_lines
from quarkctl.render.check import PlainReporter, RichReporter
from quarkctl.render.plain import PlainLines
from quarkctl.render.resource import VERDICT_STYLE, ResourceCard, card_lines, print_card
from quarkctl.render.reshare import outcome_line
from quarkctl.render.rich_text import SafeConsole
from quarkctl.reports.autosave import SavedNode, TaskResult
from quarkctl.reports.check import LinkOutcome
from quarkctl.reports.reshare import ReshareOutcome
from quarkctl.safe_text import json_text, printable, printable_lines

EVIL_NAME = "\x1b]0;owned\x07evil\x1b[2J"
EVIL_LINK = "https://pan.quark.cn/s/abc0123456\x1b[31m"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# What must never be written from data: C0 controls, DEL, C1 controls, bidi overrides and isolates.
FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI}]")
# A raw piece of the attack: rich's own styles may write ESC, never these.
RAW = ("\x1b]", "\x07", "\x1b[2J", "evil\x1b", "abc0123456\x1b")


def raw_from_data(text: str) -> list[str]:
    return [piece for piece in RAW if piece in text]


@given(st.text())
@example(EVIL_NAME + EVIL_LINK)
@example("a\tb\nc\rd\x0be\x0cf\x85g\u2028" + BIDI)
def test_printable_leaves_no_control(text: str) -> None:
    assert not FORBIDDEN.search(printable(text))
    lines = printable_lines(text)
    assert not FORBIDDEN.search(lines.replace("\n", "").replace("\t", ""))
    assert lines.count("\n") == text.count("\n") and lines.count("\t") == text.count("\t")  # a sink's own layout stays


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=BIDI)))
@example("好电影 第2季 🎬 [bold]x[/] :smile: 100%_\\n «»—…")
def test_printable_text_is_unchanged(text: str) -> None:
    assert printable(text) == text and printable_lines(text) == text


@given(st.recursive(st.none() | st.text() | st.integers(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_text_is_the_same_document_without_raw_controls(document: object) -> None:
    text = json_text(document)
    assert json.loads(text) == document
    assert not FORBIDDEN.search(text)


def test_the_escapes() -> None:
    assert printable(EVIL_NAME) == "\\x1b]0;owned\\x07evil\\x1b[2J"
    assert printable("a\tb\nc\r\nd") == "a b c  d"  # white space in a name is a space, as resources list shows it
    assert printable("\x7f\x9b\u202e\u2066") == "\\x7f\\x9b\\u202e\\u2066"
    assert printable_lines("a\tb\nc\x1b") == "a\tb\nc\\x1b"


def outcome(verdict: str = "expired", message: str | None = "好友已取消了分享\x1b[5m") -> LinkOutcome:
    result = CheckResult(Verdict(verdict), "share_cancelled", api_code=41012, message=message)
    return LinkOutcome(1, 2, ResourceRow(7, EVIL_NAME, EVIL_LINK, False), result, changed=True, cached=False)


def test_check_links_plain_lines_and_log_file() -> None:
    out = io.StringIO()
    reporter = PlainReporter(out)
    reporter.link_done(outcome())
    text = out.getvalue()
    assert raw_from_data(text) == [] and "\x1b" not in text
    assert "[1/2] \\x1b]0;owned\\x07evil\\x1b[2J https://pan.quark.cn/s/abc0123456\\x1b[31m expired" in text
    assert "41012 好友已取消了分享\\x1b[5m" in text


@pytest.mark.parametrize("verdict", [v.value for v in Verdict])
def test_check_links_on_a_terminal_every_verdict(verdict: str) -> None:
    out = io.StringIO()
    reporter = RichReporter(out)
    reporter.console = SafeConsole(out, force_terminal=True, width=300, color_system="standard")
    reporter.started(2)
    reporter.link_started(ResourceRow(8, EVIL_NAME, None, False))
    reporter.link_done(outcome(verdict, message="[/] [red]x"))
    reporter.close()
    text = out.getvalue()
    assert raw_from_data(text) == []
    assert "\\x1b]0;owned\\x07evil\\x1b[2J" in text and "[/] [red]x" in text  # data, not markup
    assert "\x1b[" in text  # rich's own styles still work


def test_every_verdict_has_a_style() -> None:
    assert set(VERDICT_STYLE) == {v.value for v in Verdict}


def test_resources_show_on_a_terminal_with_every_verdict() -> None:
    checks = [{"checked_at": datetime(2026, 5, 1, 2, 0), "verdict": verdict, "reason": "folder_gone", "api_code": None,
               "message": "[bold]" + EVIL_NAME} for verdict in [*VERDICT_STYLE, "from_a_newer_version"]]
    card = ResourceCard(7, [("drama_name", EVIL_NAME), ("link", EVIL_LINK), ("category1", "[/]")], checks,
                        [{"created_at": datetime(2026, 5, 1), "reason": "expiring", "status": "done", "old_link": EVIL_LINK,
                          "new_link": "[x]"}])
    out = io.StringIO()
    print_card(card, SafeConsole(out, force_terminal=True, width=300, color_system="standard"))
    text = out.getvalue()
    assert raw_from_data(text) == [] and "\\x1b]0;owned\\x07evil\\x1b[2J" in text and "[bold]" in text
    assert card_lines(card)[0] == "drama_name: \\x1b]0;owned\\x07evil\\x1b[2J"


def test_resources_list_plain_and_rich(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from quarkctl.commands.resources import list_

    rows = [{"id": n, "drama_name": EVIL_NAME + "[b]", "drive_type": "quark", "is_expired": 0, "link": EVIL_LINK,
             "last_verdict": verdict, "last_checked_at": datetime(2026, 5, 1, tzinfo=timezone.utc)}
            for n, verdict in enumerate([*VERDICT_STYLE, None, "from_a_newer_version"])]
    list_._plain_list(rows)
    plain = capsys.readouterr().out
    assert raw_from_data(plain) == [] and plain.count("\\x1b]0;owned\\x07evil\\x1b[2J[b]") == len(rows)
    screen = io.StringIO()
    monkeypatch.setattr("sys.stdout", screen)
    list_._rich_list(rows)
    assert raw_from_data(screen.getvalue()) == [] and "\\x1b]0;owned" in screen.getvalue()


def test_autosave_lines_and_tree() -> None:
    node = SavedNode(name="E01\x1b[2J.mp4", source_name="src\u202e4pm.exe", is_dir=False)
    result = TaskResult(index=1, name=EVIL_NAME, status="saved", savepath="/剧/\x1b]0;x\x07", added=[node])
    assert tree_lines([node]) == ["└── E01\\x1b[2J.mp4  ← src\\u202e4pm.exe"]
    for reporter_class in (PlainAutosaveReporter, RichAutosaveReporter):
        out = io.StringIO()
        reporter = reporter_class(out, total=1)
        reporter.task_done(result)
        text = out.getvalue()
        assert raw_from_data(text) == [] and "\u202e" not in text and "\\x1b[2J.mp4" in text, reporter_class


def test_reshare_line() -> None:
    line = outcome_line(ReshareOutcome(7, EVIL_NAME, EVIL_LINK, "skipped", "not_dead"))
    assert line.startswith("#7 \\x1b]0;owned\\x07evil\\x1b[2J ")
    out = io.StringIO()
    PlainLines(out).line("INFO", line)
    assert raw_from_data(out.getvalue()) == []


def test_notification_title_and_body() -> None:
    with Receiver() as receiver:
        [delivery] = notify.send([f"json://{receiver.host}/hook"], "title " + EVIL_NAME, "line 1\n" + EVIL_LINK)
        assert delivery.ok
        payload = receiver.requests[0].json()
    assert payload["title"] == "title \\x1b]0;owned\\x07evil\\x1b[2J"
    assert payload["message"] == "line 1\nhttps://pan.quark.cn/s/abc0123456\\x1b[31m"


@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=12))
@example("庆余年 \ud800 4K")
def test_a_lone_surrogate_is_escaped_and_every_sink_can_encode(text: str) -> None:
    """JSON's "\\ud800" reads as a lone surrogate, which no UTF-8 stream can write (an attacker's review, issue 25)."""
    printable(text).encode("utf-8")
    printable_lines(text).encode("utf-8")
    assert json.loads(json_text({"v": text}).encode("utf-8")) == {"v": text}  # the same data read back
