"""The form test-drive: each planted defect is found and placed on its sheet row."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.testdrive import check_compiled, check_file
from forms.testdrive_gates import gate_values
from forms.testdrive_report import Report
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

RUNS = 6


def drive(md: str, runs: int = RUNS) -> Report:
    return check_compiled(compile_xlsform(md.encode(), filename="t.md"), runs=runs, seed=3)


def only(report: Report, code: str) -> list[int | None]:
    return [p.place.row for p in report.find(code)]


CLEAN = """
| survey |
| | type              | name  | label    | relevant     | constraint          | calculation |
| | integer           | age   | Age      |              | . >= 0 and . < 120  |             |
| | select_one yn     | kids  | Kids?    |              |                     |             |
| | integer           | n     | How many | ${kids}='y'  | . > 0               |             |
| | calculate         | older |          |              |                     | coalesce(${age}, 0) + 1 |
| | begin_repeat      | child | Child    | ${kids}='y'  |                     |             |
| | text              | cname | Name     |              |                     |             |
| | end_repeat        |       |          |              |                     |             |
| choices |
| | list_name | name | label |
| | yn        | y    | Yes   |
| | yn        | n    | No    |
"""


def test_a_clean_form_passes_and_every_question_is_reached() -> None:
    report = drive(CLEAN, runs=10)
    assert report.ok, report.render()
    assert report.finished == 10
    assert report.reached == report.questions
    assert "No problems found." in report.render()


def test_the_report_is_the_same_for_the_same_seed() -> None:
    assert drive(CLEAN).render() == drive(CLEAN).render()


def test_an_unknown_function_is_an_error_on_its_row() -> None:
    report = drive(
        """
| survey |
| | type    | name | label | relevant      |
| | integer | a    | A     |               |
| | integer | b    | B     | foo(${a}) > 1 |
"""
    )
    assert not report.ok
    assert only(report, "xpath.unknown_function") == [3]
    assert report.find("xpath.unknown_function")[0].place.sheet == "survey"
    assert not report.simulated


def test_a_question_that_is_never_relevant_and_its_dependants() -> None:
    report = drive(
        """
| survey |
| | type    | name | label | relevant    |
| | integer | a    | A     | 1 = 2       |
| | integer | b    | B     | ${a} > 3    |
| | integer | c    | C     |             |
"""
    )
    assert only(report, "check.never_relevant") == [2]
    assert only(report, "check.never_relevant_ref") == [3]
    assert report.find("check.never_relevant")[0].place.column == "relevant"
    assert set(only(report, "check.never_reached")) == {2, 3}
    assert not report.ok


def test_a_group_that_is_never_relevant_hides_its_questions() -> None:
    report = drive(
        """
| survey |
| | type        | name | label | relevant |
| | begin_group | g    | G     | 1 = 2    |
| | integer     | a    | A     |          |
| | end_group   |      |       |          |
| | integer     | b    | B     | ${a} > 1 |
"""
    )
    assert only(report, "check.never_relevant") == [2]
    assert only(report, "check.never_relevant_ref") == [5]


def test_relevant_false_is_the_hidden_field_idiom_reported_as_information() -> None:
    report = drive(
        """
| survey |
| | type        | name   | label  | relevant | default |
| | integer     | code   | Code   | false()  | 7       |
| | begin_group | g      | G      | false( ) |         |
| | text        | inside | Inside |          |         |
| | end_group   |        |        |          |         |
| | integer     | age    | Age    |          |         |
"""
    )
    assert report.ok, report.render()
    hidden = report.find("check.hidden")
    assert [(p.place.row, p.place.column, p.severity) for p in hidden] == [
        (2, "relevant", "info"),
        (3, "relevant", "info"),
    ]
    assert report.find("check.never_reached") == []  # hidden on purpose, not unreached
    assert report.finished == RUNS
    assert "2 notes" in report.render().splitlines()[0]
    assert "info: t.md, sheet 'survey', row 2, column 'relevant'" in report.render()


def test_a_choice_filter_that_matches_nothing() -> None:
    report = drive(
        """
