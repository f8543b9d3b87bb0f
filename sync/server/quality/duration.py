"""How long an interview took, from its audit log: the time spent in it, not the time between
its `start` and `end` fields.

A returned interview corrected a week later keeps its first `start`, so `end - start` counts
the week, or, for a correction the same day, the time between the first finalize and the
correction (12 minutes of work read as 19). The audit log (`audit.csv`, ODK Collect's format;
our device's `fieldapp/paradata.py` writes it) has a row for each session's beginning
(`form start`, `form resume`) and end (`form exit`, `form finalize`): the
interview's duration is the sum of its sessions up to the first `form finalize`, and what
the sessions after it took is the correction's duration, counted apart (a corrected version
carries the log of the versions it replaces followed by the correction's sessions).

A session whose end was never logged (Collect killed) ends at the last moment logged in it,
as ODK Collect's own reading of the log does; rows that cannot be read are skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sync.server.quality.checks import Facts, Flag, check
from sync.server.quality.config import QualityConfig
from sync.server.quality.record import store_facts
from sync.server.review.store import ReviewIndex
from sync.server.storage import Storage

BEGINS = frozenset({"form start", "form resume"})
EXIT = "form exit"
FINALIZE = "form finalize"
AUDIT_LOG = "the audit log"
TOO_SHORT = "too_short"


@dataclass(frozen=True)
class Durations:
    """Seconds spent in the interview up to its first finalize, and in corrections after it."""

    interview_s: float
    correction_s: float


def _milliseconds(text: str | None) -> int | None:
    try:
        return int(float(text or ""))
    except ValueError:
        return None


def audit_durations(audit_csv: str) -> Durations | None:
    """The durations an audit log records; None when it has no session (no `form start`
    or `form resume` row)."""
    interview = correction = 0.0
    finalized = seen_session = False
    begun: int | None = None
    """When the open session began (None: no session open)."""
    last = 0
    """The last moment logged in the open session: where it ends if no end is logged."""
    ended = False

    def close() -> None:
        nonlocal interview, correction, begun
        if begun is None:
            return
        spent = max(0, last - begun) / 1000
        if finalized:
            correction += spent
        else:
            interview += spent
        begun = None

    for row in csv.DictReader(io.StringIO(audit_csv)):
        event = (row.get("event") or "").strip()
        start = _milliseconds(row.get("start"))
        if start is None:
            continue
        if event in BEGINS:
            close()
            begun, last, ended, seen_session = start, start, False, True
            continue
        if begun is None or ended:
            continue
        end = _milliseconds(row.get("end"))
        last = max(last, start, end if end is not None else start)
        if event == EXIT:
            ended = True
        elif event == FINALIZE:
            close()
            finalized = True
    close()
    return Durations(interview, correction) if seen_session else None


def record_durations(
    storage: Storage,
    index: ReviewIndex,
    instance_id: str,
    durations: Durations,
    config: QualityConfig,
) -> list[Flag]:
    """Keep the audit log's durations in the submission's facts (the dashboard's median reads
    them) and judge `too_short` on the interview's own duration; returns the flags."""
    facts, flags = index.flags(instance_id)
    if facts is None:
        return flags
    timed = facts.model_copy(
        update={
            "duration_s": durations.interview_s,
            "correction_s": durations.correction_s,
            "duration_from": AUDIT_LOG,
        }
    )
    store_facts(storage, instance_id, timed)
    bare = Facts(duration_s=timed.duration_s, duration_from=AUDIT_LOG)
    fresh = [
        f
        for f in check(
            bare, config, district=None, form_version=None, current_version=None,
            peers={}, duplicate_of=None,
        )
        if f.code == TOO_SHORT
    ]  # fmt: skip
    kept = [f for f in flags if f.code != TOO_SHORT]
    if fresh != [f for f in flags if f.code == TOO_SHORT]:
        index.replace_flags(instance_id, kept + fresh)
    return kept + fresh
