"""The words a new user of issue 24 reads (their review): check-links' help in both languages names every
drive, not Quark alone; --drives takes the drive_type spellings; --trust-unverified says what it cannot trust."""

from __future__ import annotations

from functools import partial

import pytest

from conftest import Cli


@pytest.mark.parametrize("args", [("--help",), ("check-links", "--help")])
@pytest.mark.parametrize(("lang", "words"), [("en", "Quark's and the other drives'"), ("zh_CN", "夸克及其他网盘")])
def test_the_help_says_every_drive_is_checked(cli: Cli, args: tuple[str, ...], lang: str, words: str) -> None:
    # Chinese only in a subprocess of the installed command (an in-process run speaks English: tests/helpers/inprocess.py)
    proc = (cli.run if lang == "en" else partial(Cli.run, cli))(*args, env={"QUARKCTL_LANG": lang, "COLUMNS": "400"})
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert words in text, text
    assert "not-yet-expired Quark share link" not in text and "尚未标记为失效的夸克分享链接" not in text


def test_drives_takes_a_chinese_spelling_and_trust_refuses_xunlei_in_one_line(cli: Cli) -> None:
    proc = cli.run("check-links", "--drives", "百度,189", "--dry-run", "--json")
    assert "--drives" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    bad = cli.run("check-links", "--trust-unverified", "xunlei")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "xunlei has no code-only dead rules to trust" in bad.stderr
