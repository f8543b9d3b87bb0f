"""Each household's report record, computed once at ingestion and kept as a compact row.

The report over 100,000 households then reads rows and aggregates, with no XML. The
storage keeps the rows (`Storage.report_rows`): a row in its own transaction right
after the submission's commit (as the quality facts are); an edit drops the row of the
submission it replaces. Rows are derived data: `backfill` records every submission of a
mapped form that has none (a database from before this table, or a crash between the two
commits); it scans only the submissions stored since its last run (`report_checked`).
The table's layout is numbered (`SCHEMA_VERSION`, kept in `report_schema`). A table of
another number or of other columns (one without `income_positive`, or without the main
crop's driver figures of issue #19, say) is dropped with its `report_checked` mark, and every
row is rebuilt from the stored submissions by the next backfill (the next report), which
leave the submissions untouched: an older data folder opens as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from forms.definition import FormDefinition
from forms.xform_reader import read_xform
from sync.server.exports.source import ExportFilter
from sync.server.report.drivers import COLUMNS as DRIVER_COLUMNS
from sync.server.report.drivers import PATHS, CropFigures, crop_figures
from sync.server.report.extract import names_are_unique, reader_for, tag_texts
from sync.server.report.household import (
    COMPONENTS,
    DOMAINS,
    MAPPINGS,
    HouseholdIncome,
    _texts,
    household_from_root,
)
from sync.server.storage import Storage, SubmissionRecord
from sync.server.storage.repositories import ReportLayout

FIGURES = (*COMPONENTS, "own_consumption", "women_income", "income_positive")
TEXT, REAL = "TEXT", "REAL"
TYPED_COLUMNS = (
    ("instance_id", TEXT), ("seq", "INTEGER"), ("form_id", "TEXT NOT NULL"),
    ("form_version", TEXT), ("district", TEXT), ("submitted_at", TEXT), ("household_id", TEXT),
    ("region", TEXT), ("head_sex", TEXT), ("crop", TEXT), ("farm_ha", REAL), ("ages", TEXT),
    ("benchmark_value", REAL), ("benchmark_units", REAL), *((name, REAL) for name in FIGURES),
    ("adequacy", TEXT), ("benchmark", TEXT), ("weight", REAL), ("men_adequacy", TEXT),
    (DRIVER_COLUMNS[0], TEXT), *((name, REAL) for name in DRIVER_COLUMNS[1:]),
)  # fmt: skip
"""The report row's columns and their types, from which each backend's table is made."""
COLUMNS = tuple(name for name, _ in TYPED_COLUMNS)
KINDS = tuple(kind for _, kind in TYPED_COLUMNS)
SCHEMA_VERSION = 2
"""1: the household's income row (issue #16); 2: with its main crop's driver figures."""
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS report_households (instance_id TEXT PRIMARY KEY, "
    + ", ".join(f"{name} {kind}" for name, kind in TYPED_COLUMNS[1:])
    + ")",
    "CREATE INDEX IF NOT EXISTS report_households_form ON report_households (form_id)",
    "CREATE TABLE IF NOT EXISTS report_checked (id INTEGER PRIMARY KEY, last_rowid INTEGER)",
    "CREATE TABLE IF NOT EXISTS report_schema (id INTEGER PRIMARY KEY, version INTEGER)",
)
LAYOUT = ReportLayout(COLUMNS, SCHEMA, SCHEMA_VERSION, KINDS)
BATCH = 2000
"""Backfilled rows per transaction (the storage's lock is released between batches)."""


def _flags(adequacy: dict[str, bool] | None) -> str | None:
    return None if adequacy is None else "".join("01"[adequacy.get(d, False)] for d in DOMAINS)


def _adequacy(flags: str | None) -> dict[str, bool] | None:
    return None if flags is None else {d: c == "1" for d, c in zip(DOMAINS, flags, strict=True)}


def household_row(
    submission: SubmissionRecord, seq: int, h: HouseholdIncome, crop: CropFigures
) -> tuple[Any, ...]:
    return (
        h.instance_id, seq, submission.form_id, submission.form_version, submission.district,
        submission.submitted_at, h.household_id, h.region, h.head_sex, h.crop, h.farm_ha,
        " ".join(map(str, h.member_ages)), h.benchmark_value, h.benchmark_units,
        *(h.components[c] for c in COMPONENTS), h.own_consumption, h.women_income,
        h.income_positive,
        _flags(h.adequacy), h.benchmark, h.weight, _flags(h.men_adequacy),
        crop.country, crop.area_ha, crop.harvest_kg, crop.marketed_kg, crop.value,
        crop.premiums, crop.share_paid, crop.costs,
    )  # fmt: skip


def write_rows(storage: Storage, rows: list[tuple[Any, ...]], dropped: list[str]) -> None:
    storage.report_rows.write(LAYOUT, rows, dropped)


def record_household(
    storage: Storage, submission: SubmissionRecord, root: Element | None = None
) -> None:
    """Keep the report row of a just-stored submission; drop the one it replaces."""
    mapping = MAPPINGS.get(submission.form_id)
    rows = []
    if mapping is not None:
        tree = fromstring(submission.xml, forbid_dtd=True) if root is None else root
        household = household_from_root(
            tree, mapping, instance_id=submission.instance_id, district=submission.district
        )
        seq = storage.report_rows.position(submission.instance_id)
        crop = crop_figures(lambda path: _texts(tree, path))
        rows.append(household_row(submission, seq, household, crop))
    dropped = [submission.deprecated_id] if submission.deprecated_id else []
    if rows or dropped:
        write_rows(storage, rows, dropped)


def backfill(storage: Storage) -> int:
    """Record the current submissions of mapped forms that have no row; returns how many.
    One worker at a time among the server's threads and processes (`Storage.work_locks`):
    the next finds the rows recorded."""
    with storage.work_locks.hold("report rows backfill"):
        return _backfill(storage)


def _backfill(storage: Storage) -> int:
    top, missing = storage.report_rows.unchecked(LAYOUT, sorted(MAPPINGS))
    readers: dict[tuple[str, str | None], Any] = {}
    crops: dict[tuple[str, str | None], Any] = {}
    rows: list[tuple[Any, ...]] = []
    for instance_id, seq in missing:
        record = storage.submission(instance_id)
        if record is None:
            continue
        key = (record.form_id, record.form_version)
        if key not in readers:
            form = storage.form(record.form_id, record.form_version) or storage.form(
                record.form_id, None
            )
            definition = read_xform(form.xml, source_name=record.form_id) if form else None
            readers[key] = reader_for(MAPPINGS[record.form_id], definition)
            crops[key] = _crop_reader(definition)
        household = readers[key](record.xml, record.instance_id, record.district)
        rows.append(household_row(record, seq, household, crops[key](record.xml)))
        if len(rows) >= BATCH:
            write_rows(storage, rows, [])
            rows = []
    write_rows(storage, rows, [])
    storage.report_rows.checked(top)
    return len(missing)


def _crop_reader(definition: FormDefinition | None) -> Callable[[str], CropFigures]:
    """The main crop's figures of a stored XML: by tag when the form allows it (`extract`)."""
    paths = list(PATHS.values())
    if definition is not None and names_are_unique(definition, paths):
        texts = tag_texts(paths)
        return lambda xml: crop_figures(texts(xml))

    def parse(xml: str) -> CropFigures:
        tree = fromstring(xml, forbid_dtd=True)
        return crop_figures(lambda path: _texts(tree, path))

    return parse


def _household(row: tuple[Any, ...]) -> HouseholdIncome:
    figures = row[10:20]
    return HouseholdIncome(
        instance_id=row[0],
        household_id=row[1],
        region=row[2],
        head_sex=row[3],
        crop=row[4],
        farm_ha=row[5],
        member_ages=tuple(int(a) for a in row[6].split()),
        benchmark_value=row[7],
        benchmark_units=row[8],
        components=dict(zip(COMPONENTS, figures, strict=False)),
        own_consumption=figures[7],
        women_income=figures[8],
        income_positive=figures[9],
        adequacy=_adequacy(row[9]),
        benchmark=row[20],
        weight=row[21],
        men_adequacy=_adequacy(row[22]),
    )


def households(storage: Storage, form_id: str, chosen: ExportFilter) -> Iterator[HouseholdIncome]:
    """The chosen households' records from their rows, in the order they arrived."""
    backfill(storage)
    columns = (
        "instance_id, household_id, region, head_sex, crop, farm_ha, ages,"
        f" benchmark_value, benchmark_units, adequacy, {', '.join(FIGURES)}, benchmark, weight,"
        " men_adequacy"
    )
    for row in storage.report_rows.households(form_id, chosen, columns):
        if chosen.states and row[-1] not in chosen.states:
            continue
        yield _household(row)


def crop_rows(storage: Storage, form_id: str) -> dict[str, tuple[CropFigures, int]]:
    """Every stored household of the form: its main crop's figures and how many members its
    size counts, by instanceID (the report's households are among them)."""
    backfill(storage)
    columns = f"instance_id, ages, {', '.join(DRIVER_COLUMNS)}"
    found: dict[str, tuple[CropFigures, int]] = {}
    for row in storage.report_rows.crop_rows(form_id, columns):
        found[row[0]] = (CropFigures(row[2] or "", *row[3:]), len(row[1].split()))
    return found
