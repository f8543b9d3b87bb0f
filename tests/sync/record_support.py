"""Records for tests that write to a storage directly, without a server: a submission and
its quality facts row, with what a test does not look at filled in."""

from __future__ import annotations

import json

from sync.server.storage import SubmissionRecord
from sync.server.storage.repositories import FactsRow


def submission(
    instance_id: str,
    *,
    enumerator: str = "amina",
    district: str = "north",
    submitted_at: str = "2026-11-26T10:00:00Z",
    deprecated_id: str | None = None,
    form_id: str = "demo",
    xml: str = "<data/>",
) -> SubmissionRecord:
    return SubmissionRecord(
        instance_id=instance_id,
        form_id=form_id,
        form_version="1",
        xml=xml,
        xml_sha256="0" * 64,
        deprecated_id=deprecated_id,
        instance_name=None,
        submitted_at=submitted_at,
        enumerator=enumerator,
        district=district,
        device_id="d1",
    )


def facts_row(
    record: SubmissionRecord, day: str, seconds: float | None = None, flags: int = 0
) -> FactsRow:
    """The facts of `record`, done on `day`, lasting `seconds`, with `flags` flags."""
    return FactsRow(
        instance_id=record.instance_id,
        form_id=record.form_id,
        district=record.district,
        enumerator=record.enumerator,
        day=day,
        household_id=None,
        crop="",
        facts=json.dumps({"duration_s": seconds}),
        flags=json.dumps([{"code": "too_short", "message": "m"}] * flags),
        flag_count=flags,
    )
