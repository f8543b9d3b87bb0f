"""The app's own words in every language we ship: one JSON file per language in this folder.

A language file holds `_meta` (its name, number and date formats, plural rule)
and the texts by key. Adding a language is adding a file; a missing key falls
back to English. Texts use `{name}` placeholders; `count` picks `key.one` or
`key.other` by the language's plural rule.
"""

from __future__ import annotations

import datetime as dt
import json
import locale
import os
import string
from functools import cache
from importlib import resources
from typing import Any, Protocol

from fieldapp.i18n.formats import LanguageFormats, format_date_with, format_number_with, relative

DEFAULT = "en"


class Translate(Protocol):
    def __call__(self, key: str, /, **params: object) -> str: ...


@cache
def available_languages() -> dict[str, str]:
    """Language code -> its own name, e.g. `{"en": "English", "fr": "Français", ...}`."""
    found = {}
    for entry in resources.files(__package__).iterdir():
        if entry.name.endswith(".json"):
            code = entry.name.removesuffix(".json")
            found[code] = str(_load(code)["_meta"]["name"])
    return dict(sorted(found.items()))


@cache
def _load(language: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(f"{language}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def resolve(language: str | None) -> str:
    """The shipped language closest to `language` (`fr_CI.UTF-8` -> `fr`), else English."""
    if not language:
        return DEFAULT
    code = language.replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in available_languages() else DEFAULT


def device_language() -> str:
    """The device's language among ours, from LANGUAGE / LC_ALL / LC_MESSAGES / LANG or the locale."""
    candidates = [
        candidate
        for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
        for candidate in os.environ.get(variable, "").split(":")
    ]
    candidates.append(locale.getlocale()[0] or "")
    for candidate in candidates:
        if candidate and candidate not in ("C", "POSIX") and resolve(candidate) != DEFAULT:
            return resolve(candidate)
    return DEFAULT


def texts(language: str) -> dict[str, str]:
    """Every text of one language file (without `_meta`)."""
    return {k: v for k, v in _load(language).items() if not k.startswith("_")}


def formats(language: str | None) -> LanguageFormats:
    return LanguageFormats.from_meta(_load(resolve(language))["_meta"])


def translator(language: str | None) -> Translate:
    """`t(key, **params)` in `language`, falling back to English, then to the key itself."""
    code = resolve(language)
    own, english = texts(code), texts(DEFAULT)
    rules = formats(code)

    def translate(key: str, /, **params: object) -> str:
        count = params.get("count")
        if isinstance(count, int) and key not in own and key not in english:
            key = f"{key}.{rules.plural(count)}"
            params = {**params, "count": rules.number(count)}
        template = own.get(key) or english.get(key)
        if template is None:
            return key
        return _Formatter().vformat(template, (), params)

    return translate


class _Formatter(string.Formatter):
    """Fills `{name}` from the parameters; a missing one stays visible as `{name}`."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str) and key in kwargs:
            return kwargs[key]
        return "{" + str(key) + "}"

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if not field_name.isidentifier():
            return "{" + field_name + "}", field_name
        return super().get_field(field_name, args, kwargs)


def format_number(value: float, language: str | None, decimals: int | None = None) -> str:
    """`format_number(1234.5, "fr") == "1 234,5"`; `decimals` fixes the digits after the point."""
    return format_number_with(formats(language), value, decimals)


def format_date(value: dt.date, language: str | None) -> str:
    return format_date_with(formats(language), value)


def relative_time(moment: dt.datetime, language: str | None, now: dt.datetime | None = None) -> str:
    """`just now`, `5 minutes ago`, `yesterday`, `3 days ago`, else the date."""
    current = now or dt.datetime.now(dt.UTC)
    return relative(translator(language), formats(language), moment, current)


__all__ = [
    "Translate",
    "available_languages",
    "device_language",
    "format_date",
    "format_number",
    "formats",
    "relative_time",
    "resolve",
    "texts",
    "translator",
]
