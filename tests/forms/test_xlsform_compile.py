"""XLSForm to XForm: file types told from content, real forms, pyxform errors as our messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from forms.errors import FormError
from forms.xlsform import compile_xlsform
from forms.xlsform_files import CSV, MARKDOWN, XLS, XLSX, detect_type

SIMPLE_MD = """
| survey |               |          |                 |
|        | type          | name     | label           |
|        | text          | farmer   | Farmer's name   |
|        | integer       | age      | Age             |
|        | select_one yn | consent  | Consent given?  |
| choices |              |          |                 |
|         | list_name    | name     | label           |
|         | yn           | yes      | Yes             |
|         | yn           | no       | No              |
| settings |             |          |                 |
|          | form_id     | form_title |               |
|          | simple      | Simple form |              |
"""

SIMPLE_CSV = (
    "survey,,,\n,type,name,label\n,text,farmer,Farmer's name\n,integer,age,Age\n"
    "settings,,,\n,form_id,form_title,\n,simple,Simple form,\n"
)


def test_markdown_form_compiles_with_id_and_title() -> None:
    compiled = compile_xlsform(SIMPLE_MD.encode(), filename="simple.md")
    assert compiled.form_id == "simple"
    assert compiled.title == "Simple form"
    assert "<farmer/>" in compiled.xform and 'nodeset="/data/age"' in compiled.xform
    assert compiled.rows == {"farmer": 2, "age": 3, "consent": 4}


def test_csv_form_compiles() -> None:
    compiled = compile_xlsform(SIMPLE_CSV.encode(), filename="simple.csv")
    assert 'type="int"' in compiled.xform


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("all_question_types.xlsx", XLSX),
        ("pond_visit.xls", XLS),
        ("ipa_household_survey.xlsx", XLSX),
    ],
)
def test_type_comes_from_content_not_name(real_xlsforms: Path, name: str, expected: str) -> None:
    data = (real_xlsforms / name).read_bytes()
    assert detect_type(data, "whatever.txt") == expected


def test_legacy_xls_saved_with_xlsx_name_compiles(real_xlsforms: Path, tmp_path: Path) -> None:
    lying = tmp_path / "tutorial.xlsx"
    shutil.copy(real_xlsforms / "pond_visit.xls", lying)
    compiled = compile_xlsform(lying)
    assert "<h:title>" in compiled.xform


def test_markdown_and_csv_detected_whatever_the_name() -> None:
    assert detect_type(SIMPLE_MD.encode(), "form.xlsx") == MARKDOWN
    assert detect_type(SIMPLE_CSV.encode(), "form.xls") == CSV


@pytest.mark.parametrize("name", ["all_question_types.xlsx", "pond_visit.xls"])
def test_real_forms_compile(real_xlsforms: Path, name: str) -> None:
    compiled = compile_xlsform(real_xlsforms / name)
    assert compiled.xform.startswith("<?xml")
    for warning in compiled.warnings:
        assert warning.severity == "warning"
        assert warning.place.file == name


def test_ipa_form_rejected_with_list_row_and_setting_named(real_xlsforms: Path) -> None:
    with pytest.raises(FormError) as caught:
        compile_xlsform(real_xlsforms / "ipa_household_survey.xlsx")
    problem = caught.value.problems[0]
    assert problem.code == "xlsform.duplicate_choice"
    assert (problem.place.sheet, problem.place.row, problem.place.column) == ("choices", 71, "name")
    assert problem.params["list"] == "relation"
    assert "allow_choice_duplicates" in problem.message
    assert "row 71" in str(problem)


def test_ipa_test_copy_with_setting_compiles(real_xlsforms: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ipa.xlsx"
    book = openpyxl.load_workbook(real_xlsforms / "ipa_household_survey.xlsx")
    settings = book["settings"]
    column = settings.max_column + 1
    settings.cell(row=1, column=column, value="allow_choice_duplicates")
    settings.cell(row=2, column=column, value="yes")
    book.save(copy)
    compiled = compile_xlsform(copy)
    assert compiled.form_id == "household_survey"
    rewritten = {
        w.params.get("type") for w in compiled.warnings if w.code == "xlsform.surveycto_type"
    }
    assert rewritten == {"caseid", "comments", "text audit", "audio audit"}


def test_option_sets_allow_choice_duplicates_too(real_xlsforms: Path) -> None:
    compiled = compile_xlsform(
        real_xlsforms / "ipa_household_survey.xlsx", allow_choice_duplicates=True
    )
    assert "household_survey" in compiled.xform


def _md(*rows: str, choices: tuple[str, ...] = ()) -> bytes:
    text = "| survey |\n" + "\n".join(rows)
    if choices:
        text += "\n| choices |\n" + "\n".join(choices)
    return text.encode()


HEADER = "| | type | name | label |"
BAD_FORMS = [
    (
        "duplicate name",
        _md(HEADER, "| | text | a | A |", "| | text | a | B |"),
        "xlsform.duplicate_name",
        ("survey", 3, "name"),
    ),
    (
        "unknown type",
        _md(HEADER, "| | text | a | A |", "| | txet | b | B |"),
        "xlsform.unknown_type_name",
        ("survey", 3, "type"),
    ),
    (
        "no label",
        _md("| | type | name |", "| | text | a |"),
        "xlsform.no_label",
        ("survey", 2, "label"),
    ),
    (
        "unclosed group",
        _md(HEADER, "| | begin group | g | G |", "| | text | a | A |"),
        "xlsform.unmatched_group",
        ("survey", 2, "type"),
    ),
    (
        "missing list",
        _md(
            HEADER,
            "| | select_one yn | a | A |",
            choices=("| | list_name | name | label |", "| | other | x | X |"),
        ),
        "xlsform.missing_list",
        ("survey", 2, "type"),
    ),
    (
        "bad reference",
        _md("| | type | name | label | relevant |", "| | text | a | A | ${nope} = 1 |"),
        "xlsform.pyxform",
        ("survey", 2, "relevant"),
    ),
    (
        "duplicate choice",
        _md(
            HEADER,
            "| | select_one yn | a | A |",
            choices=("| | list_name | name | label |", "| | yn | y | Y |", "| | yn | y | Yes |"),
        ),
        "xlsform.duplicate_choice",
        ("choices", 3, "name"),
    ),
]


@pytest.mark.parametrize(
    ("case", "data", "code", "where"), BAD_FORMS, ids=[b[0] for b in BAD_FORMS]
)
def test_pyxform_errors_name_sheet_row_column(
    case: str, data: bytes, code: str, where: tuple[str, int, str]
) -> None:
    with pytest.raises(FormError) as caught:
        compile_xlsform(data, filename="bad.md")
    problem = caught.value.problems[0]
    assert problem.code == code
    assert (problem.place.sheet, problem.place.row, problem.place.column) == where
    assert problem.place.file == "bad.md"
    assert "Learn more" not in problem.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "xlsform.empty"),
        (b"just some words", "xlsform.unknown_type"),
        (b"PK\x03\x04 not really a zip", "xlsform.corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 truncated", "xlsform.unreadable"),
        (b"type,name,label\ntext,a,A\n", "xlsform.csv_layout"),
        (bytes(range(256)) * 4, "xlsform.unknown_type"),
    ],
)
def test_files_that_are_not_xlsforms(data: bytes, code: str) -> None:
    with pytest.raises(FormError) as caught:
        compile_xlsform(data, filename="upload.xlsx")
    assert caught.value.code == code
    assert caught.value.problems[0].place.file == "upload.xlsx"


def test_missing_file_is_a_form_error(tmp_path: Path) -> None:
    with pytest.raises(FormError) as caught:
        compile_xlsform(tmp_path / "nope.xlsx")
    assert caught.value.code == "xlsform.not_found"


def test_place_of_maps_xform_paths_to_rows() -> None:
    compiled = compile_xlsform(SIMPLE_MD.encode(), filename="simple.md")
    place = compiled.place_of("/data/age", "constraint")
    assert (place.sheet, place.row, place.column, place.field) == (
        "survey",
        3,
        "constraint",
        "/data/age",
    )
