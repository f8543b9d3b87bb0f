"""Instance rows and their life: draft -> finalized -> sent, and returned -> edited -> finalized.

Each function is one transaction. A state change that does not fit the instance's
state raises `StoreError("store.bad_state")` and changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from fieldapp.store.connection import Connection
from fieldapp.store.errors import StoreError
from fieldapp.store.records import (
    DRAFT,
    FINALIZED,
    RETURNED,
    SENT,
    STATES,
    SUPERSEDED,
    Comment,
    InstanceRecord,
)

_EDITABLE = (DRAFT, RETURNED)


def create_draft(
    db: Connection,
    form_id: str,
    version: str | None,
    instance_id: str,
    xml: str,
    name: str | None,
    language: str | None = None,
) -> InstanceRecord:
    now = db.now()
    with db.write() as conn:
        if _state(conn, instance_id) is not None:
            raise StoreError("store.instance_exists", instance_id=instance_id)
        _insert(conn, instance_id, form_id, version, DRAFT, xml, name, now, language)
    return get(db, instance_id)


def save_draft(
    db: Connection,
    instance_id: str,
    xml: str,
    name: str | None,
    position: str | None,
    language: str | None = None,
) -> None:
    """Commit a draft's answers and position; `language`, when given, replaces the form
    language kept for it (None keeps the one kept)."""
    with db.write() as conn:
        _require(conn, instance_id, _EDITABLE)
        conn.execute(
            "UPDATE instances SET xml = ?, name = ?, position = ?, updated_at = ?, "
            "language = coalesce(?, language) WHERE instance_id = ?",
            (xml, name, position, db.now(), language, instance_id),
        )


def finalize(
    db: Connection,
    instance_id: str,
    xml: str,
    name: str | None,
    files: Iterable[tuple[str, str, int]] = (),
) -> list[str]:
    """Finalized, with `files` ((filename, sha256, size) already in the file store) attached
    in the same transaction, so a sync never sees the instance without them; the sha256s the
    attachments replaced."""
    now = db.now()
    with db.write() as conn:
        _require(conn, instance_id, (*_EDITABLE, FINALIZED))
        replaced = [
            old
            for filename, sha256, size in files
            if (old := attach(conn, instance_id, filename, sha256, size)) is not None
        ]
        conn.execute(
            "UPDATE instances SET state = ?, xml = ?, name = ?, updated_at = ?, finalized_at = ? "
            "WHERE instance_id = ?",
            (FINALIZED, xml, name, now, now, instance_id),
        )
    return replaced


def attach(
    conn: sqlite3.Connection, instance_id: str, filename: str, sha256: str, size: int
) -> str | None:
    """Point the instance's `filename` at the stored file `sha256`; the sha256 it pointed
    at before, if another."""
    previous = conn.execute(
        "SELECT sha256 FROM attachments WHERE instance_id = ? AND filename = ?",
        (instance_id, filename),
    ).fetchone()
    conn.execute(
        "INSERT OR REPLACE INTO attachments (instance_id, filename, sha256, size) "
        "VALUES (?, ?, ?, ?)",
        (instance_id, filename, sha256, size),
    )
    return str(previous[0]) if previous is not None and previous[0] != sha256 else None


def reopen(db: Connection, instance_id: str) -> None:
    with db.write() as conn:
        _require(conn, instance_id, (FINALIZED, DRAFT))
        conn.execute(
            "UPDATE instances SET state = ?, finalized_at = NULL, updated_at = ? "
            "WHERE instance_id = ?",
            (DRAFT, db.now(), instance_id),
        )


def replace_for_edit(
    db: Connection, old_instance_id: str, new_instance_id: str, xml: str
) -> InstanceRecord:
    now = db.now()
    with db.write() as conn:
        old = _require(conn, old_instance_id, (RETURNED,))
        if _state(conn, new_instance_id) is not None:
            raise StoreError("store.instance_exists", instance_id=new_instance_id)
        _insert(
            conn,
            new_instance_id,
            old["form_id"],
            old["form_version"],
            DRAFT,
            xml,
            old["name"],
            now,
            old["language"],
        )
        conn.execute(
            "UPDATE instances SET deprecated_id = ?, comments = ? WHERE instance_id = ?",
            (old_instance_id, old["comments"], new_instance_id),
        )
        conn.execute(
            "UPDATE instances SET state = ?, updated_at = ? WHERE instance_id = ?",
            (SUPERSEDED, now, old_instance_id),
        )
    return get(db, new_instance_id)


def mark_sent(db: Connection, instance_ids: Iterable[str]) -> None:
    """All of `instance_ids` sent (already sent is fine); none if any is not finalized."""
    now = db.now()
    with db.write() as conn:
        for instance_id in dict.fromkeys(instance_ids):
            if _require(conn, instance_id, (FINALIZED, SENT))["state"] == FINALIZED:
                conn.execute(
                    "UPDATE instances SET state = ?, sent_at = ?, updated_at = ? "
                    "WHERE instance_id = ?",
                    (SENT, now, now, instance_id),
                )


def mark_returned(
    db: Connection,
    instance_id: str,
    xml: str,
    comments: list[Comment],
    form_id: str,
    version: str | None,
) -> None:
    """A supervisor sent the instance back. Repeating it is harmless; once edited, a no-op."""
    now = db.now()
    encoded = _encode_comments(comments)
    with db.write() as conn:
        state = _state(conn, instance_id)
        if state == SUPERSEDED:
            return
        if state in (DRAFT, FINALIZED):
            raise StoreError("store.bad_state", instance_id=instance_id, state=state)
        if state is None:
            _insert(conn, instance_id, form_id, version, RETURNED, xml, None, now)
        conn.execute(
            "UPDATE instances SET state = ?, xml = ?, comments = ?, updated_at = ? "
            "WHERE instance_id = ?",
            (RETURNED, xml, encoded, now, instance_id),
        )


def delete_draft(db: Connection, instance_id: str) -> list[str]:
    """Delete a draft with its paradata and attachment rows; the sha256s it referred to."""
    with db.write() as conn:
        _require(conn, instance_id, (DRAFT,))
        hashes = [
            row[0]
            for row in conn.execute(
                "SELECT sha256 FROM attachments WHERE instance_id = ?", (instance_id,)
            )
        ]
        for table in ("attachments", "events", "instances"):
            conn.execute(f"DELETE FROM {table} WHERE instance_id = ?", (instance_id,))
    return hashes


def get(db: Connection, instance_id: str) -> InstanceRecord:
    row = db.row("SELECT * FROM instances WHERE instance_id = ?", (instance_id,))
    if row is None:
        raise StoreError("store.no_instance", instance_id=instance_id)
    return _record(row)


def list_all(db: Connection, state: str | None = None) -> list[InstanceRecord]:
    if state is not None and state not in STATES:
        raise StoreError("store.unknown_state", state=state)
    where, params = ("WHERE state = ?", (state,)) if state else ("", ())
    rows = db.rows(f"SELECT * FROM instances {where} ORDER BY updated_at DESC, rowid DESC", params)
    return [_record(row) for row in rows]


def counts(db: Connection) -> dict[str, int]:
    found = {
        row[0]: int(row[1])
        for row in db.rows("SELECT state, count(*) FROM instances GROUP BY state")
    }
    return {state: found.get(state, 0) for state in STATES}


def _insert(
    conn: sqlite3.Connection,
    instance_id: str,
    form_id: str,
    version: str | None,
    state: str,
    xml: str,
    name: str | None,
    now: str,
    language: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO instances (instance_id, form_id, form_version, state, xml, name, "
        "created_at, updated_at, comments, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?)",
        (instance_id, form_id, version, state, xml, name, now, now, language),
    )


def _state(conn: sqlite3.Connection, instance_id: str) -> str | None:
    row = conn.execute(
        "SELECT state FROM instances WHERE instance_id = ?", (instance_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def _require(conn: sqlite3.Connection, instance_id: str, states: tuple[str, ...]) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM instances WHERE instance_id = ?", (instance_id,)
    ).fetchone()
    if row is None:
        raise StoreError("store.no_instance", instance_id=instance_id)
    if row["state"] not in states:
        raise StoreError("store.bad_state", instance_id=instance_id, state=row["state"])
    return row


def _encode_comments(comments: Iterable[Comment]) -> str:
    return json.dumps(
        [{"ref": c.ref, "text": c.text, "author": c.author, "at": c.at} for c in comments],
        ensure_ascii=False,
    )


def _decode_comments(text: str) -> tuple[Comment, ...]:
    items: list[dict[str, Any]] = json.loads(text)
    return tuple(
        Comment(ref=i.get("ref"), text=str(i["text"]), author=str(i["author"]), at=str(i["at"]))
        for i in items
    )


def _record(row: sqlite3.Row) -> InstanceRecord:
    return InstanceRecord(
        instance_id=row["instance_id"],
        form_id=row["form_id"],
        form_version=row["form_version"],
        state=row["state"],
        xml=row["xml"],
        name=row["name"],
        position=row["position"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finalized_at=row["finalized_at"],
        sent_at=row["sent_at"],
        deprecated_id=row["deprecated_id"],
        comments=_decode_comments(row["comments"]),
        language=row["language"],
    )
