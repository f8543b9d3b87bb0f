"""Repeats: add/remove, jr:count, nested repeats, position(..), indexed-repeat, odk-new-repeat."""

from __future__ import annotations

import time

import pytest
from session_support import session_of

from forms.errors import FormError
from forms.session_graph import Computation
from forms.xpath.tree import Node

ROSTER = """
| survey |
| | type | name | label | calculation | relevant | default |
| | begin repeat | member | Member | | | |
| | text | name | Name | | | |
| | integer | age | Age | | | |
| | calculate | pos | | position(..) | | |
| | integer | job | Job | | ${age} >= 15 | |
| | begin repeat | plot | Plot | | | |
| | decimal | area | Area | | | |
| | end repeat | | | | | |
| | calculate | land | | sum(${area}) | | |
| | end repeat | | | | | |
| | calculate | n | | count(${member}) | | |
| | calculate | ages | | sum(${age}) | | |
| | calculate | second | | indexed-repeat(${name}, ${member}, 2) | | |
"""


def test_add_remove_position_count_and_sum() -> None:
    s = session_of(ROSTER)
    assert s.value("/data/n") == "1"
    ref = s.add_repeat("/data/member")
    assert ref == "/data/member[2]"
    s.answer("/data/member[1]/age", 40)
    s.answer("/data/member[2]/age", 10)
    s.answer("/data/member[2]/name", "Ali")
    assert [s.value(f"/data/member[{i}]/pos") for i in (1, 2)] == ["1", "2"]
    assert (s.value("/data/n"), s.value("/data/ages"), s.value("/data/second")) == (
        "2",
        "50",
        "Ali",
    )
    assert s.is_relevant("/data/member[1]/job") and not s.is_relevant("/data/member[2]/job")
    s.remove_repeat("/data/member[1]")
    assert s.value("/data/member[1]/pos") == "1"
    assert (s.value("/data/n"), s.value("/data/ages"), s.value("/data/second")) == ("1", "10", "")


def test_nested_repeats_are_scoped_to_their_parent_instance() -> None:
    s = session_of(ROSTER)
    s.add_repeat("/data/member")
    assert "plot" not in s.to_xml().split("<member>")[2], "a new instance has no nested instances"
    s.add_repeat("/data/member[2]/plot")
    s.add_repeat("/data/member[2]/plot")
    s.answer("/data/member[2]/plot[1]/area", 1.5)
    s.answer("/data/member[2]/plot[2]/area", 2)
    s.answer("/data/member[1]/plot[1]/area", 7)
    assert s.value("/data/member[2]/land") == "3.5"
    assert s.value("/data/member[1]/land") == "7"


def test_not_a_repeat() -> None:
    s = session_of(ROSTER)
    with pytest.raises(FormError):
        s.add_repeat("/data/n")


COUNTED = """
| survey |
| | type | name | label | repeat_count | calculation | default |
| | integer | size | Size | | | |
| | begin repeat | person | Person | ${size} | | |
| | text | who | Who | | | |
| | calculate | idx | | | position(..) | |
| | end repeat | | | | | |
"""


def test_jr_count_adds_and_removes_instances() -> None:
    s = session_of(COUNTED)
    assert "<person>" not in s.to_xml()
    s.answer("/data/size", 3)
    assert s.value("/data/person[3]/idx") == "3"
    s.answer("/data/person[2]/who", "kept")
    s.answer("/data/size", 2)
    assert s.to_xml().count("<person>") == 2
    assert s.value("/data/person[2]/who") == "kept"
    assert "<idx>3</idx>" not in s.to_xml()


def test_huge_count_is_bounded_with_a_message() -> None:
    s = session_of(COUNTED)
    started = time.perf_counter()
    s.answer("/data/size", 1_000_000)
    assert time.perf_counter() - started < 10
    assert s.to_xml().count("<person>") == 1000
    assert [n.code for n in s.notices] == ["session.count_capped"]
    assert "1000000" in s.notices[0].message


def test_new_repeat_setvalue_uses_the_new_instance() -> None:
    s = session_of(
        """
| survey |
| | type | name | label | default |
| | text | village | Village | |
| | begin repeat | hh | Household | |
| | integer | num | Number | position(..) * 10 |
| | end repeat | | | |
"""
    )
    s.add_repeat("/data/hh")
    s.add_repeat("/data/hh")
    assert s.value("/data/hh[2]/num") == "20"
    assert s.value("/data/hh[3]/num") == "30"
    s.answer("/data/hh[3]/num", 5)
    assert s.value("/data/hh[3]/num") == "5"


