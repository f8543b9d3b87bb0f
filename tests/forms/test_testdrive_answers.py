"""Random answers that finish interviews: inside the ranges constraints imply (bounds read
from other answers, dates, `or` alternatives, text lengths), small for `jr:count`; and
when no interview can finish, the constraint that stopped them and why."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from forms.testdrive import check_compiled
from forms.testdrive_bounds import Bounds, Interval
from forms.testdrive_report import Report
from forms.xlsform import compile_xlsform


def drive(md: str, runs: int = 12) -> Report:
    return check_compiled(compile_xlsform(md.encode(), filename="t.md"), runs=runs, seed=5)


def test_constraints_whose_bounds_are_other_answers_are_met() -> None:
    report = drive(
        """
| survey |
| | type    | name     | label    | constraint                                          | required |
| | integer | hh_size  | Size     | . >= 1 and . <= 40                                  | yes      |
| | integer | adults   | Adults   | . >= 1 and . <= ${hh_size}                          | yes      |
| | integer | children | Children | . = ${hh_size} - ${adults}                          | yes      |
| | integer | income   | Income   | . = -999 or (. >= 1000 and . <= ${hh_size} * 1000)  | yes      |
| | decimal | share    | Share    | . > 0.25 * ${adults} and . < 0.5 * ${adults}        | yes      |
"""
    )
    assert report.ok, report.render()
    assert report.finished == 12


def test_date_ranges_and_text_lengths_implied_by_constraints_are_met() -> None:
    report = drive(
        """
| survey |
| | type    | name    | label   | constraint                                 | required |
| | date    | born    | Born    | . >= date('1950-01-01') and . <= today()   | yes      |
| | date    | married | Married | . > ${born} and . <= today()               | yes      |
| | date    | visit   | Visit   | . = today()                                | yes      |
| | integer | digits  | Digits  | . >= 4 and . <= 12                         | yes      |
| | text    | code    | Code    | string-length(.) = ${digits}               | yes      |
"""
    )
    assert report.ok, report.render()
    assert report.finished == 12


def test_a_count_that_drives_a_repeat_stays_small() -> None:
    report = drive(
        """
| survey |
| | type         | name   | label  | constraint | required | repeat_count |
| | integer      | n      | People |            | yes      |              |
| | integer      | plots  | Plots  | . >= 1     | yes      |              |
| | begin_repeat | member | Member |            |          | ${n}         |
| | text         | name   | Name   |            | yes      |              |
| | end_repeat   |        |        |            |          |              |
| | begin_repeat | plot   | Plot   |            |          | ${plots}     |
| | decimal      | area   | Area   | . > 0      | yes      |              |
| | end_repeat   |        |        |            |          |              |
""",
        runs=20,
    )
    assert report.ok, report.render()
    assert report.finished == 20
    assert report.reached == report.questions


def test_an_empty_range_says_which_constraint_and_why() -> None:
    report = drive(
        """
| survey |
| | type    | name | label | constraint            | required |
| | integer | a    | A     | . >= 0 and . <= 9     | yes      |
| | integer | b    | B     | . > ${a} and . < ${a} | yes      |
"""
    )
    [stopped] = report.find("check.run_unfinished")
    assert stopped.params["count"] == 12  # one finding, although the bound differs per run
    assert "'b' (row 3): no answer met its constraint" in stopped.message
    assert "'. > ${a} and . < ${a}': no value is >" in stopped.message  # as written
    assert report.finished == 0 and not report.ok


def test_a_bound_read_from_an_empty_answer_is_named() -> None:
    report = drive(
        """
| survey |
| | type    | name  | label | constraint | required |
| | integer | total | Total | . > ${cap} | yes      |
| | integer | cap   | Cap   |            |          |
"""
    )
    [stopped] = report.find("check.run_unfinished")
    assert "'total' (row 2): no answer met its constraint '. > ${cap}'" in stopped.message
    assert "a bound reads 'cap', which is empty" in stopped.message


def test_a_constraint_the_generator_cannot_meet_says_so() -> None:
    report = drive(
        """
| survey |
| | type | name | label | constraint                         | required |
| | text | code | Code  | . = concat('X', string-length(.))  | yes      |
"""
    )
    [stopped] = report.find("check.run_unfinished")
    assert "none of the values the test-drive tried met it" in stopped.message
    assert report.find("check.constraint_unsatisfiable")[0].place.row == 2


def _within(value: float, interval: Interval) -> bool:
    above = value > interval.low if interval.low_open else value >= interval.low
    below = value < interval.high if interval.high_open else value <= interval.high
    return above and below


BOUND = st.one_of(st.none(), st.integers(-1000, 1000).map(float))


@given(
    st.lists(st.tuples(BOUND, BOUND, st.booleans(), st.booleans()), min_size=1, max_size=3),
    st.booleans(),
    st.integers(0, 2**32),
)
def test_every_value_drawn_lies_in_an_alternative(
    specs: list[tuple[float | None, float | None, bool, bool]], integer: bool, seed: int
) -> None:
    alternatives = [
        Interval(
            low if low is not None else -math.inf,
            high if high is not None else math.inf,
            low_open,
            high_open,
        )
        for low, high, low_open, high_open in specs
    ]
    values = Bounds(alternatives).values(integer, random.Random(seed))
    assert all(any(_within(v, i) for i in alternatives) for v in values)
    assert all(v == int(v) for v in values) or not integer
    if any(not i.empty(integer) for i in alternatives):
        assert values
