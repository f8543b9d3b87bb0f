"""The app's own words: every key in every language, fallbacks, plurals, numbers and dates."""

from __future__ import annotations

import datetime as dt
import json
import string
from importlib import resources

import pytest

from fieldapp.i18n import (
    available_languages,
    device_language,
    format_date,
    format_number,
    relative_time,
    texts,
    translator,
)
from fieldapp.store import STATES

LANGUAGES = sorted(available_languages())


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_we_ship_english_french_and_spanish() -> None:
    assert available_languages() == {"en": "English", "es": "Español", "fr": "Français"}
    assert len(texts("en")) >= 120


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_is_in_every_language_with_the_same_placeholders(language: str) -> None:
    english, own = texts("en"), texts(language)
    assert sorted(own) == sorted(english)
    for key, template in english.items():
        assert own[key].strip(), f"{language}: {key} is empty"
        assert placeholders(own[key]) == placeholders(template), f"{language}: {key}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_file_is_valid_json_with_its_formats(language: str) -> None:
    raw = resources.files("fieldapp.i18n").joinpath(f"{language}.json").read_text("utf-8")
    meta = json.loads(raw)["_meta"]
    assert {"name", "decimal", "group", "date_pattern", "months", "plural_one"} <= set(meta)
    assert len(meta["months"]) == 12


def test_every_instance_state_and_store_error_has_words() -> None:
    keys = set(texts("en"))
    assert {f"state.{state}" for state in STATES} <= keys
    from fieldapp.store import errors

    source = resources.files("fieldapp.store")
    codes = set()
    for module in (
        "errors.py",
        "connection.py",
        "files.py",
        "instances.py",
        "forms_table.py",
        "store.py",
    ):
        text = source.joinpath(module).read_text("utf-8")
        codes |= {part.split('"')[0] for part in text.split('StoreError("')[1:]}
    assert codes and codes <= keys
    assert errors.StoreError("store.disk_full").message == texts("en")["store.disk_full"]


def test_translate_fills_placeholders_and_falls_back() -> None:
    french = translator("fr")
    assert french("home.last_sync", when="hier") == "Dernière synchronisation : hier"
    assert translator("es")("filling.next") == "Siguiente"
    assert translator("de")("filling.next") == "Next"
    assert translator(None)("filling.next") == "Next"
    assert translator("fr_CI.UTF-8")("filling.next") == "Suivant"
    assert french("no.such.key") == "no.such.key"
    assert french("home.welcome") == "Bienvenue, {name}"
    assert french("home.welcome", name="{0.__class__}") == "Bienvenue, {0.__class__}"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 1, "1 interview ready to send"),
        ("en", 0, "0 interviews ready to send"),
        ("fr", 0, "0 entretien prêt à envoyer"),
        ("fr", 1, "1 entretien prêt à envoyer"),
        ("fr", 2500, "2 500 entretiens prêts à envoyer"),
        ("es", 1, "1 entrevista lista para enviar"),
        ("es", 3, "3 entrevistas listas para enviar"),
    ],
)
def test_plurals_follow_the_language(language: str, count: int, expected: str) -> None:
    assert translator(language)("ready.count", count=count) == expected


@pytest.mark.parametrize(
    ("value", "language", "decimals", "expected"),
    [
        (1234.5, "fr", None, "1 234,5"),
        (1234.5, "en", None, "1,234.5"),
        (1234.5, "es", None, "1.234,5"),
        (1234567, "fr", None, "1 234 567"),
        (-0.25, "fr", None, "-0,25"),
        (2.0, "en", None, "2"),
        (1234.5, "es", 2, "1.234,50"),
        (0.1 + 0.2, "en", None, "0.3"),
    ],
)
def test_numbers_are_written_the_language_s_way(
    value: float, language: str, decimals: int | None, expected: str
) -> None:
    assert format_number(value, language, decimals) == expected


def test_dates_and_relative_times() -> None:
    day = dt.date(2026, 2, 3)
    assert format_date(day, "en") == "3 Feb 2026"
    assert format_date(day, "fr") == "3 févr. 2026"
    assert format_date(day, "es") == "3 feb 2026"
    now = dt.datetime(2026, 2, 10, 12, 0, tzinfo=dt.UTC)
    assert relative_time(now - dt.timedelta(seconds=20), "en", now) == "just now"
    assert relative_time(now - dt.timedelta(minutes=5), "fr", now) == "il y a 5 minutes"
    assert relative_time(now - dt.timedelta(hours=1), "es", now) == "hace 1 hora"
    assert relative_time(now - dt.timedelta(days=1, hours=1), "fr", now) == "hier"
    assert relative_time(now - dt.timedelta(days=3), "es", now) == "hace 3 días"
    assert relative_time(now - dt.timedelta(days=7), "en", now) == "3 Feb 2026"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "fr_CI.UTF-8"}, "fr"),
        ({"LANG": "es_PE.UTF-8"}, "es"),
        ({"LANGUAGE": "de:es", "LANG": "en_US.UTF-8"}, "es"),
        ({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_device_language_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setattr("locale.getlocale", lambda *_: (None, None))
    assert device_language() == expected
