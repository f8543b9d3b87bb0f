"""Time per section and its `section_too_short` flag, and the interview's duration (see
`quality_duration`), from the `audit.csv` a device sends.

The log is an attachment: it arrives after its submission (batch API) or with it
(OpenRosa), so its flag is recorded when the file is received (`on_attachment`), not at
the submission's ingestion, and the queue's flag filter finds it from then on. Opening
the submission in review computes it again, since the project's thresholds may have
changed since.
"""

from __future__ import annotations

import logging

from forms.xform_reader import read_xform
from sync.server.quality.checks import Facts, Flag, check, section_seconds
from sync.server.quality.config import QualityConfig, load_config
from sync.server.quality.duration import audit_durations, record_durations
from sync.server.review.store import ReviewIndex, index_for
from sync.server.storage import Storage
from sync.server.storage.blobs import BlobStore

log = logging.getLogger(__name__)

AUDIT = "audit.csv"
CODE = "section_too_short"


def section_flags(
    index: ReviewIndex,
    instance_id: str,
    flags: list[Flag],
    seconds: dict[str, float],
    config: QualityConfig,
) -> list[Flag]:
    """`flags` with the section flags of `seconds` in place of any earlier ones; stored
    when they changed."""
    kept = [f for f in flags if f.code != CODE]
    fresh = [
        f
        for f in check(
            Facts(), config, district=None, form_version=None, current_version=None,
            peers={}, duplicate_of=None, sections=seconds,
        )
        if f.code == CODE
    ]  # fmt: skip
    if fresh != [f for f in flags if f.code == CODE]:
        index.replace_flags(instance_id, kept + fresh)
    return kept + fresh


def on_attachment(storage: Storage, blobs: BlobStore, instance_id: str, name: str) -> None:
    """Called when a file of a submission is received; acts on the audit log only. A
    failure is logged, never refuses the file (it is already stored)."""
    if name != AUDIT:
        return
    try:
        _record(storage, blobs, instance_id)
    except Exception:  # flags are advisory; review computes them again
        log.exception("section times of %s not recorded", instance_id)


def _record(storage: Storage, blobs: BlobStore, instance_id: str) -> None:
    record = storage.submission(instance_id)
    audit = [a for a in storage.attachments(instance_id) if a.name == AUDIT and a.received]
    if record is None or not audit:
        return
    form = storage.form(record.form_id, record.form_version) or storage.form(record.form_id, None)
    if form is None:
        return
    text = blobs.read(audit[0].sha256).decode("utf-8", "replace")
    seconds = section_seconds(text, read_xform(form.xml).root_name)
    index = index_for(storage, instance_id)
    config = load_config(storage)
    durations = audit_durations(text)
    if durations is not None:
        record_durations(storage, index, instance_id, durations, config)
    _, flags = index.flags(instance_id)
    section_flags(index, instance_id, flags, seconds, config)
