"""The audit log of an interview, in ODK Collect's `audit.csv` format, from the store's paradata.

The interview (`fieldapp.interview`) logs into the store:

- `form_start` (a new interview) or `form_resume` (a draft or returned one reopened), when a
  session begins;
- `screen` each time a screen is shown (ref: the question, the field-list group or the
  repeat; value: `question`, `group`, `repeat_prompt` or `end`), plus `shown` per question;
- `answered` / `changed` once per question visit, `delete_repeat`;
- `form_finalize` and `form_exit` when a session ends. A session that ended without them
  (the app was killed, the battery died) gets its `form_exit` (value `interrupted`) when the
  draft is next opened, stamped with the last moment the store committed anything for it.

The log has an interval row per screen visit (`question`, `group questions`, `add repeat`,
`end screen`) from the moment the screen was shown to the moment the next screen was, or the
session ended; and point rows (`form start`, `form resume`, `form exit`, `form finalize`,
`delete repeat`). Nodes are the refs the device uses, `/data/roster/member[2]/age`, position
predicates only on repeats, as ODK Collect writes them; times are milliseconds since the epoch.

What a resumed interview counts: a screen's time while the app ran, and for a session cut off,
up to its last commit. The time the app was closed is in no row, so neither a section's time
nor the total includes it. A corrected version (a returned interview, edited and finalized
again) carries the log of the versions it replaces followed by the correction session, so its
sections' times are the whole effort spent on them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

AUDIT_FILE: Final = "audit.csv"
HEADER: Final = ("event", "node", "start", "end")

FORM_START: Final = "form_start"
FORM_RESUME: Final = "form_resume"
FORM_EXIT: Final = "form_exit"
FORM_FINALIZE: Final = "form_finalize"
SCREEN: Final = "screen"
DELETE_REPEAT: Final = "delete_repeat"
INTERRUPTED: Final = "interrupted"
"""Value of the `form_exit` logged for a session that ended without one."""

SCREEN_ROWS: Final = {
    "question": "question",
    "group": "group questions",
    "repeat_prompt": "add repeat",
    "end": "end screen",
}
"""Kind of screen -> the ODK Collect event of its visit."""
POINT_ROWS: Final = {
    FORM_START: "form start",
    FORM_RESUME: "form resume",
    FORM_EXIT: "form exit",
    FORM_FINALIZE: "form finalize",
    DELETE_REPEAT: "delete repeat",
}
_BEGINS: Final = (FORM_START, FORM_RESUME)
_ENDS: Final = (FORM_EXIT, FORM_FINALIZE)
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS: Final = dt.timedelta(milliseconds=1)


class LoggedEvent(Protocol):
    """A line of the store's paradata (`fieldapp.store.Event`)."""

    @property
    def event(self) -> str: ...
    @property
    def ref(self) -> str | None: ...
    @property
    def value(self) -> str | None: ...
    @property
    def at(self) -> str: ...


@dataclass(frozen=True, slots=True)
class AuditRow:
    event: str
    node: str
    start: int
    end: int | None = None


def audit_rows(events: Iterable[LoggedEvent]) -> list[AuditRow]:
    """The audit rows of paradata, in the order what they describe began."""
    rows: list[AuditRow] = []
    visit: int | None = None
    """Index in `rows` of the visit still open (its row has no end yet)."""
    latest = 0
    """The last moment seen since the open visit began: where a cut-off visit ends."""

    def close(end: int) -> None:
        nonlocal visit
        if visit is not None:
            row = rows[visit]
            rows[visit] = AuditRow(row.event, row.node, row.start, max(row.start, end))
            visit = None

    for logged in events:
        moment = _milliseconds(logged.at)
        if moment is None:
            continue
        if logged.event == SCREEN:
            close(moment)
            kind = SCREEN_ROWS.get(logged.value or "", "question")
            visit, latest = len(rows), moment
            rows.append(AuditRow(kind, logged.ref or "", moment))
        elif logged.event in POINT_ROWS:
            if logged.event in _BEGINS:
                close(latest)  # a session that ended unrecorded (paradata of older versions)
            elif logged.event in _ENDS:
                close(moment)
            rows.append(AuditRow(POINT_ROWS[logged.event], logged.ref or "", moment))
        else:
            latest = max(latest, moment)
    close(latest)
    return rows


def audit_csv(rows: Iterable[AuditRow]) -> bytes:
    """UTF-8 CSV with `\\n` line endings, as the ODK XForms client audit log spec asks."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow((row.event, row.node, row.start, "" if row.end is None else row.end))
    return text.getvalue().encode("utf-8")


def audit_log(events: Iterable[LoggedEvent]) -> bytes:
    return audit_csv(audit_rows(events))


def interrupted_at(events: Sequence[LoggedEvent], last_saved: str) -> str | None:
    """When the latest session of `events` ended, if it ended without `form_exit` (the app
    was killed): the later of its last event and `last_saved` (the instance's last commit).
    None when it was closed or there is no session."""
    for logged in reversed(events):
        if logged.event in _ENDS:
            return None
        if logged.event in _BEGINS:
            return max(last_saved, *(e.at for e in events))
    return None


def _milliseconds(at: str) -> int | None:
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - _EPOCH) // _MS
