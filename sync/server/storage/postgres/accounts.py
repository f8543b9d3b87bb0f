"""Users and forms in PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from sync.server.storage.postgres.base import PgBase, advisory_lock
from sync.server.storage.records import FormRecord, User
from sync.server.storage.rows import form_of, user_of

USERS_LOCK = "fieldapp:users"
"""Held by `replace_users`: two refreshes of a hub's list at once would otherwise both
delete the old rows and then collide on each other's new ones."""


class Accounts(PgBase):
    # users
    def add_user(self, user: User, token_hash: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO users (name, role, district, token_hash, revoked)"
                " VALUES (%s, %s, %s, %s, 0)",
                [user.name, user.role, user.district, token_hash],
            )

    def user_by_token(self, token_hash: str) -> User | None:
        rows = self._rows("SELECT * FROM users WHERE token_hash = %s AND revoked = 0", [token_hash])
        return user_of(rows[0]) if rows else None

    def user(self, name: str) -> User | None:
        rows = self._rows("SELECT * FROM users WHERE name = %s", [name])
        return user_of(rows[0]) if rows else None

    def set_token(self, name: str, token_hash: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE users SET token_hash = %s, revoked = 0 WHERE name = %s",
                [token_hash, name],
            )

    def revoke(self, name: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute("UPDATE users SET revoked = 1 WHERE name = %s", [name])
            return cursor.rowcount > 0

    def hub_users(self, district: str | None) -> list[tuple[User, str]]:
        """The enumerators (revoked ones too) of `district`, or of all with None, with their
        token hashes: what a district hub checks devices against."""
        rows = self._rows(
            "SELECT * FROM users WHERE role = 'enumerator'"
            ' AND (%s::text IS NULL OR district = %s) ORDER BY name COLLATE "C"',
            [district, district],
        )
        return [(user_of(row), str(row["token_hash"])) for row in rows]

    def replace_users(self, users: Sequence[tuple[User, str]]) -> None:
        """A hub's users become exactly `users` (its upstream's list), in one transaction."""
        with self._transaction() as conn:
            advisory_lock(conn, USERS_LOCK)
            conn.execute("DELETE FROM users")
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO users (name, role, district, token_hash, revoked)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    [
                        [user.name, user.role, user.district, token_hash, int(user.revoked)]
                        for user, token_hash in users
                    ],
                )

    # forms
    def put_form(self, form: FormRecord) -> FormRecord:
        """Publish `form` as its form's current version. The event lock is taken first, so
        two publications of one form at once end with the later-numbered one current."""
        with self._transaction() as conn:
            seq = self._event(conn, "form", form.form_id)
            conn.execute("UPDATE forms SET current = 0 WHERE form_id = %s", [form.form_id])
            conn.execute(
                "INSERT INTO forms (form_id, version, title, md5, xml, seq, media, current)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, 1)"
                " ON CONFLICT (form_id, version) DO UPDATE SET title = EXCLUDED.title,"
                " md5 = EXCLUDED.md5, xml = EXCLUDED.xml, seq = EXCLUDED.seq,"
                " media = EXCLUDED.media, current = 1",
                [
                    form.form_id,
                    form.version or "",
                    form.title,
                    form.md5,
                    form.xml,
                    seq,
                    json.dumps(form.media),
                ],
            )
        return replace(form, seq=seq, media=dict(form.media))

    def current_forms(self) -> list[FormRecord]:
        rows = self._rows('SELECT * FROM forms WHERE current = 1 ORDER BY form_id COLLATE "C"')
        return [form_of(row) for row in rows]

    def form(self, form_id: str, version: str | None) -> FormRecord | None:
        if version is None:
            rows = self._rows("SELECT * FROM forms WHERE form_id = %s AND current = 1", [form_id])
        else:
            rows = self._rows(
                "SELECT * FROM forms WHERE form_id = %s AND version = %s", [form_id, version]
            )
        return form_of(rows[0]) if rows else None
