"""Sample weights in the living income questionnaire (issue #16, item 17): the hidden
`sample_weight` reads the household's weight from the attached `weights.csv` by its
household ID, and is 1 when the household is not listed or the file lists nobody."""

from __future__ import annotations

import csv
import io

from living_income_support import WEIGHTS, compiled, new_session, number, start

from forms.library.build import TABLES

WEIGHT = "identification/sample_weight"
FRAME = b"household_id,weight\nAB-0001,3\nAB-0007,0.5\n"
"""A project's sampling frame: AB-0001 was drawn with probability 1/3, AB-0007 with 2."""


def test_the_shipped_weights_csv_is_an_empty_frame_attached_to_the_form() -> None:
    rows = list(csv.reader(io.StringIO(WEIGHTS.read_text(encoding="utf-8"))))
    assert rows == [["household_id", "weight"]]
    assert WEIGHTS in TABLES
    assert '<instance id="weights" src="jr://file-csv/weights.csv"/>' in compiled().xform


def test_a_listed_household_takes_its_weight_from_weights_csv() -> None:
    s = new_session(replaced={"weights.csv": FRAME})
    start(s, "gh_cocoa_2024", "gh", household_id="AB-0001")
    assert number(s, WEIGHT) == 3
    assert "<sample_weight>3</sample_weight>" in s.to_xml()


def test_a_household_not_listed_weighs_1() -> None:
    s = new_session(replaced={"weights.csv": FRAME})
    start(s, "gh_cocoa_2024", "gh", household_id="AB-0002")
    assert number(s, WEIGHT) == 1


def test_the_weight_follows_a_corrected_household_id() -> None:
    s = new_session(replaced={"weights.csv": FRAME})
    start(s, "gh_cocoa_2024", "gh", household_id="AB-0002")
    assert number(s, WEIGHT) == 1
    assert s.answer("/data/identification/household_id", "AB-0007").ok
    assert number(s, WEIGHT) == 0.5


def test_with_the_shipped_empty_weights_csv_every_household_weighs_1() -> None:
    s = new_session()
    start(s, "gh_cocoa_2024", "gh", household_id="AB-0001")
    assert number(s, WEIGHT) == 1
    assert "<sample_weight>1</sample_weight>" in s.to_xml()
