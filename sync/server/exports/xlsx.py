"""The XLSX export: one workbook, a sheet per table, with typed cells.

Integers and decimals are numbers, dates and date-times are Excel dates with a format
that shows them, so a spreadsheet sums, sorts and filters them without "number stored as
text" (ODK Central's XLSX does the same from the form's types). Text answers stay text,
also when they look like numbers; an untyped calculate's value is a number when it is
written as XPath writes one (a code `00123` stays text). Rows go to openpyxl's write-only sheets, which stream to
temporary files: memory stays bounded by one submission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import IO, Any

from sync.server.exports.columns import (
    Column,
    clock,
    day,
    decimal,
    integer,
    moment,
    table_columns,
    xpath_number,
)
from sync.server.exports.rows import Row, SubmissionMeta
from sync.server.exports.schema import ExportSchema, Table
from sync.server.exports.writers import Progress, each_row

XLSX_CELL = 32_767
"""The most characters Excel keeps in a cell; the CSV export has no such limit."""
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "time": "hh:mm:ss"}
"""Number formats of the cells that hold dates and times (Excel shows a bare date as a
serial number)."""

Typed = str | int | float | date | datetime | time | None
PARSERS: dict[str, Callable[[str], Typed]] = {
    "integer": integer, "decimal": decimal, "date": day, "datetime": moment, "time": clock,
    "number": xpath_number,
}  # fmt: skip


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, no `[]:*?/\\`, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]
    title, number = clean, 1
    while title.lower() in taken:
        number += 1
        title = f"{clean[: 31 - len(str(number)) - 1]}~{number}"
    taken.add(title.lower())
    return title


def text_cell(value: str) -> str:
    """A value as an XLSX cell holds it: past Excel's limit, cut with a marker that says so."""
    if len(value) <= XLSX_CELL:
        return value
    marker = f" [… cut at Excel's {XLSX_CELL:,}-character limit; {len(value):,} in the CSV export]"
    return value[: XLSX_CELL - len(marker)] + marker


def _converter(sheet: Any, column: Column) -> Callable[[str], Any]:
    """How a cell of `column` is written: a number, a formatted date cell, or text. A value
    the column's type does not read (a calculation's `NaN`) stays text, as written."""
    parse = PARSERS.get(column.kind)
    number_format = FORMATS.get(column.kind)

    from openpyxl.cell import WriteOnlyCell

    def convert(text: str) -> Any:
        if not text:
            return None
        value = parse(text) if parse is not None else None
        if value is None:
            return text_cell(text)
        if number_format is None:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell

    return convert


def write_xlsx(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    out: IO[bytes],
    *,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    """A workbook with a sheet per table, its first row the column names."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets: dict[str, tuple[Any, list[Callable[[str], Any]]]] = {}
    taken: set[str] = set()
    for table in schema.tables:
        sheet = book.create_sheet(sheet_title(table.name, taken))
        sheet.append(list(table.columns))
        sheets[table.path] = (sheet, [_converter(sheet, c) for c in table_columns(table)])

    def sink(table: Table, row: Row) -> None:
        sheet, converters = sheets[table.path]
        sheet.append([convert(text) for convert, text in zip(converters, row, strict=True)])

    done = each_row(schema, source, total, progress, sink)
    book.save(out)
    return done
