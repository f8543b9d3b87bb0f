"""Users and forms in SQLite."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sync.server.storage.records import FormRecord, User
from sync.server.storage.rows import form_of, user_of
from sync.server.storage.sqlite.base import SqliteBase


class Accounts(SqliteBase):
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
        return user_of(rows[0]) if rows else None

    def user(self, name: str) -> User | None:
        with self._lock:
            rows = self._rows("SELECT * FROM users WHERE name = ?", [name])
        return user_of(rows[0]) if rows else None

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
        return [(user_of(row), str(row["token_hash"])) for row in rows]

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
        return [form_of(row) for row in rows]

    def form(self, form_id: str, version: str | None) -> FormRecord | None:
        with self._lock:
            if version is None:
                sql, params = "SELECT * FROM forms WHERE form_id = ? AND current = 1", [form_id]
            else:
                sql = "SELECT * FROM forms WHERE form_id = ? AND version = ?"
                params = [form_id, version]
            rows = self._rows(sql, params)
        return form_of(rows[0]) if rows else None
