"""The living income benchmarks the report names, read from `benchmarks.csv`.

Each household carries the name of the benchmark row its interview used (the form's
`benchmark` question) and the value the form pulled from that row. The report groups
households by that row, never adding two currencies or two benchmark years (LICOP,
"Guidance manual on calculating and visualizing the income gap to a Living Income
Benchmark", 2020: a gap is read against one benchmark for one place and year).

A benchmark of an older year can be brought to the survey year with a price-index factor:
`price_factor` (e.g. the ratio of the national consumer price index of the survey year to
that of the benchmark's year), `price_factor_year` (the year it brings the value to) and
`price_factor_source` (where the index comes from). The report multiplies the form's
benchmark value by the factor and names the new year; an empty factor leaves it as is.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import BaseModel, ConfigDict

import forms.library

CSV = Path(forms.library.__file__).with_name("benchmarks.csv")
TYPES = ("Anker living income benchmark", "reference value", "derived from a living wage")


class Benchmark(BaseModel):
    """A row of benchmarks.csv, as the report names it beside every figure."""

    model_config = ConfigDict(frozen=True)

    id: str
    place: str
    year: int
    """The year of the figures the report compares with: `price_factor_year` when set."""
    currency: str
    type: str = ""
    publication: str = ""
    publication_year: str = ""
    url: str = ""
    reference_members: float = 0.0
    reference_units: float = 0.0
    superseded_by: str = ""
    price_factor: float = 1.0
    price_factor_source: str = ""
    original_year: int = 0
    """The benchmark's own year (equal to `year` without a price factor)."""


def unknown(name: str) -> Benchmark:
    """A benchmark name that no row of the table has (or none): a group of its own."""
    return Benchmark(id=name or "none", place="unknown", year=0, currency="unknown")


def _number(row: dict[str, str], column: str, where: str) -> float:
    text = (row.get(column) or "").strip()
    try:
        return float(text) if text else 0.0
    except ValueError:
        raise ValueError(f"{where}: {column} {text!r} is not a number") from None


def _place(row: dict[str, str], year: int) -> str:
    """The label without its year ("Ghana - cocoa areas - 2024" is Ghana - cocoa areas)."""
    label = (row.get("label") or "").strip() or (row.get("region") or "").strip()
    suffix = f" - {year}"
    return label[: -len(suffix)] if label.endswith(suffix) else label


def parse_benchmarks(text: str, source: str = CSV.name) -> dict[str, Benchmark]:
    """The table by name; a bad cell raises ValueError naming the row and the column."""
    found: dict[str, Benchmark] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        where = f"{source} row {number}"
        name = (row.get("name") or "").strip()
        if not name:
            raise ValueError(f"{where}: no name")
        kind = (row.get("type") or "").strip()
        if kind and kind not in TYPES:
            raise ValueError(f"{where}: type {kind!r} is not one of {', '.join(TYPES)}")
        year = int(_number(row, "year", where))
        factor = _number(row, "price_factor", where)
        to_year = int(_number(row, "price_factor_year", where))
        if factor and not to_year:
            raise ValueError(f"{where}: price_factor without price_factor_year")
        found[name] = Benchmark(
            id=name,
            place=_place(row, year),
            year=to_year if factor else year,
            currency=(row.get("currency") or "").strip() or "unknown",
            type=kind,
            publication=(row.get("publication") or "").strip(),
            publication_year=(row.get("publication_year") or "").strip(),
            url=(row.get("url") or "").strip(),
            reference_members=_number(row, "ref_members", where),
            reference_units=_number(row, "ref_units", where),
            superseded_by=(row.get("superseded_by") or "").strip(),
            price_factor=factor or 1.0,
            price_factor_source=(row.get("price_factor_source") or "").strip(),
            original_year=year,
        )
    return found


def shipped_benchmarks() -> dict[str, Benchmark]:
    """The table shipped with the living income questionnaire."""
    return parse_benchmarks(CSV.read_text(encoding="utf-8"))
