"""Export rows in SQLite: the chosen submissions streamed from a read-only connection, and
each submission's stored rows (`export_parts`) kept on the storage's connection.

Only the newest version of an edited submission is read (as Central does): one whose
instanceID another submission names as `deprecatedID` is left out.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from sync.server.storage.repositories import ExportQuery, ExportRow, Stored
from sync.server.storage.sqlite.quality import derived_transaction
from sync.server.storage.sqlite_bodies import SqliteBodiesOpener, body_select, connect_reader

STATE_SQL = (
    "coalesce((SELECT r.decision FROM reviews r WHERE r.instance_id = s.instance_id"
    " ORDER BY r.seq DESC LIMIT 1), 'received')"
)
"""A submission's review state: its latest decision, `received` before any."""
PARTS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS export_parts (instance_id TEXT PRIMARY KEY,"
    " fingerprint TEXT NOT NULL, parts TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS export_checked (id INTEGER PRIMARY KEY, last_rowid INTEGER)",
)
INSERT_PARTS = (
    "INSERT OR REPLACE INTO export_parts (instance_id, fingerprint, parts) VALUES (?, ?, ?)"
)


def where(chosen: ExportQuery) -> tuple[str, list[Any]]:
    """The clauses of `chosen` on `submissions s` (form first), and their parameters."""
    clauses, params = ["s.form_id = ?"], []
    if chosen.districts:
        clauses.append(f"s.district IN ({', '.join('?' * len(chosen.districts))})")
        params += list(chosen.districts)
    if chosen.versions:
        clauses.append(f"coalesce(s.form_version, '') IN ({', '.join('?' * len(chosen.versions))})")
        params += list(chosen.versions)
    if chosen.since:
        clauses.append("s.submitted_at >= ?")
        params.append(chosen.since)
    if chosen.until:
        clauses.append("s.submitted_at < ?")
        params.append(chosen.until + ("\uffff" if len(chosen.until) == 10 else ""))
    return " AND ".join(clauses), params


class SqliteExportRows:
    """Reads on connections of their own; stored rows on the storage's, under its lock."""

    def __init__(self, database: str, connection: sqlite3.Connection, lock: threading.RLock):
        self.database, self.connection, self.lock = database, connection, lock

    def count(self, form_id: str, chosen: ExportQuery) -> int:
        clauses, params = where(chosen)
        with closing(connect_reader(self.database)) as connection:
            row = connection.execute(
                f"SELECT count(*) FROM submissions s WHERE {clauses}", [form_id, *params]
            )
            return int(row.fetchone()[0])

    def stream(
        self, form_id: str, chosen: ExportQuery, fingerprint: str | None, whole: bool
    ) -> Iterator[tuple[int, ExportRow]]:
        clauses, params = where(chosen)
        with closing(connect_reader(self.database)) as connection:
            replaced = {
                str(r[0])
                for r in connection.execute(
                    "SELECT deprecated_id FROM submissions"
                    " WHERE form_id = ? AND deprecated_id IS NOT NULL",
                    [form_id],
                )
            }
            body, joined, first = body_select(connection, fingerprint if whole else None)
            if not whole:
                body = "'', NULL"
            cursor = connection.execute(
                f"SELECT s.rowid, s.instance_id, s.submitted_at, s.enumerator, s.district, "
                f"{STATE_SQL}, s.form_version, {body} FROM submissions s{joined} WHERE {clauses}"
                " ORDER BY s.rowid",
                [*first, form_id, *params],
            )
            for row in cursor:
                if row[1] not in replaced:
                    yield row[0], row[1:]

    def bodies_opener(self) -> SqliteBodiesOpener:
        return SqliteBodiesOpener(self.database)

    def form_version(self, form_id: str, version: str | None) -> tuple[str, str] | None:
        with self.lock:
            row = self.connection.execute(
                "SELECT version, md5 FROM forms WHERE form_id = ? AND (version = ? OR current = 1)"
                " ORDER BY version = ? DESC LIMIT 1",
                [form_id, version or "", version or ""],
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def write_parts(self, rows: list[Stored]) -> None:
        with self.lock:
            for statement in PARTS_SCHEMA:
                self.connection.execute(statement)
            with derived_transaction(self.connection):
                self.connection.executemany(INSERT_PARTS, rows)

    def unchecked_parts(self) -> tuple[int, int]:
        with self.lock:
            for statement in PARTS_SCHEMA:
                self.connection.execute(statement)
            found = self.connection.execute(
                "SELECT last_rowid FROM export_checked WHERE id = 1"
            ).fetchone()
            top = self.connection.execute("SELECT coalesce(max(rowid), 0) FROM submissions")
            return (int(found[0]) if found else 0), int(top.fetchone()[0])

    def parts_missing(
        self, since: int, top: int, limit: int
    ) -> list[tuple[int, str, str, str | None, str]]:
        with self.lock:
            return self.connection.execute(
                "SELECT s.rowid, s.instance_id, s.form_id, s.form_version, s.xml"
                " FROM submissions s WHERE s.rowid > ? AND s.rowid <= ? AND NOT EXISTS"
                " (SELECT 1 FROM export_parts p WHERE p.instance_id = s.instance_id)"
                " ORDER BY s.rowid LIMIT ?",
                [since, top, limit],
            ).fetchall()

    def parts_checked(self, top: int) -> None:
        with self.lock:
            self.connection.execute(
                "INSERT OR REPLACE INTO export_checked (id, last_rowid) VALUES (1, ?)", [top]
            )
