"""Build `living_income_household.xlsx` from its reviewable text twin (XLSForm markdown).

The markdown is the source that is edited and reviewed; the workbook is what survey
teams open in Excel and upload to ODK Central or KoboToolbox. Run
`python -m forms.library.build` after editing the markdown; a test checks the two agree.
"""

from __future__ import annotations

import io
from pathlib import Path

LIBRARY = Path(__file__).resolve().parent
TWIN = LIBRARY / "living_income_household.md"
WORKBOOK = LIBRARY / "living_income_household.xlsx"
MEDIA = LIBRARY / "benchmarks.csv"
TABLES = (MEDIA, LIBRARY / "prices.csv", LIBRARY / "units.csv", LIBRARY / "weights.csv")
"""The CSV files attached to the form (its `pulldata()` calls read them)."""
BUNDLED = LIBRARY.parent.parent / "assets" / "forms"
"""Where the app finds its bundled forms (each `*.xml` with its media next to it)."""

Sheets = dict[str, list[list[str]]]


def read_markdown(text: str) -> Sheets:
    """Sheets of an XLSForm markdown text: a row whose first cell is not empty starts a
    sheet (that cell is its name, the rest its header); rows under it have an empty
    first cell. Lines that are not table rows are ignored."""
    sheets: Sheets = {}
    current: list[list[str]] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            continue
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        if cells[0]:
            current = sheets.setdefault(cells[0], [])
        if current is not None:
            current.append(cells[1:])
    return {name: _trim(rows) for name, rows in sheets.items()}


def _trim(rows: list[list[str]]) -> list[list[str]]:
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


def read_workbook(data: bytes) -> Sheets:
    """Sheets of an `.xlsx` as text cells (empty cells as ""), in the twin's shape."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    sheets: Sheets = {}
    for sheet in book.worksheets:
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        sheets[sheet.title] = _trim([row for row in rows if any(row)])
    return sheets


def write_workbook(sheets: Sheets) -> bytes:
    """An `.xlsx` holding `sheets`, every cell as text, header row frozen."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([cell if cell else None for cell in row])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(twin: Path = TWIN, workbook: Path = WORKBOOK, bundled: Path = BUNDLED) -> None:
    """Write the workbook from the twin, then the compiled XForm and its CSV for the app."""
    from forms.xlsform import compile_xlsform

    workbook.write_bytes(write_workbook(read_markdown(twin.read_text(encoding="utf-8"))))
    compiled = compile_xlsform(workbook)
    (bundled / f"{workbook.stem}.xml").write_text(compiled.xform, encoding="utf-8")
    for table in TABLES:
        (bundled / table.name).write_bytes(table.read_bytes())


if __name__ == "__main__":
    build()
