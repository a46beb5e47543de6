"""Translatable text in the pure modules, without Django.

`_` only marks a message for `makemessages` (xgettext knows `_`); the text is translated where it is shown:
with Django's gettext in the web app, with the standard library's gettext reading this app's compiled catalogue
in `gongzhi tally` (voting.recount), so the counting path never imports Django.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh-hans", "en")
Translate = Callable[[str], str]


def _(message: str) -> str:
    return message


def untranslated(message: str) -> str:
    return message


def language_from_environment() -> str:
    """The first locale variable that is set decides, as gettext reads them; Chinese locales give zh-hans."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh-hans" if value.lower().startswith("zh") else "en"
    return "en"


def translator(language: str) -> Translate:
    """gettext for `language` from this app's .mo (English source text when absent or not compiled)."""
    if language != "zh-hans":
        return untranslated
    catalogue = gettext.translation("django", localedir=LOCALE_DIR, languages=["zh_Hans"], fallback=True)
    return catalogue.gettext
