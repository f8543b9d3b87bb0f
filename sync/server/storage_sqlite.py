"""The SQLite storage (sqlite-utils, WAL, numbered migrations) of a data directory."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from sync.server.storage import (
    AttachmentRecord,
    FormRecord,
    ReturnScope,
    ReviewRecord,
    SubmissionRecord,
    User,
)


def _v1(db: sqlite_utils.Database) -> None:
    db.table("users").create(
        {"name": str, "role": str, "district": str, "token_hash": str, "revoked": int},
        pk="name",
    )
    db.table("users").create_index(["token_hash"], unique=True)
    db.table("events").create({"seq": int, "kind": str, "ref": str}, pk="seq")
    db.table("forms").create(
        {
            "form_id": str,
            "version": str,
            "title": str,
            "md5": str,
            "xml": str,
            "seq": int,
            "media": str,
            "current": int,
        },
        pk=("form_id", "version"),
    )
    db.table("submissions").create(
        {
            "instance_id": str,
            "form_id": str,
            "form_version": str,
            "xml": str,
            "xml_sha256": str,
            "deprecated_id": str,
            "instance_name": str,
            "submitted_at": str,
            "enumerator": str,
            "district": str,
            "device_id": str,
            "outbox": str,
            "outbox_message": str,
        },
        pk="instance_id",
    )
    db.table("submissions").create_index(["enumerator"])
    db.table("submissions").create_index(["outbox"])
    db.table("attachments").create(
        {"instance_id": str, "name": str, "sha256": str, "size": int, "received": int},
        pk=("instance_id", "name"),
    )
    db.table("reviews").create(
        {
            "seq": int,
            "instance_id": str,
            "decision": str,
            "comment": str,
            "question_comments": str,
            "author": str,
            "at": str,
        },
        pk="seq",
    )
    db.table("reviews").create_index(["instance_id"])
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _v2(db: sqlite_utils.Database) -> None:
    """An edit (meta/deprecatedID) marks the submission it replaces."""
    db.table("submissions").add_column("replaced_by", str)


def _v3(db: sqlite_utils.Database) -> None:
    """Finding a submission's edit (its replacement) is a lookup, not a scan per ingestion."""
    db.table("submissions").create_index(["deprecated_id"])


def _v4(db: sqlite_utils.Database) -> None:
    """The review queue reads a page newest first, in all or in one district, by walking an
    index and stopping at the page's end: not by sorting every submission, whose rows carry
    their XML, each time a supervisor opens it."""
    db.table("submissions").create_index(["submitted_at"])
    db.table("submissions").create_index(["district", "submitted_at"])


def _v5(db: sqlite_utils.Database) -> None:
    """District hubs: the route a submission came by upstream, and on a hub the central
    server's number of each return it relays (the position devices' pull cursors count in)."""
    db.table("submissions").add_column("via", str)
    db.table("reviews").add_column("origin_seq", int)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
"""Schema changes in order; `PRAGMA user_version` counts the ones applied."""


