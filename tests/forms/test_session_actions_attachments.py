"""Attachments a session needs, and the `odk:setgeopoint` / `odk:recordaudio` actions."""

from __future__ import annotations

import dataclasses

import pytest
from session_support import definition_of, fixed_env, session_of

from forms.definition import FormDefinition
from forms.errors import FormError
from forms.session import FormSession
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

TOWNS = """
| survey |
| | type | name | label |
| | select_one_from_file towns.csv | town | Town |
| | select_one_from_file places.xml | place | Place |
"""


def test_a_missing_attachment_is_named_when_the_session_starts() -> None:
    with pytest.raises(FormError) as raised:
        session_of(TOWNS, attachments={"towns.csv": b"name,label\nbo,Bo\n"})
    assert raised.value.code == "session.missing_attachment"
    assert "'places.xml'" in raised.value.problems[0].message
    assert "towns.csv" not in raised.value.problems[0].message


def test_missing_attachments_may_be_allowed_and_then_offer_no_choices() -> None:
    s = session_of(TOWNS, allow_missing_attachments=True)
    assert s.choices("/data/town") == []
    xml = s.to_xml()
    with pytest.raises(FormError) as raised:
        FormSession.load(s.definition, xml, env=fixed_env())
    assert raised.value.code == "session.missing_attachment"
    assert FormSession.load(s.definition, xml, allow_missing_attachments=True).to_xml() == xml


GEO = """
| survey |
| | type | name | label | trigger |
| | start-geopoint | where | | |
| | text | name | Name | |
| | geopoint | here | Here | ${name} |
| | background-audio | audio | | |
"""


def _geo_definition() -> FormDefinition:
    """`here` gets an `odk:setgeopoint` on `name` changing (pyxform writes a setvalue)."""
    xform = compile_xlsform(GEO.encode(), filename="t.md").xform
    changed = '<setvalue ref="/data/here" event="xforms-value-changed"/>'
    assert changed in xform
    return read_xform(
        xform.replace(changed, changed.replace("setvalue", "odk:setgeopoint")), source_name="t"
    )


def test_setgeopoint_sets_the_device_location_on_first_load_and_on_change() -> None:
    positions = iter(["12.5 -1.5 300 5", "12.6 -1.4 301 4"])
    env = dataclasses.replace(fixed_env(), location=lambda: next(positions))
    s = FormSession.new(_geo_definition(), env=env)
    assert s.value("/data/where") == "12.5 -1.5 300 5"
    assert s.value("/data/here") == ""
    s.answer("/data/name", "Awa")
    assert s.value("/data/here") == "12.6 -1.4 301 4"
    assert s.value("/data/where") == "12.5 -1.5 300 5"
    resumed = FormSession.load(s.definition, s.to_xml(), env=env)
    assert resumed.value("/data/where") == "12.5 -1.5 300 5"


def test_setgeopoint_leaves_the_field_empty_without_a_location() -> None:
    s = FormSession.new(_geo_definition(), env=fixed_env())
    s.answer("/data/name", "Awa")
    assert s.value("/data/where") == ""
    assert s.value("/data/here") == ""


def test_recordaudio_is_reported_once_as_unsupported() -> None:
    s = FormSession.new(definition_of(GEO), env=fixed_env())
    s.answer("/data/name", "Awa")
    s.answer("/data/name", "Bo")
    unsupported = [n for n in s.notices if n.code == "session.unsupported_action"]
    assert len(unsupported) == 1
    assert "record audio" in unsupported[0].message
    assert unsupported[0].place.field == "/data/audio"
    assert s.value("/data/audio") == ""