def test_count_may_read_answers_of_its_own_instances() -> None:
    s = session_of(
        """
| survey |
| | type | name | label | repeat_count | calculation |
| | calculate | wanted | | | sum(${more}) + 1 |
| | begin repeat | hh | Member | ${wanted} | |
| | integer | more | Another one? (1 = yes) | | |
| | end repeat | | | | |
"""
    )
    assert s.to_xml().count("<hh>") == 1
    s.answer("/data/hh[1]/more", 1)
    s.answer("/data/hh[2]/more", 1)
    assert s.to_xml().count("<hh>") == 3
    s.answer("/data/hh[1]/more", 0)
    assert s.to_xml().count("<hh>") == 2


def test_nested_counts_follow_each_parent_instance() -> None:
    s = session_of(
        """
| survey |
| | type | name | label | repeat_count |
| | integer | hh | Households | |
| | begin repeat | house | House | ${hh} |
| | integer | rooms | Rooms | |
| | begin repeat | room | Room | ../rooms |
| | text | use | Use | |
| | end repeat | | | |
| | end repeat | | | |
"""
    )
    s.answer("/data/hh", 2)
    s.answer("/data/house[1]/rooms", 3)
    s.answer("/data/house[2]/rooms", 1)
    xml = s.to_xml()
    houses = xml.split("<house>")[1:]
    assert [h.count("<room>") for h in houses] == [3, 1]
    s.answer("/data/house[1]/rooms", 0)
    assert s.to_xml().count("<room>") == 1


def test_counted_repeats_cannot_be_changed_by_hand_and_refs_need_positions() -> None:
    s = session_of(COUNTED)
    s.answer("/data/size", 2)
    for change in (
        lambda: s.add_repeat("/data/person"),
        lambda: s.remove_repeat("/data/person[1]"),
    ):
        with pytest.raises(FormError) as error:
            change()
        assert error.value.code == "session.repeat_fixed"
    with pytest.raises(FormError) as error:
        s.answer("/data/person/who", "x")
    assert error.value.code == "session.ambiguous_ref"


ABSOLUTE = """
| survey |
| | type | name | label | calculation | relevant |
| | begin repeat | member | Member | | |
| | integer | age | Age | | |
| | calculate | double | | /data/member/age * 2 | |
| | calculate | pick | | indexed-repeat(/data/member/age, /data/member, 1) | |
| | text | school | School | | /data/member/age < 18 |
| | end repeat | | | | |
| | calculate | n | | count(/data/member) | |
| | calculate | total | | sum(/data/member/age) | |
"""


def test_absolute_paths_inside_a_repeat_mean_the_current_instance() -> None:
    s = session_of(ABSOLUTE)
    s.add_repeat("/data/member")
    s.answer("/data/member[1]/age", 40)
    s.answer("/data/member[2]/age", 10)
    assert [s.value(f"/data/member[{i}]/double") for i in (1, 2)] == ["80", "20"]
    assert [s.is_relevant(f"/data/member[{i}]/school") for i in (1, 2)] == [False, True]
    assert [s.value(f"/data/member[{i}]/pick") for i in (1, 2)] == ["40", "40"]
    assert (s.value("/data/n"), s.value("/data/total")) == ("2", "50")
    s.answer("/data/member[1]/age", 12)
    assert [s.value(f"/data/member[{i}]/double") for i in (1, 2)] == ["24", "20"]
    assert s.is_relevant("/data/member[1]/school")
    assert [s.value(f"/data/member[{i}]/pick") for i in (1, 2)] == ["12", "12"]


def test_absolute_reads_inside_a_repeat_recompute_only_their_instance() -> None:
    s = session_of(ABSOLUTE)
    for _ in range(9):
        s.add_repeat("/data/member")
    before = s.evaluations
    s.answer("/data/member[5]/age", 30)
    # double and relevance of school in member 5, pick in all 10, total; n not at all
    assert s.evaluations - before <= 2 + 10 + 1


COUNTED_SUM = """
| survey |
| | type | name | label | calculation | repeat_count |
| | integer | n | N | | |
| | begin repeat | row | Row | | ${n} |
| | calculate | k | | position(..) | |
| | end repeat | | | | |
| | calculate | total | | sum(${k}) | |
"""


def test_counted_instances_are_evaluated_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Principle 4: `jr:count` creating n instances costs what n instances compute, so
    a sum over them is evaluated once after they all exist, not once per new instance
    (which made a 500-row roster quadratic)."""
    s = session_of(COUNTED_SUM)
    applied: list[str] = []
    apply = s._apply

    def counted(computation: Computation, node: Node) -> None:
        applied.append(computation.path)
        apply(computation, node)

    monkeypatch.setattr(s, "_apply", counted)
    s.answer("/data/n", 200)
    assert s.value("/data/total") == str(200 * 201 // 2)
    assert s.value("/data/row[200]/k") == "200"
    assert applied.count("/data/total") == 1 and applied.count("/data/row/k") == 200
