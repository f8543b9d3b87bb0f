"""One entry point for every export format: the routes and the CLI call `export`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from forms.xform_reader import read_xform
from sync.server.errors import BadRequest, NotFound
from sync.server.exports import source, stored
from sync.server.exports.rows import SubmissionMeta
from sync.server.exports.schema import ExportSchema, build_schema
from sync.server.exports.source import ExportFilter
from sync.server.exports.stata import write_stata
from sync.server.exports.writers import Progress, write_csv, write_geojson
from sync.server.exports.xlsx import write_xlsx
from sync.server.storage import Storage

Writer = Callable[..., int]


@dataclass(frozen=True)
class Format:
    """How a format writes (`writer`) and what it makes of a form without repeats (`single`)
    and with them (`several`, or None when it is the same file either way)."""

    writer: Writer
    single: Output
    several: Output | None = None

    def output(self, schema: ExportSchema) -> Output:
        return self.several if schema.has_repeats and self.several is not None else self.single


@dataclass(frozen=True)
class Output:
    """One file an export makes: what it is for a reader, its extensions (the first for a
    download's name: `survey.dta.zip` says what the zip holds), and its media type."""

    what: str
    suffixes: tuple[str, ...]
    media_type: str

    def filename(self, form_id: str) -> str:
        return f"{form_id}{self.suffixes[0]}"


def _zip_of(kind: str, why: str) -> Output:
    return Output(f"a zip of one .{kind} per table{why}", (f".{kind}.zip", ".zip"), ZIP)


ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, Format] = {
    "csv": Format(
        write_csv,
        Output("a single .csv file", (".csv",), "text/csv; charset=utf-8"),
        _zip_of("csv", " (ODK Central's shape)"),
    ),
    "xlsx": Format(write_xlsx, Output("one workbook, a sheet per table", (".xlsx",), XLSX)),
    "dta": Format(
        write_stata,
        Output("a single .dta file", (".dta",), "application/x-stata-dta"),
        _zip_of("dta", ""),
    ),
    "geojson": Format(
        write_geojson, Output("a GeoJSON file", (".geojson", ".json"), "application/geo+json")
    ),
}


KNOWN_SUFFIXES = {
    s for f in FORMATS.values() for o in (f.single, f.several) if o for s in o.suffixes
} | {".zip"}


def output_for(schema: ExportSchema, kind: str) -> Output:
    if kind not in FORMATS:
        raise BadRequest(f"export format must be one of {', '.join(FORMATS)}, not {kind!r}")
    return FORMATS[kind].output(schema)


def check_target(schema: ExportSchema, kind: str, target: Path) -> None:
    """Refuse a file name whose extension is not what the export makes (Stata and
    pyreadstat refuse a zip named `.dta`), naming the name to use instead."""
    made = output_for(schema, kind)
    if any(target.name.lower().endswith(s) for s in made.suffixes):
        return
    if FORMATS[kind].several is None:
        shape = f"the {kind} export is the same with or without repeats"
    else:
        shape = "the form has repeats" if schema.has_repeats else "the form has no repeats"
    stem = target.name
    while (dot := stem.rfind(".")) > 0 and stem[dot:].lower() in KNOWN_SUFFIXES:
        stem = stem[:dot]
    better = target.with_name(stem + made.suffixes[-1])
    raise BadRequest(f"{shape}: the export is {made.what}; use -o {better}")


def export_schema(storage: Storage, form_id: str, chosen: ExportFilter) -> ExportSchema:
    """The columns of the form's current version (or the one version filtered on)."""
    version = chosen.versions[0] if len(chosen.versions) == 1 else None
    form = storage.form(form_id, version) or storage.form(form_id, None)
    if form is None:
        raise NotFound(f"no form {form_id!r} on this server")
    return build_schema(read_xform(form.xml, source_name=form_id))


def export(
    storage: Storage,
    form_id: str,
    kind: str,
    chosen: ExportFilter,
    out: IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write the chosen submissions of `form_id` as `kind`; returns how many were written."""
    schema = export_schema(storage, form_id, chosen)
    output_for(schema, kind)
    stored.backfill(storage)
    total = source.count(storage, form_id, chosen)
    rows: Iterable[SubmissionMeta] = source.submissions(
        storage, form_id, chosen, schema.fingerprint
    )
    return FORMATS[kind].writer(schema, rows, out, total=total, progress=progress)
