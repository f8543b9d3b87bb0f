"""Downloaded forms and their media files."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping

from fieldapp.store.connection import Connection
from fieldapp.store.errors import StoreError
from fieldapp.store.files import FileStore
from fieldapp.store.records import FormRecord
from forms.errors import FormError
from forms.xform_reader import read_xform


def add(db: Connection, files: FileStore, xform: str, media: Mapping[str, bytes]) -> FormRecord:
    """Store a form (read with the engine first); the same XForm again changes nothing."""
    try:
        definition = read_xform(xform, source_name="downloaded form")
    except FormError as error:
        raise StoreError("store.bad_form", detail=str(error)) from error
    digest = "md5:" + hashlib.md5(xform.encode("utf-8"), usedforsecurity=False).hexdigest()
    version = definition.version or ""
    stored = [(name, *files.put(data), len(data)) for name, data in media.items()]
    with db.write() as conn:
        row = conn.execute(
            "SELECT hash FROM forms WHERE form_id = ? AND version = ?",
            (definition.form_id, version),
        ).fetchone()
        if row is None or row[0] != digest:
            conn.execute(
                "INSERT OR REPLACE INTO forms (form_id, version, title, hash, xform, downloaded_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (definition.form_id, version, definition.title, digest, xform, db.now()),
            )
        for name, sha256, _path, size in stored:
            conn.execute(
                "INSERT OR REPLACE INTO form_media (form_id, version, filename, sha256, size) "
                "VALUES (?, ?, ?, ?, ?)",
                (definition.form_id, version, name, sha256, size),
            )
    return get(db, definition.form_id, definition.version)


def get(db: Connection, form_id: str, version: str | None = None) -> FormRecord:
    if version is None:
        row = db.row(
            "SELECT * FROM forms WHERE form_id = ? ORDER BY downloaded_at DESC, version DESC",
            (form_id,),
        )
    else:
        row = db.row("SELECT * FROM forms WHERE form_id = ? AND version = ?", (form_id, version))
    if row is None:
        raise StoreError("store.no_form", form_id=form_id, version=version or "")
    return _record(row)


def list_all(db: Connection) -> list[FormRecord]:
    return [_record(row) for row in db.rows("SELECT * FROM forms ORDER BY title, form_id, version")]


def media(db: Connection, files: FileStore, form_id: str, version: str | None) -> dict[str, bytes]:
    form = get(db, form_id, version)
    rows = db.rows(
        "SELECT filename, sha256 FROM form_media WHERE form_id = ? AND version = ? ORDER BY filename",
        (form.form_id, form.version or ""),
    )
    return {row["filename"]: files.get(row["sha256"], row["filename"]) for row in rows}


def _record(row: sqlite3.Row) -> FormRecord:
    return FormRecord(
        form_id=row["form_id"],
        version=row["version"] or None,
        title=row["title"],
        hash=row["hash"],
        xform=row["xform"],
        downloaded_at=row["downloaded_at"],
    )
