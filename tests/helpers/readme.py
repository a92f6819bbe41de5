"""README's shell blocks as a new user runs them (tests/e2e/test_readme_journey.py): read from README.md,
split as the shell reads them, the `.env` blanks filled, run on a terminal; and what tells a line's
language apart from the data it shows."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from helpers.terminal import on_pty

README = Path(__file__).resolve().parents[2] / "README.md"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO|WARN|ERROR) +")
QUARK_SAYS = re.compile(r"\(\d{5} [^)]*\)")  # "(41012 好友已取消了分享)": Quark's words, as Quark sent them
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")  # three English words in a row


def fenced_sh_blocks(after_heading: str | None = None) -> list[list[str]]:
    """README.md's ```sh blocks (with `after_heading`: those in that section, up to the next heading of its level)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    if after_heading is not None:
        assert after_heading in lines, f"README has no heading {after_heading!r}"
        start = lines.index(after_heading)
        level = after_heading.split(" ")[0] + " "
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(level)), len(lines))
        lines = lines[start + 1:end]
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if current is None and line.strip() == "```sh":
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def steps(block: list[str]) -> Iterator[str]:
    """The block as the shell reads it: a command a line; a here-document with its lines."""
    lines = iter(block)
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        heredoc = re.search(r"<<-?\s*['\"]?(\w+)", line)
        if heredoc is None:
            yield line
            continue
        body = [line]
        for inner in lines:
            body.append(inner)
            if inner.strip() == heredoc.group(1):
                break
        else:
            pytest.fail(f"README: the here-document started by {line!r} never ends")
        yield "\n".join(body)


def fill_env_file(step: str, values: dict[str, str | list[str]]) -> str:
    """The `.env` here-document with README's placeholders filled: a value with `...` blanks gets its
    blanks filled in order (a list), any other value is replaced whole; a key the journey does not know
    fails (teach it the new line), and so does a setting this test's database needs that README lacks."""
    out, seen = [], set()
    for line in step.split("\n"):
        key = re.match(r"([A-Z_]+)=(.*)", line)
        if key and "<<" not in line:
            name, value = key.groups()
            assert name in values, f"README's .env has a line the journey does not know: {line!r}"
            fill = values[name]
            if isinstance(fill, list):
                assert value.count("...") == len(fill), f"README's {name} has not the blanks the journey fills: {line!r}"
                for blank in fill:
                    value = value.replace("...", blank, 1)
            else:
                value = fill
            line = f"{name}={value}"
            seen.add(name)
        out.append(line)
    filled = "\n".join(out)
    assert "..." not in filled, f"a placeholder left unfilled: {filled}"
    # a MariaDB on another port needs DB_PORT: a user copying the block must see the line to change
    assert seen == set(values), f"README's .env lacks {sorted(set(values) - seen)}"
    return filled


def on_terminal(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`bash -c command` with stdout and stderr on an 80x24 pseudo-terminal: the screen's text, escapes removed, as stdout."""
    code, raw = on_pty(["bash", "-c", command], env, cwd, size=(24, 80), timeout=120)
    screen = ANSI.sub("", raw).replace("\r\n", "\n").replace("\r", "\n")
    return subprocess.CompletedProcess(command, code, screen, "")


def words_of_quarkctl(line: str, names: Sequence[str]) -> str:
    """A line without what is not quarkctl's own wording: the timestamp and level, the row's name and
    link, Quark's words, commands and options quoted in the text."""
    line = PREFIX.sub("", line)
    for name in names:
        line = line.replace(name, " ")
    for pattern in (r"https?://\S+", r"`[^`]*`", r"--[\w-]+", QUARK_SAYS.pattern, r"\[\d+/\d+\]", r"#\d+"):
        line = re.sub(pattern, " ", line)
    return line


def english_lines(output: str, names: Sequence[str]) -> list[str]:
    """Lines of a Chinese run in English: three English words in a row, or English words and no Chinese."""
    found = []
    for line in filter(str.strip, output.splitlines()):
        words = re.sub(r"check-links|quarkctl|\?pwd=\.\.\.", " ", words_of_quarkctl(line, names))
        if ENGLISH_PHRASE.search(words) or (re.search(r"[A-Za-z]{2,}", words) and not CJK.search(words)):
            found.append(line)
    return found


def chinese_lines(output: str, names: Sequence[str]) -> list[str]:
    """Lines of an English run with Chinese of quarkctl's own ("(提取码)" is the English catalog's gloss of
    "passcode", README's words list)."""
    return [line for line in filter(str.strip, output.splitlines())
            if CJK.search(words_of_quarkctl(line, names).replace("(提取码)", ""))]
