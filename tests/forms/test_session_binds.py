"""Bind semantics from the ODK XForms spec: calculate, relevant, required, constraint, readonly."""

from __future__ import annotations

from session_support import FIXED_NOW, session_of

CALC = """
| survey |
| | type | name | label | calculate | relevant |
| | integer | a | A | | |
| | integer | b | B | | |
| | calculate | total | | ${a} + ${b} | |
| | calculate | double | | ${total} * 2 | |
| | integer | bonus | Bonus | | ${double} > 10 |
"""


def test_calculates_run_in_dependency_order() -> None:
    s = session_of(CALC)
    s.answer("/data/a", 2)
    s.answer("/data/b", 4)
    assert s.value("/data/total") == "6"
    assert s.value("/data/double") == "12"
    assert s.is_relevant("/data/bonus")
    s.answer("/data/b", 1)
    assert (s.value("/data/total"), s.value("/data/double")) == ("3", "6")
    assert not s.is_relevant("/data/bonus")


def test_empty_in_arithmetic_is_nan_and_stored_empty_as_in_javarosa() -> None:
    """Empty is NaN in arithmetic; a NaN result is stored as no value (JavaRosa
    `IAnswerData.wrapData`), so `${total}` reads empty downstream."""
    s = session_of(CALC)
    s.answer("/data/a", 2)
    assert s.value("/data/total") == ""
    assert not s.is_relevant("/data/bonus")


GROUPS = """
| survey |
| | type | name | label | relevant | required | constraint | constraint_message | required_message |
| | select_one yn | adult | Adult? | | | | | |
| | begin group | work | Work | ${adult} = 'yes' | | | | |
| | integer | hours | Hours | | yes | . <= 80 | At most 80 hours | Hours are needed |
| | begin group | inner | Inner | | | | | |
| | text | employer | Employer | | yes | | | |
| | end group | | | | | | | |
| | end group | | | | | | | |
| | integer | after | After | | | . > 0 | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
"""


def test_relevance_inherits_from_groups() -> None:
    s = session_of(GROUPS)
    assert not s.is_relevant("/data/work/inner/employer")
    s.answer("/data/adult", "yes")
    assert s.is_relevant("/data/work/inner/employer")
    s.answer("/data/work/inner/employer", "Coop")
    s.answer("/data/adult", "no")
    assert not s.is_relevant("/data/work/inner/employer")
    assert "<work" not in s.to_xml()
    s.answer("/data/adult", "yes")
    assert "<employer>Coop</employer>" in s.to_xml(), "JavaRosa keeps non-relevant values"


def test_required_and_constraint_only_on_relevant_nodes() -> None:
    s = session_of(GROUPS)
    assert s.validate() == []
    s.answer("/data/adult", "yes")
    problems = s.validate()
    assert [p.place.field for p in problems] == ["/data/work/hours", "/data/work/inner/employer"]
    assert problems[0].message == "Hours are needed"
    assert problems[1].message == "Sorry, this response is required!"


def test_constraint_message_and_only_on_non_empty_values() -> None:
    s = session_of(GROUPS)
    s.answer("/data/adult", "yes")
    assert s.answer("/data/work/hours", 40).ok
    result = s.answer("/data/work/hours", 90)
    assert not result.ok and result.message == "At most 80 hours"
    assert s.value("/data/work/hours") == "40", "a violated constraint is not committed"
    assert s.answer("/data/after", "").ok
    bad = s.answer("/data/after", -1)
    assert bad.message == "Sorry, this response is invalid!"


READONLY = """
| survey |
| | type | name | label | readonly | calculate | default |
| | text | fixed | Fixed | yes | | abc |
| | calculate | c | | | 1 + 1 | |
"""


def test_readonly_and_calculated_nodes_refuse_answers() -> None:
    s = session_of(READONLY)
    assert s.is_readonly("/data/fixed")
    result = s.answer("/data/fixed", "x")
    assert result.problem is not None and result.problem.code == "session.readonly"
    assert s.value("/data/fixed") == "abc"
    assert not s.answer("/data/c", "3").ok


EVENTS = """
| survey |
| | type | name | label | default | trigger | calculation |
| | start | start | | | | |
| | today | today | | | | |
| | deviceid | deviceid | | | | |
| | username | username | | | | |
| | integer | n | N | 5 | | |
| | text | first | First | | | |
| | date | changed | Changed | | ${first} | today() |
"""


def test_preloads_defaults_and_value_changed_setvalue() -> None:
    s = session_of(EVENTS)
    assert s.value("/data/start") == FIXED_NOW.isoformat(timespec="milliseconds")
    assert s.value("/data/today") == "2024-03-05"
    assert s.value("/data/deviceid") == "collect:abc"
    assert s.value("/data/username") == "amina"
    assert s.value("/data/n") == "5"
    assert s.value("/data/meta/instanceID").startswith("uuid:")
    assert s.value("/data/changed") == ""
    s.answer("/data/first", "hello")
    assert s.value("/data/changed") == "2024-03-05"


def test_first_load_setvalue_from_dynamic_default() -> None:
    s = session_of(
        """
| survey |
| | type | name | label | default |
| | integer | year | Year | 2000 + 24 |
"""
    )
    assert s.value("/data/year") == "2024"


def test_constraint_on_another_answer_is_found_by_validate_and_outline() -> None:
    s = session_of(
        """
| survey |
| | type | name | label | constraint |
| | integer | cap | Cap | |
| | integer | used | Used | . <= ${cap} |
"""
    )
    s.answer("/data/cap", 10)
    assert s.answer("/data/used", 8).ok
    s.answer("/data/cap", 5)
    assert [(p.code, p.place.field) for p in s.validate()] == [("session.constraint", "/data/used")]
    assert {e.ref: e.state for e in s.outline()}["/data/used"] == "invalid"
