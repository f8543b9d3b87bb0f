"""Saving and resuming: OpenRosa instance XML, edits, mismatching files, cycles at load."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_support import definition_of, fixed_env, session_of

from forms.errors import FormError
from forms.session import FormSession
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

FORM = """
| survey |
| | type | name | label | relevant | calculation |
| | text | name | Name & co | | |
| | integer | age | Age | | |
| | text | work | Work | ${age} > 14 | |
| | begin repeat | kid | Kid | | |
| | text | kname | Kid | | |
| | end repeat | | | | |
| | calculate | label | | | concat(${name}, ' (', ${age}, ')') |
| settings |
| | form_id | version | instance_name |
| | household | 2024.1 | concat('HH ', ${name}) |
"""


def filled() -> FormSession:
    s = session_of(FORM)
    s.answer("/data/name", 'Awa <&> "Diop"')
    s.answer("/data/age", 10)
    s.add_repeat("/data/kid")
    s.answer("/data/kid[2]/kname", "Bintou")
    return s


def test_openrosa_shape() -> None:
    xml = filled().to_xml()
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><data ')
    assert 'id="household"' in xml and 'version="2024.1"' in xml
    assert "<work" not in xml, "non-relevant nodes are left out"
    assert "jr:template" not in xml
    assert '<instanceName>HH Awa &lt;&amp;&gt; "Diop"</instanceName>' in xml
    assert "<instanceID>uuid:" in xml


def test_round_trip_is_exact() -> None:
    s = filled()
    xml = s.to_xml()
    again = FormSession.load(s.definition, xml, env=fixed_env())
    assert again.to_xml() == xml
    assert again.value("/data/kid[2]/kname") == "Bintou"


def test_edit_gets_a_new_instance_id_and_deprecated_id() -> None:
    s = filled()
    old = s.value("/data/meta/instanceID")
    edited = FormSession.load(s.definition, s.to_xml(), edit=True, env=fixed_env(99))
    assert edited.value("/data/meta/deprecatedID") == old
    assert edited.value("/data/meta/instanceID") not in ("", old)
    xml = edited.to_xml()
    assert f"<deprecatedID>{old}</deprecatedID>" in xml
    assert FormSession.load(s.definition, xml).to_xml() == xml


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda x: x.replace('id="household"', 'id="other"'), "session.instance_wrong_form"),
        (lambda x: x.replace('version="2024.1"', 'version="1"'), "session.instance_wrong_version"),
        (lambda x: x.replace("<age>", "<shoe>1</shoe><age>"), "session.instance_unknown_element"),
        (lambda x: x[:50], "session.instance_bad_xml"),
        (
            lambda x: '<!DOCTYPE d [<!ENTITY e "x">]>' + x.split("?>", 1)[1],
            "session.instance_bad_xml",
        ),
    ],
)
def test_mismatching_instance_is_refused(mutate: object, code: str) -> None:
    s = filled()
    saved = s.to_xml()
    fresh = FormSession.new(s.definition, env=fixed_env()).to_xml()
    with pytest.raises(FormError) as error:
        FormSession.load(s.definition, mutate(saved))  # type: ignore[operator]
    assert error.value.code == code
    assert error.value.problems[0].message  # a sentence for the user, not a traceback
    assert s.to_xml() == saved  # nothing overwritten: the session, the form template
    assert FormSession.new(s.definition, env=fixed_env()).to_xml() == fresh


def test_cycle_is_reported_at_load_naming_the_fields() -> None:
    definition = definition_of(
        """
