"""The app's own words on the screens: `fieldapp.i18n` in the chosen, else the device's,
language (a key missing from a language falls back to English inside `fieldapp.i18n`)."""

from __future__ import annotations

from fieldapp import i18n
from fieldapp.i18n import Translate

__all__ = ["Translate", "languages", "translator"]


def translator(language: str | None) -> Translate:
    return i18n.translator(language or i18n.device_language())


def languages() -> dict[str, str]:
    """Language code -> the language's own name (`{"fr": "Français", ...}`), as Settings lists them."""
    return i18n.available_languages()
