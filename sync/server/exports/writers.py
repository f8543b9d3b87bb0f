"""The CSV and GeoJSON exports, and the staging of tables the Stata export reads back.

Each writes the chosen submissions to a binary file in one pass. Rows go straight to
temporary files (one per table), so memory stays bounded by one submission, whatever the
number of submissions. Stata reads the staged tables back row by row (`stata.py`); the
workbook is `xlsx.py`.
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


def each_row(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    total: int,
    progress: Progress | None,
    sink: Callable[[Table, Row], None],
) -> int:
    """Hand every row of every submission to `sink`, in one process; returns the number of
    submissions, reported to `progress` as it goes."""
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
        return each_row(schema, source, total, progress, lambda t, r: writers[t.path].writerow(r))
    finally:
        for opened in files.values():
            opened.close()


def write_csv(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    out: IO[bytes],
    *,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    """The submissions table as one CSV file (UTF-8 with a BOM) for a form without repeats;
    with repeats, ODK Central's zip of a CSV per table (`write_csv_zip`)."""
    if schema.has_repeats:
        return write_csv_zip(schema, source, out, total=total, progress=progress)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(schema.tables[0].columns)
        return each_row(schema, source, total, progress, lambda _, row: writer.writerow(row))
    finally:
        text.detach()


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

    done = each_row(schema, source, total, progress, sink)
    out.write(b"\n]}\n")
    return done
