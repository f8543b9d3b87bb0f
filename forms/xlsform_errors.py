"""pyxform's errors and warnings, turned into our own messages with their place.

pyxform puts `[row : N]` in front of some messages and leaves the sheet, the
column or the row out of others. We read what it says, look the rest up in the
sheets, and give the survey designer a message from our catalog that names the
sheet, row and column, with a hint of what to change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forms.errors import Place, Problem

Rows = Sequence[Mapping[str, Any]]
_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_SHEET = re.compile(r"On the '([^']+)' sheet")
_COLUMN = re.compile(r"the '([^']+)' value")


@dataclass(frozen=True)
class Sheets:
    """The rows of the workbook's sheets, to find where a problem is."""

    file: str
    survey: Rows
    choices: Rows

    def row_of(self, sheet: str, column: str, value: str) -> int | None:
        rows = self.survey if sheet == "survey" else self.choices
        for index, row in enumerate(rows):
            if str(row.get(column, "")).strip() == value:
                return index + 2  # row 1 holds the column headers
        return None

    def choice_at(self, row: int) -> Mapping[str, Any]:
        index = row - 2
        return self.choices[index] if 0 <= index < len(self.choices) else {}


def _duplicate_choice(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    choice = sheets.choice_at(place.row or 0)
    value = str(choice.get("name", choice.get("value", "")))
    list_name = str(choice.get("list_name", "?"))
    first = None
    for index, other in enumerate(sheets.choices[: max(0, (place.row or 2) - 2)]):
        same_list = str(other.get("list_name", "")) == list_name
        if same_list and str(other.get("name", other.get("value", ""))) == value:
            first = index + 2
            break
    return Problem(
        "xlsform.duplicate_choice",
        {"list": list_name, "value": value, "first_row": first or "?"},
        Place(sheets.file, "choices", place.row, "name"),
    )


def _unknown_type(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    kind = m[1]
    row = sheets.row_of("survey", "type", kind)
    return Problem(
        "xlsform.unknown_type_name", {"type": kind}, Place(sheets.file, "survey", row, "type")
    )


def _no_label(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    name = m[1]
    row = sheets.row_of("survey", "name", name)
    return Problem("xlsform.no_label", {"name": name}, Place(sheets.file, "survey", row, "label"))


def _missing_list(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    name = m[1]
    return Problem(
        "xlsform.missing_list", {"list": name}, Place(sheets.file, "survey", place.row, "type")
    )


def _no_choices_sheet(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    return Problem("xlsform.no_choices_sheet", {}, Place(sheets.file, "choices"))


def _no_survey_sheet(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    return Problem("xlsform.no_survey_sheet", {}, Place(sheets.file, "survey"))


def _duplicate_name(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    return Problem(
        "xlsform.duplicate_name", {"name": m[1]}, Place(sheets.file, "survey", place.row, "name")
    )


def _unmatched(m: re.Match[str], sheets: Sheets, place: Place) -> Problem:
    return Problem(
        "xlsform.unmatched_group",
        {"kind": m[1].replace("_", " "), "name": m[2]},
        Place(sheets.file, "survey", place.row, "type"),
    )


Handler = Callable[[re.Match[str], Sheets, Place], Problem]
_KNOWN: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(r"Choice names must be unique"), _duplicate_choice),
    (re.compile(r"Unknown question type '([^']*)'"), _unknown_type),
    (re.compile(r"survey element named '([^']*)' has no label"), _no_label),
    (re.compile(r"List name not in choices sheet: (\S+)"), _missing_list),
    (re.compile(r"There should be a choices sheet"), _no_choices_sheet),
    (re.compile(r"You must have a sheet named 'survey'"), _no_survey_sheet),
    (
        re.compile(
            r"'name' value '([^']*)' is invalid\. Questions, groups, and repeats must be unique"
        ),
        _duplicate_name,
    ),
    (
        re.compile(r"Unmatched '(begin_group|begin_repeat|end_group|end_repeat)'.*name '([^']*)'"),
        _unmatched,
    ),
)


def translate(
    message: str,
    sheets: Sheets,
    context: Mapping[str, Any] | None = None,
    *,
    severity: str = "error",
) -> Problem:
    """One pyxform message (error or warning) as a Problem with the fullest place we can find."""
    context = context or {}
    row_match = _ROW.match(message)
    row = context.get("row") or (int(row_match[1]) if row_match else None)
    text = _ROW.sub("", message).strip()
    sheet_match = _SHEET.search(text)
    column_match = _COLUMN.search(text)
    place = Place(
        sheets.file,
        context.get("sheet") or (sheet_match[1] if sheet_match else ("survey" if row else None)),
        int(row) if row else None,
        context.get("column") or (column_match[1] if column_match else None),
    )
    for pattern, handler in _KNOWN:
        match = pattern.search(text)
        if match:
            problem = handler(match, sheets, place)
            return Problem(problem.code, problem.params, problem.place, severity)
    code = "xlsform.warning" if severity == "warning" else "xlsform.pyxform"
    return Problem(code, {"detail": _strip_links(text)}, place, severity)


def _strip_links(text: str) -> str:
    """pyxform's text without its links and without the place we already name."""
    text = re.sub(r"\s*Learn more: \S+", "", text)
    text = re.sub(r"^On the '[^']+' sheet, the '[^']+' value( '[^']*')? is invalid\.\s*", "", text)
    return text.strip()
