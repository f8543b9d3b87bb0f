"""What ingestion writes after storing a new submission, besides the submission itself.

Quality flags, the report's household row and the export rows, each from the one parsed
tree. A failure here never refuses or loses a submission (it is already stored and
acknowledged); it is logged, the submission appears in the queue without flags, and the
report's and exports' backfills record what is missing.
"""

from __future__ import annotations

import logging
from xml.etree.ElementTree import Element

from sync.server.exports.stored import record_parts
from sync.server.report.index import record_household
from sync.server.review.store import index_for
from sync.server.storage import Storage, SubmissionRecord

log = logging.getLogger(__name__)


def write_derived_rows(
    storage: Storage, record: SubmissionRecord, root: Element | None = None
) -> None:
    """Write the submission's quality flags, report row and export rows; `root` is its
    parsed XML when the caller has it (else it is parsed)."""
    try:
        index_for(storage, record.instance_id).record(storage, record, root)
    except Exception:  # flags are advisory; the submission stays stored
        log.exception("quality flags of %s not computed", record.instance_id)
    try:
        record_household(storage, record, root)
    except Exception:  # derived data: the report's backfill records it later
        log.exception("report row of %s not recorded", record.instance_id)
    try:
        record_parts(storage, record, root)
    except Exception:  # derived data: the exports' backfill records it later
        log.exception("export rows of %s not recorded", record.instance_id)
