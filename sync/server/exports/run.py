"""One entry point for every export format: the routes and the CLI call `export`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from forms.xform_reader import read_xform
from sync.server.errors import BadRequest, NotFound
from sync.server.exports import source, stored
from sync.server.exports.rows import SubmissionMeta
from sync.server.exports.schema import ExportSchema, build_schema
from sync.server.exports.source import ExportFilter
from sync.server.exports.stata import write_stata_zip
from sync.server.exports.writers import Progress, write_csv_zip, write_geojson, write_xlsx
from sync.server.storage import Storage

Writer = Callable[..., int]


@dataclass(frozen=True)
class Format:
    writer: Writer
    media_type: str
    suffix: str


FORMATS: dict[str, Format] = {
    "csv": Format(write_csv_zip, "application/zip", ".csv.zip"),
    "xlsx": Format(
        write_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
    ),
    "dta": Format(write_stata_zip, "application/zip", ".dta.zip"),
    "geojson": Format(write_geojson, "application/geo+json", ".geojson"),
}


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
    if kind not in FORMATS:
        raise BadRequest(f"export format must be one of {', '.join(FORMATS)}, not {kind!r}")
    schema = export_schema(storage, form_id, chosen)
    stored.backfill(storage)
    total = source.count(storage, form_id, chosen)
    rows: Iterable[SubmissionMeta] = source.submissions(
        storage, form_id, chosen, schema.fingerprint
    )
    return FORMATS[kind].writer(schema, rows, out, total=total, progress=progress)
