"""The living income questionnaire as shipped: the workbook agrees with its text twin,
it compiles, every text is in English, French and Spanish, the benchmarks are the published reference values,
the app's bundled copy is current, and the test-drive fills it 200 times."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from living_income_support import CSV, LANGUAGES, XLSX, compiled, definition, twin, twin_rows

from forms.library.build import BUNDLED, TABLES, read_workbook, write_workbook
from forms.testdrive import check_compiled
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

TEXT_COLUMNS = ("label", "hint", "constraint_message")


def test_workbook_and_text_twin_agree_cell_by_cell() -> None:
    workbook = read_workbook(XLSX.read_bytes())
    assert list(workbook) == list(twin()) == ["survey", "choices", "settings"]
    for sheet, rows in twin().items():
        assert len(workbook[sheet]) == len(rows), sheet
        for number, (ours, theirs) in enumerate(zip(rows, workbook[sheet], strict=True), start=1):
            assert ours == theirs, f"{sheet} row {number}"


def test_the_form_compiles_without_warnings() -> None:
    form = compiled()
    assert form.form_id == "living_income_household"
    assert form.warnings == ()
    assert set(definition().languages) == set(LANGUAGES)


def test_every_label_hint_choice_and_message_is_in_three_languages() -> None:
    missing = []
    for sheet in ("survey", "choices"):
        for number, row in enumerate(twin_rows(sheet), start=2):
            for column in TEXT_COLUMNS:
                texts = [row.get(f"{column}::{language}", "") for language in LANGUAGES]
                if any(texts) and not all(texts):
                    missing.append(f"{sheet} row {number} {row['name']} {column}")
    assert missing == []
    plain = [c for r in twin_rows("survey") for c in r if c in TEXT_COLUMNS and r[c]]
    assert plain == [], "untranslated columns"


# The published reference benchmarks (LICOP / Anker; each row's source is in benchmarks.csv): (country, year) -> value, reference equivalence units
REFERENCE_BENCHMARKS = {
    ("ci", "2022"): ("3587796", "2.7"),
    ("ci", "2024"): ("3887292", "2.7"),
    ("gh", "2022"): ("27888", "2.4"),
    ("gh", "2024"): ("51660", "2.4"),
    ("ke", "2024"): ("596976", "2.4"),
    ("ug", "2024"): ("14423256", "2.4"),
    ("in", "2024"): ("338112", "2.1"),
    ("id", "2024"): ("63258648", "2.1"),
    ("et", "2021"): ("102528", "2.364"),
    ("hn", "2023"): ("217620", "2.28"),
    ("rw", "2023"): ("2565276", "2.52"),
    ("pe", "2024"): ("30936", "2.1"),
}


def test_benchmarks_csv_holds_the_reference_benchmarks_with_sources() -> None:
    rows = list(csv.DictReader(io.StringIO(CSV.read_text(encoding="utf-8"))))
    found = {(r["country"], r["year"]): (r["value"], r["ref_units"]) for r in rows}
    assert found == REFERENCE_BENCHMARKS
    assert all(r["source"] and r["currency"] and r["label"] for r in rows)
    assert len({r["name"] for r in rows}) == len(rows)
    countries = {r["name"] for r in twin_rows("choices") if r["list_name"] == "country"}
    assert {r["country"] for r in rows} == countries


def test_bundled_copy_for_the_app_equals_a_fresh_compile() -> None:
    fresh = compile_xlsform(XLSX).xform
    assert (BUNDLED / "living_income_household.xml").read_text(encoding="utf-8") == fresh
    for table in TABLES:
        assert (BUNDLED / table.name).read_bytes() == table.read_bytes(), table.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_forms_check_fills_200_random_interviews_in_each_language(
    language: str, tmp_path: Path
) -> None:
    """`fieldapp forms check` on the shipped form made to open in `language` (its settings'
    default language): 200 interviews finish without a problem and reach every question."""
    sheets = twin()
    header, *rows = sheets["settings"]
    column = header.index("default_language")
    settings = [header, *([*r[:column], language, *r[column + 1 :]] for r in rows)]
    workbook = tmp_path / XLSX.name
    workbook.write_bytes(write_workbook({**sheets, "settings": settings}))
    form = compile_xlsform(workbook)
    assert read_xform(form.xform, source_name=XLSX.name).default_language == language
    report = check_compiled(form, runs=200, seed=11, folder=CSV.parent)
    assert report.problems == [], report.render()
    assert report.finished == 200
    assert report.reached == report.questions > 150
