"""Stata `.dta`: one file, or one per table zipped, with variable and value labels from the form."""

from __future__ import annotations

import csv
import math
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from sync.server.exports.columns import table_columns
from sync.server.exports.dta import Column, write_dta
from sync.server.exports.rows import SubmissionMeta
from sync.server.exports.schema import ExportSchema, Field, Table
from sync.server.exports.writers import Progress, stage_tables

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


def _number(text: str) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


Convert = Callable[[str], float | str | None]


def _plan(table: Table) -> list[tuple[str, Convert | None, dict[int, str] | None]]:
    """Per column: its variable label, how a cell becomes a number (None: kept as text),
    and the value labels of a select_one."""
    plan: list[tuple[str, Convert | None, dict[int, str] | None]] = []
    for column in table_columns(table):
        label = column.label[:80]
        if column.kind == "choice" and column.field is not None:
            codes = _codes(column.field)
            labels = {codes[c.value]: c.label for c in column.field.choices}
            plan.append((label, codes.get, labels))
        elif column.kind in ("integer", "decimal"):
            plan.append((label, _number, None))
        else:
            plan.append((label, None, None))
    return plan


def _rows(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


def write_table(table: Table, staged: Path, out: IO[bytes]) -> None:
    """One table as `.dta`: a pass to count rows and measure text, a pass to write."""
    plan = _plan(table)
    text_at = [i for i, (_, convert, _) in enumerate(plan) if convert is None]
    widths = dict.fromkeys(text_at, 0)
    count = 0
    for row in _rows(staged):
        count += 1
        for i in text_at:
            size = len(row[i].encode("utf-8")) if not row[i].isascii() else len(row[i])
            if size > widths[i]:
                widths[i] = size
    columns = [
        Column(name, label, widths.get(i), value_labels)
        for i, (name, (label, _, value_labels)) in enumerate(
            zip(stata_names(table.columns), plan, strict=True)
        )
    ]
    converters = [convert for _, convert, _ in plan]

    def cells(row: list[str]) -> list[float | str | None]:
        return [cell if f is None else f(cell) for f, cell in zip(converters, row, strict=True)]

    write_dta(out, columns, (cells(row) for row in _rows(staged)), count)


def write_stata(
    schema: ExportSchema,
    source: Iterable[SubmissionMeta],
    out: IO[bytes],
    *,
    total: int = 0,
    progress: Progress | None = None,
) -> int:
    """One `.dta` file for a form without repeats; with repeats, a zip of `<table>.dta`, one
    per table, read back with the same keys as the CSV. `out` must be seekable.

    Rows are staged as CSV (one pass over the submissions), then each table streams
    into a `.dta` file: memory does not grow with the number of submissions."""
    with tempfile.TemporaryDirectory(prefix="stata-") as name:
        folder = Path(name)
        done = stage_tables(schema, source, folder, total=total, progress=progress)
        if not schema.has_repeats:
            write_table(schema.tables[0], folder / f"{schema.tables[0].name}.csv", out)
            return done
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as result:
            for table in schema.tables:
                target = folder / f"{table.name}.dta"
                with open(target, "wb") as handle:
                    write_table(table, folder / f"{table.name}.csv", handle)
                (folder / f"{table.name}.csv").unlink()
                result.write(target, f"{table.name}.dta")
                target.unlink()
    return done
