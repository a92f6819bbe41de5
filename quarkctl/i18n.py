"""The one gate for user-facing text: gettext, so a language is a catalog, not a rewrite.

Machine output (JSON keys, verdict values, reason codes, exit codes) never goes through here.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "quarkctl"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(lang: str | None) -> None:
    """Switch the catalog; unknown languages fall back to the English source strings."""
    global _translation
    languages = [lang] if lang else None
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=languages, fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
