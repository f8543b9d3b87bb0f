"""The export formats. Each writes the chosen submissions to a binary file in one pass.

Rows go straight to temporary files (one per table) or to openpyxl's write-only sheets,
so memory stays bounded by one submission, whatever the number of submissions. Stata
reads the staged tables back row by row (`stata.py`).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from sync.server.exports.deflated import Entry, Piece, write_zip
from sync.server.exports.parallel import deflate_in_workers, stage_in_workers, workers_for
from sync.server.exports.rows import Flattener, Row, SubmissionMeta
from sync.server.exports.schema import GEO_PARTS, ExportSchema, Table
from sync.server.exports.source import Submissions

Progress = Callable[[int, int], None]
"""Called with (submissions written, submissions expected) every `PROGRESS_EVERY` rows."""

PROGRESS_EVERY = 500


def _pass(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    total: int,
    progress: Progress | None,
    sink: Callable[[Table, Row], None],
) -> int:
    flattener = Flattener(schema)
    done = 0
    for meta in source:
        for table, row in flattener.rows(meta):
            sink(table, row)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    if progress is not None:
        progress(done, max(total, done))
    return done


def stage_tables(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    folder: Path,
    *,
    total: int = 0,
    progress: Progress | None = None,
    workers: int | None = None,
) -> int:
    """Write `<folder>/<table>.csv` for every table (UTF-8 with a BOM), one pass.

    `workers`: processes that parse and flatten (`parallel.py`); None picks by `total`."""
    files: dict[str, IO[str]] = {}
    writers = {}
    try:
        for table in schema.tables:
            path = folder / f"{table.name}.csv"
            files[table.path] = open(path, "w", encoding="utf-8-sig", newline="")
            writers[table.path] = csv.writer(files[table.path])
            writers[table.path].writerow(table.columns)
        if workers is None:
            workers = workers_for(total)
        if workers > 1:

            def report(done: int) -> None:
                if progress is not None:
                    progress(done, max(total, done))

            return stage_in_workers(schema, source, files, workers, report)
        return _pass(schema, source, total, progress, lambda t, r: writers[t.path].writerow(r))
    finally:
        for opened in files.values():
            opened.close()


def write_csv_zip(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    out: IO[bytes],
    *,
    total: int = 0,
    progress: Progress | None = None,
    workers: int | None = None,
) -> int:
    """ODK Central's CSV zip: `<form>.csv` and `<form>-<repeat>.csv`, UTF-8 with a BOM.

    `workers`: processes that flatten and deflate (`deflated.py`); None picks by `total`."""
    if workers is None:
        workers = workers_for(total)
    if workers > 1 and isinstance(source, Submissions):
        return _csv_zip_in_workers(schema, source, out, total, progress, workers)
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        done = stage_tables(schema, source, Path(folder), total=total, progress=progress)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for table in schema.tables:
                archive.write(Path(folder) / f"{table.name}.csv", f"{table.name}.csv")
    return done


def _csv_zip_in_workers(
    schema: ExportSchema,
    source: Submissions,
    out: IO[bytes],
    total: int,
    progress: Progress | None,
    workers: int,
) -> int:
    entries = {t.path: Entry(f"{t.name}.csv") for t in schema.tables}
    try:
        for table in schema.tables:
            header = io.StringIO()
            csv.writer(header).writerow(table.columns)
            entries[table.path].add(Piece.of(("\ufeff" + header.getvalue()).encode("utf-8")))

        def report(done: int) -> None:
            if progress is not None:
                progress(done, max(total, done))

        done = deflate_in_workers(schema, source, entries, workers, report)
        write_zip(out, [entries[t.path] for t in schema.tables])
        return done
    finally:
        for entry in entries.values():
            entry.close()


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, no `[]:*?/\\`, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]
    title, number = clean, 1
    while title.lower() in taken:
        number += 1
        title = f"{clean[: 31 - len(str(number)) - 1]}~{number}"
    taken.add(title.lower())
    return title


def write_xlsx(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    out: IO[bytes],
    *,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    """A workbook with a sheet per table (write-only: rows stream to temporary files)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = {}
    taken: set[str] = set()
    for table in schema.tables:
        sheet = book.create_sheet(sheet_title(table.name, taken))
        sheet.append(list(table.columns))
        sheets[table.path] = sheet
    done = _pass(
        schema, source, total, progress, lambda t, r: sheets[t.path].append([_cell(v) for v in r])
    )
    book.save(out)
    return done


XLSX_CELL = 32_767
"""The most characters Excel keeps in a cell; the CSV export has no such limit."""


def _cell(value: str) -> str:
    """A value as an XLSX cell holds it: past Excel's limit, cut with a marker that says so."""
    if len(value) <= XLSX_CELL:
        return value
    marker = f" [… cut at Excel's {XLSX_CELL:,}-character limit; {len(value):,} in the CSV export]"
    return value[: XLSX_CELL - len(marker)] + marker


def _number(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def write_geojson(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    out: IO[bytes],
    *,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    """Interview locations: a Feature per submission with the first geopoint of the form."""
    root = schema.tables[0]
    geo = next((f for f in root.fields if f.kind == "geopoint"), None)
    columns = root.columns
    out.write(b'{"type": "FeatureCollection", "features": [')
    first = True

    def sink(table: Table, row: Row) -> None:
        nonlocal first
        if not table.is_root or geo is None:
            return
        cells = dict(zip(columns, row, strict=True))
        numbers = [_number(cells[f"{geo.header}-{part}"]) for part in GEO_PARTS]
        lat, lon, altitude, accuracy = numbers
        if lat is None or lon is None:
            return
        coordinates = [lon, lat] if altitude is None else [lon, lat, altitude]
        properties = {
            "instanceID": cells["KEY"],
            "SubmissionDate": cells["SubmissionDate"],
            "SubmitterName": cells["SubmitterName"],
            "District": cells["District"],
            "ReviewState": cells["ReviewState"],
            "accuracy": accuracy,
        }
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": coordinates},
            "properties": properties,
        }
        out.write((b"" if first else b",") + b"\n" + json.dumps(feature).encode("utf-8"))
        first = False

    done = _pass(schema, source, total, progress, sink)
    out.write(b"\n]}\n")
    return done
