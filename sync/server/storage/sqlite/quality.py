"""Quality facts, flags and metric values in SQLite, written on the storage's connection.

Each submission's row goes in its own transaction right after the submission's commit:
no second connection, no second fsync. It is derived data (`quality_record.recover`
rebuilds what a crash loses), so its commit does not wait for the disk; the next
submission's FULL commit syncs it along.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

from sync.server.storage.repositories import FactsLookup, FactsRow, Group

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_facts (
    instance_id TEXT PRIMARY KEY, form_id TEXT, district TEXT, enumerator TEXT, day TEXT,
    household_id TEXT, crop TEXT, facts TEXT NOT NULL, flags TEXT NOT NULL, flag_count INTEGER
);
CREATE INDEX IF NOT EXISTS review_facts_peers ON review_facts (form_id, district, crop);
CREATE INDEX IF NOT EXISTS review_facts_household ON review_facts (form_id, household_id);
CREATE TABLE IF NOT EXISTS review_metrics (
    instance_id TEXT NOT NULL, form_id TEXT, district TEXT, crop TEXT, metric TEXT NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (instance_id, metric)
);
CREATE INDEX IF NOT EXISTS review_metrics_group
    ON review_metrics (form_id, district, crop, metric, value);
"""
"""The review index's tables (`review_index.SqliteReviewIndex` creates them)."""

DUPLICATE_SQL = (
    "SELECT f.instance_id FROM review_facts f JOIN submissions s USING (instance_id)"
    " WHERE f.form_id = ? AND f.household_id = ? AND f.instance_id != ?"
    " AND f.instance_id IS NOT ?"
    " AND NOT EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
    " ORDER BY s.submitted_at LIMIT 1"
)
"""Another current submission of the form with this household ID (not an older version)."""


@contextmanager
def derived_transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One transaction of derived data (rebuilt by a recovery or backfill if a crash loses
    it): its commit need not wait for the disk. The caller holds the storage's lock."""
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("BEGIN")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.execute("PRAGMA synchronous=FULL")


def store_metrics(
    connection: sqlite3.Connection, instance_id: str, group: Group, metrics: Mapping[str, float]
) -> None:
    """Replace the submission's metric rows (inside the caller's transaction)."""
    connection.execute("DELETE FROM review_metrics WHERE instance_id = ?", [instance_id])
    connection.executemany(
        "INSERT INTO review_metrics VALUES (?, ?, ?, ?, ?, ?)",
        [(instance_id, *group, metric, value) for metric, value in metrics.items()],
    )


def backfill_metrics(connection: sqlite3.Connection) -> None:
    """Fill `review_metrics` from the facts of a database recorded before that table existed."""
    rows = connection.execute(
        "SELECT instance_id, form_id, district, crop, facts FROM review_facts"
    ).fetchall()
    connection.execute("BEGIN")
    try:
        for instance_id, form_id, district, crop, text in rows:
            metrics = json.loads(text).get("metrics") or {}
            store_metrics(connection, instance_id, (form_id, district, crop), metrics)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


class _Lookup:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def current_version(self, form_id: str) -> str | None:
        found = self.connection.execute(
            "SELECT version FROM forms WHERE form_id = ? AND current = 1", [form_id]
        ).fetchone()
        return (found[0] or None) if found is not None else None

    def duplicate_of(
        self, form_id: str, household_id: str, instance_id: str, deprecated_id: str | None
    ) -> str | None:
        found = self.connection.execute(
            DUPLICATE_SQL, [form_id, household_id, instance_id, deprecated_id]
        ).fetchone()
        return str(found[0]) if found else None

    def metric_values(self, group: Group) -> Iterable[tuple[str, float]]:
        cursor = self.connection.execute(
            "SELECT metric, value FROM review_metrics WHERE form_id = ? AND district IS ?"
            " AND crop = ? ORDER BY metric, value",
            list(group),
        )
        return ((str(metric), float(value)) for metric, value in cursor)


class SqliteQualityFacts:
    """On the storage's connection, under its lock."""

    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock) -> None:
        self.connection, self.lock = connection, lock

    def record(self, judge: Callable[[FactsLookup], FactsRow]) -> FactsRow:
        with self.lock:
            row = judge(_Lookup(self.connection))
            with derived_transaction(self.connection):
                self.connection.execute(
                    "INSERT OR REPLACE INTO review_facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        row.instance_id,
                        row.form_id,
                        row.district,
                        row.enumerator,
                        row.day,
                        row.household_id,
                        row.crop,
                        row.facts,
                        row.flags,
                        row.flag_count,
                    ],
                )
                group = (row.form_id, row.district, row.crop)
                store_metrics(self.connection, row.instance_id, group, row.metrics)
        return row

    def missing(self) -> list[str]:
        with self.lock:
            return [
                str(found[0])
                for found in self.connection.execute(
                    "SELECT s.instance_id FROM submissions s WHERE NOT EXISTS"
                    " (SELECT 1 FROM review_facts f WHERE f.instance_id = s.instance_id)"
                    " ORDER BY s.rowid"
                )
            ]

    def replace_facts(self, instance_id: str, facts: str) -> None:
        with self.lock, derived_transaction(self.connection):
            self.connection.execute(
                "UPDATE review_facts SET facts = ? WHERE instance_id = ?", [facts, instance_id]
            )
