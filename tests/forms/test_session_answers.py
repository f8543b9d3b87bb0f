"""Typed answers: each type's accepted forms, and a clear message (nothing changed) otherwise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from session_support import session_of

TYPES = """
| survey |
| | type | name | label |
| | text | s | S |
| | integer | i | I |
| | decimal | d | D |
| | date | day | Day |
| | time | t | T |
| | dateTime | dtm | DT |
| | geopoint | gp | GP |
| | geotrace | gt | GT |
| | geoshape | gs | GS |
| | barcode | bc | BC |
| | image | img | IMG |
| | select_one c | one | One |
| | select_multiple c | many | Many |
| choices |
| | list_name | name | label |
| | c | a | A |
| | c | b | B |
| | c | c | C |
"""


@pytest.mark.parametrize(
    ("ref", "given", "stored"),
    [
        ("s", "anything", "anything"),
        ("i", 42, "42"),
        ("i", " -7 ", "-7"),
        ("i", 3.0, "3"),
        ("d", "2.50", "2.5"),
        ("d", 3, "3"),
        ("day", dt.date(2024, 2, 29), "2024-02-29"),
        ("day", "2024-01-31", "2024-01-31"),
        ("t", "10:20", "10:20:00.000"),
        ("dtm", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2024-01-02T03:04:05.000+00:00"),
        ("gp", "12.5 -1.25 300 5", "12.5 -1.25 300 5"),
        ("gp", (12.5, -1.25), "12.5 -1.25"),
        ("gt", "1 2;3 4", "1 2;3 4"),
        ("gs", "0 0;0 1;1 1", "0 0;0 1;1 1;0 0"),
        ("bc", "0123", "0123"),
        ("img", "photo.jpg", "photo.jpg"),
        ("one", "b", "b"),
        ("many", ["c", "a"], "a c"),  # choice order, as Collect stores it
        ("many", "a b a", "a b"),
    ],
)
def test_accepted(ref: str, given: Any, stored: str) -> None:
    s = session_of(TYPES)
    result = s.answer(f"/data/{ref}", given)
    assert result.ok, result.message
    assert s.value(f"/data/{ref}").startswith(stored)


@pytest.mark.parametrize(
    ("ref", "given", "message"),
    [
        ("i", "12a", "Enter a whole number."),
        ("i", 1.5, "Enter a whole number."),
        ("i", True, "Enter a whole number."),
        ("i", 2**40, "Enter a whole number between -2147483648 and 2147483647."),
        ("d", "1,5", "Enter a number."),
        ("d", float("nan"), "Enter a number."),
        ("day", "2024-02-30", "Enter a date as YYYY-MM-DD."),
        ("day", "05/03/2024", "Enter a date as YYYY-MM-DD."),
        ("t", "25:00", "Enter a time as HH:MM or HH:MM:SS."),
        ("dtm", "yesterday", "Enter a date and time as YYYY-MM-DDTHH:MM."),
        ("gp", "91 0", "Enter a location as 'latitude longitude [altitude accuracy]'."),
        ("gp", "north", "Enter a location as 'latitude longitude [altitude accuracy]'."),
        ("gt", "1 2", "Enter a line of at least 2 locations separated by ';'."),
        ("gs", "0 0;1 1", "Enter a shape of at least 3 locations separated by ';'."),
        ("img", "../etc/passwd", "Give the attached file's name (without folders)."),
        ("one", "z", "'z' is not one of the choices."),
        ("one", "a b", "Choose only one answer."),
        ("many", "a z", "'z' is not one of the choices."),
    ],
)
def test_wrong_type_changes_nothing(ref: str, given: Any, message: str) -> None:
    s = session_of(TYPES)
    before = s.to_xml()
    result = s.answer(f"/data/{ref}", given)
    assert not result.ok
    assert result.message == message
    assert s.to_xml() == before


def test_empty_answer_clears() -> None:
    s = session_of(TYPES)
    s.answer("/data/i", 5)
    assert s.answer("/data/i", None).ok
    assert s.value("/data/i") == ""


def test_messages_in_the_form_language() -> None:
    s = session_of(
        """
| survey |
| | type | name | label::English (en) | label::Français (fr) | required |
| | integer | n | Number | Nombre | yes |
"""
    )
    s.set_language("Français (fr)")
    assert s.answer("/data/n", "douze").message == "Saisissez un nombre entier."
    assert s.message(s.validate()[0]) == "Désolé, cette réponse est obligatoire !"


def test_unknown_field_is_a_clear_error() -> None:
    from forms.errors import FormError

    s = session_of(TYPES)
    with pytest.raises(FormError) as error:
        s.answer("/data/nope", 1)
    assert error.value.code == "session.no_such_field"


def test_the_forms_required_message_follows_the_language() -> None:
    s = session_of(
        """
| survey |
| | type | name | label::English (en) | label::Français (fr) | required | required_message::English (en) | required_message::Français (fr) |
| | text | name | Name | Nom | yes | Give the name | Donnez le nom |
"""
    )
    assert s.message(s.validate()[0]) == "Give the name"
    s.set_language("Français (fr)")
    assert s.message(s.validate()[0]) == "Donnez le nom"
    assert [e.state for e in s.outline()] == ["required-missing"]
