"""The app's own words on the screens: `fieldapp.i18n` in the chosen, else the device's,
language (a key missing from a language falls back to English inside `fieldapp.i18n`)."""

from __future__ import annotations

from collections.abc import Mapping

from fieldapp import i18n
from fieldapp.i18n import Translate

__all__ = ["Translate", "failure_words", "languages", "translator"]


def translator(language: str | None) -> Translate:
    return i18n.translator(language or i18n.device_language())


def failure_words(
    t: Translate, code: str | None, params: Mapping[str, object], english: str
) -> str:
    """A failure in the user's language when it names a message of the word lists (a sync,
    setup-code or store error's `code`); otherwise its English text."""
    return t(code, **params) if code else english


def languages() -> dict[str, str]:
    """Language code -> the language's own name (`{"fr": "Français", ...}`), as Settings lists them."""
    return i18n.available_languages()
