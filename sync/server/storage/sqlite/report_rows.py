"""The report's household rows in SQLite, on the storage's connection under its lock.

The table's layout comes from the report (`report.index`), numbered; a table of another
number or of other columns is dropped with its `report_checked` mark, and the next backfill
rebuilds every row from the stored submissions.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from sync.server.storage.repositories import ExportQuery, ReportLayout
from sync.server.storage.sqlite.export_rows import STATE_SQL, where
from sync.server.storage.sqlite.quality import derived_transaction
from sync.server.storage.sqlite_bodies import connect_reader


def _version(connection: sqlite3.Connection) -> int:
    if not connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_schema'"
    ).fetchone():
        return 1
    found = connection.execute("SELECT version FROM report_schema WHERE id = 1").fetchone()
    return int(found[0]) if found else 1


def _ensure(connection: sqlite3.Connection, layout: ReportLayout) -> None:
    """Create the tables, or replace those of another layout; no write when they are current
    (it runs before every ingestion's row)."""
    found = [r[1] for r in connection.execute("PRAGMA table_info(report_households)")]
    if found == list(layout.columns) and _version(connection) == layout.version:
        return
    if found:
        connection.execute("DROP TABLE report_households")
        connection.execute("DROP TABLE IF EXISTS report_checked")
    for statement in layout.schema:
        connection.execute(statement)
    connection.execute(
        "INSERT OR REPLACE INTO report_schema (id, version) VALUES (1, ?)", [layout.version]
    )


class SqliteReportRows:
    def __init__(self, database: str, connection: sqlite3.Connection, lock: threading.RLock):
        self.database, self.connection, self.lock = database, connection, lock

    def write(self, layout: ReportLayout, rows: list[tuple[Any, ...]], dropped: list[str]) -> None:
        insert = (
            f"INSERT OR REPLACE INTO report_households ({', '.join(layout.columns)})"
            f" VALUES ({', '.join('?' * len(layout.columns))})"
        )
        with self.lock:
            _ensure(self.connection, layout)
            with derived_transaction(self.connection):
                self.connection.executemany(
                    "DELETE FROM report_households WHERE instance_id = ?", [[i] for i in dropped]
                )
                self.connection.executemany(insert, rows)

    def position(self, instance_id: str) -> int:
        with self.lock:
            found = self.connection.execute(
                "SELECT rowid FROM submissions WHERE instance_id = ?", [instance_id]
            ).fetchone()
        return int(found[0]) if found else 0

    def unchecked(
        self, layout: ReportLayout, forms: list[str]
    ) -> tuple[int, list[tuple[str, int]]]:
        with self.lock:
            _ensure(self.connection, layout)
            found = self.connection.execute(
                "SELECT last_rowid FROM report_checked WHERE id = 1"
            ).fetchone()
            since = int(found[0]) if found else 0
            top = self.connection.execute("SELECT coalesce(max(rowid), 0) FROM submissions")
            top_rowid = int(top.fetchone()[0])
            missing = [
                (str(r[0]), int(r[1]))
                for r in self.connection.execute(
                    "SELECT s.instance_id, s.rowid FROM submissions s WHERE s.rowid > ?"
                    f" AND s.rowid <= ? AND s.form_id IN ({', '.join('?' * len(forms))})"
                    " AND NOT EXISTS (SELECT 1 FROM report_households h"
                    " WHERE h.instance_id = s.instance_id) AND NOT EXISTS"
                    " (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
                    " ORDER BY s.rowid",
                    [since, top_rowid, *forms],
                )
            ]
        return top_rowid, missing

    def checked(self, top: int) -> None:
        with self.lock:
            self.connection.execute(
                "INSERT OR REPLACE INTO report_checked (id, last_rowid) VALUES (1, ?)", [top]
            )

    def households(
        self, form_id: str, chosen: ExportQuery, columns: str
    ) -> Iterator[tuple[Any, ...]]:
        """`columns` of the chosen current households, then their review state ('' when
        `chosen` names no state), in the order they arrived."""
        clauses, params = where(chosen)
        state = STATE_SQL if chosen.states else "''"
        query = (
            f"SELECT {columns}, {state} FROM report_households s WHERE {clauses} AND NOT EXISTS"
            " (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
            " ORDER BY s.seq"
        )
        with closing(connect_reader(self.database)) as connection:
            yield from connection.execute(query, [form_id, *params])

    def crop_rows(self, form_id: str, columns: str) -> Iterator[tuple[Any, ...]]:
        query = f"SELECT {columns} FROM report_households WHERE form_id = ?"
        with closing(connect_reader(self.database)) as connection:
            yield from connection.execute(query, [form_id])
