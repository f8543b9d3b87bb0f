"""Reading the households of a form from storage and building the report.

Default population: approved submissions only, each interview's latest version (a rejected
or superseded interview never counts); a filter's states replace that default."""

from __future__ import annotations

from collections.abc import Iterator

from forms.xform_reader import read_xform
from sync.server.errors import BadRequest
from sync.server.exports import source
from sync.server.exports.source import ExportFilter
from sync.server.report.compute import DEFAULT_STATES, Population, Report, build_report
from sync.server.report.extract import reader_for
from sync.server.report.household import MAPPINGS, FieldMapping, HouseholdIncome
from sync.server.report.index import households
from sync.server.storage import Storage

STATES = ("approved", "received", "has_issues", "rejected")
"""The review states a report may count (a superseded version never counts)."""


def report_for(
    storage: Storage, form_id: str, chosen: ExportFilter, mapping: FieldMapping | None = None
) -> Report:
    """The form's own mapping reads the rows kept at ingestion; another one reads the XML."""
    known = MAPPINGS.get(form_id)
    mapping = mapping or known
    if mapping is None:
        raise BadRequest(f"no living income field mapping for form {form_id!r}")
    unknown = [s for s in chosen.states if s not in STATES]
    if unknown:
        raise BadRequest(f"unknown review state {unknown[0]!r}: choose from {', '.join(STATES)}")
    if not chosen.states:
        chosen = chosen.model_copy(update={"states": DEFAULT_STATES})
    population = Population(states=chosen.states, districts=chosen.districts)
    if mapping == known:
        records = households(storage, form_id, chosen)
    else:
        records = _read_xml(storage, form_id, chosen, mapping)
    return build_report(form_id, records, population=population)


def _read_xml(
    storage: Storage, form_id: str, chosen: ExportFilter, mapping: FieldMapping
) -> Iterator[HouseholdIncome]:
    form = storage.form(form_id, None)
    definition = read_xform(form.xml, source_name=form_id) if form is not None else None
    read = reader_for(mapping, definition)
    for s in source.submissions(storage, form_id, chosen):
        yield read(s.xml, s.instance_id, s.district)
