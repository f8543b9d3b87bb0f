"""XLSForm to ODK XForm, through pyxform, with our own messages.

This is the authoring side: it needs the `authoring` extra (pyxform). The tablet
only ever receives the compiled XForm.
"""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.errors import FormError, Place, Problem
from forms.xlsform_errors import Sheets, translate
from forms.xlsform_files import detect_type
from forms.xlsform_surveycto import rewrite_surveycto


@dataclass(frozen=True)
class CompiledForm:
    """The XForm pyxform made, its warnings, and where each question came from."""

    xform: str
    form_id: str
    title: str
    warnings: tuple[Problem, ...] = ()
    itemsets_csv: str | None = None
    source_name: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    """Question name to its row on the survey sheet (for placing later problems)."""

    def place_of(self, path: str, column: str | None = None) -> Place:
        """The survey-sheet place of an XForm path such as `/data/group/q` (its last name)."""
        name = path.rstrip("/").rsplit("/", 1)[-1]
        row = self.rows.get(name)
        if row is None:
            return Place(self.source_name, field=path, column=column)
        return Place(self.source_name, "survey", row, column, field=path)


def compile_xlsform(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    allow_choice_duplicates: bool = False,
) -> CompiledForm:
    """Compile an `.xlsx`, `.xls`, `.csv` or `.md` XLSForm (path or content) to an XForm.

    The file type comes from the content. Every pyxform error becomes a `FormError`
    naming the file, sheet, row and column, with a hint.
    """
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform
    from pyxform.xls2xform import convert

    data, name = _read(source, filename)
    file_type = detect_type(data, name)
    empty = Sheets(name, (), ())
    try:
        workbook = get_xlsform(io.BytesIO(data), file_type=file_type)
    except PyXFormError as error:
        raise FormError(translate(str(error), empty, error.context)) from None
    except TypeError:  # a CSV whose first column does not name the sheets
        raise FormError.of("xlsform.csv_layout", Place(name)) from None
    except Exception as error:  # the spreadsheet readers raise many kinds on damaged files
        raise FormError.of("xlsform.unreadable", Place(name), detail=_first_line(error)) from None
    sheets = Sheets(name, workbook.survey or (), workbook.choices or ())
    rewritten = rewrite_surveycto(list(workbook.survey or []), name)
    if allow_choice_duplicates:
        settings = list(workbook.settings or [{}])
        settings[0] = {**settings[0], "allow_choice_duplicates": "yes"}
        workbook.settings = settings
        header = list(workbook.settings_header or [{}])
        header[0] = {**header[0], "allow_choice_duplicates": None}
        workbook.settings_header = header
    if not workbook.fallback_form_name:
        workbook.fallback_form_name = _form_name(name)
    warnings: list[str] = []
    try:
        result = convert(
            xlsform=_as_dict(workbook), warnings=warnings, validate=False, file_type=file_type
        )
    except PyXFormError as error:
        raise FormError(translate(str(error), sheets, error.context)) from None
    except Exception as error:  # pyxform's own bugs on odd input must not reach the user
        raise FormError.of("xlsform.pyxform", Place(name), detail=_first_line(error)) from None
    settings_row: dict[str, Any] = dict((workbook.settings or [{}])[0])
    return CompiledForm(
        xform=result.xform,
        form_id=str(settings_row.get("form_id") or _form_name(name)),
        title=str(settings_row.get("form_title") or _form_name(name)),
        warnings=(*rewritten, *(translate(w, sheets, severity="warning") for w in warnings)),
        itemsets_csv=result.itemsets or None,
        source_name=name,
        rows=_rows_by_name(sheets),
    )


def _read(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, filename or "form"
    path = Path(source)
    name = filename or path.name
    try:
        return path.read_bytes(), name
    except FileNotFoundError:
        raise FormError.of("xlsform.not_found", Place(str(path))) from None
    except OSError as error:
        raise FormError.of("xlsform.unreadable", Place(str(path)), detail=error.strerror) from None


def _as_dict(workbook: Any) -> dict[str, Any]:
    return {f.name: getattr(workbook, f.name) for f in dataclasses.fields(workbook)}


def _rows_by_name(sheets: Sheets) -> dict[str, int]:
    rows: dict[str, int] = {}
    for index, row in enumerate(sheets.survey):
        name = str(row.get("name", "")).strip()
        if name and name not in rows:
            rows[name] = index + 2
    return rows


def _form_name(filename: str) -> str:
    stem = Path(filename).stem or "data"
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)
    return cleaned if cleaned[:1].isalpha() or cleaned[:1] == "_" else f"_{cleaned}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
