"""Submissions, their attachments, a hub's outbox and the settings in PostgreSQL.

Exactly-once rests on the primary keys: whichever process inserts an instanceID first
stores it, and every other insert of it, at the same moment or later, changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import ExitStack

from sync.server.storage.postgres.base import PgBase
from sync.server.storage.postgres.derived import write_rows
from sync.server.storage.records import AttachmentRecord, SubmissionRecord
from sync.server.storage.rows import SUBMISSION_COLUMNS, submission_of, submission_row

INSERT_SUBMISSION = (
    f"INSERT INTO submissions ({', '.join(SUBMISSION_COLUMNS)})"
    f" VALUES ({', '.join(['%s'] * len(SUBMISSION_COLUMNS))})"
    " ON CONFLICT (instance_id) DO NOTHING RETURNING pos"
)
"""Stores a submission unless its instanceID is there; a row (its `pos`) when it did."""


INSERT_ATTACHMENT = (
    "INSERT INTO attachments (instance_id, name, sha256, size, received)"
    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)


class LastInserted(threading.local):
    """The submissions this thread stored last (one, or a batch's), with their positions:
    the report's rows, written right after by the same thread, need them without asking
    again."""

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}

    def remember(self, positions: dict[str, int]) -> None:
        self.positions = positions

    def position(self, instance_id: str) -> int | None:
        return self.positions.get(instance_id)


class Submissions(PgBase):
    last_inserted: LastInserted
    """Set by the storage that composes this part (one per storage, not per class)."""

    # submissions
    def submission(self, instance_id: str) -> SubmissionRecord | None:
        rows = self._rows("SELECT * FROM submissions WHERE instance_id = %s", [instance_id])
        return submission_of(rows[0]) if rows else None

    def add_submission(
        self,
        record: SubmissionRecord,
        attachments: Sequence[AttachmentRecord],
        outbox: str = "pending",
    ) -> bool:
        """Insert unless the instanceID is already there (then False, nothing changed).
        `outbox`: a hub's forwarding state for it ("sent" for what came from upstream).

        A concurrent insert of the same instanceID waits for the first one's transaction
        and then does nothing (or inserts, if that one rolled back)."""
        with ExitStack() as scope:
            if record.deprecated_id or attachments:
                conn = scope.enter_context(self._transaction())
            else:  # the insert alone: one statement is atomic by itself
                conn = scope.enter_context(self.pool.connection())
            inserted = conn.execute(INSERT_SUBMISSION, submission_row(record, outbox)).fetchone()
            if inserted is None:
                return False
            if record.deprecated_id:
                conn.execute(
                    "UPDATE submissions SET replaced_by = %s WHERE instance_id = %s"
                    " AND replaced_by IS NULL",
                    [record.instance_id, record.deprecated_id],
                )
            write_rows(conn, INSERT_ATTACHMENT, [_attachment_row(a) for a in attachments])
        self.last_inserted.remember({record.instance_id: int(inserted["pos"])})
        return True

    def add_submissions(
        self, items: Sequence[tuple[SubmissionRecord, Sequence[AttachmentRecord]]]
    ) -> list[bool]:
        """Several new submissions (none an edit) in one transaction: their inserts go out
        together (`executemany` pipelines them) and one commit waits for the disk, where
        each alone would wait for its own. Whether each was stored, in order."""
        if len(items) == 1:
            return [self.add_submission(*items[0])]
        if any(record.deprecated_id for record, _ in items):
            raise ValueError("an edit (deprecatedID) is stored alone, by add_submission")
        rows = [submission_row(record, "pending") for record, _ in items]
        found = []
        with self._transaction() as conn:
            with conn.cursor() as cursor:
                cursor.executemany(INSERT_SUBMISSION, rows, returning=True)
                for _ in items:  # one result per row: its position, or none
                    found.append(cursor.fetchone())
                    cursor.nextset()
            files = [
                _attachment_row(a)
                for (_, attachments), row in zip(items, found, strict=True)
                if row is not None
                for a in attachments
            ]
            write_rows(conn, INSERT_ATTACHMENT, files)
        self.last_inserted.remember(
            {
                record.instance_id: int(row["pos"])
                for (record, _), row in zip(items, found, strict=True)
                if row is not None
            }
        )
        return [row is not None for row in found]

    def count_submissions(self) -> int:
        return int(self._rows("SELECT count(*) AS n FROM submissions")[0]["n"])

    def attachments(self, instance_id: str) -> list[AttachmentRecord]:
        rows = self._rows(
            'SELECT * FROM attachments WHERE instance_id = %s ORDER BY name COLLATE "C"',
            [instance_id],
        )
        return [
            AttachmentRecord(
                r["instance_id"], r["name"], r["sha256"], r["size"], bool(r["received"])
            )
            for r in rows
        ]

    def put_attachment(self, record: AttachmentRecord) -> bool:
        """Record a received attachment; False if it was already received. Two processes
        receiving the same file at once: the row lock of the upsert orders them, and the
        second finds it received."""
        with self._transaction() as conn:
            stored = conn.execute(
                "INSERT INTO attachments AS a (instance_id, name, sha256, size, received)"
                " VALUES (%s, %s, %s, %s, 1) ON CONFLICT (instance_id, name) DO UPDATE"
                " SET sha256 = EXCLUDED.sha256, size = EXCLUDED.size, received = 1"
                " WHERE a.received = 0 RETURNING 1 AS stored",
                [record.instance_id, record.name, record.sha256, record.size],
            ).fetchone()
        return stored is not None

    # relay outbox
    def outbox_pending(self, limit: int) -> list[SubmissionRecord]:
        """The submissions a hub has still to forward, in the order they arrived."""
        rows = self._rows(
            "SELECT * FROM submissions WHERE outbox = 'pending' ORDER BY pos LIMIT %s", [limit]
        )
        return [submission_of(row) for row in rows]

    def outbox_mark(self, instance_id: str, state: str, message: str | None) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE submissions SET outbox = %s, outbox_message = %s WHERE instance_id = %s",
                [state, message, instance_id],
            )

    def outbox_state(self, instance_id: str) -> str | None:
        rows = self._rows("SELECT outbox FROM submissions WHERE instance_id = %s", [instance_id])
        return str(rows[0]["outbox"]) if rows else None

    def get_setting(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM settings WHERE key = %s", [key])
        return str(rows[0]["value"]) if rows else None

    def set_setting(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, value],
            )


def _attachment_row(a: AttachmentRecord) -> list[object]:
    return [a.instance_id, a.name, a.sha256, a.size, int(a.received)]
