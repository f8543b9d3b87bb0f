"""What ingestion writes after storing a new submission, besides the submission itself.

Quality flags, the report's household row and the export rows, each from the one parsed
tree. Where the storage lets them share one transaction (`Storage.derived_writes`:
PostgreSQL), they are written together; if that fails, each is written again on its own,
so that one part's failure does not cost the others. A failure here never refuses or loses
a submission (it is already stored and acknowledged); it is logged, the submission appears
in the queue without flags, and the report's and exports' backfills record what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from xml.etree.ElementTree import Element

from sync.server.exports.stored import record_parts
from sync.server.quality.config import QualityConfig
from sync.server.report.index import record_household
from sync.server.review.store import index_for
from sync.server.storage import Storage, SubmissionRecord

log = logging.getLogger(__name__)


def write_derived_rows(
    storage: Storage,
    record: SubmissionRecord,
    root: Element | None = None,
    *,
    form_version: tuple[str, str] | None = None,
    quality: QualityConfig | None = None,
) -> None:
    """Write the submission's quality flags, report row and export rows. `root`: its parsed
    XML, `form_version`: (version, md5) of the form version its export rows follow
    (`ExportRows.form_version`), `quality`: the quality settings, when the caller has them
    (else each is read)."""
    parts: list[tuple[str, Callable[[], object]]] = [
        (
            "quality flags",
            lambda: index_for(storage, record.instance_id).record(storage, record, root, quality),
        ),
        ("report row", lambda: record_household(storage, record, root)),
        ("export rows", lambda: record_parts(storage, record, root, form_version)),
    ]
    together = False
    try:
        with storage.derived_writes() as together:
            if together:
                for _, write in parts:
                    write()
    except Exception:  # derived data: written again below, each part on its own
        log.warning(
            "derived rows of %s not written together; writing each on its own",
            record.instance_id,
            exc_info=True,
        )
        together = False
    if together:
        return
    for what, write in parts:
        try:
            write()
        except Exception:  # advisory or rebuilt by a backfill; the submission stays stored
            log.exception("%s of %s not recorded", what, record.instance_id)
