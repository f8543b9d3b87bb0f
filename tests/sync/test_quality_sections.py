"""Time per section from an audit log as ODK Collect and our device write it: repeat positions
are not part of a section's name, a field-list shown whole is its own section, and a question
outside every group belongs to no section."""

from __future__ import annotations

from sync.server.quality.checks import section_seconds

AUDIT = (
    "event,node,start,end\n"
    "form start,,0,\n"
    "group questions,/data/identification,0,30000\n"
    "question,/data/consent,30000,34000\n"
    "question,/data/roster/hh_size,34000,40000\n"
    "group questions,/data/roster/member[1]/person,40000,52000\n"
    "group questions,/data/roster/member[2]/person,52000,61000\n"
    "add repeat,/data/plots/plot,61000,63000\n"
    "add repeat,/data/visits[2],63000,64000\n"
    "question,/data/visits[1]/day,64000,68000\n"
    "end screen,,68000,70000\n"
    "form exit,,70000,\n"
)


def test_sections_from_question_group_and_repeat_rows() -> None:
    assert section_seconds(AUDIT, "data") == {
        "identification": 30.0,
        "roster": 6.0 + 12.0 + 9.0,
        "plots": 2.0,
        "visits": 1.0 + 4.0,
    }


def test_rows_of_another_form_or_without_an_end_count_nowhere() -> None:
    audit = (
        "event,node,start,end\nquestion,/other/roster/hh_size,0,5000\nquestion,/data/roster/x,9,\n"
    )
    assert section_seconds(audit, "data") == {}
