"""`check_file(..., save=DIR)`: each finished interview as OpenRosa instance XML, named
by its instanceID, that reads back through the engine; an unwritable folder is refused
before anything runs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree

import pytest

from forms.definition import FormDefinition
from forms.errors import FormError
from forms.instance_xml import read_instance
from forms.session import FormSession
from forms.testdrive import check_file
from forms.testdrive_lint import FIXED_NOW
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from forms.xpath import Environment

LIBRARY = Path(__file__).resolve().parents[2] / "forms" / "library"
HOUSEHOLD = """| settings |
| | form_id | version |
| | household | 2024061501 |
| survey |
| | type         | name   | label  | constraint          | required | repeat_count |
| | integer      | n      | People | . >= 1 and . <= 30  | yes      |              |
| | begin_repeat | member | Member |                     |          | ${n}         |
| | text         | name   | Name   |                     | yes      |              |
| | end_repeat   |        |        |                     |          |              |
| | date         | visit  | Visit  | . <= today()        | yes      |              |
"""


def _definition(form: Path, allow_choice_duplicates: bool = False) -> FormDefinition:
    compiled = compile_xlsform(form, allow_choice_duplicates=allow_choice_duplicates)
    return read_xform(compiled.xform)


def _read_back(
    definition: FormDefinition, saved: Path, attachments: Mapping[str, bytes] | None = None
) -> ElementTree.Element:
    """The file parses, is named by its instanceID, is for this form and version, and
    loads into a session that writes it out unchanged."""
    xml = saved.read_text(encoding="utf-8")
    root = ElementTree.fromstring(xml)
    assert root.get("id") == definition.form_id
    assert root.get("version") == definition.version
    instance_id = root.findtext("meta/instanceID") or ""
    assert instance_id.startswith("uuid:")
    assert saved.name == instance_id.replace(":", "-") + ".xml"
    read_instance(definition, xml)
    clock = Environment(now=lambda: FIXED_NOW)  # `now()` calculations as when saved
    again = FormSession.load(
        definition, xml, env=clock, attachments=attachments or {}, allow_missing_attachments=True
    )
    assert again.to_xml() == xml
    return root


def test_each_finished_interview_is_saved_and_reads_back(tmp_path: Path) -> None:
    form = tmp_path / "household.md"
    form.write_text(HOUSEHOLD, encoding="utf-8")
    out = tmp_path / "rehearsal" / "day1"
    report = check_file(form, runs=8, seed=4, save=out)
    assert report.ok, report.render()
    saved = sorted(out.iterdir())
    assert len(saved) == report.saved == report.finished == 8
    assert f"Saved 8 interviews as OpenRosa instance XML in {out}" in report.render()
    definition = _definition(form)
    for path in saved:
        root = _read_back(definition, path)
        members = root.findall("member")
        assert len(members) == int(root.findtext("n") or "")
        assert 1 <= len(members) <= 3  # jr:count answers stay small
        assert (root.findtext("visit") or "") <= "2024-06-15"  # the test-drive's today


def test_the_same_seed_saves_the_same_files(tmp_path: Path) -> None:
    form = tmp_path / "household.md"
    form.write_text(HOUSEHOLD, encoding="utf-8")
    check_file(form, runs=3, seed=9, save=tmp_path / "a")
    check_file(form, runs=3, seed=9, save=tmp_path / "b")
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    second = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert first == second and len(first) == 3


def test_an_unfinished_interview_is_not_saved(tmp_path: Path) -> None:
    form = tmp_path / "impossible.md"
    form.write_text(
        "| survey |\n| | type | name | label | constraint | required |\n"
        "| | integer | a | A | . > 10 and . < 5 | yes |\n",
        encoding="utf-8",
    )
    report = check_file(form, runs=3, save=tmp_path / "out")
    assert report.finished == report.saved == 0
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("where", ["file", "under_a_file"])
def test_a_folder_that_cannot_be_written_is_refused_and_nothing_runs(
    tmp_path: Path, where: str
) -> None:
    form = tmp_path / "household.md"
    form.write_text(HOUSEHOLD, encoding="utf-8")
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep", encoding="utf-8")
    target = blocker if where == "file" else blocker / "out"
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(FormError) as refused:
        check_file(form, runs=2, save=target)
    assert refused.value.code == "check.save_unwritable"
    assert str(target) in refused.value.problems[0].message
    assert "Nothing was written" in refused.value.problems[0].message
    assert sorted(tmp_path.rglob("*")) == before
    assert blocker.read_text(encoding="utf-8") == "keep"


def test_the_living_income_questionnaire_saves_interviews_that_read_back(tmp_path: Path) -> None:
    form = LIBRARY / "living_income_household.xlsx"
    report = check_file(form, runs=4, seed=2, save=tmp_path)
    assert report.ok, report.render()
    assert report.saved == report.finished == 4
    definition = _definition(form)
    attached = {
        name: (LIBRARY / name).read_bytes()
        for name in ("benchmarks.csv", "prices.csv", "units.csv", "weights.csv")
    }
    for path in tmp_path.iterdir():
        _read_back(definition, path, attached)


def test_the_ipa_survey_saves_interviews_that_read_back(
    real_xlsforms: Path, tmp_path: Path
) -> None:
    form = real_xlsforms / "ipa_household_survey.xlsx"
    report = check_file(
        form,
        runs=3,
        allow_choice_duplicates=True,
        properties={"username": "enumerator"},
        save=tmp_path,
    )
    assert report.ok, report.render()
    assert report.saved == report.finished == 3
    definition = _definition(form, allow_choice_duplicates=True)
    for path in tmp_path.iterdir():
        _read_back(definition, path)