class SqliteStorage:
    """One connection shared by the worker threads, each call a transaction under a lock."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(connection)
        self.db.execute("PRAGMA journal_mode=WAL")
        # An acknowledged submission must survive a power cut, not only a killed process.
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self._lock = threading.RLock()
        self._migrate()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One explicit transaction under the lock: all of a call's writes or none of them.

        The connection is in autocommit mode, so `with conn:` alone would commit each
        statement on its own."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            if self.db.conn.in_transaction:
                self.db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction():
            applied = int(self.db.execute("PRAGMA user_version").fetchone()[0])
            for number, migration in enumerate(MIGRATIONS[applied:], start=applied + 1):
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {int(number)}")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _event(self, kind: str, ref: str) -> int:
        cursor = self.db.execute("INSERT INTO events (kind, ref) VALUES (?, ?)", [kind, ref])
        return int(cursor.lastrowid or 0)

    # users
    def add_user(self, user: User, token_hash: str) -> None:
        with self._transaction():
            row = {
                "name": user.name,
                "role": user.role,
                "district": user.district,
                "token_hash": token_hash,
                "revoked": 0,
            }
            self.db.table("users").insert(row)

    def user_by_token(self, token_hash: str) -> User | None:
        with self._lock:
            rows = self._rows(
                "SELECT * FROM users WHERE token_hash = ? AND revoked = 0", [token_hash]
            )
        return _user(rows[0]) if rows else None

    def user(self, name: str) -> User | None:
        with self._lock:
            rows = self._rows("SELECT * FROM users WHERE name = ?", [name])
        return _user(rows[0]) if rows else None

    def set_token(self, name: str, token_hash: str) -> None:
        with self._transaction():
            self.db.execute(
                "UPDATE users SET token_hash = ?, revoked = 0 WHERE name = ?", [token_hash, name]
            )

    def revoke(self, name: str) -> bool:
        with self._transaction():
            cursor = self.db.execute("UPDATE users SET revoked = 1 WHERE name = ?", [name])
        return cursor.rowcount > 0

    def hub_users(self, district: str | None) -> list[tuple[User, str]]:
        """The enumerators (revoked ones too) of `district`, or of all with None, with their
        token hashes: what a district hub checks devices against."""
        with self._lock:
            rows = self._rows(
                "SELECT * FROM users WHERE role = 'enumerator' AND (? IS NULL OR district = ?)"
                " ORDER BY name",
                [district, district],
            )
        return [(_user(row), str(row["token_hash"])) for row in rows]

    def replace_users(self, users: Sequence[tuple[User, str]]) -> None:
        """A hub's users become exactly `users` (its upstream's list), in one transaction."""
        with self._transaction():
            self.db.execute("DELETE FROM users")
            for user, token_hash in users:
                self.db.execute(
                    "INSERT INTO users (name, role, district, token_hash, revoked)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [user.name, user.role, user.district, token_hash, int(user.revoked)],
                )

    # forms
    def put_form(self, form: FormRecord) -> FormRecord:
        version = form.version or ""
        with self._transaction():
            seq = self._event("form", form.form_id)
            self.db.execute("UPDATE forms SET current = 0 WHERE form_id = ?", [form.form_id])
            self.db.table("forms").upsert(
                {
                    "form_id": form.form_id,
                    "version": version,
                    "title": form.title,
                    "md5": form.md5,
                    "xml": form.xml,
                    "seq": seq,
                    "media": json.dumps(form.media),
                    "current": 1,
                },
                pk=("form_id", "version"),
            )
        return FormRecord(
            form.form_id, form.version, form.title, form.md5, form.xml, seq, dict(form.media)
        )

    def current_forms(self) -> list[FormRecord]:
        with self._lock:
            rows = self._rows("SELECT * FROM forms WHERE current = 1 ORDER BY form_id")
        return [_form(row) for row in rows]

    def form(self, form_id: str, version: str | None) -> FormRecord | None:
        with self._lock:
            if version is None:
                sql, params = "SELECT * FROM forms WHERE form_id = ? AND current = 1", [form_id]
            else:
                sql = "SELECT * FROM forms WHERE form_id = ? AND version = ?"
                params = [form_id, version]
            rows = self._rows(sql, params)
        return _form(rows[0]) if rows else None

    # submissions
    def submission(self, instance_id: str) -> SubmissionRecord | None:
        with self._lock:
            rows = self._rows("SELECT * FROM submissions WHERE instance_id = ?", [instance_id])
        return _submission(rows[0]) if rows else None

    def add_submission(
        self,
        record: SubmissionRecord,
        attachments: Sequence[AttachmentRecord],
        outbox: str = "pending",
    ) -> bool:
        """Insert unless the instanceID is already there (then False, nothing changed).
        `outbox`: a hub's forwarding state for it ("sent" for what came from upstream)."""
        with self._transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO submissions (instance_id, form_id, form_version, xml,"
                " xml_sha256, deprecated_id, instance_name, submitted_at, enumerator, district,"
                " device_id, via, outbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    record.instance_id,
                    record.form_id,
                    record.form_version,
                    record.xml,
                    record.xml_sha256,
                    record.deprecated_id,
                    record.instance_name,
                    record.submitted_at,
                    record.enumerator,
                    record.district,
                    record.device_id,
                    record.via,
                    outbox,
                ],
            )
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

    # reviews
    def add_review(self, review: ReviewRecord) -> ReviewRecord:
        with self._transaction():
            seq = self._event("review", review.instance_id)
            self.db.table("reviews").insert(
                {
                    "seq": seq,
                    "instance_id": review.instance_id,
                    "decision": review.decision,
                    "comment": review.comment,
                    "question_comments": json.dumps(review.question_comments),
                    "author": review.author,
                    "at": review.at,
                    "origin_seq": review.origin_seq,
                }
            )
        return ReviewRecord(
            review.instance_id,
            review.decision,
            review.comment,
            dict(review.question_comments),
            review.author,
            review.at,
            seq,
            review.origin_seq,
        )

    def returned_since(self, scope: ReturnScope, seq: int) -> list[ReviewRecord]:
        """Returns in `scope` numbered past `seq`, in order: numbered as the central server
        numbered them (`origin_seq` on a hub), so one cursor means the same at both."""
        sql = (
            "SELECT r.* FROM reviews r JOIN submissions s ON s.instance_id = r.instance_id"
            " WHERE r.decision = 'rejected' AND coalesce(r.origin_seq, r.seq) > ?"
        )
        params: list[Any] = [seq]
        for column, value in (("enumerator", scope.enumerator), ("district", scope.district)):
            if value is not None:  # a plain equality, so the index on the column serves it
                sql += f" AND s.{column} = ?"
                params.append(value)
        with self._lock:
            rows = self._rows(sql + " ORDER BY coalesce(r.origin_seq, r.seq)", params)
        return [_review(row) for row in rows]

    def reviews(self, instance_id: str) -> list[ReviewRecord]:
        with self._lock:
            rows = self._rows(
                "SELECT * FROM reviews WHERE instance_id = ? ORDER BY seq", [instance_id]
            )
        return [_review(row) for row in rows]

    def last_seq(self) -> int:
        with self._lock:
            return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    # relay outbox
    def outbox_pending(self, limit: int) -> list[SubmissionRecord]:
        with self._lock:
            rows = self._rows(
                "SELECT * FROM submissions WHERE outbox = 'pending' ORDER BY rowid LIMIT ?",
                [limit],
            )
        return [_submission(row) for row in rows]

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


def _user(row: dict[str, Any]) -> User:
    return User(row["name"], row["role"], row["district"], bool(row["revoked"]))


def _form(row: dict[str, Any]) -> FormRecord:
    return FormRecord(
        row["form_id"],
        row["version"] or None,
        row["title"],
        row["md5"],
        row["xml"],
        row["seq"],
        json.loads(row["media"] or "{}"),
    )


def _submission(row: dict[str, Any]) -> SubmissionRecord:
    return SubmissionRecord(
        row["instance_id"],
        row["form_id"],
        row["form_version"],
        row["xml"],
        row["xml_sha256"],
        row["deprecated_id"],
        row["instance_name"],
        row["submitted_at"],
        row["enumerator"],
        row["district"],
        row["device_id"],
        row["replaced_by"],
        row["via"],
    )


def _review(row: dict[str, Any]) -> ReviewRecord:
    return ReviewRecord(
        row["instance_id"],
        row["decision"],
        row["comment"],
        json.loads(row["question_comments"] or "{}"),
        row["author"],
        row["at"],
        row["seq"],
        row["origin_seq"],
    )
