"""The submissions an export or report reads: filtered, streamed from a read-only connection.

Only the newest version of an edited submission is exported (as Central does): one whose
instanceID another submission names as `deprecatedID` is left out. The review state is
the latest review decision, `received` before any.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from sync.server.errors import BadRequest
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

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = ["s.form_id = ?"], []
        if self.districts:
            clauses.append(f"s.district IN ({', '.join('?' * len(self.districts))})")
            params += list(self.districts)
        if self.versions:
            clauses.append(
                f"coalesce(s.form_version, '') IN ({', '.join('?' * len(self.versions))})"
            )
            params += list(self.versions)
        if self.since:
            clauses.append("s.submitted_at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("s.submitted_at < ?")
            params.append(self.until + ("\uffff" if len(self.until) == 10 else ""))
        return " AND ".join(clauses), params


def _database_path(storage: Storage) -> str:
    db = getattr(storage, "db", None)
    if db is None:
        raise BadRequest("exports need the SQLite storage")
    row = db.execute("PRAGMA database_list").fetchone()
    return str(row[2])


def connect(storage: Storage) -> sqlite3.Connection:
    return connect_path(_database_path(storage))


STATE_SQL = (
    "coalesce((SELECT r.decision FROM reviews r WHERE r.instance_id = s.instance_id"
    " ORDER BY r.seq DESC LIMIT 1), 'received')"
)


def count(storage: Storage, form_id: str, chosen: ExportFilter) -> int:
    """An upper bound of `submissions(...)` (before the state and edit filters), for progress."""
    where, params = chosen.where()
    with closing(connect(storage)) as connection:
        row = connection.execute(
            f"SELECT count(*) FROM submissions s WHERE {where}", [form_id, *params]
        )
        return int(row.fetchone()[0])


class Submissions:
    """The chosen submissions in the order they arrived, one row in memory at a time.

    Iterating reads them whole, with the rows ingestion stored (`stored.py`) instead of
    their XML when those were made under `fingerprint` (the export schema's). `keyed()`
    reads them without either, with their rowid, so worker processes read them from
    `database` themselves (`bodies_of`)."""

    def __init__(
        self, storage: Storage, form_id: str, chosen: ExportFilter, fingerprint: str | None = None
    ) -> None:
        self.storage, self.form_id, self.chosen = storage, form_id, chosen
        self.fingerprint = fingerprint
        self.database = _database_path(storage)

    def __iter__(self) -> Iterator[SubmissionMeta]:
        for _, meta in self._rows(whole=True):
            yield meta

    def keyed(self) -> Iterator[tuple[int, SubmissionMeta]]:
        """(rowid, the submission with an empty `xml` and no stored rows)."""
        return self._rows(whole=False)

    def _rows(self, whole: bool) -> Iterator[tuple[int, SubmissionMeta]]:
        where, params = self.chosen.where()
        with closing(connect(self.storage)) as connection:
            replaced = {
                str(r[0])
                for r in connection.execute(
                    "SELECT deprecated_id FROM submissions"
                    " WHERE form_id = ? AND deprecated_id IS NOT NULL",
                    [self.form_id],
                )
            }
            body, joined, first = _body(connection, self.fingerprint if whole else None)
            if not whole:
                body = "'', NULL"
            cursor = connection.execute(
                f"SELECT s.rowid, s.instance_id, s.submitted_at, s.enumerator, s.district, "
                f"{STATE_SQL}, s.form_version, {body} FROM submissions s{joined} WHERE {where}"
                " ORDER BY s.rowid",
                [*first, self.form_id, *params],
            )
            states = self.chosen.states
            for row in cursor:
                if row[1] in replaced:
                    continue
                meta = SubmissionMeta(*row[1:])
                if states and meta.state not in states:
                    continue
                yield row[0], meta


def _body(connection: sqlite3.Connection, fingerprint: str | None) -> tuple[str, str, list[str]]:
    """The select list of a submission's body (its XML, or `''` and its stored rows when
    they were made under `fingerprint`), the join it needs and that join's parameters."""
    has_parts = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'export_parts'"
    ).fetchone()
    if fingerprint is None or has_parts is None:
        return "s.xml, NULL", "", []
    body = "CASE WHEN p.fingerprint = ? THEN '' ELSE s.xml END, CASE WHEN p.fingerprint = ? THEN p.parts END"
    joined = " LEFT JOIN export_parts p ON p.instance_id = s.instance_id"
    return body, joined, [fingerprint, fingerprint]


def submissions(
    storage: Storage, form_id: str, chosen: ExportFilter, fingerprint: str | None = None
) -> Submissions:
    """The chosen submissions in the order they arrived (see `Submissions`)."""
    return Submissions(storage, form_id, chosen, fingerprint)


def bodies_of(
    connection: sqlite3.Connection, rowids: list[int], fingerprint: str | None
) -> dict[int, tuple[str, str | None]]:
    """The XML or stored rows of these submissions, by rowid (as `Submissions` reads them)."""
    body, joined, first = _body(connection, fingerprint)
    found = connection.execute(
        f"SELECT s.rowid, {body} FROM submissions s{joined}"
        f" WHERE s.rowid IN ({', '.join('?' * len(rowids))})",
        [*first, *rowids],
    )
    return {int(r[0]): (str(r[1]), r[2]) for r in found}


def connect_path(database: str) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    connection.execute("PRAGMA busy_timeout=5000")
    return connection
