"""Submissions, their attachments, a hub's outbox and the settings in SQLite."""

from __future__ import annotations

from collections.abc import Sequence

from sync.server.storage.records import AttachmentRecord, SubmissionRecord
from sync.server.storage.rows import SUBMISSION_COLUMNS, submission_of, submission_row
from sync.server.storage.sqlite.base import SqliteBase

INSERT_SUBMISSION = (
    f"INSERT OR IGNORE INTO submissions ({', '.join(SUBMISSION_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(SUBMISSION_COLUMNS))})"
)


class Submissions(SqliteBase):
    # submissions
    def submission(self, instance_id: str) -> SubmissionRecord | None:
        with self._lock:
            rows = self._rows("SELECT * FROM submissions WHERE instance_id = ?", [instance_id])
        return submission_of(rows[0]) if rows else None

    def add_submission(
        self,
        record: SubmissionRecord,
        attachments: Sequence[AttachmentRecord],
        outbox: str = "pending",
    ) -> bool:
        """Insert unless the instanceID is already there (then False, nothing changed).
        `outbox`: a hub's forwarding state for it ("sent" for what came from upstream)."""
        with self._transaction():
            cursor = self.db.execute(INSERT_SUBMISSION, submission_row(record, outbox))
            if cursor.rowcount == 0:
                return False
            if record.deprecated_id:
                self.db.execute(
                    "UPDATE submissions SET replaced_by = ? WHERE instance_id = ?"
                    " AND replaced_by IS NULL",
                    [record.instance_id, record.deprecated_id],
                )
            for a in attachments:
                self.db.execute(
                    "INSERT OR IGNORE INTO attachments VALUES (?, ?, ?, ?, ?)",
                    [a.instance_id, a.name, a.sha256, a.size, int(a.received)],
                )
        return True

    def add_submissions(
        self, items: Sequence[tuple[SubmissionRecord, Sequence[AttachmentRecord]]]
    ) -> list[bool]:
        """Each in a transaction of its own, as `add_submission`: SQLite's statements are
        calls in this process, not round trips to another."""
        return [self.add_submission(record, attachments) for record, attachments in items]

    def count_submissions(self) -> int:
        with self._lock:
            return int(self.db.execute("SELECT count(*) FROM submissions").fetchone()[0])

    def attachments(self, instance_id: str) -> list[AttachmentRecord]:
        with self._lock:
            rows = self._rows(
                "SELECT * FROM attachments WHERE instance_id = ? ORDER BY name", [instance_id]
            )
        return [
            AttachmentRecord(
                r["instance_id"], r["name"], r["sha256"], r["size"], bool(r["received"])
            )
            for r in rows
        ]

    def put_attachment(self, record: AttachmentRecord) -> bool:
        """Record a received attachment; False if it was already received."""
        with self._transaction():
            rows = self._rows(
                "SELECT received FROM attachments WHERE instance_id = ? AND name = ?",
                [record.instance_id, record.name],
            )
            if rows and rows[0]["received"]:
                return False
            self.db.execute(
                "INSERT OR REPLACE INTO attachments VALUES (?, ?, ?, ?, 1)",
                [record.instance_id, record.name, record.sha256, record.size],
            )
        return True

    # relay outbox
    def outbox_pending(self, limit: int) -> list[SubmissionRecord]:
        with self._lock:
            rows = self._rows(
                "SELECT * FROM submissions WHERE outbox = 'pending' ORDER BY rowid LIMIT ?",
                [limit],
            )
        return [submission_of(row) for row in rows]

    def outbox_mark(self, instance_id: str, state: str, message: str | None) -> None:
        with self._transaction():
            self.db.execute(
                "UPDATE submissions SET outbox = ?, outbox_message = ? WHERE instance_id = ?",
                [state, message, instance_id],
            )

    def outbox_state(self, instance_id: str) -> str | None:
        with self._lock:
            rows = self._rows("SELECT outbox FROM submissions WHERE instance_id = ?", [instance_id])
        return str(rows[0]["outbox"]) if rows else None

    def get_setting(self, key: str) -> str | None:
        with self._lock:
            rows = self._rows("SELECT value FROM settings WHERE key = ?", [key])
        return str(rows[0]["value"]) if rows else None

    def set_setting(self, key: str, value: str) -> None:
        with self._transaction():
            self.db.table("settings").upsert({"key": key, "value": value}, pk="key")