| survey |
| | type             | name | label | choice_filter      |
| | select_one state | st   | State |                    |
| | select_one city  | ci   | City  | state = ${st} + 10 |
| choices |
| | list_name | name | label | state |
| | state     | 1    | One   |       |
| | state     | 2    | Two   |       |
| | city      | a    | A     | 1     |
| | city      | b    | B     | 2     |
"""
    )
    assert only(report, "check.filter_matches_nothing") == [3]
    assert not report.ok


def test_a_choice_filter_on_a_column_the_choices_lack() -> None:
    report = drive(
        """
| survey |
| | type             | name | label | choice_filter    |
| | select_one state | st   | State |                  |
| | select_one city  | ci   | City  | region = ${st}   |
| choices |
| | list_name | name | label | state |
| | state     | 1    | One   |       |
| | city      | a    | A     | 1     |
"""
    )
    found = report.find("check.filter_unknown_column")
    assert [p.place.row for p in found] == [3]
    assert "region" in found[0].message and "state" in found[0].message


def test_a_cascading_select_with_an_empty_branch_is_a_warning() -> None:
    report = drive(
        """
| survey |
| | type             | name | label | choice_filter  |
| | select_one state | st   | State |                |
| | select_one city  | ci   | City  | state = ${st}  |
| choices |
| | list_name | name | label | state |
| | state     | 1    | One   |       |
| | state     | 2    | Two   |       |
| | city      | a    | A     | 1     |
"""
    )
    found = report.find("check.filter_empty_for")
    assert [(p.place.row, p.severity) for p in found] == [(3, "warning")]
    assert "'2'" in found[0].message


def test_a_calculation_cycle_names_the_fields_and_rows() -> None:
    report = drive(
        """
| survey |
| | type      | name | label | calculation |
| | integer   | a    | A     |             |
| | calculate | x    |       | ${y} + 1    |
| | calculate | y    |       | ${x} + ${a} |
"""
    )
    found = report.find("check.cycle")
    assert [p.place.row for p in found] == [3]
    assert "'x' (row 3), 'y' (row 4)" in found[0].message
    assert not report.simulated and not report.ok


def test_an_impossible_constraint() -> None:
    report = drive(
        """
| survey |
| | type    | name | label | constraint         | required |
| | integer | a    | A     | . > 10 and . < 5   |          |
| | integer | b    | B     |                    |          |
"""
    )
    found = report.find("check.constraint_unsatisfiable")
    assert [(p.place.row, p.place.column) for p in found] == [(2, "constraint")]
    assert "11" in found[0].message  # values near the constraint's literals were tried
    assert not report.ok


def test_a_required_question_with_an_impossible_constraint_stops_every_interview() -> None:
    report = drive(
        """
| survey |
| | type    | name | label | constraint         | required |
| | integer | a    | A     | . > 10 and . < 5   | yes      |
"""
    )
    unfinished = report.find("check.run_unfinished")
    assert len(unfinished) == 1 and unfinished[0].params["count"] == RUNS
    assert "'a' (row 2)" in unfinished[0].message
    assert report.finished == 0


def test_a_constraint_met_only_near_its_literals_is_satisfied() -> None:
    report = drive(
        """
| survey |
| | type    | name | label | constraint                 | required |
| | integer | a    | A     | . = 4711                   | yes      |
| | text    | p    | Phone | string-length(.) = 10      | yes      |
| | decimal | d    | D     | . > 999.5 and . < 1000.2   | yes      |
"""
    )
    assert report.ok, report.render()
    assert report.finished == RUNS


def test_a_division_by_an_empty_or_zero_value() -> None:
    report = drive(
        """
| survey |
| | type      | name  | label | calculation   |
| | integer   | total | Total |               |
| | integer   | n     | N     |               |
| | calculate | share |       | ${total} div ${n} |
""",
        runs=20,
    )
    found = report.find("check.calculation_not_finite")
    assert [(p.place.row, p.place.column) for p in found] == [(4, "calculation")]
    assert found[0].params["value"] in ("NaN", "Infinity")


def test_repeats_get_instances_and_jr_count_is_honoured() -> None:
    report = drive(
        """
