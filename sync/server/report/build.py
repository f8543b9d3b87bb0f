"""Reading the households of a form from storage and building the report."""

from __future__ import annotations

from forms.xform_reader import read_xform
from sync.server.errors import BadRequest
from sync.server.exports import source
from sync.server.exports.source import ExportFilter
from sync.server.report.compute import Report, build_report
from sync.server.report.extract import reader_for
from sync.server.report.household import MAPPINGS, FieldMapping
from sync.server.storage import Storage


def report_for(
    storage: Storage, form_id: str, chosen: ExportFilter, mapping: FieldMapping | None = None
) -> Report:
    mapping = mapping or MAPPINGS.get(form_id)
    if mapping is None:
        raise BadRequest(f"no living income field mapping for form {form_id!r}")
    form = storage.form(form_id, None)
    definition = read_xform(form.xml, source_name=form_id) if form is not None else None
    read = reader_for(mapping, definition)
    records = (
        read(s.xml, s.instance_id, s.district) for s in source.submissions(storage, form_id, chosen)
    )
    return build_report(form_id, records)