| survey |
| | type | name | label | calculation |
| | calculate | a | | ${b} + 1 |
| | calculate | b | | ${a} + 1 |
| | integer | c | C | |
"""
    )
    with pytest.raises(FormError) as error:
        FormSession.new(definition)
    assert error.value.code == "session.cycle"
    assert "/data/a" in str(error.value) and "/data/b" in str(error.value)


def test_all_question_types_form(real_xlsforms: Path) -> None:
    compiled = compile_xlsform(
        real_xlsforms / "all_question_types.xlsx", filename="all_question_types.xlsx"
    )
    definition = read_xform(compiled.xform)
    s = FormSession.new(definition, env=fixed_env(), allow_missing_attachments=True)
    answered = 0
    for screen in s.screens():
        for ref in screen.questions:
            node = s.node(ref)
            if node.datatype in ("int", "decimal") and not s.is_readonly(ref):
                answered += s.answer(ref, 3).ok
            elif node.datatype == "string" and s.control(ref) is not None:
                control = s.control(ref)
                if control is not None and control.kind == "input" and not s.is_readonly(ref):
                    answered += s.answer(ref, "abc").ok
    assert answered >= 2
    xml = s.to_xml()
    again = FormSession.load(definition, xml, env=fixed_env(), allow_missing_attachments=True)
    assert again.to_xml() == xml


def test_ipa_household_survey_opens_and_round_trips(real_xlsforms: Path) -> None:
    compiled = compile_xlsform(
        real_xlsforms / "ipa_household_survey.xlsx",
        filename="ipa_household_survey.xlsx",
        allow_choice_duplicates=True,
    )
    definition = read_xform(compiled.xform)
    s = FormSession.new(definition, env=fixed_env(), allow_missing_attachments=True)
    assert s.screens()
    expected = {"session.eval_failed", "session.unsupported_action"}  # preloads; audio
    assert {n.code for n in s.notices} <= expected
    xml = s.to_xml()
    assert (
        FormSession.load(definition, xml, env=fixed_env(), allow_missing_attachments=True).to_xml()
        == xml
    )


def test_finalize_stamps_end_and_lists_problems() -> None:
    s = session_of(
        """
| survey |
| | type | name | label | required |
| | end | end | | |
| | text | q | Q | yes |
"""
    )
    assert s.value("/data/end") != ""
    assert [p.place.field for p in s.finalize()] == ["/data/q"]


GROUPED_REPEAT = """
| survey |
| | type | name | label | required | relevant |
| | integer | herd | Herd size | | |
| | begin group | g | Animals | | ${herd} > 0 |
| | begin repeat | animal | Animal | | |
| | text | kind | Kind | yes | |
| | begin repeat | calf | Calf | | |
| | text | tag | Tag | yes | |
| | end repeat | | | | |
| | end repeat | | | | |
| | end group | | | | |
"""


def test_repeat_in_a_group_emptied_to_zero_stays_empty_after_reopening() -> None:
    s = session_of(GROUPED_REPEAT)
    s.answer("/data/herd", 2)
    s.remove_repeat("/data/g/animal[1]")
    xml = s.to_xml()
    assert "<g/>" in xml
    again = FormSession.load(s.definition, xml, env=fixed_env())
    assert "<animal" not in again.to_xml()
    assert again.to_xml() == xml
    assert again.finalize() == []


def test_nested_repeat_emptied_to_zero_stays_empty_after_reopening() -> None:
    s = session_of(GROUPED_REPEAT)
    s.answer("/data/herd", 2)
    s.answer("/data/g/animal[1]/kind", "cow")
    s.remove_repeat("/data/g/animal[1]/calf[1]")
    xml = s.to_xml()
    again = FormSession.load(s.definition, xml, env=fixed_env())
    assert "<calf" not in again.to_xml()
    assert again.to_xml() == xml
    assert again.finalize() == []


def test_repeat_missing_from_a_saved_instance_means_zero_instances() -> None:
    s = session_of(GROUPED_REPEAT)
    s.answer("/data/herd", 1)
    assert "<animal>" in s.to_xml(), "a brand-new instance gets the form's initial instance"
    s.answer("/data/herd", 0)
    xml = s.to_xml()
    assert "<g" not in xml, "a non-relevant group is not saved"
    again = FormSession.load(s.definition, xml, env=fixed_env())
    again.answer("/data/herd", 3)
    assert "<g/>" in again.to_xml()
    assert again.finalize() == []
    assert again.add_repeat("/data/g/animal") == "/data/g/animal[1]"
