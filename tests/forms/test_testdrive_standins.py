"""Attachments missing next to the form: stand-in rows that cascades can be walked
through, the questions that ran on them named on their rows, and media files whose
absence alone stops interviews reported as a warning naming them."""

from __future__ import annotations

from pathlib import Path

from forms.testdrive import check_file
from forms.testdrive_standins import stand_ins
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

CASCADE = """| survey |
| | type                            | name | label | choice_filter                  | calculation                                      | required |
| | select_one_from_file states.csv | st   | State |                                |                                                  | yes      |
| | select_one_from_file cities.csv | ci   | City  | state = ${st} and size = 'big' |                                                  | yes      |
| | select_one_from_file wards.csv  | wa   | Ward  | city = ${ci}                   |                                                  | yes      |
| | select_one yn                   | ok   | OK?   |                                |                                                  | yes      |
| | select_one_from_file plots.csv  | pl   | Plot  | ok = ${ok}                     |                                                  | yes      |
| | calculate                       | pop  |       |                                | pulldata('cities', 'population', 'name', ${ci})  |          |
| choices |
| | list_name | name | label |
| | yn        | y    | Yes   |
| | yn        | n    | No    |
"""


def _form(tmp_path: Path, text: str, name: str = "form.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_cascade_on_missing_csvs_is_walked_on_stand_in_rows(tmp_path: Path) -> None:
    report = check_file(_form(tmp_path, CASCADE), runs=8, seed=2)
    assert report.ok, report.render()
    assert report.finished == 8
    assert report.reached == report.questions


def test_the_report_names_each_question_that_ran_on_stand_ins(tmp_path: Path) -> None:
    report = check_file(_form(tmp_path, CASCADE), runs=2)
    notes = sorted((p.place.row, p.params["file"]) for p in report.find("check.stand_in"))
    assert notes == [
        (2, "states.csv"),
        (3, "cities.csv"),
        (4, "wards.csv"),
        (6, "plots.csv"),
        (7, "cities.csv"),
    ]
    assert all(p.severity == "info" for p in report.find("check.stand_in"))
    assert all(p.place.sheet == "survey" for p in report.find("check.stand_in"))
    cities = next(p for p in report.find("check.attachment_missing") if "cities" in p.message)
    assert cities.severity == "warning"
    assert "'ci', 'pop' ran on stand-in rows" in cities.message
    assert "state" in cities.params["columns"] and "population" in cities.params["columns"]


def test_stand_in_rows_cover_every_value_a_filter_compares_with(tmp_path: Path) -> None:
    definition = read_xform(compile_xlsform(CASCADE.encode(), filename="t.md").xform)
    found = stand_ins(definition, {"cities.csv", "plots.csv"})
    assert set(found) == {"cities", "plots"}
    plots = found["plots"].rows()
    assert sorted(row["ok"] for row in plots) == ["n", "stand_in", "y"]
    cities = found["cities"].rows()
    assert {"stand_in", "big"} <= {row["size"] for row in cities}
    assert any(row["state"] == "stand_in" and row["size"] == "big" for row in cities)
    assert all(row["population"] == "stand_in" for row in cities)


def test_an_attachment_next_to_the_form_is_used_not_replaced(tmp_path: Path) -> None:
    form = _form(
        tmp_path,
        "| survey |\n| | type | name | label | required |\n"
        "| | select_one_from_file towns.csv | t | Town | yes |\n",
    )
    (tmp_path / "towns.csv").write_text("name,label\nadama,Adama\n", encoding="utf-8")
    report = check_file(form, runs=2)
    assert report.ok and report.finished == 2
    assert report.find("check.stand_in") == [] == report.find("check.attachment_missing")


MEDIA_FORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:jr="http://openrosa.org/javarosa">
<h:head><h:title>Media</h:title><model>
<instance><data id="media" version="1"><pick/><size/><meta><instanceID/></meta></data></instance>
<instance id="sizes" src="jr://file/sizes.txt"/>
<bind nodeset="/data/pick" type="string" required="true()"/>
<bind nodeset="/data/size" type="string" calculate="count(instance('sizes')/root/item)"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
</model></h:head>
<h:body>
<select1 ref="/data/pick"><label>Pick</label>
<itemset nodeset="instance('sizes')/root/item"><value ref="name"/><label ref="label"/></itemset>
</select1>
</h:body></h:html>
"""


def test_interviews_held_up_only_by_missing_media_are_a_warning_naming_them(
    tmp_path: Path,
) -> None:
    report = check_file(_form(tmp_path, MEDIA_FORM, "media.xml"), runs=3)
    assert report.ok, report.render()
    assert report.finished == 0
    [held_up] = report.find("check.run_media_missing")
    assert held_up.severity == "warning"
    assert "'sizes.txt'" in held_up.message and "3 of 3" in held_up.message
    assert report.find("check.calculation_failed") == []


def test_a_missing_instance_the_form_does_not_declare_is_still_an_error(
    tmp_path: Path,
) -> None:
    undeclared = MEDIA_FORM.replace("count(instance('sizes')", "count(instance('sizse')")
    report = check_file(_form(tmp_path, undeclared, "typo.xml"), runs=2)
    assert not report.ok
