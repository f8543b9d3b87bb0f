"""Recording a submission's quality facts and flags at ingestion, at a cost that does not grow
with the number of stored submissions.

Everything is written on the storage's own connection under its lock, in one transaction per
submission (facts, flags and metric rows together) right after the submission's own commit:
no second connection, no second fsync. Facts are derived data: if the process dies between
the two commits, `recover` (run when the index is first opened in a process) records every
submission that has none. The peers' outlier fences come from `quality_peers.PeerFences`
(cached quartiles, see there); the duplicate household check is one indexed lookup.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree.ElementTree import Element

from sync.server.quality import Facts, Flag, check, extract_facts
from sync.server.quality_config import SETTING_KEY, QualityConfig
from sync.server.quality_peers import PeerFences, store_metrics
from sync.server.storage import Storage, SubmissionRecord

log = logging.getLogger(__name__)

DUPLICATE_SQL = (
    "SELECT f.instance_id FROM review_facts f JOIN submissions s USING (instance_id)"
    " WHERE f.form_id = ? AND f.household_id = ? AND f.instance_id != ?"
    " AND f.instance_id IS NOT ?"
    " AND NOT EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
    " ORDER BY s.submitted_at LIMIT 1"
)
"""Another current submission of the form with this household ID (not an older version)."""


def write_side(storage: Storage) -> tuple[sqlite3.Connection, Any]:
    """The SQLite storage's connection and the lock that serialises its use."""
    db, lock = getattr(storage, "db", None), getattr(storage, "_lock", None)
    if db is None or lock is None:
        raise TypeError("the review index needs the SQLite storage")
    connection: sqlite3.Connection = db.conn
    return connection, lock


class FactsRecorder:
    """Per database file and process (held by `review_store.ReviewIndex`)."""

    def __init__(self) -> None:
        self.fences = PeerFences()
        self._config: tuple[str | None, QualityConfig] | None = None
        self._config_lock = threading.Lock()

    def config(self, storage: Storage) -> QualityConfig:
        """The project's settings, parsed again only when their text changed."""
        text = storage.get_setting(SETTING_KEY)
        with self._config_lock:
            if self._config is None or self._config[0] != text:
                parsed = (
                    QualityConfig() if text is None else QualityConfig.model_validate_json(text)
                )
                self._config = (text, parsed)
            return self._config[1]

    def record(
        self, storage: Storage, submission: SubmissionRecord, root: Element | None = None
    ) -> list[Flag]:
        """Compute and keep the facts and flags of a just-stored submission (`root`: its parsed
        XML, when ingestion has it)."""
        config = self.config(storage)
        fields = config.field_map(submission.form_id)
        facts = extract_facts(
            submission.xml if root is None else root, fields, config.dont_know_codes
        )
        group = (submission.form_id, submission.district, facts.crop)
        connection, lock = write_side(storage)
        with lock:
            current = connection.execute(
                "SELECT version FROM forms WHERE form_id = ? AND current = 1",
                [submission.form_id],
            ).fetchone()
            duplicate = None
            if facts.household_id:
                found = connection.execute(
                    DUPLICATE_SQL,
                    [
                        submission.form_id,
                        facts.household_id,
                        submission.instance_id,
                        submission.deprecated_id,
                    ],
                ).fetchone()
                duplicate = str(found[0]) if found else None
            flags = check(
                facts,
                config,
                district=submission.district,
                form_version=submission.form_version,
                current_version=(current[0] or None) if current is not None else None,
                peers={},
                duplicate_of=duplicate,
                fences=self.fences.quartiles(connection, group),
            )
            _store(connection, submission, facts, flags)
            self.fences.added(group)
        return flags

    def recover(self, storage: Storage, ingesting: str | None = None) -> int:
        """Record the submissions that have no facts (a crash between the two commits, or a
        database from before the index), but `ingesting`, whose derived rows are about to be
        written (`write_derived_rows`); returns how many."""
        connection, lock = write_side(storage)
        with lock:
            missing = [
                str(row[0])
                for row in connection.execute(
                    "SELECT s.instance_id FROM submissions s WHERE NOT EXISTS"
                    " (SELECT 1 FROM review_facts f WHERE f.instance_id = s.instance_id)"
                    " ORDER BY s.rowid"
                )
            ]
        missing = [instance_id for instance_id in missing if instance_id != ingesting]
        for instance_id in missing:
            record = storage.submission(instance_id)
            if record is None:
                continue
            try:
                self.record(storage, record)
            except Exception:  # advisory data: one bad submission does not stop the others
                log.exception("quality flags of %s not recovered", instance_id)
        return len(missing)


def backfill_metrics(connection: sqlite3.Connection) -> None:
    """Fill `review_metrics` from the facts of a database recorded before that table existed."""
    rows = connection.execute(
        "SELECT instance_id, form_id, district, crop, facts FROM review_facts"
    ).fetchall()
    connection.execute("BEGIN")
    try:
        for instance_id, form_id, district, crop, text in rows:
            metrics = Facts.model_validate_json(text).metrics
            store_metrics(connection, instance_id, (form_id, district, crop), metrics)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


@contextmanager
def derived_transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One transaction of derived data (rebuilt by a recovery or backfill if a crash loses
    it): its commit need not wait for the disk; the next submission's FULL commit syncs it
    along. The caller holds the storage's lock."""
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


def _store(
    connection: sqlite3.Connection, submission: SubmissionRecord, facts: Facts, flags: list[Flag]
) -> None:
    """Facts are derived data: `recover` rebuilds what a crash loses."""
    with derived_transaction(connection):
        connection.execute(
            "INSERT OR REPLACE INTO review_facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                submission.instance_id,
                submission.form_id,
                submission.district,
                submission.enumerator,
                facts.day or submission.submitted_at[:10],
                facts.household_id,
                facts.crop,
                facts.model_dump_json(),
                json.dumps([f.model_dump() for f in flags]),
                len(flags),
            ],
        )
        store_metrics(
            connection,
            submission.instance_id,
            (submission.form_id, submission.district, facts.crop),
            facts.metrics,
        )


def store_facts(storage: Storage, instance_id: str, facts: Facts) -> None:
    """Replace the kept facts of a submission (its durations, once its audit log arrived)."""
    connection, lock = write_side(storage)
    with lock, derived_transaction(connection):
        connection.execute(
            "UPDATE review_facts SET facts = ? WHERE instance_id = ?",
            [facts.model_dump_json(), instance_id],
        )
