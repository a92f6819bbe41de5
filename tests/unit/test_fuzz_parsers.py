"""Hostile input, fuzzed (issue 15, item 5): every parser of what a user or a file hands us either
answers or raises the project's own error type, whatever the text.

Budgets come from the hypothesis profile (tests/conftest.py: "ci" by default). Each @example is a
bug the fuzzing found, kept as a regression.
"""

from __future__ import annotations

import json
import string
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from quarkctl.checker.options import MAX_SHARDS, parse_empty_grace, parse_max_age, parse_shard
from quarkctl.runtime.deadline import parse_max_runtime, parse_until
from quarkctl.config.autosave import loading as autosave_loading
from quarkctl.config.autosave import model as autosave_model
from quarkctl.config.autosave import validation as autosave_validation
from quarkctl.config.pushconfig import FAMILIES, translate
from quarkctl.errors import ConfigError, QuarkctlError
from quarkctl.quark.links import ROOT_FID, LinkError, ShareLink, parse_share_url
from quarkctl.resources.formats import IMPORT_FORMATS, parse_import, parse_text_line

# Pieces that steer the search to the parsers' edges: URL syntax, the Quark host, Unicode digits
# (isdigit() is True for "²", int() refuses it), brackets (urlsplit's IPv6 check), huge numbers.
FRAGMENTS = [
    "https://", "http://", "pan.quark.cn", "PAN.QUARK.CN", "/s/", "abc123", "?pwd=", "&pwd=", "#/list/share/",
    "0123456789abcdef0123456789abcdef", "-name", "提取码:", "密码：", " ", "\t", "\n", "\r\n", "[", "]", "@", ":",
    "%", "%zz", "/", "?", "#", "²", "٣", "０", "-", "--", "9" * 30, "9" * 5000, "\x00", "\u2028", "\ufeff", "\ud800",
    "d", "h", "m", "s", "w", "0", "7", "/3", ",", '"', "{", "}", "null",
]
# Every code point, lone surrogates included: JSON text can carry them ("\ud800").
ANY_CHAR = st.characters(codec=None, exclude_categories=())
hostile_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHAR, max_size=6)), max_size=12).map("".join)


# -- share links (quark/links.py) ------------------------------------------------------------------

@given(hostile_text)
@example("https://[pan.quark.cn/s/abc")  # urlsplit: "Invalid IPv6 URL" escaped as a bare ValueError
@example("http://pan.quark.cn]/s/abc")
@example("https://pan.quark.cn\uff03/s/abc")  # NFKC-normalising netloc characters: ValueError too
def test_link_parser_answers_or_raises_link_error(text: str) -> None:
    try:
        link = parse_share_url(text)
    except LinkError as exc:
        assert exc.reason in ("unsupported_link", "malformed_link", "malformed_url")
        return
    assert isinstance(link, ShareLink)
    assert link.pwd_id and link.pwd_id.isascii() and link.pwd_id.isalnum()
    assert link.pdir_fid == ROOT_FID or (len(link.pdir_fid) == 32 and all(c in string.hexdigits for c in link.pdir_fid))


# -- --max-age, --empty-grace, --shard (checker/options.py, runtime/deadline.py) --------------------------------------------

@given(hostile_text)
@example("²d")  # isdigit() but not int(): a bare ValueError
@example("9" * 30 + "d")  # timedelta overflow
@example("99999999999w")
def test_durations_answer_or_raise_config_error(text: str) -> None:
    for parse in (parse_max_age, parse_empty_grace):
        try:
            value = parse(text)
        except ConfigError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("--")
            continue
        assert isinstance(value, timedelta) and value >= timedelta(0)
        assert parse is parse_empty_grace or value > timedelta(0)


@given(hostile_text)
@example("²:00")
@example("06:60")
@example("24:00")
@example("٠٦:٠٠")  # Arabic-Indic digits: int() reads them, the clock does not
def test_until_answers_or_raises_config_error(text: str) -> None:
    try:
        moment = parse_until(text)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("--until")
        return
    assert moment.strftime("%H:%M") == text.strip().zfill(5)


@given(st.integers(0, 23), st.integers(0, 59))
def test_until_reads_every_time_of_day(hour: int, minute: int) -> None:
    assert parse_until(f"{hour:02d}:{minute:02d}").strftime("%H:%M") == f"{hour:02d}:{minute:02d}"


