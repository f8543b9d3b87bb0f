"""Each submission's export rows, flattened once at ingestion and kept as compact JSON.

Ingestion parses the XML anyway (for the quality flags and the report); flattening the
same tree there costs about a tenth of a millisecond, and an export then reads rows
instead of parsing XML again. The rows are the submission's cells without what depends
on its metadata or review state (`rows.Part`), stored under the fingerprint of the
schema they were made with (the submission's own form version). An export uses them
only when its schema has that fingerprint, and flattens the XML otherwise (a later
form version that changed fields or choices), so stored rows are never stale.

They are derived data, kept like the report's rows (`Storage.export_rows`): in their own
transaction after the submission's commit; `backfill` records the
submissions that have none (a database from before this table, a crash between the two
commits), scanning only those stored since its last run.
"""

from __future__ import annotations

import json
import logging
import threading
from xml.etree.ElementTree import Element

from forms.xform_reader import read_xform
from sync.server.exports.rows import Flattener, RefusedXml, parse
from sync.server.exports.schema import build_schema
from sync.server.storage import Storage, SubmissionRecord
from sync.server.storage.repositories import Stored

log = logging.getLogger(__name__)

BATCH = 1000
"""Backfilled submissions per transaction (the storage's lock is released between them)."""
BACKFILL_LOCK = "export rows backfill"


class Flatteners:
    """The flattener of each form version, rebuilt when the version's XML is republished.

    Each process keeps its own: a flattener depends only on the form's XML (its md5)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], tuple[str, Flattener | None]] = {}
        self._lock = threading.Lock()

    def of(
        self,
        storage: Storage,
        form_id: str,
        version: str | None,
        found: tuple[str, str] | None = None,
    ) -> Flattener | None:
        """The submission's own version, else the form's current one; None: no such form.
        `found`: what `ExportRows.form_version` gave for them, when the caller asked."""
        row = storage.export_rows.form_version(form_id, version) if found is None else found
        if row is None:
            return None
        key, md5 = (form_id, row[0]), row[1]
        with self._lock:
            cached = self._found.get(key)
        if cached is not None and cached[0] == md5:
            return cached[1]
        form = storage.form(form_id, key[1])
        flattener = None
        if form is not None:
            try:
                definition = read_xform(form.xml, source_name=form_id)
                flattener = Flattener(build_schema(definition))
            except Exception:  # a form the engine cannot read: its exports parse the XML
                log.exception("export rows of form %s version %s not prepared", *key)
        with self._lock:
            self._found[key] = (md5, flattener)
        return flattener


FLATTENERS = Flatteners()


def stored_of(flattener: Flattener, instance_id: str, root: Element) -> Stored:
    parts = json.dumps(flattener.parts(root), ensure_ascii=False, separators=(",", ":"))
    return instance_id, flattener.schema.fingerprint, parts


def record_parts(
    storage: Storage,
    submission: SubmissionRecord,
    root: Element | None,
    form_version: tuple[str, str] | None = None,
) -> None:
    """Keep the export rows of a just-stored submission (`root`: its parsed XML, if at hand;
    `form_version`: `ExportRows.form_version` of its form and version, if already read)."""
    flattener = FLATTENERS.of(storage, submission.form_id, submission.form_version, form_version)
    if flattener is None:
        return
    tree = parse(submission.xml) if root is None else root
    storage.export_rows.write_parts([stored_of(flattener, submission.instance_id, tree)])


def backfill(storage: Storage) -> int:
    """Record the export rows of every submission stored since the last run that has none;
    returns how many were recorded. A submission whose XML cannot be read is left to the
    export, which names it. One worker at a time, among the threads and processes of the
    server (`Storage.work_locks`): the next finds the work done."""
    with storage.work_locks.hold(BACKFILL_LOCK):
        return _backfill(storage)


def _backfill(storage: Storage) -> int:
    since, top = storage.export_rows.unchecked_parts()
    recorded = 0
    while since < top:
        batch = storage.export_rows.parts_missing(since, top, BATCH)
        rows: list[Stored] = []
        for rowid, instance_id, form_id, version, xml in batch:
            since = int(rowid)
            flattener = FLATTENERS.of(storage, form_id, version)
            if flattener is None:
                continue
            try:
                rows.append(stored_of(flattener, instance_id, parse(xml)))
            except (RefusedXml, SyntaxError):  # ElementTree's ParseError is a SyntaxError
                continue
        if not batch:
            since = top
        storage.export_rows.write_parts(rows)
        recorded += len(rows)
    storage.export_rows.parts_checked(top)
    return recorded
