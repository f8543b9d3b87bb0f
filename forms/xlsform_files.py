"""Which kind of XLSForm file this is, told from its content, not its name.

Real forms arrive as `.xls` files saved with an `.xlsx` name, CSVs named `.xls`,
markdown pasted into a `.txt`. pyxform picks its reader from the extension, so we
look at the bytes first and hand pyxform the type they show.
"""

from __future__ import annotations

import io
import zipfile

from forms.errors import FormError, Place

XLSX = ".xlsx"
XLS = ".xls"
CSV = ".csv"
MARKDOWN = ".md"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
MAX_BYTES = 50 * 1024 * 1024


def detect_type(data: bytes, name: str) -> str:
    """Return `.xlsx`, `.xls`, `.csv` or `.md` for the file's content."""
    place = Place(file=name)
    if not data.strip():
        raise FormError.of("xlsform.empty", place)
    if len(data) > MAX_BYTES:
        raise FormError.of("xlsform.too_big", place, limit_mb=MAX_BYTES // (1024 * 1024))
    if data.startswith(_ZIP):
        return _zip_type(data, place)
    if data.startswith(_OLE2):
        return XLS
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FormError.of("xlsform.unknown_type", place) from None
    if "\x00" in text:
        raise FormError.of("xlsform.unknown_type", place)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and sum(line.startswith("|") for line in lines) >= max(1, len(lines) // 2):
        return MARKDOWN
    if lines and any("," in line or ";" in line for line in lines[:5]):
        return CSV
    raise FormError.of("xlsform.unknown_type", place)


def _zip_type(data: bytes, place: Place) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise FormError.of("xlsform.corrupt", place) from None
    if "xl/workbook.xml" in names:
        return XLSX
    if "content.xml" in names:
        raise FormError.of("xlsform.ods", place)
    raise FormError.of("xlsform.unknown_type", place)