@given(hostile_text)
@example("²h")
@example("9" * 30 + "s")
def test_max_runtime_answers_or_raises_config_error(text: str) -> None:
    try:
        value = parse_max_runtime(text)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("--max-runtime")
        return
    assert value > timedelta(0)


@given(hostile_text)
@example("²/3")
@example("1/" + "9" * 5000)  # int() refuses more than 4300 digits: a bare ValueError
@example("٣/٥")
def test_shard_answers_or_raises_config_error(text: str) -> None:
    try:
        k, n = parse_shard(text)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("--shard")
        return
    assert 0 <= k < n


@given(st.integers(0, 10**6), st.integers(1, 10**6))
@example(255, 256)
@example(0, 257)
def test_shard_reads_every_valid_pair(k: int, n: int) -> None:
    if k < n <= MAX_SHARDS:
        assert parse_shard(f" {k}/{n} ") == (k, n)
    elif k < n:  # N beyond the server lock's slots (db/serverlock.py): one line naming the bound
        with pytest.raises(ConfigError, match=f"^--shard: .*N is at most {MAX_SHARDS}$"):
            parse_shard(f"{k}/{n}")


# -- resources import (resources/formats.py) -------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(ANY_CHAR, max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(ANY_CHAR, max_size=10), inner, max_size=4), max_leaves=12)
columns = st.sampled_from(["drama_name", "link", "drive_type", "is_expired", "id", "created_at", "update_time", "x"])
jsonl_line = st.one_of(
    st.dictionaries(columns, json_values, max_size=5).map(lambda d: json.dumps(d, ensure_ascii=False)),
    hostile_text,
)


def _import_never_raises(text: str, source: str) -> None:
    lines = text.count("\n") + 1
    for fmt in IMPORT_FORMATS:
        chosen, records, problems = parse_import(text, source=source, fmt=fmt)
        assert chosen in IMPORT_FORMATS[1:]
        for item in (*records, *problems):
            assert 1 <= item.line <= lines + 1
        for problem in problems:
            assert isinstance(problem.message, str) and problem.message


@given(st.lists(jsonl_line, max_size=6).map("\n".join), st.sampled_from(["in.jsonl", "in.csv", "in.txt", "-"]))
@example("[" * 100_000, "in.jsonl")  # json.loads: RecursionError, not a JSONDecodeError
@example('{"drama_name": ' + "1" * 5000 + "}", "in.jsonl")  # int digits limit: a bare ValueError
@example('{"drama_name": "a", "link": "https://[pan.quark.cn/s/x"}', "in.jsonl")
@example("drama_name,link\nx,https://[pan.quark.cn/s/x", "in.csv")
def test_import_parsers_report_problems_instead_of_raising(text: str, source: str) -> None:
    _import_never_raises(text, source)


@given(st.lists(st.lists(st.one_of(hostile_text, st.sampled_from(["drama_name", "link", "https://pan.quark.cn/s/abc"])),
                         max_size=4).map(",".join), max_size=5).map("\n".join))
@example('drama_name,link\n"unclosed,x')
@example("drama_name,link\n" + "a" * 200_000 + ",x")  # over csv's field limit: csv.Error
def test_csv_import_reports_problems_instead_of_raising(text: str) -> None:
    _import_never_raises(text, "in.csv")


@given(hostile_text)
@example("name https://[pan.quark.cn/s/abc 提取码: 1234")
def test_a_pasted_line_is_a_pair_or_a_problem(line: str) -> None:
    parsed = parse_text_line(line)
    assert isinstance(parsed, str) or (isinstance(parsed, tuple) and len(parsed) == 2)


# -- push_config translation (config/pushconfig.py) -------------------------------------------------

KNOWN_KEYS = sorted({key for required, optional, _family in FAMILIES for key in (*required, *optional)})
push_values = st.one_of(hostile_text, json_scalars, st.sampled_from(["http://[x", "https://h.example/p", "1,2,3,4", "sctp1t"]))


