"""The app's own words: `fieldapp.i18n` in the chosen language, English where a key is new."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Translate = Callable[..., str]

ENGLISH: dict[str, str] = {
    "filling.version_migrated": "This interview was started with form version {old}; it now uses version {new}.",
}


def translator(language: str | None) -> Translate:
    """`t(key, **params)` in `language`; falls back to the English words above."""
    try:
        from fieldapp import i18n

        found: Translate | None = i18n.translator(language or i18n.device_language())
    except (ImportError, AttributeError):
        found = None

    def t(key: str, **params: Any) -> str:
        text = ""
        if found is not None:
            try:
                text = found(key, **params)
            except (KeyError, ValueError):
                text = ""
        if not text or text == key:
            text = ENGLISH.get(key, key).format(**params)
        return text

    return t


def languages() -> list[str]:
    try:
        from fieldapp import i18n

        found: list[str] = list(i18n.available_languages())
    except (ImportError, AttributeError):
        found = ["en"]
    return found