| survey |
| | type         | name   | label  | repeat_count | constraint |
| | integer      | n      | N      |              | . <= 4     |
| | begin_repeat | member | Member | ${n}         |            |
| | text         | name   | Name   |              |            |
| | end_repeat   |        |        |              |            |
| | begin_repeat | plot   | Plot   |              |            |
| | decimal      | area   | Area   |              |            |
| | end_repeat   |        |        |              |            |
"""
    )
    assert report.ok, report.render()
    assert report.reached == report.questions


def test_a_form_that_cannot_be_compiled_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("| survey |\n| | type | name | label |\n| | select_one nolist | a | A |\n")
    report = check_file(path, runs=2)
    assert not report.ok
    assert report.errors[0].code.startswith("xlsform.")


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    report = check_file(tmp_path / "nope.xlsx", runs=2)
    assert report.codes() == ["check.unreadable"]


@pytest.mark.parametrize("name", ["all_question_types.xlsx", "pond_visit.xls"])
def test_real_forms_pass(real_xlsforms: Path, name: str) -> None:
    report = check_file(real_xlsforms / name, runs=5)
    assert report.ok, report.render()
    assert report.finished == 5


def test_ipa_household_survey_passes_with_choice_duplicates(real_xlsforms: Path) -> None:
    path = real_xlsforms / "ipa_household_survey.xlsx"
    refused = check_file(path, runs=1)
    assert refused.codes() == ["xlsform.duplicate_choice"] or not refused.ok
    report = check_file(
        path, runs=5, allow_choice_duplicates=True, properties={"username": "enumerator"}
    )
    assert report.ok, report.render()
    assert report.finished == 5


def test_ipa_household_survey_needs_its_username(real_xlsforms: Path) -> None:
    report = check_file(
        real_xlsforms / "ipa_household_survey.xlsx", runs=2, allow_choice_duplicates=True
    )
    unfinished = report.find("check.run_unfinished")
    assert unfinished and "username_check" in unfinished[0].message


GATED = """
| survey |
| | type | name | label | relevant |
| | select_one many | pick | Pick | |
| | integer | n | N | |
| | select_multiple many | several | Several | |
| | text | behind_pick | Behind pick | ${pick} = 'c17' |
| | text | behind_n | Behind n | ${n} = 37 |
| | text | behind_several | Behind several | selected(${several}, 'c23') |
| choices |
| | list_name | name | label |
""" + "".join(f"| | many | c{i} | C{i} |\n" for i in range(30))


def test_answers_aim_at_the_literals_relevance_compares_them_with() -> None:
    report = drive(GATED, runs=12)
    assert report.reached == report.questions, report.render()
    assert gate_values(read_xform(compile_xlsform(GATED.encode(), filename="t.md").xform)) == {
        "/data/pick": ("c17",),
        "/data/n": ("37", "38", "36"),
        "/data/several": ("c23",),
    }


def test_a_required_note_that_screens_out_is_a_warning_not_an_error() -> None:
    report = drive(
        """
| survey |
| | type | name | label | relevant | required | required_message |
| | select_one yn | eligible | Eligible? | | yes | |
| | note | stop | Not eligible: close the form | ${eligible} = 'n' | yes | Close the form |
| | text | name | Name | | | |
| choices |
| | list_name | name | label |
| | yn | y | Yes |
| | yn | n | No |
""",
        runs=10,
    )
    assert report.ok, report.render()
    assert report.codes() == ["check.run_stopped"]
    assert "'stop'" in report.problems[0].message
    assert "Close the form" in report.problems[0].message
    assert 0 < report.finished < 10


def test_a_question_switched_on_by_an_answer_on_the_same_screen_is_answered() -> None:
    report = drive(
        """
| survey |
| | type        | name | label | required | relevant   | appearance |
| | begin group | g    | G     |          |            | field-list |
| | integer     | n    | N     | yes      |            |            |
| | text        | m    | M     | yes      | ${n} > 5   |            |
| | end group   |      |       |          |            |            |
| | integer     | k    | K     | yes      | ${m} != '' |            |
"""
    )
    assert report.ok, report.render()
    assert report.finished == RUNS
    assert report.reached == report.questions
