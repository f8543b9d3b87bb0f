"""The test-drive's round trip: a saved interview must load back to the same XML. It loads
in full when loading could compute otherwise, and only reads the XML back otherwise."""

from __future__ import annotations

import pytest
from session_support import definition_of, fixed_env

from forms import instance_xml
from forms.session import FormSession
from forms.testdrive_report import Report
from forms.testdrive_simulate import recomputes_alike, same_instance, simulate

ROSTER = """
| survey |
| | type | name | label | relevant | calculation |
| | text | head | Head | | |
| | begin repeat | member | Member | position(.) != 2 | |
| | text | name | Name | | |
| | end repeat | | | | |
| | calculate | members | | | count(${member}) |
| | calculate | code | | | {code} |
"""


def roster(code: str, *, hidden: bool = True) -> str:
    """The roster form with `code` computed; `hidden`: its second member is not relevant."""
    form = ROSTER.replace("{code}", code)
    return form if hidden else form.replace("position(.) != 2", "")


def roundtrip_runs(report: Report) -> int:
    return sum(int(p.params["count"]) for p in report.find("check.instance_roundtrip"))


def test_randomness_recomputed_on_load_is_found() -> None:
    definition = definition_of(roster("random()", hidden=False))
    assert not recomputes_alike(definition)
    assert roundtrip_runs(simulate(definition, 4, seed=2)) == 4


def test_a_hidden_instance_that_renumbers_the_roster_is_found() -> None:
    definition = definition_of(roster("'x'"))
    assert recomputes_alike(definition)
    report = simulate(definition, 12, seed=5)
    assert 0 < roundtrip_runs(report) < 12  # the interviews with a second member


def test_a_form_that_loads_back_alike_passes() -> None:
    definition = definition_of(roster("today()", hidden=False))
    assert recomputes_alike(definition)
    report = simulate(definition, 6, seed=5)
    assert report.finished == 6
    assert roundtrip_runs(report) == 0


@pytest.mark.parametrize(
    ("row", "alike"),
    [
        ("| | calculate | later | | | once(uuid()) |", False),
        ("| | integer | n | N | randomize(${member}) != '' | |", False),
        ("| | calculate | later | | | now() |", True),
    ],
)
def test_what_a_load_computes_otherwise(row: str, alike: bool) -> None:
    definition = definition_of(roster("1") + row + "\n")
    assert recomputes_alike(definition) is alike


def test_the_read_back_tree_is_compared_where_it_is_saved() -> None:
    definition = definition_of(roster("'x'"))
    session = FormSession.new(definition, env=fixed_env())
    for _ in range(2):  # after the form's first member
        session.add_repeat("/data/member")
    session.answer("/data/member[1]/name", "Ama")
    session.answer("/data/member[2]/name", "hidden")
    read = instance_xml.read_instance(definition, session.to_xml())
    assert not same_instance(read, session.document)  # the hidden member is not saved
    session.remove_repeat("/data/member[3]")
    session.remove_repeat("/data/member[2]")
    read = instance_xml.read_instance(definition, session.to_xml())
    assert same_instance(read, session.document)
    read.children[0].children[0].text = "someone else"
    assert not same_instance(read, session.document)
