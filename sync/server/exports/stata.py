"""Stata `.dta` files (one per table, zipped) with variable and value labels from the form."""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from sync.server.exports.rows import SubmissionMeta
from sync.server.exports.schema import ExportSchema, Field, Table
from sync.server.exports.writers import Progress, write_csv_zip

NUMERIC = ("int", "integer", "decimal", "double", "float")
RESERVED = {
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
    "_n", "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with",
}  # fmt: skip


def stata_names(columns: Iterable[str]) -> list[str]:
    """Stata variable names: letters, digits and `_`, not starting with a digit,
    at most 32 characters, not reserved, unique (a clash gets `_2`, `_3`, ...)."""
    names: list[str] = []
    taken: set[str] = set()
    for column in columns:
        base = re.sub(r"[^A-Za-z0-9_]", "_", column) or "v"
        if base[0].isdigit() or base in RESERVED:
            base = f"v_{base}"
        base = base[:32]
        name, number = base, 1
        while name.lower() in taken:
            number += 1
            suffix = f"_{number}"
            name = base[: 32 - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def _codes(field: Field) -> dict[str, int]:
    """Value codes of a select_one: the choice values when all are integers, else 1..n."""
    values = [c.value for c in field.choices]
    if all(re.fullmatch(r"-?\d{1,9}", v) for v in values):
        return {v: int(v) for v in values}
    return {v: i for i, v in enumerate(values, start=1)}


def _table_frame(table: Table, csv_path: Path) -> tuple[Any, dict[str, str | None], dict[str, Any]]:
    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    names = stata_names(table.columns)
    labels: dict[str, str | None] = {}
    value_labels: dict[str, dict[int, str]] = {}
    by_column: dict[str, tuple[Field, str | None]] = {}
    for field in table.fields:
        by_column[field.header] = (field, None)
        if field.kind == "geopoint":
            for column in field.columns:
                by_column[column] = (field, column.rsplit("-", 1)[1])
        if field.kind == "select":
            for choice, column in zip(field.choices, field.columns[1:], strict=True):
                by_column[column] = (field, choice.label)
    for column, name in zip(table.columns, names, strict=True):
        series = frame[column]
        found = by_column.get(column)
        if found is None:
            labels[name] = column
            continue
        field, part = found
        labels[name] = (f"{field.label or field.header}: {part}" if part else field.label)[:80]
        if field.kind == "geopoint" or (part is not None and field.kind == "select"):
            frame[column] = pd.to_numeric(series.replace("", None), errors="coerce")
        elif field.kind == "select1":
            codes = _codes(field)
            frame[column] = series.map(lambda v, c=codes: c.get(v)).astype("float64")
            value_labels[name] = {codes[c.value]: c.label[:32000] for c in field.choices}
        elif field.datatype in NUMERIC:
            frame[column] = pd.to_numeric(series.replace("", None), errors="coerce")
    frame.columns = names
    return frame, labels, value_labels


def write_stata_zip(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    out: IO[bytes],
    *,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    """A zip of `<table>.dta`, one per table, read back with the same keys as the CSV."""
    import pyreadstat

    with tempfile.TemporaryDirectory(prefix="stata-") as folder:
        staged = Path(folder) / "tables.zip"
        with open(staged, "wb") as handle:
            done = write_csv_zip(schema, source, handle, total=total, progress=progress)
        with zipfile.ZipFile(staged) as archive:
            archive.extractall(folder)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as result:
            for table in schema.tables:
                frame, labels, value_labels = _table_frame(
                    table, Path(folder) / f"{table.name}.csv"
                )
                target = Path(folder) / f"{table.name}.dta"
                pyreadstat.write_dta(
                    frame,
                    str(target),
                    column_labels=labels,
                    variable_value_labels=value_labels,
                    version=15,
                )
                result.write(target, f"{table.name}.dta")
    return done
