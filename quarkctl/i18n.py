"""The one gate for user-facing text: gettext, so a language is a catalog, not a rewrite.

Machine output (JSON keys, verdict values, reason codes, exit codes, log-line prefixes) never goes
through here. The catalogs live in quarkctl/locale/<lang>/LC_MESSAGES/quarkctl.po and are compiled
to .mo when the package is built (setup.py).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

DOMAIN = "quarkctl"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh_CN")
ENGLISH = "en"
# POSIX order: the first of these that is set and not empty names the locale of messages.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH


class UnknownLanguage(ValueError):
    pass


def normalize(value: str | None) -> str | None:
    """A language or locale name as one of LANGUAGES, or None when quarkctl has no catalog for it.

    zh, zh_CN, zh-CN, zh_CN.UTF-8, zh_TW, zh-Hans all read Chinese (the one Chinese catalog is
    Simplified); C and POSIX are the untranslated locale, that is English.
    """
    if not value:
        return None
    base = value.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if base in ("c", "posix") or base == "en" or base.startswith("en_"):
        return ENGLISH
    if base == "zh" or base.startswith("zh_"):
        return "zh_CN"
    return None


def choose(flag: str | None, environ: Mapping[str, str], dotenv: Mapping[str, str] | None = None) -> tuple[str, str | None]:
    """--lang, then QUARKCTL_LANG (environment, then .env), then LC_ALL/LC_MESSAGES/LANG; English last.

    Returns the language and, when QUARKCTL_LANG names a language quarkctl has no catalog for, that
    setting (the caller warns: a nightly job should not fail over its language). An unknown --lang
    raises UnknownLanguage: it was typed by hand, so it is a usage error. A locale variable like
    fr_FR.UTF-8 just gives English.
    """
    if flag:
        chosen = normalize(flag)
        if chosen is None:
            raise UnknownLanguage(flag)
        return chosen, None
    for source in (environ, dotenv or {}):
        explicit = (source.get("QUARKCTL_LANG") or "").strip()
        if explicit:
            chosen = normalize(explicit)
            return (chosen, None) if chosen else (ENGLISH, explicit)
    for name in LOCALE_VARIABLES:
        value = (environ.get(name) or "").strip()
        if value:
            return normalize(value) or ENGLISH, None
    return ENGLISH, None


def set_language(lang: str | None) -> None:
    """Switch the catalog; a language without a catalog falls back to the English source strings."""
    global _translation, _language
    _language = normalize(lang) or ENGLISH
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True)
    # click and typer translate their own words ("Usage:", "Options", "Missing option") through the
    # process-wide gettext domain, which reads the language from LANGUAGE; our catalog carries them.
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = _language


def language() -> str:
    return _language


def N_(message: str) -> str:
    """Mark for extraction; translated where it is shown (tables of words built before a language is chosen)."""
    return message


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


# Punctuation is part of the language too: Chinese joins with full-width marks.
def listing(items: Iterable[str]) -> str:
    """Items of a list inside a sentence: "total 3, valid 1"."""
    return _(", ").join(items)


def clauses(items: Iterable[str]) -> str:
    """Clauses of one line: "account 1 accepted; sign-in skipped"."""
    return _("; ").join(items)


def labelled(label: str, text: str) -> str:
    """A label and what it says: "expired: the share was cancelled"."""
    return _("{label}: {text}").format(label=label, text=text)
