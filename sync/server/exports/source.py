"""The submissions an export or report reads: filtered, streamed by the storage
(`Storage.export_rows`, on a read-only connection in SQLite).

Only the newest version of an edited submission is exported (as Central does): one whose
instanceID another submission names as `deprecatedID` is left out. The review state is
the latest review decision, `received` before any.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, field_validator

from sync.server.exports.rows import SubmissionMeta
from sync.server.storage import Storage

STATES = ("received", "approved", "has_issues", "rejected")


class ExportFilter(BaseModel):
    """Which submissions: all of them when every field is empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    states: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    since: str | None = None
    """First day (`2026-01-31`) or moment (ISO 8601) of `submitted_at`, inclusive."""
    until: str | None = None
    """Last day or moment of `submitted_at`, inclusive."""

    @field_validator("since", "until")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        from datetime import date, datetime

        try:
            if len(value) == 10:
                date.fromisoformat(value)
            else:
                datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date like 2026-01-31") from None
        return value


def count(storage: Storage, form_id: str, chosen: ExportFilter) -> int:
    """An upper bound of `submissions(...)` (before the state and edit filters), for progress."""
    return storage.export_rows.count(form_id, chosen)


class Submissions:
    """The chosen submissions in the order they arrived, one row in memory at a time.

    Iterating reads them whole, with the rows ingestion stored (`stored.py`) instead of
    their XML when those were made under `fingerprint` (the export schema's). `keyed()`
    reads them without either, with their position, so worker processes read them
    themselves (with `opener`, which the storage gives)."""

    def __init__(
        self, storage: Storage, form_id: str, chosen: ExportFilter, fingerprint: str | None = None
    ) -> None:
        self.storage, self.form_id, self.chosen = storage, form_id, chosen
        self.fingerprint = fingerprint
        self.opener = storage.export_rows.bodies_opener()

    def __iter__(self) -> Iterator[SubmissionMeta]:
        for _, meta in self._rows(whole=True):
            yield meta

    def keyed(self) -> Iterator[tuple[int, SubmissionMeta]]:
        """(rowid, the submission with an empty `xml` and no stored rows)."""
        return self._rows(whole=False)

    def _rows(self, whole: bool) -> Iterator[tuple[int, SubmissionMeta]]:
        fingerprint = self.fingerprint if whole else None
        states = self.chosen.states
        for rowid, row in self.storage.export_rows.stream(
            self.form_id, self.chosen, fingerprint, whole
        ):
            meta = SubmissionMeta(*row)
            if states and meta.state not in states:
                continue
            yield rowid, meta


def submissions(
    storage: Storage, form_id: str, chosen: ExportFilter, fingerprint: str | None = None
) -> Submissions:
    """The chosen submissions in the order they arrived (see `Submissions`)."""
    return Submissions(storage, form_id, chosen, fingerprint)
