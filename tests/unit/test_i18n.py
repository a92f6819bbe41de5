"""The language choice and the catalogs: every user-facing string has its Chinese, and the wheel carries it."""

from __future__ import annotations

import gettext
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from quarkctl import i18n, launch
from quarkctl.commands.words import PLURALS, WORDS

ROOT = Path(__file__).resolve().parents[2]
SOURCE_LOCALE = ROOT / "quarkctl" / "locale"
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- choosing the language ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh_CN.UTF-8", "zh_CN"), ("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"), ("zh", "zh_CN"), ("zh_TW.UTF-8", "zh_CN"),
        ("zh_CN.GB18030@euro", "zh_CN"), ("ZH_cn", "zh_CN"), ("en_US.UTF-8", "en"), ("en", "en"), ("C", "en"),
        ("C.UTF-8", "en"), ("POSIX", "en"), ("fr_FR.UTF-8", None), ("", None), (None, None), ("zhx", None),
    ],
)
def test_normalize(value, expected):
    assert i18n.normalize(value) == expected


@pytest.mark.parametrize(
    ("flag", "environ", "dotenv", "expected"),
    [
        (None, {}, {}, ("en", None)),
        (None, {"LANG": "zh_CN.UTF-8"}, {}, ("zh_CN", None)),
        (None, {"LANG": "C"}, {}, ("en", None)),  # cron's usual locale
        (None, {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, {}, ("en", None)),
        (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, {}, ("zh_CN", None)),
        (None, {"LC_MESSAGES": "zh_CN.UTF-8", "LC_ALL": "C"}, {}, ("en", None)),  # LC_ALL overrides
        (None, {"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, {}, ("zh_CN", None)),  # an empty variable is unset
        (None, {"LANG": "fr_FR.UTF-8"}, {}, ("en", None)),
        (None, {"LANG": "C", "QUARKCTL_LANG": "zh_CN"}, {}, ("zh_CN", None)),
        (None, {"LANG": "C"}, {"QUARKCTL_LANG": "zh_CN"}, ("zh_CN", None)),  # from .env
        (None, {"LANG": "zh_CN.UTF-8", "QUARKCTL_LANG": "en"}, {}, ("en", None)),
        (None, {"QUARKCTL_LANG": "en"}, {"QUARKCTL_LANG": "zh_CN"}, ("en", None)),  # the environment wins over .env
        ("zh_CN", {"QUARKCTL_LANG": "en", "LC_ALL": "en_US.UTF-8"}, {}, ("zh_CN", None)),  # --lang wins
        ("en", {"QUARKCTL_LANG": "zh_CN"}, {}, ("en", None)),
        (None, {"QUARKCTL_LANG": "klingon", "LANG": "zh_CN.UTF-8"}, {}, ("en", "klingon")),  # warned, never fatal
    ],
)
def test_choose_follows_the_documented_precedence(flag, environ, dotenv, expected):
    assert i18n.choose(flag, environ, dotenv) == expected


def test_unknown_lang_flag_is_a_usage_error():
    with pytest.raises(i18n.UnknownLanguage):
        i18n.choose("klingon", {}, {})


def test_launcher_reads_the_flag_and_the_env_file(tmp_path, monkeypatch):
    assert launch.option_value(["--lang", "zh_CN", "check-links"], "--lang") == "zh_CN"
    assert launch.option_value(["--lang=en", "check-links"], "--lang") == "en"
    assert launch.option_value(["resources", "add", "--", "--lang"], "--lang") is None
    assert launch.option_value(["--lang"], "--lang") is None
    assert launch.without_option(["check-links", "--lang", "zh_CN", "--limit", "3"], "--lang") == ["check-links", "--limit", "3"]
    assert launch.without_option(["--lang=en", "doctor"], "--lang") == ["doctor"]
    assert launch.without_option(["resources", "add", "--", "--lang", "x"], "--lang") == ["resources", "add", "--", "--lang", "x"]
    env = tmp_path / "settings.env"
    env.write_text("QUARKCTL_LANG=zh_CN\nQUARK_COOKIE=x\n")
    assert launch.language(["check-links", "--env-file", str(env)], {"LANG": "C"}) == ("zh_CN", None)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("QUARKCTL_LANG=zh_CN\n")
    assert launch.language(["check-links"], {"LANG": "C"}) == ("zh_CN", None)
    (tmp_path / ".env").write_bytes(b"\xff\xfe broken")
    assert launch.language(["check-links"], {"LANG": "C"}) == ("en", None)  # the command reports the file


# --- the catalogs ------------------------------------------------------------------------------

def source_messages() -> dict[str, tuple[str, ...]]:
    """Every msgid the code marks (as `pybabel extract -F babel.cfg` finds them), with where it is."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, tuple[str, ...]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        found[message if isinstance(message, str) else message[0]] = message if isinstance(message, tuple) else (message,)
        assert message, f"{filename}:{lineno}: an empty message"
    return found


def read_catalog(lang: str):
    with (SOURCE_LOCALE / lang / "LC_MESSAGES" / "quarkctl.po").open("rb") as po:
        return read_po(po)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def messages():
    found = source_messages()
    assert len(found) > 300  # the extraction ran over the code, not an empty tree
    return found


def test_every_user_facing_string_has_a_chinese_translation(messages):
    catalog = read_catalog("zh_CN")
    missing = [m for m in messages if m not in catalog or not catalog[m].string or catalog[m].fuzzy
               or (isinstance(catalog[m].string, tuple) and not all(catalog[m].string))]
    assert not missing, f"{len(missing)} strings lack a zh_CN translation (README, Translating): {missing[:10]}"


def test_translations_keep_every_placeholder(messages):
    """A placeholder lost or renamed in a translation is a KeyError at run time, in that language only."""
    catalog = read_catalog("zh_CN")
    wrong = []
    for msgid, forms in messages.items():
        message = catalog.get(msgid)
        if message is None:
            continue
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(fields(form) for form in forms))
        for text in translations:
            # A plural translation may drop the count ({n}) when Chinese says it another way; never add one.
            if not fields(text) <= expected or not (expected - {"n"}) <= fields(text):
                wrong.append((msgid, text))
    assert not wrong, wrong[:5]


def test_chinese_catalog_is_chinese_and_keeps_option_names():
    catalog = read_catalog("zh_CN")
    untranslated = [m.id for m in catalog if m.id and m.string and not isinstance(m.id, tuple)
                    and m.string == m.id and CJK.search(m.id) is None and len(m.id.split()) > 2]
    assert not untranslated, f"copied, not translated: {untranslated[:10]}"
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        for option in re.findall(r"--[a-z][a-z-]+", message.id):
            assert option in message.string, f"{message.id!r}: the option {option} must stay as typed"


def test_english_catalog_lists_every_message(messages):
    catalog = read_catalog("en")
    assert not [m for m in messages if m not in catalog]
    assert all(not m.string or m.string == m.id for m in catalog if m.id and not isinstance(m.id, tuple))


def installed_catalogs(tmp_path: Path) -> dict[str, Path]:
    """The .mo files of the installed package, as the `quarkctl` command imports it: asked from a folder
    outside the checkout, which `python -m pytest` puts first on this process's path."""
    where = subprocess.run([sys.executable, "-c", "import quarkctl, pathlib; print(pathlib.Path(quarkctl.__file__).parent)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    return {lang: Path(where) / "locale" / lang / "LC_MESSAGES" / "quarkctl.mo" for lang in i18n.LANGUAGES}


def test_the_installed_package_carries_compiled_catalogs_in_step_with_the_po_files(tmp_path):
    """What pip installed (the wheel, or the editable tree) has the .mo files, compiled from today's .po."""
    installed = installed_catalogs(tmp_path)
    for lang in i18n.LANGUAGES:
        mo = installed[lang]
        assert mo.is_file(), f"{mo} missing: reinstall (pip install -e .) or run the compile step in README, Translating"
        with mo.open("rb") as stream:
            compiled = gettext.GNUTranslations(stream)
        stale = [m.id for m in read_catalog(lang) if m.id and not isinstance(m.id, tuple) and m.string and not m.fuzzy
                 and compiled.gettext(m.id) != m.string]
        assert not stale, f"{mo} is older than its .po: {stale[:5]}"


def test_set_language_switches_our_text_and_clicks(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "")
    try:
        i18n.set_language("zh_CN")
        assert CJK.search(i18n._("Usage:"))
        assert CJK.search(gettext.gettext("Usage:"))  # click's own words, through the process-wide domain
        assert CJK.search(i18n.ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 2))
        i18n.set_language("en")
        assert i18n._("Usage:") == "Usage:" and gettext.gettext("Usage:") == "Usage:"
    finally:
        i18n.set_language("en")


def test_the_words_of_click_and_typer_still_exist_in_their_sources():
    """cli_words copies msgids from click and typer; a reworded one would silently print English."""
    import click
    import typer

    theirs = set()
    for package in (click, typer):
        for _f, _l, message, _c, _x in extract_from_dir(str(Path(package.__file__).parent)):
            theirs.add(message if isinstance(message, str) else message[0])
    gone = [m for m in list(WORDS) + [singular for singular, _plural in PLURALS] if m not in theirs]
    assert not gone, f"click/typer no longer print these (update quarkctl/commands/words.py): {gone}"
