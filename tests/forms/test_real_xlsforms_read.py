"""Every real-world XLSForm in tests/fixtures compiles, and its XForm is read without losing anything.

Each check compares the definition against a raw ElementTree walk of the same XML.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from forms.definition import FormDefinition, Output
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
ODK = "{http://www.opendatakit.org/xforms}"
CONTROL_TAGS = {
    f"{XF}{name}"
    for name in ("input", "select1", "select", "range", "upload", "trigger", "secret", "group")
} | {f"{XF}repeat", f"{ODK}rank"}
ACTION_TAGS = {f"{XF}setvalue", f"{ODK}setgeopoint", f"{ODK}recordaudio"}
FORMS = ["all_question_types.xlsx", "ipa_household_survey.xlsx", "pond_visit.xls"]


@pytest.fixture(scope="module", params=FORMS)
def compiled(request: pytest.FixtureRequest, real_xlsforms: Path) -> tuple[str, FormDefinition]:
    name: str = request.param
    result = compile_xlsform(real_xlsforms / name, allow_choice_duplicates=name.startswith("ipa_"))
    return result.xform, read_xform(result.xform, source_name=name)


def _model(xml: str) -> ET.Element:
    model = ET.fromstring(xml).find(f"{H}head/{XF}model")
    assert model is not None
    return model


def _prefixed(attrib: dict[str, str]) -> dict[str, str]:
    prefixes = {
        "{http://openrosa.org/javarosa}": "jr:",
        "{http://openrosa.org/xforms}": "orx:",
        "{http://www.opendatakit.org/xforms}": "odk:",
        "{http://www.opendatakit.org/xforms/entities}": "entities:",
    }
    out = {}
    for key, value in attrib.items():
        for uri, prefix in prefixes.items():
            key = key.replace(uri, prefix)
        out[key] = value
    return out


def test_no_warnings_on_pyxform_output(compiled: tuple[str, FormDefinition]) -> None:
    _, form = compiled
    assert form.warnings == ()


def test_every_bind_with_every_attribute(compiled: tuple[str, FormDefinition]) -> None:
    xml, form = compiled
    raw = [_prefixed(dict(b.attrib)) for b in _model(xml).iter(f"{XF}bind")]
    assert [dict(b.attributes) for b in form.binds] == raw
    for bind in form.binds:
        for name in ("relevant", "required", "constraint", "calculate", "readonly"):
            expression = getattr(bind, name)
            assert (expression.text if expression else None) == bind.attributes.get(name)
        assert bind.preload == bind.attributes.get("jr:preload")


def test_every_control_and_action(compiled: tuple[str, FormDefinition]) -> None:
    xml, form = compiled
    body = ET.fromstring(xml).find(f"{H}body")
    assert body is not None
    raw = [
        (e.tag.rpartition("}")[2], e.get("ref", e.get("nodeset")))
        for e in body.iter()
        if e.tag in CONTROL_TAGS
    ]
    assert [(c.tag.rpartition(":")[2], c.ref) for c in form.controls()] == raw
    raw_actions = [e for e in ET.fromstring(xml).iter() if e.tag in ACTION_TAGS]
    assert len(form.actions) == len(raw_actions)
    for control in form.controls():
        if control.kind in ("select1", "select", "rank"):
            assert control.items or control.itemset


def test_every_itext_text_of_every_language(compiled: tuple[str, FormDefinition]) -> None:
    xml, form = compiled
    raw: dict[tuple[str, str, str | None], str] = {}
    for translation in _model(xml).iter(f"{XF}translation"):
        for text in translation.iter(f"{XF}text"):
            for value in text.iter(f"{XF}value"):
                key = (translation.get("lang", ""), text.get("id", ""), value.get("form"))
                raw[key] = "".join(value.itertext())
    read = {
        (t.lang, entry.id, form_name): "".join(p for p in parts if isinstance(p, str))
        for t in form.translations
        for entry in t.texts.values()
        for form_name, parts in entry.forms.items()
    }
    assert read == raw
    outputs = sum(1 for _ in _model(xml).iter(f"{XF}output"))
    read_outputs = sum(
        isinstance(p, Output)
        for t in form.translations
        for entry in t.texts.values()
        for parts in entry.forms.values()
        for p in parts
    )
    assert read_outputs == outputs


def test_every_instance(compiled: tuple[str, FormDefinition]) -> None:
    xml, form = compiled
    instances = list(_model(xml).iter(f"{XF}instance"))
    assert 1 + len(form.secondary_instances) == len(instances)
    primary = next(iter(instances[0]))
    assert sum(1 for _ in primary.iter()) == sum(1 for _ in form.instance.iter())
    for raw, read in zip(instances[1:], form.secondary_instances, strict=True):
        assert (raw.get("id"), raw.get("src")) == (read.id, read.src)
        if read.src is None:
            assert sum(1 for _ in raw.iter()) - 1 == sum(1 for _ in read.document().iter()) - 1


def test_a_fresh_instance_has_every_non_template_node(compiled: tuple[str, FormDefinition]) -> None:
    xml, form = compiled
    primary = next(iter(next(_model(xml).iter(f"{XF}instance"))))
    jr_template = "{http://openrosa.org/javarosa}template"
    templates = sum(sum(1 for _ in e.iter()) for e in primary.iter() if jr_template in e.attrib)
    nested = sum(
        sum(1 for _ in inner.iter())
        for e in primary.iter()
        if jr_template in e.attrib
        for inner in e.iter()
        if inner is not e and jr_template in inner.attrib
    )
    doc = form.new_instance_tree()
    assert sum(1 for _ in doc.iter()) - 1 == sum(1 for _ in primary.iter()) - templates + nested