@given(st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8)), push_values, max_size=6))
@example({"GOTIFY_URL": "http://[x", "GOTIFY_TOKEN": "t"})  # urlsplit's ValueError
@example({"WEBHOOK_URL": "http://[x"})
@example({"FSKEY": "\ud800"})  # a lone surrogate (valid JSON): quote() raised UnicodeEncodeError
@example({"WEBHOOK_URL": "\ud800"})  # passed through whole into the URL (found by CI)
@example({"BARK_PUSH": "https://[::1/key"})
def test_push_config_translation_warns_instead_of_raising(push_config: dict) -> None:
    out = translate(push_config)
    assert all(isinstance(url, str) and "://" in url for url in out.urls)
    assert all(isinstance(w, str) and w.startswith("warning: push_config ") for w in out.warnings)
    for url in out.urls:
        url.encode("utf-8")  # apprise gets text it can send


# -- the autosave config (config/autosave/) ---------------------------------------------------------

TASK_KEYS = ["taskname", "shareurl", "savepath", "pattern", "replace", "enddate", "runweek", "update_subdir",
             "ignore_extension", "startfid", "shareurl_ban", "savepath_fid", "addition", "update_subdir_resave_mode"]
task_value = st.one_of(json_values, hostile_text, st.sampled_from(
    ["https://pan.quark.cn/s/abc", "$TV", "(?P<x>a)", "\\g<9>", "(", "2026-02-30", "2026-01-01", "$TASKNAME"]),
    st.lists(st.integers(-3, 10) | st.booleans(), max_size=4))
task = st.dictionaries(st.sampled_from(TASK_KEYS), task_value, max_size=8)
config_doc = st.fixed_dictionaries({}, optional={
    "cookie": st.one_of(json_values, st.lists(hostile_text, max_size=3)),
    "tasklist": st.one_of(json_values, st.lists(st.one_of(task, json_values), max_size=4)),
    "magic_regex": st.one_of(json_values, st.dictionaries(st.text(max_size=5), st.dictionaries(
        st.sampled_from(["pattern", "replace"]), st.one_of(json_values, st.sampled_from(["(", "a+", "\\1"]))))),
    "push_config": st.one_of(json_values, st.dictionaries(st.sampled_from(KNOWN_KEYS), push_values)),
    "plugins": json_values,
    "crontab": json_values,
})


def _exercise(config: autosave_model.AutosaveConfig, tasks: list | None = None) -> None:
    problems = autosave_validation.validate(config, tasks)
    assert all(isinstance(p.location, str) and isinstance(p.message, str) for p in problems)
    autosave_validation.invalid_task_indexes(problems)
    for t in tasks if tasks is not None else config.tasks:
        assert t.due(date(2026, 11, 29)) is None or isinstance(t.due(date(2026, 11, 29)), str)
        (t.name, t.shareurl, t.savepath, t.pattern, t.replace, t.runweek, t.startfid, t.addition, t.savepath_fid)
    (config.accounts, config.magic_regex, config.push_config, config.plugins, config.crontab)
    translate(config.push_config)


def _load_text(tmp_path: Path, text: str) -> autosave_model.AutosaveConfig | None:
    path = tmp_path / "quark_config.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        return autosave_loading.load(path)
    except ConfigError as exc:
        assert "\n" not in str(exc)
        return None


@given(config_doc)
def test_autosave_config_of_any_shape_is_validated_not_crashed(tmp_path_factory, doc: dict) -> None:
    tmp = tmp_path_factory.mktemp("cfg")
    config = _load_text(tmp, json.dumps(doc, ensure_ascii=True))
    assert config is not None  # any JSON object loads; what is wrong in it is validate's to say
    _exercise(config)


@given(st.one_of(hostile_text, config_doc.map(lambda d: json.dumps(d)[: len(json.dumps(d)) // 2])))
@example("[" * 100_000)  # json.loads: RecursionError escaped the loader
@example('{"cookie": ' + "1" * 5000 + "}")  # int digits limit: ValueError, not JSONDecodeError
@example('{"cookie": "a", "tasklist": [{"runweek": [' + "9" * 5000 + "]}]}")
@example('{"cookie": "a", "tasklist": [{"shareurl": "https://[pan.quark.cn/s/abc"}]}')
def test_autosave_config_text_loads_or_raises_config_error(tmp_path_factory, text: str) -> None:
    tmp = tmp_path_factory.mktemp("cfg")
    config = _load_text(tmp, text)
    if config is not None:
        _exercise(config)
    try:
        tasks = autosave_loading.tasks_from_env({autosave_loading.TASKLIST_ENV: text})
    except QuarkctlError as exc:
        assert "\n" not in str(exc)
        return
    if tasks is not None and config is not None:
        _exercise(config, tasks)
